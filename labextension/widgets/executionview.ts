/** One execution in a main-area tab: its provenance (workflow source, git commit and
 * uncommitted changes, Python and platform), its metrics as a table, its inputs (datasets
 * open in the sidebar at the version used) and outputs by table with their sizes, and its
 * nested executions (a sweep's jobs) as a table with each job's parameters and metrics as
 * columns, whose RIDs open their own tabs and which compare side by side in one click. */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Widget } from '@lumino/widgets';

import { DerivaMLModel } from '../model';
import { IExecutionDetail, IExecutionProvenance, ISweep, Scalar } from '../tokens';
import {
  Child,
  button,
  count,
  fields,
  fill,
  h,
  heading,
  note,
  statusBadge,
  table,
  when
} from './dom';
import { IExecutionActions } from './executions';
import { filesTable } from './files';
import { openTab } from './mainarea';

export class ExecutionView extends Widget {
  constructor(
    private readonly _model: DerivaMLModel,
    readonly rid: string,
    readonly catalog: string,
    private readonly _actions: IExecutionActions
  ) {
    super();
    this.addClass('jp-DerivaML-executionView');
    void this.load();
  }

  /** Load the execution and its provenance again. */
  async load(): Promise<void> {
    fill(this.node, note('Loading…'));
    try {
      const [detail, provenance] = await Promise.all([
        this._model.executionOf(this.rid, this.catalog),
        this._model.provenance(this.rid, this.catalog)
      ]);
      fill(this.node, ...this.render(detail, provenance));
    } catch (error) {
      fill(this.node, note((error as Error).message, 'error'));
    }
  }

  /** The jobs of this sweep, a row each with its parameters and metrics (loaded after the
   * rest of the tab: it reads each job's recorded files). */
  private sweepTable(): HTMLElement {
    const area = h(
      'div',
      'jp-DerivaML-sweep',
      note('Loading the jobs’ parameters and metrics…')
    );
    this._model.sweep(this.rid, this.catalog).then(
      sweep => fill(area, sweepJobs(sweep, rid => this._actions.openTab?.(rid, this.catalog))),
      error => fill(area, note((error as Error).message, 'error'))
    );
    return area;
  }

  private render(e: IExecutionDetail, p: IExecutionProvenance): Child[] {
    const { compare, open = null, showDataset } = this._actions;
    const files = { model: this._model, open, catalog: this.catalog, showDataset, sizes: true };
    const workflow = e.workflow;
    const git = p.environment?.git;
    const metrics = Object.entries(p.metrics);
    const children = e.children.map(c => c.rid);
    return [
      h('h2', '', `Execution ${e.rid} `, statusBadge(e.status)),
      e.description
        ? this._actions.renderMarkdown?.(e.description) ??
          h('p', 'jp-DerivaML-description', e.description)
        : null,
      fields([
        ['Catalog', this.catalog],
        ['Status detail', e.status_detail],
        ['Started', when(e.start_time)],
        ['Stopped', when(e.stop_time)],
        ['Duration', e.duration]
      ]),
      heading('Provenance'),
      fields([
        ['Workflow', workflow && `${workflow.name} (${workflow.workflow_type.join(', ')})`],
        ['Source', workflow?.url ? link(workflow.url) : null],
        ['Version', workflow?.version],
        ['Checksum', workflow?.checksum && h('code', '', workflow.checksum)],
        ['Git commit', git?.commit && h('code', '', git.commit)],
        ['Git remote', git?.remote],
        [
          'Uncommitted changes',
          git ? (git.dirty ? `yes: ${git.changes.length} file(s)` : 'none') : null
        ],
        ['Python', p.environment?.python],
        ['Platform', p.environment?.platform],
        ['Packages', p.environment ? String(p.environment.packages) : null]
      ]),
      heading('Metrics'),
      metrics.length
        ? table(
            ['Metric', 'Value'],
            metrics.map(([name, value]) => [name, value === null ? '' : String(value)])
          )
        : note('No metrics files (*metrics*.json or .jsonl) among the outputs.'),
      heading('Inputs'),
      ...filesTable(e.inputs.datasets, e.inputs.assets, files),
      heading('Outputs'),
      ...filesTable(e.outputs.datasets, e.outputs.assets, files),
      children.length ? heading(`Sweep: ${count(children.length, 'job')}`) : null,
      children.length ? this.sweepTable() : null,
      compare && children.length >= 2
        ? button('jp-DerivaML-button', () => compare(children), `Compare these ${children.length}`)
        : null
    ];
  }
}

/** Open execution `rid` of `catalog` (default: the model's) in a new main-area tab. */
export function openExecutionTab(
  shell: JupyterFrontEnd.IShell,
  model: DerivaMLModel,
  rid: string,
  actions: IExecutionActions,
  catalog: string = model.catalog
): void {
  const content = new ExecutionView(model, rid, catalog, actions);
  openTab(shell, content, `Execution ${rid}`, `${catalog}: execution ${rid}`);
}

/** `url` as a link when it is a web address, else as text. */
function link(url: string): Child {
  if (!/^https?:\/\//i.test(url)) {
    return url;
  }
  const a = h('a', '', url);
  a.href = url;
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  return a;
}

/** A sweep's jobs as a table: RID (opening the job's tab when `open` is given), status,
 * then a column per parameter and per metric. */
function sweepJobs(sweep: ISweep, open: ((rid: string) => void) | null): HTMLElement {
  const head = h(
    'tr',
    '',
    h('th', '', 'Execution'),
    h('th', '', 'Status'),
    ...sweep.parameters.map(name => h('th', 'jp-DerivaML-parameter', name)),
    ...sweep.metrics.map(name => h('th', 'jp-DerivaML-metric', name))
  );
  const rows = sweep.jobs.map(job =>
    h(
      'tr',
      '',
      h('td', '', open ? button('jp-DerivaML-link', () => open(job.rid), job.rid) : job.rid),
      h('td', '', statusBadge(job.status)),
      ...sweep.parameters.map(name => h('td', 'jp-DerivaML-parameter', job.parameters[name] ?? '')),
      ...sweep.metrics.map(name => h('td', 'jp-DerivaML-metric', shown(job.metrics[name])))
    )
  );
  return h('table', 'jp-DerivaML-table jp-DerivaML-sweepTable', h('thead', '', head),
    h('tbody', '', ...rows));
}

/** A metric's value as text (numbers with at most 4 decimals). */
function shown(value: Scalar | undefined): string {
  if (value === null || value === undefined) {
    return '';
  }
  return typeof value === 'number' && !Number.isInteger(value)
    ? String(Number(value.toFixed(4)))
    : String(value);
}
