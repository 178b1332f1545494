/** Opening an execution's file in a main-area tab: its bytes are saved under
 * `derivaml-outputs/<RID>/` of the server root (through Jupyter's contents API), then opened
 * with JupyterLab's own viewer for its type: a notebook as a notebook, Markdown rendered,
 * images, CSV as a table, JSON and YAML as text. */
import { IDocumentManager } from '@jupyterlab/docmanager';

import { DerivaMLModel } from './model';
import { IAsset } from './tokens';

export const OUTPUTS_FOLDER = 'derivaml-outputs';

/** Files larger than this are offered for download only. */
export const MAX_OPEN_BYTES = 50 * 1024 * 1024;

/** Save `asset`'s file (of `catalog`, default: the selected one) into the outputs folder
 * and open it; returns its path there. */
export async function openAsset(
  docManager: IDocumentManager,
  model: DerivaMLModel,
  asset: IAsset,
  catalog: string = model.catalog
): Promise<string> {
  if (asset.length > MAX_OPEN_BYTES) {
    const size = `${Math.round(asset.length / 1024 / 1024)} MB`;
    throw new Error(`${asset.filename} is ${size}, too large to open here: download it.`);
  }
  const contents = docManager.services.contents;
  const folder = `${OUTPUTS_FOLDER}/${asset.rid}`;
  for (const path of [OUTPUTS_FOLDER, folder]) {
    await contents.save(path, { type: 'directory' });
  }
  const path = `${folder}/${safeName(asset.filename)}`;
  const content = await base64(await model.assetContent(asset.rid, catalog));
  await contents.save(path, { type: 'file', format: 'base64', content });
  docManager.openOrReveal(path, path.endsWith('.md') ? 'Markdown Preview' : undefined);
  return path;
}

/** `name` as one file name: no folder separators, never `.` or `..`. */
function safeName(name: string): string {
  const flat = name.replace(/[/\\]/g, '_');
  return flat === '.' || flat === '..' || !flat ? `_${flat}` : flat;
}

function base64(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(',', 2)[1] ?? '');
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}
