"""Run by test_gc: on the default catalog of $DERIVAML_HOME, start storing the file SOURCE as
an object, downloading the current bag of dataset RID and fetching the files of its bag at
version 0.2.0 (already downloaded without them), and stop all three half-way: the object
copied to its ``.partial-*`` file, the new bag's ``.partial-*`` folder holding its tables, a
file fetched into a ``.partial-*`` folder of the old bag. Print ``ready``, wait to be
killed."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from derivaml_jupyter.dataset import bag
from derivaml_jupyter.dataset.spec import DatasetSpec
from derivaml_jupyter.ml import DerivaML


def main(source: str, rid: str) -> None:
    ml = DerivaML()
    stopped = [threading.Event() for _ in range(3)]

    def stop_here(which: threading.Event):
        def pause(*_, **__):
            which.set()
            threading.Event().wait()  # forever
        return pause

    bag.write_model = stop_here(stopped[1])  # after the new bag's tables are written
    get_object = ml.catalog.get_object

    def fetch_then_stop(url, dest, **kwargs):
        get_object(url, dest, **kwargs)
        if Path(dest).parent.name.startswith(".partial-"):  # the old bag's, not the new one's
            stop_here(stopped[2])()

    ml.catalog.get_object = fetch_then_stop
    for run in (lambda: ml.catalog.put_object("domain/Model", "big.bin", Path(source),
                                              progress=stop_here(stopped[0])),
                lambda: ml.download_dataset_bag(DatasetSpec(rid=rid)),
                lambda: ml.download_dataset_bag(DatasetSpec(rid=rid, version="0.2.0"))):
        threading.Thread(target=run, daemon=True).start()
    for event in stopped:
        event.wait()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
