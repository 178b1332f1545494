/** Small DOM builders shared by the sidebar's views. */

/** Content of an element: nodes, text, or nothing (skipped). */
export type Child = Node | string | null | undefined | false;

/** An element `tag` with class `className` holding `children`. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string = '',
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (className) {
    element.className = className;
  }
  for (const child of children) {
    if (child) {
      element.append(child);
    }
  }
  return element;
}

/** A button holding `children` that runs `action` when clicked. */
export function button(
  className: string,
  action: () => void,
  ...children: Child[]
): HTMLButtonElement {
  const node = h('button', className, ...children);
  node.type = 'button';
  node.addEventListener('click', action);
  return node;
}

/** A table with a header row. */
export function table(columns: string[], rows: Child[][]): HTMLTableElement {
  const head = h('tr', '', ...columns.map(c => h('th', '', c)));
  const body = rows.map(cells => h('tr', '', ...cells.map(c => h('td', '', c ?? ''))));
  return h('table', 'jp-DerivaML-table', h('thead', '', head), h('tbody', '', ...body));
}

/** A message line: `info` (e.g. empty lists) or `error`. */
export function note(text: string, kind: 'info' | 'error' = 'info'): HTMLElement {
  return h('div', `jp-DerivaML-note jp-DerivaML-${kind}`, text);
}

/** A heading inside a section. */
export function heading(text: string): HTMLElement {
  return h('h3', 'jp-DerivaML-heading', text);
}

/** An execution status as a colored badge. */
export function statusBadge(status: string): HTMLElement {
  const badge = h('span', `jp-DerivaML-status jp-DerivaML-status-${status.toLowerCase()}`, status);
  badge.title = `Status: ${status}`;
  return badge;
}

/** Label and value pairs as a definition list (empty values shown as '-'). */
export function fields(pairs: [string, Child][]): HTMLElement {
  return h(
    'dl',
    'jp-DerivaML-fields',
    ...pairs.flatMap(([label, value]) => [h('dt', '', label), h('dd', '', value || '-')])
  );
}

/** Replace the content of `node` with `children`. */
export function fill(node: HTMLElement, ...children: Child[]): void {
  node.replaceChildren(...(children.filter(Boolean) as (Node | string)[]));
}

/** A time (ISO 8601 text, seconds since the epoch, or a Date) as `YYYY-MM-DD HH:MM` in the
 * browser's time zone: the one date format of the sidebar. Text that is no time is shown as
 * it is. */
export function when(value: string | number | Date | null | undefined): string {
  if (value === null || value === undefined || value === '') {
    return '';
  }
  const date =
    value instanceof Date ? value : new Date(typeof value === 'number' ? value * 1000 : value);
  if (isNaN(date.getTime())) {
    return String(value);
  }
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ` +
    `${two(date.getHours())}:${two(date.getMinutes())}`
  );
}

/** The first line of a Markdown text as plain words (headings' `#`, and the marks around
 * emphasis and code dropped; underscores inside names such as `learning_rate` kept), for
 * one-line summaries in lists. */
export function firstLine(markdown: string | null | undefined): string {
  const line = (markdown ?? '').split('\n').find(l => l.trim()) ?? '';
  return line
    .replace(/^\s*#+\s*/, '')
    .replace(/(\*\*|\*|`)(.+?)\1/g, '$2')
    .replace(/(^|\W)(__|_)(.+?)\2(?=\W|$)/g, '$1$3')
    .trim();
}

/** `n` and `noun`, plural unless `n` is 1 (e.g. `1 dataset`, `4 datasets`). */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
