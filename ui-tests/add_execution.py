"""Record one small finished execution in the demo catalog (``derivaml demo`` first) for the
UI tests: a run of the "UI test" workflow that read the Training dataset (without fetching
its files) and uploaded a metrics file and a Markdown report. Prints the execution's RID.

    python add_execution.py [HOST CATALOG]   # default: the local catalog ``default``
"""

from __future__ import annotations

import sys

from derivaml import DatasetSpec, DerivaML, ExecutionConfiguration
from derivaml_jupyter.demo import find_demo_data


def main(host: str = "local", catalog: str = "default") -> None:
    ml = DerivaML(host, catalog)
    training = find_demo_data(ml)["Training"]
    workflow = ml.create_workflow("UI test", "Training", description="A tiny run for UI tests")
    config = ExecutionConfiguration(
        workflow=workflow, description="UI test run",
        datasets=[DatasetSpec(training, version="1.0.0", materialize=False)])
    with ml.create_execution(config) as execution:
        execution.asset_file_path("Execution_Asset", "metrics.txt").write_text("accuracy 0.9\n")
        execution.asset_file_path("Execution_Asset", "report.md").write_text(
            "# UI test report\n\nAccuracy **0.9** on the Training dataset.\n")
    execution.upload_execution_outputs(progress=False)
    print(execution.execution_rid)


if __name__ == "__main__":
    main(*sys.argv[1:])
