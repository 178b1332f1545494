"""For the push test of the UI tests: the local catalog ``ui-offline`` holding one finished
execution (no inputs, one uploaded output file), and the empty local catalog ``ui-pushed`` to
push it to. Prints the execution's RID."""

from __future__ import annotations

from derivaml import DerivaML, ExecutionConfiguration


def main() -> None:
    ml = DerivaML("local", "ui-offline")
    workflow = ml.create_workflow("Offline work", "Training")
    config = ExecutionConfiguration(workflow=workflow, description="made offline")
    with ml.create_execution(config) as execution:
        execution.asset_file_path("Execution_Asset", "notes.txt").write_text("offline\n")
    execution.upload_execution_outputs(progress=False)
    DerivaML("local", "ui-pushed")
    print(execution.execution_rid)


if __name__ == "__main__":
    main()
