"""Run by test_upload_resume: stage COUNT random files of SIZE_MB into a new execution on
catalog HOST/CATALOG, write their MD5s to ``<home>/sources.json``, print the execution RID, then
upload."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

from derivaml_jupyter.execution.configuration import ExecutionConfiguration
from derivaml_jupyter.ml import DerivaML


def main(count: int, size_mb: int, host: str, catalog: str) -> None:
    ml = DerivaML(host, catalog)
    if not ml.catalog.model().has_table(ml.domain_schema, "Model"):
        ml.create_asset("Model")
    exe = ml.create_execution(ExecutionConfiguration(
        workflow=ml.create_workflow("Upload worker", "Training")))
    sources = {}
    with exe:
        for i in range(count):
            data = os.urandom(size_mb * 1024 * 1024)
            exe.asset_file_path("Model", f"part-{i:03d}.bin").write_bytes(data)
            sources[f"part-{i:03d}.bin"] = hashlib.md5(data).hexdigest()
    home = Path(os.environ["DERIVAML_HOME"])
    (home / "sources.json").write_text(json.dumps(sources))
    print(exe.execution_rid, flush=True)
    exe.upload_execution_outputs(progress=False)
    print("uploaded", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4])
