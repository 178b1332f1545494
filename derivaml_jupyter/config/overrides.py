"""Checks of command-line overrides, before Hydra sees them, with messages that say what
the valid choices are."""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Iterable

from ..core.errors import DerivaMLException
from .registry import config_groups, defaults_of, top_level_configs

OVERRIDES_ENV = "DERIVA_ML_HYDRA_OVERRIDES"
# Hydra command-line flags that take a value (the value must not be read as an override).
HYDRA_VALUE_FLAGS = frozenset({
    "--cfg", "--package", "-p", "--info", "-i", "--config-path", "-cp", "--config-dir",
    "-cd", "--experimental-rerun", "--shell-completion", "-sc",
})
HYDRA_INFO_VALUES = frozenset({"all", "config", "defaults", "defaults-tree", "plugins",
                               "searchpath"})


class ConfigOverrideError(DerivaMLException):
    """A malformed override, an unknown group or option, or a group without its default."""


def split_hydra_flags(tokens: Iterable[str]) -> tuple[list[str], list[str]]:
    """Separate Hydra flags (with their values) from overrides."""
    overrides: list[str] = []
    flags: list[str] = []
    tokens = list(tokens)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.startswith("-"):
            flags.append(token)
            if token in HYDRA_VALUE_FLAGS and i + 1 < len(tokens) and \
                    (token not in ("--info", "-i") or tokens[i + 1] in HYDRA_INFO_VALUES):
                flags.append(tokens[i + 1])
                i += 1
        else:
            overrides.append(token)
        i += 1
    return overrides, flags


def overrides_from_env() -> list[str]:
    """Overrides passed to a notebook by ``deriva-ml-run-notebook`` (a JSON list)."""
    text = os.environ.get(OVERRIDES_ENV)
    return list(json.loads(text)) if text else []


def validate_overrides(overrides: list[str], config_name: str,
                       program: str = "deriva-ml-run") -> None:
    """Raise ``ConfigOverrideError`` for a token without ``=``, an unknown option of a
    config group, a likely misspelt group, or a default entry that does not exist.

    Configs must be loaded and added to Hydra's store first.
    """
    groups = config_groups()
    primary = top_level_configs().get(config_name)
    primary_defaults = defaults_of(primary)
    for token in overrides:
        _check_form(token, groups, primary_defaults, program)
        _check_choice(token, groups, primary)
        _check_launcher(token)
    _check_defaults(overrides, groups, defaults_of(primary, optional=False))


# Hydra launchers of optional packages: the package and the extra that installs it.
LAUNCHER_PACKAGES = {"submitit": ("hydra_plugins.hydra_submitit_launcher", "slurm")}


def _check_launcher(token: str) -> None:
    """A launcher whose Hydra plugin is not installed: say which extra installs it."""
    import importlib.util

    _, key, value = _key_value(token)
    if key != "hydra/launcher":
        return
    for prefix, (module, extra) in LAUNCHER_PACKAGES.items():
        if value.startswith(prefix) and importlib.util.find_spec(module) is None:
            raise ConfigOverrideError(
                f"The launcher {value!r} needs Hydra's {prefix} launcher plugin, which is not "
                f"installed: pip install 'derivaml-jupyter[{extra}]'.")


def _key_value(token: str) -> tuple[str, str, str]:
    """``(prefix, key, value)`` of ``+key=value``, ``++key=value``, ``~key=value``."""
    body = token.lstrip("+~")
    key, _, value = body.partition("=")
    return token[: len(token) - len(body)], key.strip(), value.strip()


def _check_form(token: str, groups: dict, primary_defaults: dict, program: str) -> None:
    if "=" in token or token.startswith("~"):
        return
    guesses = [f"{'' if g in primary_defaults else '+'}{g}={token}"
               for g, options in groups.items() if token in options]
    fallback = "model_config" if "model_config" in primary_defaults else "assets"
    guesses = guesses or [f"{fallback}={token}"]
    if f"+experiment={token}" not in guesses:
        guesses.append(f"+experiment={token}")
    raise ConfigOverrideError(
        f"{token!r} looks like a positional argument, but {program} expects Hydra overrides "
        f"in key=value form. Did you mean: {' or '.join(guesses)} ?"
    )


def _check_choice(token: str, groups: dict, primary: object) -> None:
    prefix, key, value = _key_value(token)
    if "=" not in token or key.startswith("hydra") or "." in key:
        return
    if key in groups:
        options = groups[key]
        if value.startswith(("[", "{")):
            raise ConfigOverrideError(
                f"{key} is a config group: choose one of its options by name, e.g. "
                f"{key}={sorted(options)[0] if options else '<option>'} (options: "
                f"{', '.join(sorted(options)) or 'none'}). A list or mapping cannot stand for "
                f"an option: add one holding it to the {key} group in src/configs.")
        if prefix == "~" or any(c in value for c in "()[]{}'\"$"):
            return  # a deletion, or a sweep expression Hydra expands itself
        for choice in (v.strip() for v in value.split(",")):
            if choice not in options:
                raise ConfigOverrideError(
                    f"Unknown option {choice!r} for config group {key!r}. Valid options: "
                    f"{', '.join(sorted(options))}."
                )
        return
    fields = set(primary.keys()) if hasattr(primary, "keys") else set()
    close = difflib.get_close_matches(key, list(groups), n=1, cutoff=0.75)
    if key not in fields and close:
        raise ConfigOverrideError(
            f"Unknown config group {key!r}; did you mean {close[0]!r}? Config groups: "
            f"{', '.join(groups)}."
        )


def _check_defaults(overrides: list[str], groups: dict, primary_defaults: dict) -> None:
    chosen = set()
    for token in overrides:
        prefix, key, value = _key_value(token)
        if key in groups and "=" in token:
            chosen.add(key)
            for option in value.split(","):
                chosen.update(defaults_of(groups[key].get(option.strip()), optional=False))
    for group, option in primary_defaults.items():
        if group in chosen or option in groups.get(group, {}):
            continue
        raise ConfigOverrideError(
            f"Config group {group!r} has no default entry {option!r}; register one with "
            f"store(..., group={group!r}, name={option!r})."
        )
