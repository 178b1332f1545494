/** Executions side by side in a main-area tab: a column per execution and a row per fact
 * (workflow and status, Hydra config, metrics, inputs, outputs) under its section's heading;
 * rows whose values differ are marked, and "Only differences" hides the others. */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Widget } from '@lumino/widgets';

import { DerivaMLModel } from '../model';
import { IComparison } from '../tokens';
import { fill, h, note } from './dom';
import { openTab } from './mainarea';

export class CompareView extends Widget {
  constructor(
    private readonly _model: DerivaMLModel,
    readonly rids: string[],
    readonly catalog: string
  ) {
    super();
    this.addClass('jp-DerivaML-compare');
    this._only.type = 'checkbox';
    this._only.addEventListener('change', () => void this.load());
    const bar = h('div', 'jp-DerivaML-compareBar', h('label', '', this._only, 'Only differences'));
    this.node.append(bar, this._body);
    void this.load();
  }

  /** Load the comparison again (with the "Only differences" choice). */
  async load(): Promise<void> {
    fill(this._body, note('Loading…'));
    try {
      const comparison = await this._model.compare(this.rids, this._only.checked, this.catalog);
      fill(this._body, comparisonTable(comparison));
    } catch (error) {
      fill(this._body, note((error as Error).message, 'error'));
    }
  }

  private _only = h('input', 'jp-DerivaML-onlyDifferences');
  private _body = h('div', 'jp-DerivaML-compareBody');
}

/** Open executions `rids` of the model's catalog side by side in a new main-area tab. */
export function openComparison(
  shell: JupyterFrontEnd.IShell,
  model: DerivaMLModel,
  rids: string[]
): void {
  const content = new CompareView(model, rids, model.catalog);
  openTab(shell, content, `Compare ${rids.length} executions`,
    `${model.catalog}: ${rids.join(', ')}`);
}

function comparisonTable(comparison: IComparison): HTMLElement {
  const columns = comparison.executions.length;
  const rows: HTMLElement[] = [];
  let section = '';
  for (const row of comparison.rows) {
    if (row.section !== section) {
      section = row.section;
      const title = h('th', '', section[0].toUpperCase() + section.slice(1));
      title.colSpan = columns + 1;
      rows.push(h('tr', 'jp-DerivaML-compareSection', title));
    }
    const cells = row.values.map(value => h('td', '', value === null ? '' : String(value)));
    rows.push(h('tr', row.differs ? 'jp-mod-differs' : '', h('th', '', row.name), ...cells));
  }
  const head = h('tr', '', h('th', ''), ...comparison.executions.map(rid => h('th', '', rid)));
  return rows.length
    ? h('table', 'jp-DerivaML-table jp-DerivaML-compareTable', h('thead', '', head),
        h('tbody', '', ...rows))
    : note('These executions do not differ.');
}
