/** The left-sidebar panel: a catalog selector and what the catalog holds, then the
 * Datasets, Executions, Configs and Runs sections. The catalog follows the project the user
 * works in: the one chosen last in that project, else the one its deriva_ml config names. */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { refreshIcon, SidePanel, ToolbarButton } from '@jupyterlab/ui-components';
import { AccordionPanel, Widget } from '@lumino/widgets';

import { CatalogMemory } from '../catalogmemory';
import { derivamlIcon } from '../icons';
import { MarkdownRenderer } from '../markdown';
import { WorkingLocation } from '../location';
import { catalogOf, DerivaMLModel } from '../model';
import { IInfo, IProjectConfigs } from '../tokens';
import { ConfigsSection } from './configs';
import { DatasetsSection } from './datasets';
import { count, fill, h, note } from './dom';
import { ExecutionsSection, IExecutionActions } from './executions';
import { openExecutionTab } from './executionview';
import { AssetOpener } from './files';
import { RunsSection } from './runs';
import { Section } from './section';

export const PANEL_ID = 'derivaml-jupyter-sidebar';

/** What the panel can do beyond the sidebar (each optional). */
export interface IPanelOptions {
  /** Open an asset's file in a tab. */
  openAsset?: AssetOpener;
  /** Compare executions side by side in a tab. */
  compare?: (rids: string[]) => void;
  /** Remember the catalog chosen in each project. */
  memory?: CatalogMemory | null;
  /** Where execution tabs open. */
  shell?: JupyterFrontEnd.IShell;
  /** Render descriptions written in Markdown. */
  renderMarkdown?: MarkdownRenderer;
}

export class DerivaMLPanel extends SidePanel {
  constructor(
    readonly model: DerivaMLModel,
    location: WorkingLocation,
    options: IPanelOptions = {}
  ) {
    super();
    this.id = PANEL_ID;
    this.addClass('jp-DerivaML-panel');
    this.title.icon = derivamlIcon;
    this.title.caption = 'DerivaML';
    this._memory = options.memory ?? null;
    const datasets = new DatasetsSection(model);
    const actions: IExecutionActions = {
      open: options.openAsset ?? null,
      compare: options.compare,
      renderMarkdown: options.renderMarkdown,
      showDataset: (rid, version) => {
        (this.content as AccordionPanel).expand(this.widgets.indexOf(datasets));
        datasets.select(rid, version);
      }
    };
    const shell = options.shell;
    if (shell) {
      actions.openTab = (rid, catalog) => openExecutionTab(shell, model, rid, actions, catalog);
    }
    this._actions = actions;
    const executions = new ExecutionsSection(model, actions);
    const openExecution = (rid: string, catalog: string | null = null) => {
      if (catalog && catalog !== model.catalog) {
        model.catalog = catalog; // the header's field follows catalogChanged
      }
      (this.content as AccordionPanel).expand(this.widgets.indexOf(executions));
      executions.select(rid);
    };
    this._configs = new ConfigsSection(model, location);
    this._configs.projectChanged.connect((_, project) => this.followProject(project), this);
    this._sections = [
      datasets,
      executions,
      this._configs,
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

  /** The folder of the project shown (relative to the server root), null when none. */
  get project(): string | null {
    return this._configs.project?.project ?? null;
  }

  /** Open execution `rid` of the selected catalog in a main-area tab. */
  openExecutionTab(rid: string): void {
    this._actions.openTab?.(rid);
  }

  /** Load every section and the catalog summary again. */
  refresh(): void {
    this._sections.forEach(section => section.refresh());
    void this.showInfo();
  }

  /** Show the catalog chosen last in `project`, else the one its config names. */
  private followProject(project: IProjectConfigs | null): void {
    if (!project) {
      return;
    }
    const named = project.catalog && catalogOf(project.catalog.host, project.catalog.catalog);
    const catalog = this._memory?.forProject(project.project) ?? named;
    if (catalog && catalog !== this.model.catalog) {
      this.model.catalog = catalog;
    }
  }

  /** The catalog picker's choices: the local catalogs and those the project names. */
  private async listChoices(): Promise<void> {
    const project = this._configs.project;
    const named = (project?.catalogs ?? []).map(c => catalogOf(c.host, c.catalog));
    let local: string[] = [];
    try {
      local = await this.model.localCatalogs();
    } catch {
      // the picker still offers the project's catalogs
    }
    const choices = [...new Set([...named, ...local])];
    fill(this._choices, ...choices.map(choice => h('option', '', choice)));
    this._choices.querySelectorAll('option').forEach((option, i) => {
      option.value = choices[i];
    });
  }

  private makeHeader(): Widget {
    const input = this._catalogInput;
    input.value = this.model.catalog;
    input.title =
      'The catalog to show: a local catalog name, or HOST/CATALOG on a DERIVA server ' +
      '(press Enter to switch; the list offers the local catalogs and the project’s)';
    this._choices.id = `${PANEL_ID}-catalogs`;
    input.setAttribute('list', this._choices.id);
    input.addEventListener('focus', () => void this.listChoices());
    input.addEventListener('change', () => {
      this.model.catalog = input.value;
      void this._memory?.remember(input.value, this._configs.project?.project ?? null);
    });
    const header = new Widget({
      node: h(
        'div',
        'jp-DerivaML-header',
        h('h2', '', 'DerivaML'),
        h('label', 'jp-DerivaML-catalogField', 'Catalog ', input),
        this._choices,
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
  private _choices = h('datalist');
  private _memory: CatalogMemory | null;
  private _actions: IExecutionActions;
  private _configs: ConfigsSection;
  private _sections: Section[];
}

function summary(info: IInfo): string {
  const { datasets, executions } = info.counts;
  const counts = `${count(datasets, 'dataset')}, ${count(executions, 'execution')}`;
  return `${info.host}/${info.catalog}: ${counts}`;
}
