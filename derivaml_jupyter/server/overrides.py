"""The allow-list of Hydra overrides that come over HTTP: a run started from Jupyter may choose
options of the project's config groups and set their fields (and the fields of its top-level
configs), nothing else: no ``hydra.*``, no ``@package`` retargeting, no ``_target_``-style keys
or interpolations anywhere (they would let a request import and call any function)."""

from __future__ import annotations

from typing import Any

from ..core.errors import DerivaMLValidationError

FORBIDDEN = ("_target_", "_args_", "_partial_", "_recursive_", "_convert_", "${")


def allowed_overrides(overrides: list[Any], fields: dict[str, Any]) -> list[str]:
    """``overrides`` if each one sets a config group or a field of the project, given the
    ``fields`` listing of ``configs.list_project_configs``; otherwise a validation error
    saying which one and what is allowed."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    groups: dict[str, list[str]] = fields["groups"]
    parser = OverridesParser.create()
    for text in overrides:
        if not isinstance(text, str):
            raise DerivaMLValidationError(f"Override {text!r} is not a string.")
        bad = next((token for token in FORBIDDEN if token in text), None)
        if bad:
            raise DerivaMLValidationError(
                f"Override {text!r} contains {bad!r}: runs started over HTTP may only choose "
                "config options and set config fields.")
        try:
            override = parser.parse_override(text)
        except HydraException as e:
            raise DerivaMLValidationError(
                f"{text!r} is not a Hydra override ({e}): write group=option, "
                "group.field=value or +group=option.") from None
        key = override.key_or_group
        head, _, rest = key.partition(".")
        field = rest.partition(".")[0]
        if override.package is None and head != "hydra" and (
                key in groups or (field in groups[head] if head in groups else
                                  head in fields["configs"] and not override.is_add()
                                  and not override.is_force_add())):
            continue
        raise DerivaMLValidationError(
            f"Override {text!r} is not allowed over HTTP: choose an option of a config group "
            f"({', '.join(groups) or 'this project has none'}) or set a field of one "
            "(group.field=value); hydra.* settings, @package targets and new keys cannot be "
            "set from Jupyter. Run deriva-ml-run in a terminal for those.")
    return list(overrides)
