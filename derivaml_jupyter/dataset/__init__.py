"""Datasets: specs and versions, the live Dataset, and downloaded bags."""
