"""What a task function needs to know about the Hydra job it runs in."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class HydraJob:
    """Task overrides, group choices and sweep position of the current Hydra job."""

    overrides: list[str] = field(default_factory=list)
    choices: dict[str, str] = field(default_factory=dict)
    multirun: bool = False
    num: int = 0
    sweep_dir: Path | None = None
    output_dir: Path | None = None


def current_hydra_job() -> HydraJob:
    """The running Hydra job; an empty ``HydraJob`` when called outside Hydra."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    if not HydraConfig.initialized():
        return HydraJob()
    hc = HydraConfig.get()
    multirun = hc.mode == RunMode.MULTIRUN
    return HydraJob(
        overrides=list(hc.overrides.task),
        choices=config_choices(dict(hc.runtime.choices)),
        multirun=multirun,
        num=int(hc.job.num) if multirun else 0,
        sweep_dir=Path(hc.sweep.dir) if multirun else None,
        output_dir=Path(hc.runtime.output_dir),
    )


def config_choices(choices: dict) -> dict[str, str]:
    """The user's group choices (``model_config: quick``...), without Hydra's own groups."""
    return {k: str(v) for k, v in choices.items()
            if v is not None and k != "hydra" and not k.startswith("hydra/")}


def describe_run(description: str, job: HydraJob) -> str:
    """``[Job n] <description> [overrides: a=b, c=d]``; ``description=`` overrides omitted."""
    shown = [o for o in job.overrides if o.lstrip("+~").split("=", 1)[0] != "description"]
    text = (description or "").strip()
    if shown:
        text = f"{text} [overrides: {', '.join(shown)}]".strip()
    if job.multirun:
        text = f"[Job {job.num}] {text}"
    return text
