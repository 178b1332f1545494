"""Model functions of the quickstart project."""
