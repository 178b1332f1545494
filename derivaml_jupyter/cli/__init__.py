"""The ``derivaml`` command: catalog chores from the shell."""
