/** The base of the sidebar's sections: a list area, a detail area, and loads rendered into
 * either with a loading note, an error note on failure, and stale answers dropped. */
import { Widget } from '@lumino/widgets';

import { DerivaMLModel } from '../model';
import { failsEveryCall } from '../request';
import { button, Child, fill, h, note } from './dom';

export abstract class Section extends Widget {
  constructor(
    readonly model: DerivaMLModel,
    label: string
  ) {
    super();
    this.title.label = label;
    this.addClass('jp-DerivaML-section');
    this.addClass(`jp-DerivaML-${label.toLowerCase()}`);
    this.node.append(this.listNode, this.detailNode);
  }

  /** Load the section's list again (and drop the detail). */
  abstract refresh(): void;

  /**
   * Render what `load` answers into `target` (replacing its content), or the error when it
   * fails (nothing for an error that fails every call: the panel's header says it, once); an
   * answer that arrives after a newer `display` on the same target is dropped.
   */
  protected async display<T>(
    target: HTMLElement,
    load: () => Promise<T>,
    render: (value: T) => Child[],
    failed: (error: Error) => Child[] = error =>
      failsEveryCall(error) ? [] : [note(error.message, 'error')]
  ): Promise<void> {
    const ticket = (this._tickets.get(target) ?? 0) + 1;
    this._tickets.set(target, ticket);
    fill(target, note('Loading…'));
    let content: Child[];
    try {
      content = render(await load());
    } catch (error) {
      content = failed(error as Error);
    }
    if (this._tickets.get(target) === ticket && !this.isDisposed) {
      fill(target, ...content);
    }
  }

  /** Empty the detail area (and drop a detail still loading). */
  protected clearDetail(): void {
    this._tickets.set(this.detailNode, (this._tickets.get(this.detailNode) ?? 0) + 1);
    fill(this.detailNode);
  }

  protected readonly listNode = h('div', 'jp-DerivaML-list');
  protected readonly detailNode = h('div', 'jp-DerivaML-detail');
  private _tickets = new Map<HTMLElement, number>();
}

/** A section whose list items show details when clicked; Up and Down move between items
 * (Enter or Space selects one, as on any button), Home and End to the first and last. */
export abstract class ItemsSection extends Section {
  constructor(model: DerivaMLModel, label: string) {
    super(model, label);
    this.listNode.addEventListener('keydown', event => this.onKey(event));
  }

  private onKey(event: KeyboardEvent): void {
    const items = [...this.listNode.querySelectorAll<HTMLElement>('.jp-DerivaML-item')];
    const at = items.indexOf(document.activeElement as HTMLElement);
    const to: Record<string, number> = {
      ArrowDown: at + 1,
      ArrowUp: at - 1,
      Home: 0,
      End: items.length - 1
    };
    const next = items[to[event.key] ?? -1];
    if (at >= 0 && next) {
      event.preventDefault();
      next.focus();
    }
  }

  /** Show item `rid` in the detail area. */
  abstract select(rid: string): void;

  /** A list item for `rid` (selecting it when clicked): `line` above its description. */
  protected item(rid: string, line: Child[], description: string | null): HTMLElement {
    const item = button(
      'jp-DerivaML-item',
      () => this.select(rid),
      h('div', 'jp-DerivaML-itemLine', ...line),
      h('div', 'jp-DerivaML-description', description || '')
    );
    item.dataset.rid = rid;
    return h('li', '', item);
  }

  /** Load and render a detail (`display` on the detail area), then scroll it into view. */
  protected async showDetail<T>(
    load: () => Promise<T>,
    render: (value: T) => Child[]
  ): Promise<void> {
    await this.display(this.detailNode, load, render);
    this.detailNode.scrollIntoView({ block: 'start' });
  }

  /** Highlight the list item of `rid` (none for null). */
  protected markSelected(rid: string | null): void {
    this.listNode.querySelectorAll<HTMLElement>('.jp-DerivaML-item').forEach(item => {
      item.classList.toggle('jp-mod-selected', item.dataset.rid === rid);
    });
  }
}
