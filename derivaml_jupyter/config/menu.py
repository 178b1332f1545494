"""The listing printed by ``--info`` / ``--list-configs``: groups, options, descriptions and
named multiruns."""

from __future__ import annotations

from .multirun import get_all_multirun_configs
from .registry import config_groups, description_of, top_level_configs

_WIDTH = 50


def _entry(name: str, description: str) -> str:
    if len(description) > _WIDTH:
        description = description[: _WIDTH - 3].rstrip() + "..."
    return f"  - {name}: {description}" if description else f"  - {name}"


def format_config_menu(program: str = "deriva-ml-run") -> str:
    """Every config group with its options (and their descriptions), the top-level configs
    and the named multiruns, followed by usage hints. Configs must be loaded first."""
    lines = ["Available Hydra Configuration Groups:", "=" * _WIDTH]
    for group, options in config_groups().items():
        lines += ["", f"{group}:"]
        lines += [_entry(name, description_of(node)) for name, node in sorted(options.items())]
    tops = top_level_configs()
    if tops:
        lines += ["", "Top-level configs:"]
        lines += [_entry(name, description_of(node)) for name, node in tops.items()]
    multiruns = get_all_multirun_configs()
    if multiruns:
        lines += ["", "multirun:"]
        lines += [_entry(name, description_of({"description": spec.description}))
                  for name, spec in multiruns.items()]
    lines += [
        "",
        "Usage:",
        f"  {program} <group>=<option> <group>.<field>=<value> ...",
        f"  {program} +experiment=<name>      (apply an experiment preset)",
        f"  {program} +multirun=<name>        (run a named sweep)",
        f"  {program} --multirun <group>.<field>=a,b,c",
        f"  {program} --cfg job [overrides]   (print the resolved config, run nothing)",
    ]
    return "\n".join(lines)


def print_menu(program: str = "deriva-ml-run") -> None:
    """Print ``format_config_menu(program)``."""
    print(format_config_menu(program))
