/** The catalog the user chose, for each project and the last one overall, kept in
 * JupyterLab's state database so that a reload opens where they left off. */
import { IStateDB } from '@jupyterlab/statedb';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

const KEY = 'derivaml-jupyter:catalogs';

interface ISaved {
  last: string | null;
  projects: Record<string, string>;
}

export class CatalogMemory {
  constructor(private readonly _state: IStateDB) {}

  /** Read what was saved (once, at start). */
  async restore(): Promise<void> {
    const saved = (await this._state.fetch(KEY)) as Partial<ISaved> | undefined;
    this._saved = { last: saved?.last ?? null, projects: { ...(saved?.projects ?? {}) } };
  }

  /** The catalog chosen last, whatever the project. */
  get last(): string | null {
    return this._saved.last;
  }

  /** The catalog chosen last while working in `project`. */
  forProject(project: string): string | null {
    return this._saved.projects[project] ?? null;
  }

  /** Remember `catalog` as chosen, in `project` if given. */
  async remember(catalog: string, project: string | null): Promise<void> {
    this._saved.last = catalog;
    if (project !== null) {
      this._saved.projects[project] = catalog;
    }
    await this._state.save(KEY, this._saved as unknown as ReadonlyPartialJSONObject);
  }

  private _saved: ISaved = { last: null, projects: {} };
}
