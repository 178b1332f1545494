"""``config_picker()``: choose a notebook config and its config-group options from dropdowns
(each option's description rendered from Markdown below it) and start a run."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import ipywidgets as widgets
from IPython.display import display

# Groups shown first, in this order; other groups of the config's defaults follow.
GROUP_ORDER = ("deriva_ml", "datasets", "assets", "workflow", "model_config")
EXPERIMENT_GROUP = "experiment"
NONE_LABEL = "(none)"


def _label(option: str, description: str) -> str:
    first = next((line.strip().lstrip("#").strip() for line in description.splitlines()
                  if line.strip()), "")
    return f"{option} — {first}" if first else option


def markdown_html(text: str) -> str:
    """``text`` (Markdown) as HTML, any HTML in it escaped; tables included."""
    import mistune

    return mistune.create_markdown(escape=True, plugins=["table"])(text or "")


class ConfigPicker(widgets.VBox):
    """Dropdowns for the config groups of a notebook config (plus ``experiment``), a Text
    for more overrides and a Run button doing what a ``%%derivaml`` cell does.

    ``overrides`` holds the chosen overrides: ``group=option`` for each group moved off
    its default, ``+experiment=...`` when one is picked, then the extra text.
    """

    def __init__(self, config_name: str, defaults: dict[str, str],
                 options: dict[str, dict[str, str]], namespace: dict[str, Any],
                 configs: dict[str, str] | None = None,
                 defaults_of: Callable[[str], dict[str, str]] | None = None):
        self.namespace = namespace
        self.options = options
        self._defaults_of = defaults_of or (lambda _: defaults)
        configs = configs or {config_name: ""}
        self.config = widgets.Dropdown(
            options=[(_label(n, d), n) for n, d in configs.items()], value=config_name,
            description="config", disabled=len(configs) < 2)
        self.extra = widgets.Text(description="overrides",
                                  placeholder="more overrides, e.g. threshold=0.9")
        self.button = widgets.Button(description="Run", button_style="primary")
        self.button.on_click(lambda _: self.run())
        self.message = widgets.HTML()
        self.output = widgets.Output()
        self.summary: Any = None
        super().__init__()
        self._choose(config_name, defaults)
        self.config.observe(lambda change: self._choose(change["new"]), names="value")

    def _choose(self, config_name: str, defaults: dict[str, str] | None = None) -> None:
        """Show the groups of notebook config ``config_name``, each at its default."""
        options = self.options
        self.config_name = config_name
        defaults = self._defaults_of(config_name) if defaults is None else defaults
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
        rows = []
        for group, dropdown in self.dropdowns.items():
            about = widgets.HTML(layout=widgets.Layout(margin="0 0 4px 90px"))
            self._describe(about, group, dropdown.value)
            dropdown.observe(lambda change, about=about, group=group:
                             self._describe(about, group, change["new"]), names="value")
            rows += [dropdown, about]
        self.button.tooltip = f"Start a run of {config_name}"
        self.children = [self.config, *rows, self.extra, self.button, self.message,
                         self.output]

    def _describe(self, about: widgets.HTML, group: str, option: str) -> None:
        about.value = markdown_html(self.options.get(group, {}).get(option, ""))

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
    from .project import (
        config_options,
        default_config_name,
        load_project,
        notebook_configs,
        notebook_defaults,
    )

    if namespace is None:
        from IPython import get_ipython

        shell = get_ipython()
        namespace = shell.user_ns if shell is not None else {}
    load_project()
    config_name = config_name or default_config_name()
    configs = notebook_configs()
    configs.setdefault(config_name, "")
    return ConfigPicker(config_name, notebook_defaults(config_name), config_options(full=True),
                        namespace, configs=configs, defaults_of=notebook_defaults)
