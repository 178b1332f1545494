"""Executions: configuration, the running execution, outputs and their upload."""
