/** The DerivaML buttons of the notebook toolbar ("Upload to DerivaML", "Run headless with
 * DerivaML"): each a command that acts on the notebook of its panel. */
import { ToolbarButton } from '@jupyterlab/apputils';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { INotebookModel, NotebookPanel } from '@jupyterlab/notebook';
import { LabIcon } from '@jupyterlab/ui-components';
import { DisposableSet, IDisposable } from '@lumino/disposable';

import { DerivaMLModel } from '../model';

/** What a button shows, and what it does with a notebook. */
export interface INotebookCommand {
  label: string;
  tooltip: string;
  icon: LabIcon;
  execute: (model: DerivaMLModel, panel: NotebookPanel) => Promise<void>;
}

/** Where the buttons go in the toolbar: after save, insert, cut/copy/paste, run and cell type. */
const FIRST_POSITION = 10;

/** Adds one button per command to every notebook's toolbar, in order; a command's key names
 * its toolbar item (`derivaml-<key>`) and CSS class (`jp-DerivaML-<key>`). */
export class NotebookButtons
  implements DocumentRegistry.IWidgetExtension<NotebookPanel, INotebookModel>
{
  constructor(
    private readonly model: DerivaMLModel,
    private readonly commands: Record<string, INotebookCommand>
  ) {}

  createNew(panel: NotebookPanel): IDisposable {
    const buttons = Object.entries(this.commands).map(([key, command], index) => {
      const { label, tooltip, icon, execute } = command;
      const className = `jp-DerivaML-${key}`;
      const onClick = () => void execute(this.model, panel);
      const item = new ToolbarButton({ className, label, tooltip, icon, onClick });
      panel.toolbar.insertItem(FIRST_POSITION + index, `derivaml-${key}`, item);
      return item;
    });
    return DisposableSet.from(buttons);
  }
}
