/**
 * Shapes of the answers of the DerivaML REST API (`/derivaml/api/`), as built by
 * `derivaml_jupyter/server/views.py`.
 */

/** The plugin's id, also the prefix of its command and widget ids. */
export const PLUGIN_ID = 'derivaml-jupyter:plugin';

/** `info`: the server's package version and the catalog it talks to. */
export interface IInfo {
  version: string;
  host: string;
  catalog: string;
  home: string;
  ml_schema: string;
  domain_schema: string;
  counts: { datasets: number; executions: number };
}

/** One row of `datasets`. */
export interface IDatasetSummary {
  RID: string;
  Description: string | null;
  Version: string;
  Dataset_Types: string[];
}

/** One row of a dataset's version history. */
export interface IDatasetVersion {
  RID: string;
  Version: string;
  Description: string | null;
  Snapshot: string;
  Execution: string | null;
  RCT: string;
}

/** `datasets/<rid>`: a dataset as of one version. */
export interface IDatasetDetail {
  rid: string;
  description: string | null;
  dataset_types: string[];
  current_version: string;
  version: string;
  snapshot: string;
  history: IDatasetVersion[];
  children: string[];
  parents: string[];
  member_counts: Record<string, number>;
}

/** A catalog row: column name to value. */
export type Row = Record<string, unknown>;

/** `datasets/<rid>/members?table=`: one page of members; `next` is the cursor of the next. */
export interface IMemberPage {
  table: string;
  rows: Row[];
  next: string | null;
}

/** One row of `executions`. */
export interface IExecutionSummary {
  RID: string;
  Workflow: string | null;
  Description: string | null;
  Status: string;
  Status_Detail: string | null;
  Start_Time: string | null;
  Duration: string | null;
}

/** `executions?limit=&offset=`: one page of executions, newest first. */
export interface IExecutionList {
  total: number;
  offset: number;
  limit: number;
  /** The cursor of the next page (`?after=`), null on the last page. */
  next: string | null;
  /** This answer's ETag: sent back as If-None-Match, it gets 304 while nothing changed. */
  etag: string;
  executions: IExecutionSummary[];
}

/** An asset file an execution read or wrote. */
export interface IAsset {
  rid: string;
  filename: string;
  url: string;
  length: number;
  md5: string;
  cite: string;
}

/** A dataset an execution read, at the version it used. */
export interface IDatasetInput {
  rid: string;
  version: string;
}

/** The short form of a nested or parent execution. */
export interface IExecutionRef {
  rid: string;
  status: string;
  description: string | null;
  workflow: string | null;
}

/** The workflow an execution ran. */
export interface IWorkflow {
  rid: string;
  name: string;
  url: string | null;
  version: string | null;
  checksum: string | null;
  workflow_type: string[];
}

/** `executions/<rid>`. */
export interface IExecutionDetail extends Omit<IExecutionRef, 'workflow'> {
  workflow: IWorkflow | null;
  status_detail: string | null;
  start_time: string | null;
  stop_time: string | null;
  duration: string | null;
  inputs: { datasets: IDatasetInput[]; assets: Record<string, IAsset[]> };
  outputs: { datasets: IDatasetInput[]; assets: Record<string, IAsset[]> };
  children: IExecutionRef[];
  parents: IExecutionRef[];
}

/** A config option or a top-level config, with its description. */
export interface IConfigOption {
  name: string;
  description: string | null;
}

/** `configs?path=`: what a project's hydra-zen configs register. */
export interface IProjectConfigs {
  /** The project folder, relative to the server root. */
  project: string;
  groups: Record<string, IConfigOption[]>;
  configs: IConfigOption[];
  multiruns: (IConfigOption & { overrides: string[] })[];
  /** The catalogs its `deriva_ml` options name, and the one its model config uses. */
  catalogs: IProjectCatalog[];
  catalog: IProjectCatalog | null;
}

/** A `deriva_ml` config option: the catalog it connects to. */
export interface IProjectCatalog {
  name: string;
  host: string;
  catalog: string;
}

/** `POST notebooks/upload`: the files uploaded to the execution. */
export interface IUploadResult {
  execution_rid: string;
  files: { table: string; filename: string; rid: string }[];
}

/** `runs` / `runs/<id>`: a headless run the user started on this server (also before it
 * restarted), and its output's tail. */
export interface IRun {
  id: string;
  /** The user who started it (only they see and cancel it). */
  owner: string;
  kind: 'notebook' | 'model';
  target: string;
  overrides: string[];
  /** `lost`: its process ended without recording an exit code (see `status_detail`). */
  status: 'running' | 'succeeded' | 'failed' | 'cancelled' | 'lost';
  status_detail: string | null;
  exit_code: number | null;
  execution_rid: string | null;
  /** Where the run recorded its execution, once known. */
  host: string | null;
  catalog: string | null;
  /** Seconds since the epoch. */
  started: number;
  ended: number | null;
  pid: number;
  output: string;
}

/** `POST runs`: a notebook (with papermill parameters) or a project's model to run. */
export type RunRequest =
  | {
      kind: 'notebook';
      path: string;
      overrides: string[];
      parameters: Record<string, string>;
    }
  | {
      kind: 'model';
      path: string;
      overrides: string[];
      multirun: boolean;
      /** The top-level config (default: the project's `deriva_model`). */
      config_name?: string;
    };

/** One fact of a comparison: each execution's value (null where it has none). */
export interface IComparisonRow {
  section: 'execution' | 'config' | 'metrics' | 'inputs' | 'outputs';
  name: string;
  values: (string | number | boolean | null)[];
  differs: boolean;
}

/** `GET compare`: executions side by side. */
export interface IComparison {
  executions: string[];
  rows: IComparisonRow[];
}

/** `GET executions/<rid>/provenance`: what an execution ran on, and its metrics. */
export interface IExecutionProvenance {
  environment: {
    python: string | null;
    platform: string | null;
    git: { commit: string | null; remote: string | null; dirty: boolean; changes: string[] } | null;
    packages: number;
  } | null;
  metrics: Record<string, string | number | boolean | null>;
}

/** A metric's or a parameter's value. */
export type Scalar = string | number | boolean | null;

/** `GET executions/<rid>/overrides`: what running an execution again needs. */
export interface IRecordedOverrides {
  rid: string;
  overrides: string[];
  kind: 'notebook' | 'model';
  /** A sweep's parent: `overrides` run all its jobs again as one multirun. */
  multirun: boolean;
  /** The notebook or script that ran, relative to the server root (null: not under it). */
  source: string | null;
  /** The project folder holding `source`, relative to the server root. */
  project: string | null;
  /** The top-level Hydra config it ran (null: none recorded). */
  config_name: string | null;
}

/** One job of a sweep, with its parameters (overrides) and metrics. */
export interface ISweepJob {
  rid: string;
  status: string;
  description: string | null;
  parameters: Record<string, string>;
  metrics: Record<string, Scalar>;
}

/** `GET executions/<rid>/sweep`: a sweep's jobs and the names of their columns. */
export interface ISweep {
  rid: string;
  parameters: string[];
  metrics: string[];
  jobs: ISweepJob[];
}

/** `POST push`: what a push copied. */
export interface IPushResult {
  host: string;
  catalog: string;
  /** Local execution RID -> its RID in the target. */
  executions: Record<string, string>;
  rows_inserted: number;
  files_uploaded: number;
  already_pushed: string[];
}
