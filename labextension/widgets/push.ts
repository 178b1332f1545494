/** "Push to Server…" on an execution of a local catalog: copy it (with its workflow, inputs,
 * outputs, files and nested executions) to a catalog on a DERIVA server, or to another local
 * catalog, after a dialog asking where; a notification says what was copied. */
import { InputDialog } from '@jupyterlab/apputils';

import { DerivaMLModel } from '../model';
import { IPushResult } from '../tokens';
import { count } from './dom';
import { notifyProgress } from './progress';

/** Ask for the target, then push execution `rid` of the model's (local) catalog there. */
export async function pushExecution(model: DerivaMLModel, rid: string): Promise<void> {
  const answer = await InputDialog.getText({
    title: `Push execution ${rid}`,
    label:
      'Copy it, with its inputs, outputs and nested executions, to HOST/CATALOG on a DERIVA ' +
      'server (or to another local catalog, by name):',
    placeholder: 'www.example.org/1'
  });
  const to = answer.value?.trim();
  if (!answer.button.accept || !to) {
    return;
  }
  await notifyProgress(
    `Pushing execution ${rid} to ${to}…`,
    () => model.push(to, [rid]),
    result => pushed(rid, result),
    error => `Execution ${rid} was not pushed to ${to}: ${error.message}`
  );
}

/** What a push of `rid` did, in a sentence. */
function pushed(rid: string, result: IPushResult): string {
  const where = `${result.host}/${result.catalog}`;
  const copy = result.executions[rid];
  return copy
    ? `Pushed execution ${rid} to ${where} as ${copy} (${count(result.rows_inserted, 'row')}, ` +
        `${count(result.files_uploaded, 'file')}).`
    : `Execution ${rid} was pushed to ${where} before; nothing new was copied.`;
}
