"""How this machine's environment differs from the one an execution recorded in its
``environment.json``: Python, platform, and installed distributions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class EnvironmentDiff:
    """Differences between a recorded environment and the current one. Each of ``python``
    and ``platform`` is ``(recorded, current)`` or None when they agree; ``changed`` maps a
    distribution to ``(recorded version, current version)``; ``missing`` are recorded
    distributions not installed now (with their recorded version), ``added`` installed ones
    the run did not have (with the current version)."""

    python: tuple[str, str] | None = None
    platform: tuple[str, str] | None = None
    changed: dict[str, tuple[str, str]] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    added: dict[str, str] = field(default_factory=dict)

    @property
    def same(self) -> bool:
        return not (self.python or self.platform or self.changed or self.missing or self.added)

    def to_dict(self) -> dict[str, Any]:
        return {"python": self.python, "platform": self.platform,
                "changed": {k: list(v) for k, v in self.changed.items()},
                "missing": self.missing, "added": self.added}

    def report(self) -> str:
        """The differences as lines of text."""
        if self.same:
            return "Environment: the same Python, platform and package versions as recorded."
        lines = ["Environment differences from the recorded environment.json:"]
        for label, pair in (("Python", self.python), ("Platform", self.platform)):
            if pair:
                lines.append(f"  {label}: {pair[0]} (recorded) -> {pair[1]} (now)")
        lines += [f"  {name}: {old} -> {new}" for name, (old, new) in self.changed.items()]
        lines += [f"  {name}: {old} recorded, not installed now"
                  for name, old in self.missing.items()]
        lines += [f"  {name}: {new} installed now, not recorded"
                  for name, new in self.added.items()]
        return "\n".join(lines)


def _python(env: dict) -> str:
    python = env.get("python") or {}
    version = str(python.get("version") or "").split()[0]
    return f"{python.get('implementation', '')} {version}".strip()


def _platform(env: dict) -> str:
    found = env.get("platform") or {}
    return f"{found.get('system', '')} {found.get('machine', '')}".strip()


def _packages(env: dict) -> dict[str, str]:
    """Distributions by normalized name (``Foo_Bar`` and ``foo-bar`` are one)."""
    return {name.lower().replace("_", "-"): version
            for name, version in (env.get("packages") or {}).items()}


def environment_diff(recorded: dict, current: dict) -> EnvironmentDiff:
    """Compare a recorded ``environment.json`` with ``current`` (as
    ``runtime_environment()`` describes this process)."""
    diff = EnvironmentDiff()
    for attr, describe in (("python", _python), ("platform", _platform)):
        pair = describe(recorded), describe(current)
        if pair[0] and pair[0] != pair[1]:
            setattr(diff, attr, pair)
    old, new = _packages(recorded), _packages(current)
    diff.changed = {n: (old[n], new[n]) for n in sorted(old.keys() & new.keys())
                    if old[n] != new[n]}
    diff.missing = {n: old[n] for n in sorted(old.keys() - new.keys())}
    diff.added = {n: new[n] for n in sorted(new.keys() - old.keys())} if old else {}
    return diff
