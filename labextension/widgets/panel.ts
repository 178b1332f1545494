/** The left-sidebar panel: a catalog selector and what the catalog holds, then the
 * Datasets, Executions, Configs and Runs sections. */
import { FileBrowser } from '@jupyterlab/filebrowser';
import { refreshIcon, SidePanel, ToolbarButton } from '@jupyterlab/ui-components';
import { AccordionPanel, Widget } from '@lumino/widgets';

import { derivamlIcon } from '../icons';
import { DerivaMLModel } from '../model';
import { IInfo } from '../tokens';
import { ConfigsSection } from './configs';
import { DatasetsSection } from './datasets';
import { count, fill, h, note } from './dom';
import { AssetOpener, Comparer, ExecutionsSection } from './executions';
import { RunsSection } from './runs';
import { Section } from './section';

export const PANEL_ID = 'derivaml-jupyter-sidebar';

export class DerivaMLPanel extends SidePanel {
  constructor(
    readonly model: DerivaMLModel,
    browser: FileBrowser | null,
    openAsset: AssetOpener = null,
    compare: Comparer | null = null
  ) {
    super();
    this.id = PANEL_ID;
    this.addClass('jp-DerivaML-panel');
    this.title.icon = derivamlIcon;
    this.title.caption = 'DerivaML';
    const executions = new ExecutionsSection(model, openAsset, compare);
    const openExecution = (rid: string, catalog: string | null = null) => {
      if (catalog && catalog !== model.catalog) {
        model.catalog = catalog; // the header's field follows catalogChanged
      }
      (this.content as AccordionPanel).expand(this.widgets.indexOf(executions));
      executions.select(rid);
    };
    this._sections = [
      new DatasetsSection(model),
      executions,
      new ConfigsSection(model, browser),
      new RunsSection(model, openExecution)
    ];
    this._sections.forEach(section => this.addWidget(section));
    this.header.addWidget(this.makeHeader());
    this.toolbar.addItem(
      'refresh',
      new ToolbarButton({
        icon: refreshIcon,
        tooltip: 'Load the datasets, executions, configs and runs again',
        onClick: () => this.refresh()
      })
    );
    model.catalogChanged.connect(() => {
      this._catalogInput.value = model.catalog;
      void this.showInfo();
    }, this);
    model.executionsChanged.connect(() => void this.showInfo(), this);
  }

  /** Load every section and the catalog summary again. */
  refresh(): void {
    this._sections.forEach(section => section.refresh());
    void this.showInfo();
  }

  private makeHeader(): Widget {
    const input = this._catalogInput;
    input.value = this.model.catalog;
    input.title =
      'The catalog to show: a local catalog name, or HOST/CATALOG on a DERIVA server ' +
      '(press Enter to switch)';
    input.addEventListener('change', () => (this.model.catalog = input.value));
    const header = new Widget({
      node: h(
        'div',
        'jp-DerivaML-header',
        h('h2', '', 'DerivaML'),
        h('label', 'jp-DerivaML-catalogField', 'Catalog ', input),
        this._info
      )
    });
    void this.showInfo();
    return header;
  }

  private async showInfo(): Promise<void> {
    let content: HTMLElement;
    try {
      content = note(summary(await this.model.info()));
    } catch (error) {
      content = note((error as Error).message, 'error');
    }
    fill(this._info, content);
  }

  private _info = h('div', 'jp-DerivaML-summary');
  private _catalogInput = h('input', 'jp-mod-styled jp-DerivaML-catalog');
  private _sections: Section[];
}

function summary(info: IInfo): string {
  const { datasets, executions } = info.counts;
  const counts = `${count(datasets, 'dataset')}, ${count(executions, 'execution')}`;
  return `${info.host}/${info.catalog}: ${counts}`;
}
