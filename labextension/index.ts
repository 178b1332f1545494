/** The JupyterLab plugin: the DerivaML sidebar and the notebook buttons "Upload to DerivaML"
 * and "Run headless with DerivaML". */
import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { IStateDB } from '@jupyterlab/statedb';

import { CatalogMemory } from './catalogmemory';
import { addItemCommands } from './commands';
import { WorkingLocation } from './location';
import { markdownRenderer } from './markdown';
import { DerivaMLModel } from './model';
import { openAsset } from './outputs';
import { IAsset, PLUGIN_ID } from './tokens';
import { openComparison } from './widgets/compare';
import { runHeadlessCommand } from './widgets/launch';
import { NotebookButtons } from './widgets/notebookbuttons';
import { DerivaMLPanel } from './widgets/panel';
import { uploadCommand } from './widgets/upload';

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'DerivaML datasets, executions, configs and headless runs in a sidebar; notebook upload ' +
    'and headless runs.',
  autoStart: true,
  optional: [ILayoutRestorer, IDefaultFileBrowser, IDocumentManager, IStateDB, IRenderMimeRegistry],
  activate: (
    app: JupyterFrontEnd,
    restorer: ILayoutRestorer | null,
    browser: IDefaultFileBrowser | null,
    docManager: IDocumentManager | null,
    state: IStateDB | null,
    rendermime: IRenderMimeRegistry | null
  ) => {
    const model = new DerivaMLModel(app.serviceManager.serverSettings);
    const opener =
      docManager &&
      ((asset: IAsset, catalog?: string) => openAsset(docManager, model, asset, catalog));
    const compare = (rids: string[]) => openComparison(app.shell, model, rids);
    const memory = state && new CatalogMemory(state);
    const location = new WorkingLocation(browser, app.shell);
    const panel = new DerivaMLPanel(model, location, {
      openAsset: opener,
      compare,
      memory,
      shell: app.shell,
      renderMarkdown: rendermime ? markdownRenderer(rendermime) : undefined
    });
    void memory?.restore().then(() => {
      if (memory.last && model.catalog === 'default') {
        model.catalog = memory.last; // a project's remembered choice may follow
      }
    });
    panel.disposed.connect(() => model.dispose());
    addItemCommands(app, model, rid => panel.openExecutionTab(rid), () => panel.project);
    app.shell.add(panel, 'left', { rank: 600 });
    restorer?.add(panel, panel.id);
    const buttons = { upload: uploadCommand, runHeadless: runHeadlessCommand };
    app.docRegistry.addWidgetExtension('Notebook', new NotebookButtons(model, buttons));
  }
};

export default plugin;
