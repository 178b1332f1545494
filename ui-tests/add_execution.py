"""Record one small finished execution in the demo catalog (``derivaml demo`` first) for the
UI tests: a run of the "UI test" workflow that read a demo dataset (without fetching its
files) and uploaded a metrics file and a Markdown report, and, given an accuracy, a metrics
file ``metrics.json`` that comparing executions reads. Prints the execution's RID.

    python add_execution.py [HOST CATALOG [DESCRIPTION DATASET_TYPE ACCURACY]]
    # default: the local catalog ``default``, "UI test run" of the Training dataset
"""

from __future__ import annotations

import json
import sys

from derivaml import DatasetSpec, DerivaML, ExecutionConfiguration
from derivaml_jupyter.demo import find_demo_data


def main(host: str = "local", catalog: str = "default", description: str = "UI test run",
         dataset: str = "Training", accuracy: str | None = None) -> None:
    ml = DerivaML(host, catalog)
    read = find_demo_data(ml)[dataset]
    workflow = ml.create_workflow("UI test", "Training", description="A tiny run for UI tests")
    config = ExecutionConfiguration(
        workflow=workflow, description=description,
        datasets=[DatasetSpec(read, version="1.0.0", materialize=False)])
    with ml.create_execution(config) as execution:
        execution.asset_file_path("Execution_Asset", "metrics.txt").write_text("accuracy 0.9\n")
        execution.asset_file_path("Execution_Asset", "report.md").write_text(
            f"# UI test report\n\nAccuracy **0.9** on the {dataset} dataset.\n")
        if accuracy is not None:
            execution.asset_file_path("Execution_Metadata", "metrics.json").write_text(
                json.dumps({"accuracy": float(accuracy)}))
    execution.upload_execution_outputs(progress=False)
    print(execution.execution_rid)


if __name__ == "__main__":
    main(*sys.argv[1:])
