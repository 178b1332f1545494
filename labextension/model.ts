/**
 * The sidebar's state: the selected catalog, the API calls on it, and the list of recent
 * executions kept fresh by a poll that backs off on errors and stands by while nobody looks
 * (each round sends the last answer's ETag; the server answers 304 while nothing changed),
 * and the headless runs of this server, polled the same way while one of them is running.
 */
import { ServerConnection } from '@jupyterlab/services';
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { APIError, Query, apiURL, requestAPI, requestBlob } from './request';
import {
  IComparison,
  IDatasetDetail,
  IExecutionProvenance,
  IDatasetSummary,
  IExecutionDetail,
  IExecutionList,
  IExecutionSummary,
  IInfo,
  IMemberPage,
  IProjectConfigs,
  IPushResult,
  IRecordedOverrides,
  IRun,
  ISweep,
  IUploadResult,
  RunRequest
} from './tokens';

/** A filter of the executions list; empty values filter nothing. */
export interface IExecutionFilter {
  q?: string;
  status?: string;
  since?: string;
}

/** How often the executions list refreshes, and the longest wait after failures (ms). */
export const EXECUTIONS_INTERVAL = 5000;
export const EXECUTIONS_MAX_INTERVAL = 120000;
/** With no key or pointer input for this long (ms), the browser counts as idle. */
export const IDLE_AFTER = 5 * 60 * 1000;
/** How many recent executions the list shows. */
export const RECENT_EXECUTIONS = 50;
/** How often the runs list refreshes while a run is running (ms). */
export const RUNS_INTERVAL = 2000;
/** Rows per page of a dataset's member table. */
export const MEMBER_PAGE_SIZE = 50;

const ACTIVITY_EVENTS = ['keydown', 'pointerdown', 'pointermove', 'wheel'];

export class DerivaMLModel implements IDisposable {
  constructor(readonly serverSettings: ServerConnection.ISettings) {
    this._poll = new Poll({
      factory: () => this.refreshExecutions(),
      frequency: { interval: EXECUTIONS_INTERVAL, backoff: true, max: EXECUTIONS_MAX_INTERVAL },
      name: 'derivaml-jupyter:executions',
      standby: () => (this._watching && !this.idle ? 'when-hidden' : true)
    });
    this._runsPoll = new Poll({
      factory: () => this.refreshRuns(),
      frequency: { interval: RUNS_INTERVAL, backoff: true, max: EXECUTIONS_MAX_INTERVAL },
      name: 'derivaml-jupyter:runs',
      standby: () => (this._runsStale || this.running) && !this.idle ? 'when-hidden' : true
    });
    ACTIVITY_EVENTS.forEach(name => document.addEventListener(name, this._onActivity, true));
  }

  /**
   * The catalog every call goes to: a local catalog's name (`default` at first), or
   * `HOST/CATALOG` for a catalog on a DERIVA server the Jupyter server may reach.
   */
  get catalog(): string {
    return this._catalog;
  }
  set catalog(value: string) {
    const catalog = value.trim() || 'default';
    if (catalog === this._catalog) {
      return;
    }
    this._catalog = catalog;
    this._executions = [];
    this._executionsETag = null;
    this._executionsError = null;
    this._executionsLoading = true;
    this._catalogChanged.emit(catalog);
    this._executionsChanged.emit();
    void this._poll.refresh();
  }

  /** Emitted with the new name when the catalog changes. */
  get catalogChanged(): ISignal<this, string> {
    return this._catalogChanged;
  }

  /** The recent executions, newest first, as of the last refresh. */
  get executions(): readonly IExecutionSummary[] {
    return this._executions;
  }

  /** Whether the executions of the catalog are still on their way (none has come yet). */
  get executionsLoading(): boolean {
    return this._executionsLoading;
  }

  /** Why the last refresh of the executions failed (null after a success). */
  get executionsError(): Error | null {
    return this._executionsError;
  }

  /** Emitted when the executions list or its error changes. */
  get executionsChanged(): ISignal<this, void> {
    return this._executionsChanged;
  }

  /** Whether a view shows the executions: the poll stands by while none does. */
  get watching(): boolean {
    return this._watching;
  }
  set watching(value: boolean) {
    this._watching = value;
    if (value && !this.isDisposed) {
      void this._poll.refresh();
    }
  }

  /** No key or pointer input for `IDLE_AFTER` ms. */
  get idle(): boolean {
    return Date.now() - this._lastActivity > IDLE_AFTER;
  }

  /** The poll refreshing the executions (its `tick` resolves after each round). */
  get poll(): Poll {
    return this._poll;
  }

  /** The headless runs of this server, newest first, as of the last refresh. */
  get runs(): readonly IRun[] {
    return this._runs;
  }

  /** Why the last refresh of the runs failed (null after a success). */
  get runsError(): Error | null {
    return this._runsError;
  }

  /** Emitted when the runs list or its error changes. */
  /** Emitted with a run seen running that has now ended (finished, failed, cancelled). */
  get runEnded(): ISignal<this, IRun> {
    return this._runEnded;
  }

  get runsChanged(): ISignal<this, void> {
    return this._runsChanged;
  }

  /** Whether a run is still running (the runs poll stands by otherwise). */
  get running(): boolean {
    return this._runs.some(run => run.status === 'running');
  }

  /** Fetch the runs list at the next tick of its poll (e.g. when a view first shows it). */
  refreshRunsSoon(): void {
    this._runsStale = true;
    void this._runsPoll.refresh();
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    ACTIVITY_EVENTS.forEach(name => document.removeEventListener(name, this._onActivity, true));
    this._poll.dispose();
    this._runsPoll.dispose();
    Signal.clearData(this);
  }

  /** GET `endpoint` on the selected catalog. */
  request<T>(endpoint: string, query: Query = {}, init: RequestInit = {}): Promise<T> {
    const where = catalogQuery(this._catalog);
    return requestAPI<T>(this.serverSettings, endpoint, { ...query, ...where }, init);
  }

  info(): Promise<IInfo> {
    return this.request('info');
  }

  datasets(): Promise<IDatasetSummary[]> {
    return this.request('datasets');
  }

  dataset(rid: string, version?: string): Promise<IDatasetDetail> {
    return this.request(`datasets/${encodeURIComponent(rid)}`, { version });
  }

  /** One page of `table` members of a dataset, after the cursor `after`. */
  members(rid: string, table: string, after: string | null): Promise<IMemberPage> {
    return this.request(`datasets/${encodeURIComponent(rid)}/members`, {
      table,
      after,
      limit: MEMBER_PAGE_SIZE
    });
  }

  /** The `limit` most recent executions that pass the executions filter. */
  recentExecutions(
    limit: number = RECENT_EXECUTIONS,
    init: RequestInit = {}
  ): Promise<IExecutionList> {
    return this.request('executions', { limit, ...this._executionFilter }, init);
  }

  /** What the executions list shows: those whose description holds `q`, with `status`,
   * created `since` a date. */
  get executionFilter(): IExecutionFilter {
    return this._executionFilter;
  }

  set executionFilter(filter: IExecutionFilter) {
    if (JSON.stringify(filter) === JSON.stringify(this._executionFilter)) {
      return;
    }
    this._executionFilter = filter;
    this._executionsETag = null;
    void this._poll.refresh();
  }

  /** Mark execution `rid` (left Running) Aborted with `reason`, then refresh the list. */
  async abandon(rid: string, reason: string): Promise<void> {
    await this.request(`executions/${encodeURIComponent(rid)}/abandon`, {}, {
      method: 'POST',
      body: JSON.stringify({ reason })
    });
    this._executionsETag = null;
    await this._poll.refresh();
  }

  /** What execution `rid` of `catalog` ran on, and its metrics. */
  provenance(rid: string, catalog: string = this._catalog): Promise<IExecutionProvenance> {
    return this.executionPart(rid, 'provenance', catalog);
  }

  /** Execution `rid` of `catalog` with its workflow, inputs, outputs and nesting. */
  executionOf(rid: string, catalog: string): Promise<IExecutionDetail> {
    return requestAPI<IExecutionDetail>(
      this.serverSettings,
      `executions/${encodeURIComponent(rid)}`,
      catalogQuery(catalog)
    );
  }

  /** The overrides execution `rid` of `catalog` ran with, and where it ran from. */
  recordedOverrides(rid: string, catalog: string = this._catalog): Promise<IRecordedOverrides> {
    return this.executionPart(rid, 'overrides', catalog);
  }

  /** The jobs of sweep `rid` of `catalog` with their parameters and metrics. */
  sweep(rid: string, catalog: string): Promise<ISweep> {
    return this.executionPart(rid, 'sweep', catalog);
  }

  /** GET `executions/<rid>/<part>` of `catalog`. */
  private executionPart<T>(rid: string, part: string, catalog: string): Promise<T> {
    const endpoint = `executions/${encodeURIComponent(rid)}/${part}`;
    return requestAPI<T>(this.serverSettings, endpoint, catalogQuery(catalog));
  }

  /** Executions `rids` of `catalog` (default: the selected one) side by side;
   * `onlyDifferences` keeps the facts that differ. */
  compare(
    rids: string[],
    onlyDifferences: boolean = false,
    catalog: string = this._catalog
  ): Promise<IComparison> {
    return requestAPI<IComparison>(this.serverSettings, 'compare', {
      rids: rids.join(','),
      only_differences: onlyDifferences ? 'true' : null,
      ...catalogQuery(catalog)
    });
  }

  /** The URL of asset `rid`'s file on `catalog` (default: the selected one); `download`
   * asks the browser to save it rather than show it. */
  assetURL(rid: string, download: boolean = false, catalog: string = this._catalog): string {
    const query = { ...catalogQuery(catalog), download: download ? 'true' : null };
    return apiURL(this.serverSettings, assetEndpoint(rid), query);
  }

  /** The bytes of asset `rid`'s file on `catalog` (default: the selected one). */
  assetContent(rid: string, catalog: string = this._catalog): Promise<Blob> {
    return requestBlob(this.serverSettings, assetEndpoint(rid), catalogQuery(catalog));
  }

  execution(rid: string): Promise<IExecutionDetail> {
    return this.request(`executions/${encodeURIComponent(rid)}`);
  }

  /** The configs of the project in `path` (relative to the server root). */
  configs(path: string): Promise<IProjectConfigs> {
    return this.request('configs', { path });
  }

  /** The names of the local catalogs. */
  async localCatalogs(): Promise<string[]> {
    return (await requestAPI<{ local: string[] }>(this.serverSettings, 'catalogs')).local;
  }

  /** Upload the notebook at `path` (relative to the server root) to an execution. */
  uploadNotebook(path: string, executionRid: string): Promise<IUploadResult> {
    return this.request('notebooks/upload', {}, {
      method: 'POST',
      body: JSON.stringify({ path, execution_rid: executionRid })
    });
  }

  /** Copy executions `rids` of the selected (local) catalog to `to`: `HOST/CATALOG` or
   * another local catalog's name. */
  push(to: string, rids: string[]): Promise<IPushResult> {
    return this.request('push', {}, { method: 'POST', body: JSON.stringify({ to, rids }) });
  }

  /** Start a headless run; the runs list follows it until it finishes. */
  async startRun(run: RunRequest): Promise<IRun> {
    const started = await requestAPI<IRun>(this.serverSettings, 'runs', {}, {
      method: 'POST',
      body: JSON.stringify(run)
    });
    this.refreshRunsSoon();
    return started;
  }

  /** Cancel run `id` (its whole process group ends); the runs list shows it cancelled. */
  async cancelRun(id: string): Promise<IRun> {
    const cancelled = await requestAPI<IRun>(this.serverSettings, `runs/${id}/cancel`, {}, {
      method: 'POST'
    });
    this.refreshRunsSoon();
    return cancelled;
  }

  /** Fetch the runs now; a run that finished also refreshes the executions it recorded. */
  async refreshRuns(): Promise<void> {
    this._runsStale = false;
    let runs: IRun[];
    try {
      runs = await requestAPI<IRun[]>(this.serverSettings, 'runs');
    } catch (error) {
      this._runsError = error as Error;
      this._runsChanged.emit();
      throw error;
    }
    const ended = runs.filter(
      run => run.status !== 'running' && this._runs.find(r => r.id === run.id)?.status === 'running'
    );
    const finished = ended.length > 0;
    if (this._runsError !== null || JSON.stringify(runs) !== JSON.stringify(this._runs)) {
      this._runs = runs;
      this._runsError = null;
      this._runsChanged.emit();
    }
    if (finished) {
      void this._poll.refresh();
    }
    ended.forEach(run => this._runEnded.emit(run));
  }

  /** Fetch the recent executions now; throws (so the poll backs off) when that fails. */
  async refreshExecutions(): Promise<void> {
    const catalog = this._catalog;
    try {
      const page = await this.changedExecutions();
      if (catalog !== this._catalog) {
        return;
      }
      if (page !== null) {
        this._executionsETag = page.etag;
      }
      const wasLoading = this._executionsLoading;
      this._executionsLoading = false;
      if (page !== null && !sameExecutions(page.executions, this._executions)) {
        this._executions = page.executions;
        this._executionsError = null;
        this._executionsChanged.emit();
      } else if (this._executionsError !== null || wasLoading) {
        this._executionsError = null;
        this._executionsChanged.emit();
      }
    } catch (error) {
      if (catalog === this._catalog) {
        this._executionsLoading = false;
        this._executionsError = error as Error;
        this._executionsChanged.emit();
      }
      throw error;
    }
  }

  /** The recent executions, or null when the server answers 304: unchanged since the
   * answer whose ETag the last refresh kept. */
  private async changedExecutions(): Promise<IExecutionList | null> {
    const etag = this._executionsETag;
    try {
      return await this.recentExecutions(
        RECENT_EXECUTIONS,
        etag ? { headers: { 'If-None-Match': etag } } : {}
      );
    } catch (error) {
      if (etag && error instanceof APIError && error.status === 304) {
        return null;
      }
      throw error;
    }
  }

  private _onActivity = (): void => {
    const wasIdle = this.idle;
    this._lastActivity = Date.now();
    if (wasIdle && this._watching) {
      void this._poll.refresh();
    }
  };

  private _catalog = 'default';
  private _catalogChanged = new Signal<this, string>(this);
  private _executions: IExecutionSummary[] = [];
  private _executionsError: Error | null = null;
  private _executionsLoading = true;
  private _executionsETag: string | null = null;
  private _executionFilter: IExecutionFilter = {};
  private _executionsChanged = new Signal<this, void>(this);
  private _lastActivity = Date.now();
  private _poll: Poll;
  private _runs: IRun[] = [];
  private _runsError: Error | null = null;
  private _runsChanged = new Signal<this, void>(this);
  private _runEnded = new Signal<this, IRun>(this);
  private _runsPoll: Poll;
  private _runsStale = true;
  private _watching = false;
}

function sameExecutions(a: readonly IExecutionSummary[], b: readonly IExecutionSummary[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The query naming a catalog given as `NAME` (local) or `HOST/CATALOG` (a DERIVA server). */
function assetEndpoint(rid: string): string {
  return `assets/${encodeURIComponent(rid)}/content`;
}

export function catalogQuery(catalog: string): { host?: string; catalog: string } {
  const slash = catalog.lastIndexOf('/');
  return slash > 0
    ? { host: catalog.slice(0, slash), catalog: catalog.slice(slash + 1) }
    : { catalog };
}

/** How a run's catalog is given to the sidebar: `NAME` when local, else `HOST/CATALOG`. */
export function catalogOf(host: string | null, catalog: string): string {
  return host && host !== 'local' ? `${host}/${catalog}` : catalog;
}
