/** Context-menu commands of the sidebar's list items (right-click an execution or a
 * dataset): copy its RID, copy the Python that loads it, open an execution in a tab, run it
 * again with the overrides it recorded, push it from a local catalog to a server, and mark
 * an execution that never ended as abandoned (Aborted, with a reason). */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Clipboard, InputDialog, showErrorMessage } from '@jupyterlab/apputils';

import { catalogQuery, DerivaMLModel } from './model';
import { pushExecution } from './widgets/push';
import { rerunExecution } from './widgets/rerun';

const EXECUTION = '.jp-DerivaML-executions .jp-DerivaML-item';
const DATASET = '.jp-DerivaML-datasets .jp-DerivaML-item';

export const CommandIDs = {
  copyRid: 'derivaml:copy-rid',
  copyCode: 'derivaml:copy-code',
  openExecution: 'derivaml:open-execution',
  rerunExecution: 'derivaml:rerun-execution',
  pushExecution: 'derivaml:push-execution',
  abandonExecution: 'derivaml:abandon-execution'
};

/** Add the commands and their context-menu items; `openTab` opens an execution's tab,
 * `project` is the sidebar's project folder (null when none). */
export function addItemCommands(
  app: JupyterFrontEnd,
  model: DerivaMLModel,
  openTab: (rid: string) => void,
  project: () => string | null
): void {
  const clicked = () => app.contextMenuHitTest(node => !!node.dataset?.rid) ?? null;
  const rid = () => clicked()?.dataset.rid ?? '';
  const isExecution = () => !!clicked()?.closest('.jp-DerivaML-executions');
  app.commands.addCommand(CommandIDs.copyRid, {
    label: 'Copy RID',
    execute: () => Clipboard.copyToSystem(rid())
  });
  app.commands.addCommand(CommandIDs.copyCode, {
    label: 'Copy Python to Load It',
    execute: () => Clipboard.copyToSystem(loadingCode(model.catalog, rid(), isExecution()))
  });
  app.commands.addCommand(CommandIDs.openExecution, {
    label: 'Open in a Tab',
    execute: () => openTab(rid())
  });
  app.commands.addCommand(CommandIDs.rerunExecution, {
    label: 'Re-run with These Overrides…',
    execute: () => rerunExecution(model, rid(), project())
  });
  app.commands.addCommand(CommandIDs.pushExecution, {
    label: 'Push to Server…',
    caption: 'Copy this execution of a local catalog to a catalog on a DERIVA server',
    isEnabled: () => !catalogQuery(model.catalog).host, // pushes go from local catalogs
    execute: () => pushExecution(model, rid())
  });
  app.commands.addCommand(CommandIDs.abandonExecution, {
    label: 'Mark Abandoned…',
    execute: async () => {
      const target = rid();
      const answer = await InputDialog.getText({
        title: `Mark execution ${target} abandoned`,
        label: 'Why it will not finish (kept in its status detail):',
        placeholder: 'e.g. the kernel died'
      });
      if (!answer.button.accept || !answer.value?.trim()) {
        return;
      }
      try {
        await model.abandon(target, answer.value.trim());
      } catch (error) {
        void showErrorMessage(`Cannot mark ${target} abandoned`, error as Error);
      }
    }
  });
  [CommandIDs.copyRid, CommandIDs.copyCode].forEach((command, i) => {
    app.contextMenu.addItem({ command, selector: EXECUTION, rank: 10 + i });
    app.contextMenu.addItem({ command, selector: DATASET, rank: 10 + i });
  });
  app.contextMenu.addItem({ command: CommandIDs.openExecution, selector: EXECUTION, rank: 12 });
  app.contextMenu.addItem({ command: CommandIDs.rerunExecution, selector: EXECUTION, rank: 13 });
  app.contextMenu.addItem({ command: CommandIDs.pushExecution, selector: EXECUTION, rank: 14 });
  app.contextMenu.addItem({ command: CommandIDs.abandonExecution, selector: EXECUTION, rank: 15 });
}

/** The Python that opens `catalog` and loads `rid` (an execution, else a dataset). */
export function loadingCode(catalog: string, rid: string, execution: boolean): string {
  const { host, catalog: id } = catalogQuery(catalog);
  const connect = `DerivaML(${JSON.stringify(host ?? 'local')}, ${JSON.stringify(id)})`;
  const lookup = execution
    ? `execution = ml.lookup_execution(${JSON.stringify(rid)})`
    : `dataset = ml.lookup_dataset(${JSON.stringify(rid)})`;
  return `from derivaml import DerivaML\n\nml = ${connect}\n${lookup}\n`;
}
