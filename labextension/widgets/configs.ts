/** The Configs section: the hydra-zen config groups and options of the DerivaML project the
 * user works in (the one holding the active notebook or the file browser's folder), and a
 * form that runs the project's model. */
import { Message } from '@lumino/messaging';
import { ISignal, Signal } from '@lumino/signaling';

import { WorkingLocation } from '../location';
import { DerivaMLModel } from '../model';
import { APIError, failsEveryCall } from '../request';
import { IConfigOption, IProjectConfigs } from '../tokens';
import { Child, fields, h, heading, note } from './dom';
import { runModelForm } from './launch';
import { Section } from './section';

export class ConfigsSection extends Section {
  constructor(
    model: DerivaMLModel,
    private readonly location: WorkingLocation
  ) {
    super(model, 'Configs');
    location.changed.connect((_, path) => {
      if (!this._project || !within(path, this._project.project)) {
        this.refreshIfShown();
      }
    }, this);
  }

  /** The folder whose project is shown, relative to the server root. */
  get path(): string {
    return this.location.path;
  }

  /** The project shown (null when the folder is in none). */
  get project(): IProjectConfigs | null {
    return this._project;
  }

  /** Emitted when the project shown changes (null: the folder is in no project). */
  get projectChanged(): ISignal<this, IProjectConfigs | null> {
    return this._projectChanged;
  }

  refresh(): void {
    this._stale = false;
    const path = this.path;
    const folder = path ? `“${path}”` : 'The server’s root folder';
    void this.display(
      this.listNode,
      () => this.model.configs(path),
      configs => {
        this.setProject(configs);
        return [
          note(`Project: /${configs.project}`),
          runModelForm(this.model, configs.project),
          ...renderConfigs(configs)
        ];
      },
      error => {
        this.setProject(null);
        if (failsEveryCall(error)) {
          return []; // the panel's header says it
        }
        return [
          error instanceof APIError && error.kind === 'DerivaMLNotFound'
            ? note(
                `${folder} is in no DerivaML project (no src/configs from it up). Open a ` +
                  'project folder or one of its notebooks to see its configs.'
              )
            : note(error.message, 'error')
        ];
      }
    );
  }

  private setProject(project: IProjectConfigs | null): void {
    const before = this._project?.project ?? null;
    this._project = project;
    if ((project?.project ?? null) !== before) {
      this._projectChanged.emit(project);
    }
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
  private _project: IProjectConfigs | null = null;
  private _projectChanged = new Signal<this, IProjectConfigs | null>(this);
}

/** Whether folder `path` is `project` or inside it. */
function within(path: string, project: string): boolean {
  return project === '' || path === project || path.startsWith(`${project}/`);
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
