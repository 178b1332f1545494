/** "Re-run with these overrides": start a headless run of the notebook or model an
 * execution ran, with the Hydra overrides it recorded (a sweep: all its jobs, as one
 * multirun), after a dialog that shows them. */
import { Dialog, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { DerivaMLModel } from '../model';
import { IRecordedOverrides, RunRequest } from '../tokens';
import { h } from './dom';
import { startRun } from './launch';

/** Ask, then run again what execution `rid` ran, with its overrides; `project` is the
 * sidebar's project (relative to the server root), where a model runs when the execution's
 * own source is not under the server root. */
export async function rerunExecution(
  model: DerivaMLModel,
  rid: string,
  project: string | null
): Promise<void> {
  let recorded: IRecordedOverrides;
  try {
    recorded = await model.recordedOverrides(rid);
  } catch (error) {
    void showErrorMessage(`Cannot re-run ${rid}`, error as Error);
    return;
  }
  const request = runRequest(recorded, project);
  if (typeof request === 'string') {
    void showErrorMessage(`Cannot re-run ${rid}`, new Error(request));
    return;
  }
  const answer = await showDialog({
    title: `Re-run execution ${rid}`,
    body: new Widget({ node: dialogBody(recorded, request) }),
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Run' })]
  });
  if (answer.button.accept) {
    await startRun(model, request);
  }
}

/** The run to start, or why there is none. */
function runRequest(recorded: IRecordedOverrides, project: string | null): RunRequest | string {
  const { overrides, kind, source, multirun, config_name } = recorded;
  if (kind === 'notebook') {
    return source
      ? { kind, path: source, overrides, parameters: {} }
      : `Execution ${recorded.rid} ran a notebook that is not under this Jupyter server's ` +
          'root folder (or has moved): open it and use its toolbar button "Run headless ' +
          `with DerivaML" with these overrides: ${overrides.join(' ') || '(none)'}`;
  }
  const path = recorded.project ?? project;
  return path !== null
    ? { kind, path, overrides, multirun, ...(config_name ? { config_name } : {}) }
    : `The code execution ${recorded.rid} ran is not under this Jupyter server's root ` +
        'folder: open its project folder (the one holding src/configs) in the file browser, ' +
        'then re-run it.';
}

function dialogBody(recorded: IRecordedOverrides, request: RunRequest): HTMLElement {
  const what =
    request.kind === 'notebook'
      ? `notebook /${request.path}`
      : `model of project /${request.path}` +
        (recorded.multirun ? ' as a multirun' : '') +
        (request.config_name ? ` (top-level config ${request.config_name})` : '');
  const overrides = recorded.overrides;
  return h(
    'div',
    'jp-DerivaML-rerun',
    h('p', '', `Run the ${what} headless again, with the overrides ${recorded.rid} ran with:`),
    overrides.length
      ? h('ul', 'jp-DerivaML-rerunOverrides', ...overrides.map(o => h('li', '', o)))
      : h('p', 'jp-DerivaML-rerunOverrides', 'None: the config’s defaults.')
  );
}
