/** A dataset's members of one table, a page at a time with a "Load more" button; members
 * that are image files show a thumbnail. */
import { DerivaMLModel } from '../model';
import { Row } from '../tokens';
import { button, fill, h, note } from './dom';

/** Columns left out of member tables: system columns and long technical values. */
const HIDDEN_COLUMNS = new Set(['RCT', 'RMT', 'RCB', 'RMB', 'URL', 'MD5']);
/** At most this many columns are shown. */
const MAX_COLUMNS = 5;
/** File names a browser shows as images. */
const IMAGE = /\.(png|jpe?g|gif|webp|bmp)$/i;

/** The member table of `table` in dataset `rid` (which has `total` such members). */
export function memberTable(
  model: DerivaMLModel,
  rid: string,
  table: string,
  total: number
): HTMLElement {
  const head = h('thead');
  const body = h('tbody');
  const status = h('div', 'jp-DerivaML-pageStatus');
  let columns: string[] | null = null;
  let images = false;
  let cursor: string | null = null;
  let shown = 0;

  const load = async (): Promise<void> => {
    more.disabled = true;
    fill(status, note('Loading…'));
    try {
      const page = await model.members(rid, table, cursor);
      if (columns === null) {
        columns = visibleColumns(page.rows);
        images = page.rows.some(isImage);
        fill(head, h('tr', '', images && h('th', ''), ...columns.map(c => h('th', '', c))));
      }
      const shownColumns = columns;
      body.append(
        ...page.rows.map(row =>
          h(
            'tr',
            '',
            images && h('td', '', isImage(row) ? thumbnail(model, row) : ''),
            ...shownColumns.map(c => h('td', '', text(row[c])))
          )
        )
      );
      cursor = page.next;
      shown += page.rows.length;
      more.hidden = cursor === null;
      fill(status, note(`${table}: ${shown} of ${total} shown`));
    } catch (error) {
      fill(status, note((error as Error).message, 'error'));
    } finally {
      more.disabled = false;
    }
  };
  const more = button('jp-DerivaML-button jp-DerivaML-more', () => void load(), 'Load more');
  void load();
  return h('div', 'jp-DerivaML-members', h('table', 'jp-DerivaML-table', head, body), status, more);
}

function isImage(row: Row): boolean {
  return typeof row.Filename === 'string' && IMAGE.test(row.Filename) && !!row.URL;
}

/** A small picture of an image member, loaded when scrolled into view. */
function thumbnail(model: DerivaMLModel, row: Row): HTMLElement {
  const img = h('img', 'jp-DerivaML-thumb');
  img.loading = 'lazy';
  img.alt = String(row.Filename);
  img.src = model.assetURL(String(row.RID));
  return img;
}

function visibleColumns(rows: Row[]): string[] {
  const names = rows.length ? Object.keys(rows[0]) : ['RID'];
  return names.filter(name => !HIDDEN_COLUMNS.has(name)).slice(0, MAX_COLUMNS);
}

function text(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
