/** Opening a view of the extension in a main-area tab. */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Widget } from '@lumino/widgets';

import { derivamlIcon } from '../icons';

let opened = 0;

/** Show `content` in a new closable main-area tab labelled `label` (`caption` on hover). */
export function openTab(
  shell: JupyterFrontEnd.IShell,
  content: Widget,
  label: string,
  caption: string
): void {
  const widget = new MainAreaWidget({ content });
  widget.id = `derivaml-tab-${++opened}`;
  widget.title.label = label;
  widget.title.caption = caption;
  widget.title.icon = derivamlIcon;
  widget.title.closable = true;
  shell.add(widget, 'main');
  shell.activateById(widget.id);
}
