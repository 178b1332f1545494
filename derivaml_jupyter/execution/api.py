"""Execution methods of ``DerivaML`` (workflows, executions, provenance queries)."""


class ExecutionAPI:
    """Mixed into ``DerivaML``."""
