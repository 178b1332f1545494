/** The JupyterLab plugin: the DerivaML sidebar and the notebook "Upload to DerivaML" button. */
import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';

import { DerivaMLModel } from './model';
import { PLUGIN_ID } from './tokens';
import { DerivaMLPanel } from './widgets/panel';
import { UploadButtonExtension } from './widgets/upload';

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'DerivaML datasets, executions and configs in a sidebar; notebook upload.',
  autoStart: true,
  optional: [ILayoutRestorer, IDefaultFileBrowser],
  activate: (
    app: JupyterFrontEnd,
    restorer: ILayoutRestorer | null,
    browser: IDefaultFileBrowser | null
  ) => {
    const model = new DerivaMLModel(app.serviceManager.serverSettings);
    const panel = new DerivaMLPanel(model, browser);
    panel.disposed.connect(() => model.dispose());
    app.shell.add(panel, 'left', { rank: 600 });
    restorer?.add(panel, panel.id);
    app.docRegistry.addWidgetExtension('Notebook', new UploadButtonExtension(model));
  }
};

export default plugin;
