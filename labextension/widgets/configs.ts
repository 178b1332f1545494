/** The Configs section: the hydra-zen config groups and options of the DerivaML project open
 * in the file browser (its current folder), and a form that runs the project's model. */
import { FileBrowser } from '@jupyterlab/filebrowser';
import { Message } from '@lumino/messaging';

import { DerivaMLModel } from '../model';
import { APIError } from '../request';
import { IConfigOption, IProjectConfigs } from '../tokens';
import { Child, fields, h, heading, note } from './dom';
import { runModelForm } from './launch';
import { Section } from './section';

export class ConfigsSection extends Section {
  constructor(
    model: DerivaMLModel,
    private readonly browser: FileBrowser | null
  ) {
    super(model, 'Configs');
    browser?.model.pathChanged.connect(() => this.refreshIfShown(), this);
  }

  /** The folder shown: the file browser's current one, relative to the server root. */
  get path(): string {
    return this.browser?.model.path ?? '';
  }

  refresh(): void {
    this._stale = false;
    const path = this.path;
    const folder = path ? `“${path}”` : 'The server’s root folder';
    void this.display(
      this.listNode,
      () => this.model.configs(path),
      configs => [
        note(`Project: /${path}`),
        runModelForm(this.model, path),
        ...renderConfigs(configs)
      ],
      error => [
        error instanceof APIError && error.kind === 'DerivaMLNotFound'
          ? note(
              `${folder} is not a DerivaML project (it has no src/configs). Open a project ` +
                'folder in the file browser to see its configs.'
            )
          : note(error.message, 'error')
      ]
    );
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    if (this._stale) {
      this.refresh();
    }
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.refreshIfShown();
  }

  /** Listing configs starts a Python process: only do it when someone looks. */
  private refreshIfShown(): void {
    this._stale = true;
    if (this.isVisible) {
      this.refresh();
    }
  }

  private _stale = true;
}

function options(list: IConfigOption[]): HTMLElement {
  return fields(list.map(o => [o.name, o.description]));
}

function renderConfigs(configs: IProjectConfigs): Child[] {
  const groups = Object.entries(configs.groups);
  return [
    ...groups.flatMap(([group, list]) => [heading(group), options(list)]),
    configs.configs.length ? heading('Configs') : null,
    configs.configs.length ? options(configs.configs) : null,
    configs.multiruns.length ? heading('Multiruns') : null,
    configs.multiruns.length ? options(configs.multiruns) : null,
    groups.length || configs.configs.length ? null : h('div', '', note('No configs registered.'))
  ];
}
