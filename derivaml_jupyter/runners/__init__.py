"""Command-line runners: deriva-ml-run, deriva-ml-run-notebook, deriva-ml-install-kernel."""
