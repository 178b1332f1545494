/** The notebook toolbar button "Upload to DerivaML": save the notebook, ask for the
 * execution (recent ones offered), upload, and say what was uploaded. */
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { NotebookPanel } from '@jupyterlab/notebook';
import { Widget } from '@lumino/widgets';

import { derivamlIcon } from '../icons';
import { DerivaMLModel } from '../model';
import { IUploadResult } from '../tokens';
import { fill, firstLine, h, note, when } from './dom';
import { INotebookCommand } from './notebookbuttons';
import { notifyProgress } from './progress';

/** How many recent executions the dialog offers. */
const OFFERED = 20;

/** The notebook toolbar button that uploads the notebook. */
export const uploadCommand: INotebookCommand = {
  label: 'Upload to DerivaML',
  tooltip: 'Save this notebook and upload it (with a Markdown copy) to a DerivaML execution',
  icon: derivamlIcon,
  execute: uploadNotebook
};

/** Ask for an execution RID (the notebook's own execution, if its kernel has one, is
 * offered first), then save `panel`'s notebook and upload it to that execution. */
export async function uploadNotebook(model: DerivaMLModel, panel: NotebookPanel): Promise<void> {
  const own = await kernelExecution(panel);
  const answer = await showDialog({
    title: 'Upload to DerivaML',
    body: new ExecutionPicker(model, panel.context.path, own),
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Upload' })]
  });
  const rid = answer.value?.trim();
  if (!answer.button.accept) {
    return;
  }
  if (!rid) {
    Notification.warning('Nothing was uploaded: give the RID of an execution to upload to.', {
      autoClose: 10000
    });
    return;
  }
  await panel.context.save();
  const path = panel.context.path;
  await notifyProgress(
    `Uploading ${path} to execution ${rid}…`,
    () => model.uploadNotebook(path, rid),
    describe,
    error => `Upload failed: ${error.message}`
  );
}

/** The RID of the `execution` in the notebook's kernel (what `%%derivaml` or `run_notebook`
 * started), or null: none, no kernel, or no answer within two seconds. */
async function kernelExecution(panel: NotebookPanel): Promise<string | null> {
  const kernel = panel.sessionContext.session?.kernel;
  if (!kernel) {
    return null;
  }
  let text = '';
  const future = kernel.requestExecute({
    code: 'print(getattr(globals().get("execution"), "execution_rid", "") or "", end="")',
    silent: true,
    store_history: false
  });
  future.onIOPub = message => {
    if (message.header.msg_type === 'stream') {
      text += (message.content as { text: string }).text;
    }
  };
  const timeout = new Promise<null>(resolve => setTimeout(() => resolve(null), 2000));
  const done = await Promise.race([future.done.then(() => true), timeout]);
  return done && /^[A-Za-z0-9-]+$/.test(text.trim()) ? text.trim() : null;
}

function describe(result: IUploadResult): string {
  const files = result.files.map(f => `${f.filename} (${f.table} ${f.rid})`).join(', ');
  return `Uploaded to execution ${result.execution_rid}: ${files}`;
}

/** The dialog body: an execution RID field, and the recent executions to pick from. */
class ExecutionPicker extends Widget implements Dialog.IBodyWidget<string> {
  constructor(model: DerivaMLModel, path: string, own: string | null) {
    super();
    this.addClass('jp-DerivaML-picker');
    this._input.placeholder = 'Execution RID, e.g. 1-ABCD';
    this._input.value = own ?? '';
    this._select.addEventListener('change', () => (this._input.value = this._select.value));
    this.node.append(
      h('p', '', `Upload ${path} and a Markdown copy of it as Notebook_Output assets of:`),
      h('label', '', 'Execution RID ', this._input),
      ...(own ? [note(`${own} is this notebook’s execution (its kernel’s \`execution\`).`)] : []),
      h('label', 'jp-DerivaML-pickerList', 'Recent executions', this._select),
      this._status
    );
    void this.load(model);
  }

  getValue(): string {
    return this._input.value;
  }

  private async load(model: DerivaMLModel): Promise<void> {
    fill(this._status, note('Loading recent executions…'));
    try {
      const { executions } = await model.recentExecutions(OFFERED);
      const prompt = h('option', '', 'Choose a recent execution…');
      prompt.value = '';
      prompt.disabled = true;
      prompt.selected = true;
      this._select.replaceChildren(
        prompt,
        ...executions.map(e => {
          const label = [e.RID, e.Status, e.Workflow, firstLine(e.Description), when(e.Start_Time)];
          const option = h('option', '', label.filter(Boolean).join(' · '));
          option.value = e.RID;
          return option;
        })
      );
      fill(this._status, executions.length ? null : note('No executions in this catalog yet.'));
    } catch (error) {
      fill(this._status, note((error as Error).message, 'error'));
    }
  }

  private _input = h('input', 'jp-mod-styled');
  private _select = h('select', 'jp-mod-styled');
  private _status = h('div');
}
