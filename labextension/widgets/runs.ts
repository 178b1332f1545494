/** The Runs section: the user's headless runs of this server (also those started before it
 * restarted) with their status, kept fresh by the model's runs poll while one is running; a
 * running run has a Cancel button; a click shows a run with the tail of its output, and its
 * execution's RID opens that execution in the Executions section. A run that ends says so in
 * a notification offering its execution (and, when it failed, its output). */
import { Notification } from '@jupyterlab/apputils';

import { DerivaMLModel, catalogOf } from '../model';
import { failsEveryCall } from '../request';
import { IRun } from '../tokens';
import { Child, button, fields, fill, h, heading, note, statusBadge, when } from './dom';
import { ItemsSection } from './section';

export class RunsSection extends ItemsSection {
  /** `openExecution(rid, catalog)` shows an execution's detail in that catalog. */
  constructor(
    model: DerivaMLModel,
    private readonly openExecution: (rid: string, catalog: string | null) => void
  ) {
    super(model, 'Runs');
    model.runsChanged.connect(() => this.render(), this);
    model.runEnded.connect((_, run) => this.notifyEnded(run), this);
    this.render();
  }

  refresh(): void {
    this.model.refreshRunsSoon();
  }

  /** Show run `id` with its output in the detail area. */
  select(id: string): void {
    this._selected = id;
    this.render();
    this.detailNode.scrollIntoView({ block: 'start' });
  }

  /** A notification that `run` ended, with buttons to its execution and output. */
  private notifyEnded(run: IRun): void {
    const rid = run.execution_rid;
    const catalog = run.catalog && catalogOf(run.host, run.catalog);
    const actions = [
      ...(rid
        ? [{ label: 'Show execution', callback: () => this.openExecution(rid, catalog) }]
        : []),
      { label: 'Show output', callback: () => this.select(run.id) }
    ];
    const what = `Run ${run.id} (${run.kind} ${run.target})`;
    if (run.status === 'succeeded') {
      Notification.success(`${what} finished${rid ? `: execution ${rid}` : ''}.`, {
        actions,
        autoClose: 15000
      });
    } else {
      const why = run.status_detail || exitCode(run);
      Notification.error(`${what} ${run.status}${why ? `: ${why}` : ''}.`, {
        actions,
        autoClose: false
      });
    }
  }

  private render(): void {
    const { runs, runsError } = this.model;
    fill(
      this.listNode,
      runsError && !failsEveryCall(runsError) ? note(runsError.message, 'error') : null,
      this._cancelError && note(this._cancelError, 'error'),
      runs.length
        ? h('ul', 'jp-DerivaML-items', ...runs.map(run => this.runItem(run)))
        : !runsError &&
            note('No runs yet: start one from a notebook’s toolbar or a project’s configs.')
    );
    this.markSelected(this._selected);
    const selected = runs.find(run => run.id === this._selected);
    fill(this.detailNode, ...(selected ? this.renderDetail(selected) : []));
  }

  private runItem(run: IRun): HTMLElement {
    return this.item(
      run.id,
      [
        statusBadge(run.status),
        h('span', 'jp-DerivaML-rid', `#${run.id}`),
        h('span', 'jp-DerivaML-kind', run.kind),
        h('span', 'jp-DerivaML-target', run.target),
        run.overrides.length > 0 && h('span', 'jp-DerivaML-overridesShown', run.overrides.join(' ')),
        run.execution_rid && this.executionLink(run),
        run.status === 'running' && this.cancelButton(run)
      ],
      null
    );
  }

  /** The run's execution RID, opening its detail when clicked (not the run's). */
  private executionLink(run: IRun): HTMLElement {
    const rid = run.execution_rid as string;
    const link = h('span', 'jp-DerivaML-link jp-DerivaML-runExecution', rid);
    const catalog = run.catalog && catalogOf(run.host, run.catalog);
    link.title = `Show execution ${rid}` + (catalog ? ` of catalog ${catalog}` : '');
    link.addEventListener('click', event => {
      event.stopPropagation();
      this.openExecution(rid, catalog);
    });
    return link;
  }

  /** Cancel: ends the run's processes (the list then shows it cancelled). */
  private cancelButton(run: IRun): HTMLElement {
    const cancel = button('jp-DerivaML-button jp-DerivaML-cancelRun', () => {
      cancel.disabled = true;
      this.model.cancelRun(run.id).then(
        () => (this._cancelError = null),
        error => {
          this._cancelError = `Could not cancel run ${run.id}: ${(error as Error).message}`;
          this.render();
        }
      );
    }, 'Cancel');
    cancel.title = `Cancel run ${run.id}: end its processes`;
    cancel.addEventListener('click', event => event.stopPropagation());
    return cancel;
  }

  private renderDetail(run: IRun): Child[] {
    const rid = run.execution_rid;
    const execution =
      rid && button('jp-DerivaML-link', () => this.openExecution(rid, run.catalog && catalogOf(run.host, run.catalog)), rid);
    return [
      heading(`Run ${run.id}: ${run.kind} ${run.target}`),
      fields([
        ['Status', h('span', '', statusBadge(run.status), ' ', exitCode(run))],
        ['Why', run.status_detail],
        ['Started', when(run.started)],
        ['Ended', when(run.ended)],
        ['Overrides', run.overrides.join(' ')],
        ['Execution', execution],
        ['Catalog', run.catalog && `${run.host}/${run.catalog}`]
      ]),
      heading('Output (last lines)'),
      h('pre', 'jp-DerivaML-output', terminalText(run.output) || '(no output yet)')
    ];
  }

  private _selected: string | null = null;
  private _cancelError: string | null = null;
}

function exitCode(run: IRun): string {
  return run.exit_code === null ? '' : `exit code ${run.exit_code}`;
}

/** `output` as a terminal shows it: of a line a progress bar rewrote (`\r`), the last state. */
function terminalText(output: string): string {
  return output
    .split('\n')
    .map(line => line.replace(/\r+$/, ''))
    .map(line => line.slice(line.lastIndexOf('\r') + 1))
    .join('\n');
}
