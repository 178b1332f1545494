/** An execution's inputs or outputs as a table: datasets at their version, and asset files
 * by table, each file opening in a tab when clicked and saved by its download link. */
import { showErrorMessage } from '@jupyterlab/apputils';
import { downloadIcon } from '@jupyterlab/ui-components';

import { DerivaMLModel } from '../model';
import { IAsset, IDatasetInput } from '../tokens';
import { Child, button, h, note, table } from './dom';

/** Opens an asset's file (of a catalog, default: the selected one) in a tab; null where no
 * document manager is available. */
export type AssetOpener = ((asset: IAsset, catalog?: string) => Promise<string>) | null;

/** Shows a dataset at a version (in the sidebar). */
export type DatasetShower = (rid: string, version: string) => void;

/** Where the files of a table come from and what clicking does. */
export interface IFileActions {
  model: DerivaMLModel;
  open: AssetOpener;
  /** The catalog of the files (default: the selected one). */
  catalog?: string;
  showDataset?: DatasetShower;
  /** Show each file's size. */
  sizes?: boolean;
}

/** The datasets and asset files of one side (inputs or outputs) of an execution. */
export function filesTable(
  datasets: IDatasetInput[],
  assets: Record<string, IAsset[]>,
  actions: IFileActions
): Child[] {
  const show = actions.showDataset;
  const dataset = (d: IDatasetInput): Child =>
    show ? button('jp-DerivaML-link', () => show(d.rid, d.version), d.rid) : d.rid;
  const rows: Child[][] = [
    ...datasets.map(d => ['Dataset', dataset(d), `version ${d.version}`]),
    ...Object.entries(assets).flatMap(([kind, list]) =>
      list.map(a => [kind, a.rid, fileCell(a, actions)])
    )
  ].map(row => (actions.sizes ? [...row, size(row, assets)] : row));
  const columns = ['Kind', 'RID', 'Name', ...(actions.sizes ? ['Size'] : [])];
  return rows.length ? [table(columns, rows)] : [note('None.')];
}

/** An asset's name, opening it when clicked, and a link that downloads it. */
export function fileCell(asset: IAsset, actions: IFileActions): HTMLElement {
  const { model, open, catalog } = actions;
  const name = open
    ? button(
        'jp-DerivaML-link jp-DerivaML-open',
        () => void openFile(open, asset, catalog),
        asset.filename
      )
    : asset.filename;
  if (open) {
    (name as HTMLElement).title = `Open ${asset.filename} in a new tab`;
  }
  const download = h('a', 'jp-DerivaML-download', downloadIcon.element({ tag: 'span' }));
  download.href = model.assetURL(asset.rid, true, catalog);
  download.download = asset.filename;
  download.title = `Download ${asset.filename}`;
  return h('span', 'jp-DerivaML-file', name, download);
}

/** A byte count for people: 1.2 kB, 3.4 MB. */
export function bytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit ? value.toFixed(1) : value} ${units[unit]}`;
}

function size(row: Child[], assets: Record<string, IAsset[]>): string {
  const asset = (assets[String(row[0])] ?? []).find(a => a.rid === row[1]);
  return asset ? bytes(asset.length) : '';
}

async function openFile(
  open: NonNullable<AssetOpener>,
  asset: IAsset,
  catalog?: string
): Promise<void> {
  try {
    await open(asset, catalog);
  } catch (error) {
    void showErrorMessage(`Cannot open ${asset.filename}`, error as Error);
  }
}
