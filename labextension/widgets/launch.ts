/** Starting headless runs: the notebook toolbar button "Run headless with DerivaML" (with a
 * dialog for Hydra overrides and papermill parameters) and the Configs section's "Run model"
 * form; both say in a notification which run they started. */
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { NotebookPanel } from '@jupyterlab/notebook';
import { runIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

import { DerivaMLModel } from '../model';
import { RunRequest } from '../tokens';
import { button, h } from './dom';
import { INotebookCommand } from './notebookbuttons';

/** POST `request` and say which run started, or why none did. */
export async function startRun(model: DerivaMLModel, request: RunRequest): Promise<void> {
  try {
    const run = await model.startRun(request);
    Notification.success(
      `Run ${run.id} started: ${run.kind} ${run.target}. Follow it under Runs in the DerivaML ` +
        'sidebar.',
      { autoClose: 10000 }
    );
  } catch (error) {
    Notification.error(`The run did not start: ${(error as Error).message}`, { autoClose: false });
  }
}

/** The notebook toolbar button that runs the notebook headless. */
export const runHeadlessCommand: INotebookCommand = {
  label: 'Run headless with DerivaML',
  tooltip: 'Save this notebook and run it in the background as a DerivaML execution',
  icon: runIcon,
  execute: runNotebook
};

/** Ask for overrides and parameters, then save `panel`'s notebook and start a headless run
 * of it (nothing is saved when the dialog is cancelled). */
export async function runNotebook(model: DerivaMLModel, panel: NotebookPanel): Promise<void> {
  const path = panel.context.path;
  const answer = await showDialog({
    title: 'Run headless with DerivaML',
    body: new RunOptions(path),
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Run' })]
  });
  if (!answer.button.accept || !answer.value) {
    return;
  }
  let parameters: Record<string, string>;
  try {
    parameters = parseParameters(answer.value.parameters);
  } catch (error) {
    Notification.error((error as Error).message, { autoClose: false });
    return;
  }
  const overrides = lines(answer.value.overrides);
  await panel.context.save();
  await startRun(model, { kind: 'notebook', path, overrides, parameters });
}

/** The non-empty, trimmed lines of `text`. */
function lines(text: string): string[] {
  return text
    .split('\n')
    .map(line => line.trim())
    .filter(Boolean);
}

/** `name=value` lines as papermill parameters (values are strings; the runner coerces them). */
export function parseParameters(text: string): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const line of lines(text)) {
    const at = line.indexOf('=');
    if (at < 1) {
      throw new Error(`Parameter line “${line}” is not name=value, e.g. threshold=0.7.`);
    }
    parameters[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return parameters;
}

/** What the dialog asks: the text of its two fields. */
interface IRunOptions {
  overrides: string;
  parameters: string;
}

/** The dialog body: Hydra overrides and papermill parameters, one per line. */
class RunOptions extends Widget implements Dialog.IBodyWidget<IRunOptions> {
  constructor(path: string) {
    super();
    this.addClass('jp-DerivaML-picker');
    this._overrides.placeholder = 'datasets=digits_split\nassets=weights';
    this._parameters.placeholder = 'threshold=0.7';
    this.node.append(
      h('p', '', `Run ${path} with papermill in the background and record it as an execution.`),
      h('label', '', 'Hydra overrides, one per line', this._overrides),
      h('label', '', 'Notebook parameters, name=value per line', this._parameters)
    );
  }

  getValue(): IRunOptions {
    return { overrides: this._overrides.value, parameters: this._parameters.value };
  }

  private _overrides = h('textarea', 'jp-mod-styled jp-DerivaML-overrides');
  private _parameters = h('textarea', 'jp-mod-styled jp-DerivaML-parameters');
}

/** The Configs section's form: run the model of the project in `path` with overrides. */
export function runModelForm(model: DerivaMLModel, path: string): HTMLElement {
  const overrides = h('input', 'jp-mod-styled jp-DerivaML-overrides');
  overrides.placeholder = 'group=option …';
  overrides.title = 'Hydra overrides, space-separated, e.g. model_config=quick';
  const multirun = h('input');
  multirun.type = 'checkbox';
  const run = button(
    'jp-DerivaML-button',
    () =>
      void startRun(model, {
        kind: 'model',
        path,
        overrides: overrides.value.split(/\s+/).filter(Boolean),
        multirun: multirun.checked
      }),
    'Run model'
  );
  return h(
    'div',
    'jp-DerivaML-runModel',
    h('label', '', 'Overrides ', overrides),
    h('div', 'jp-DerivaML-runControls', h('label', '', multirun, ' multirun'), run)
  );
}
