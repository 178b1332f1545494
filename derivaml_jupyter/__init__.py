"""Implementation of derivaml-jupyter; the public face is the ``derivaml`` package."""

__version__ = "0.1.0"


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """The Jupyter server extension of this package (see ``derivaml_jupyter.server``)."""
    return [{"module": "derivaml_jupyter.server"}]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """The JupyterLab extension built into ``derivaml_jupyter/labextension``."""
    return [{"src": "labextension", "dest": "derivaml-jupyter"}]
