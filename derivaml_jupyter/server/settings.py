"""What a Jupyter admin can configure about the DerivaML API, as ``c.DerivaMLServer.<trait>``
in ``jupyter_server_config.py``: the DERIVA hosts it may reach and how long it waits for them."""

from __future__ import annotations

import json
from pathlib import Path

from traitlets import Float, List, Unicode
from traitlets.config import Configurable

from ..catalog.connect import LOCAL_HOSTS

CREDENTIAL_FILE = Path("~") / ".deriva" / "credential.json"


def credential_hosts() -> list[str]:
    """The hosts of the user's DERIVA credential file (written by a DERIVA login)."""
    try:
        saved = json.loads(CREDENTIAL_FILE.expanduser().read_text())
    except (OSError, ValueError):
        return []
    return list(saved) if isinstance(saved, dict) else []


class DerivaMLServer(Configurable):
    """Settings of the DerivaML server extension."""

    allowed_hosts = List(
        Unicode(), default_value=None, allow_none=True,
        help="DERIVA hosts the API may open catalogs on (?host=). Default: the local catalogs "
             "and the hosts in ~/.deriva/credential.json (read at each request).",
    ).tag(config=True)
    connect_timeout = Float(
        10.0, help="Seconds to wait for a DERIVA server to open a connection, and for a remote "
                   "catalog to open, before answering 503.",
    ).tag(config=True)
    read_timeout = Float(
        60.0, help="Seconds to wait for each answer of a DERIVA server.",
    ).tag(config=True)

    def hosts(self) -> set[str]:
        """The hosts allowed now (lower case)."""
        configured = self.allowed_hosts
        hosts = configured if configured is not None else [*LOCAL_HOSTS, *credential_hosts()]
        return {h.lower() for h in hosts}
