"""Run by test_gc: on the default catalog of $DERIVAML_HOME, start storing the file SOURCE as
an object and downloading the bag of dataset RID, and stop both half-way (the object copied
to its ``.partial-*`` file, the bag's ``.partial-*`` folder holding its tables); print
``ready`` and wait to be killed."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from derivaml_jupyter.dataset import bag
from derivaml_jupyter.dataset.spec import DatasetSpec
from derivaml_jupyter.ml import DerivaML


def main(source: str, rid: str) -> None:
    ml = DerivaML()
    stopped = [threading.Event(), threading.Event()]

    def stop_here(which: threading.Event):
        def pause(*_, **__):
            which.set()
            threading.Event().wait()  # forever
        return pause

    bag.write_model = stop_here(stopped[1])  # after the bag's tables are written
    for run in (lambda: ml.catalog.put_object("domain/Model", "big.bin", Path(source),
                                              progress=stop_here(stopped[0])),
                lambda: ml.download_dataset_bag(DatasetSpec(rid=rid))):
        threading.Thread(target=run, daemon=True).start()
    for event in stopped:
        event.wait()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
