"""``derivaml push``: copy executions recorded on a local catalog to a DERIVA catalog."""

from .ledger import Push, pushes
from .push import PushResult, push_executions

__all__ = ["Push", "PushResult", "push_executions", "pushes"]
