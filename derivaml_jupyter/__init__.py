"""Implementation of derivaml-jupyter; the public face is the ``derivaml`` package."""

__version__ = "0.1.0"
