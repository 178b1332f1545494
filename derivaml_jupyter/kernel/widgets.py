"""``config_picker()``: choose config-group options from dropdowns and start a run."""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets as widgets
from IPython.display import display

# Groups shown first, in this order; other groups of the config's defaults follow.
GROUP_ORDER = ("deriva_ml", "datasets", "assets", "workflow", "model_config")
EXPERIMENT_GROUP = "experiment"
NONE_LABEL = "(none)"


def _label(option: str, description: str) -> str:
    return f"{option} — {description}" if description else option


class ConfigPicker(widgets.VBox):
    """Dropdowns for the config groups of a notebook config (plus ``experiment``), a Text
    for more overrides and a Run button doing what a ``%%derivaml`` cell does.

    ``overrides`` holds the chosen overrides: ``group=option`` for each group moved off
    its default, ``+experiment=...`` when one is picked, then the extra text.
    """

    def __init__(self, config_name: str, defaults: dict[str, str],
                 options: dict[str, dict[str, str]], namespace: dict[str, Any]):
        self.config_name = config_name
        self.namespace = namespace
        self.defaults = {g: o for g, o in defaults.items() if g in options}
        ordered = [g for g in GROUP_ORDER if g in self.defaults] + \
            [g for g in self.defaults if g not in GROUP_ORDER]
        self.dropdowns: dict[str, widgets.Dropdown] = {
            group: widgets.Dropdown(
                options=[(_label(o, d), o) for o, d in options[group].items()],
                value=self.defaults[group], description=group)
            for group in ordered}
        if EXPERIMENT_GROUP in options:
            self.dropdowns[EXPERIMENT_GROUP] = widgets.Dropdown(
                options=[(NONE_LABEL, "")] + [(_label(o, d), o)
                                              for o, d in options[EXPERIMENT_GROUP].items()],
                value="", description=EXPERIMENT_GROUP)
        self.extra = widgets.Text(description="overrides",
                                  placeholder="more overrides, e.g. threshold=0.9")
        self.button = widgets.Button(description="Run", button_style="primary",
                                     tooltip=f"Start a run of {config_name}")
        self.button.on_click(lambda _: self.run())
        self.message = widgets.HTML()
        self.output = widgets.Output()
        self.summary: Any = None
        title = widgets.HTML(f"<b>Notebook config: {config_name}</b>")
        super().__init__([title, *self.dropdowns.values(), self.extra, self.button,
                          self.message, self.output])

    @property
    def overrides(self) -> list[str]:
        """The overrides a Run passes, from the current widget values."""
        from .runs import parse_overrides

        chosen = [f"{g}={d.value}" for g, d in self.dropdowns.items()
                  if g in self.defaults and d.value != self.defaults[g]]
        experiment = self.dropdowns.get(EXPERIMENT_GROUP)
        if experiment is not None and experiment.value:
            chosen.append(f"+{EXPERIMENT_GROUP}={experiment.value}")
        return chosen + parse_overrides(self.extra.value)

    def run(self) -> None:
        """Start the run (``ml``, ``execution``, ``config`` go into the namespace) and show
        its summary, or the error, below the button."""
        from .runs import start_run

        self.output.clear_output()
        self.summary = None
        try:
            self.summary = start_run(self.namespace, self.config_name, self.overrides)
        except Exception as exc:  # noqa: BLE001 - a widget callback's errors are not shown
            self.message.value = f"<span style='color:#b00'>Error: {escape(str(exc))}</span>"
            return
        self.message.value = escape(f"Started {self.summary.title}")
        with self.output:
            display(self.summary)


def config_picker(config_name: str | None = None,
                  namespace: dict[str, Any] | None = None) -> ConfigPicker:
    """The config picker of notebook config ``config_name`` (default: the notebook's own).

    Runs put ``ml``, ``execution`` and ``config`` into ``namespace`` (default: the running
    IPython's user namespace). Example::

        import derivaml
        derivaml.config_picker("my_analysis")
    """
    from .project import config_options, default_config_name, load_project, notebook_defaults

    if namespace is None:
        from IPython import get_ipython

        shell = get_ipython()
        namespace = shell.user_ns if shell is not None else {}
    load_project()
    config_name = config_name or default_config_name()
    return ConfigPicker(config_name, notebook_defaults(config_name), config_options(),
                        namespace)
