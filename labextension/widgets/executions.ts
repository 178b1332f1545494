/** The Executions section: recent executions with their status, kept fresh by the model's
 * poll while the section is visible; a click shows one with its inputs, outputs and
 * nested executions. An output or input file opens in a main-area tab when clicked, and its
 * download link saves it. Ctrl-click (Cmd-click) marks executions to compare side by side;
 * a sweep's nested executions compare in one click. */
import { Message } from '@lumino/messaging';

import { MarkdownRenderer } from '../markdown';
import { DerivaMLModel } from '../model';
import { failsEveryCall } from '../request';
import { IExecutionDetail, IExecutionRef } from '../tokens';
import {
  Child,
  button,
  fields,
  fill,
  firstLine,
  h,
  heading,
  note,
  statusBadge,
  table,
  when
} from './dom';
import { AssetOpener, DatasetShower, filesTable, IFileActions } from './files';
import { ItemsSection } from './section';

/** The statuses an execution can have, as the catalog stores them. */
const STATUSES = ['Created', 'Running', 'Stopped', 'Failed', 'Pending_Upload', 'Uploaded', 'Aborted'];

/** Opens executions side by side in a tab. */
export type Comparer = (rids: string[]) => void;

/** What the section's links and buttons do beyond the sidebar (each optional). */
export interface IExecutionActions {
  /** Open an asset's file in a tab. */
  open?: AssetOpener;
  /** Compare executions side by side. */
  compare?: Comparer;
  /** Show a dataset at a version. */
  showDataset?: DatasetShower;
  /** Open execution `rid` of `catalog` (default: the selected one) in a main-area tab. */
  openTab?: (rid: string, catalog?: string) => void;
  /** Render a description written in Markdown. */
  renderMarkdown?: MarkdownRenderer;
}

export class ExecutionsSection extends ItemsSection {
  constructor(
    model: DerivaMLModel,
    private readonly _actions: IExecutionActions = {}
  ) {
    super(model, 'Executions');
    this.node.insertBefore(this.filterBar(), this.listNode);
    this.node.insertBefore(this._compareBar, this.listNode);
    this.listNode.addEventListener('click', event => this.onMarkClick(event), true);
    model.catalogChanged.connect(() => this.setMarked([]), this);
    model.executionsChanged.connect(() => this.renderList(), this);
    model.catalogChanged.connect(() => this.clearDetail(), this);
    this.renderList();
  }

  /** Fetch the list now (the poll also does, every few seconds while visible). */
  refresh(): void {
    void this.model.poll.refresh();
  }

  /** Show execution `rid` in the detail area. */
  select(rid: string): void {
    this._selected = rid;
    this.markSelected(rid);
    void this.showDetail(() => this.model.execution(rid), e => this.renderDetail(e));
  }

  /** Search (description text), status and date fields that filter the list. */
  private filterBar(): HTMLElement {
    const search = h('input', 'jp-mod-styled jp-DerivaML-search');
    search.type = 'search';
    search.placeholder = 'Search descriptions';
    search.setAttribute('aria-label', 'Search executions');
    const status = h(
      'select',
      'jp-mod-styled jp-DerivaML-statusFilter',
      h('option', '', 'Any status'),
      ...STATUSES.map(s => h('option', '', s))
    );
    status.querySelector('option')!.value = '';
    status.setAttribute('aria-label', 'Status');
    const since = h('input', 'jp-mod-styled jp-DerivaML-since');
    since.type = 'date';
    since.title = 'Created on or after';
    since.setAttribute('aria-label', 'Created on or after');
    const apply = () => {
      this.model.executionFilter = {
        q: search.value.trim() || undefined,
        status: status.value || undefined,
        since: since.value || undefined
      };
    };
    let typing: number | undefined;
    search.addEventListener('input', () => {
      window.clearTimeout(typing);
      typing = window.setTimeout(apply, 300);
    });
    status.addEventListener('change', apply);
    since.addEventListener('change', apply);
    return h('div', 'jp-DerivaML-filters', search, status, since);
  }

  /** Ctrl/Cmd-click on an item marks it for comparison (or unmarks it) instead of
   * selecting it. */
  private onMarkClick(event: MouseEvent): void {
    const item = (event.target as HTMLElement).closest<HTMLElement>('.jp-DerivaML-item');
    if (!this._actions.compare || !item?.dataset.rid || !(event.ctrlKey || event.metaKey)) {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    const rid = item.dataset.rid;
    const marked = this._marked.includes(rid)
      ? this._marked.filter(r => r !== rid)
      : [...this._marked, rid];
    this.setMarked(marked);
  }

  private setMarked(rids: string[]): void {
    this._marked = rids;
    this.listNode.querySelectorAll<HTMLElement>('.jp-DerivaML-item').forEach(item => {
      item.classList.toggle('jp-mod-marked', rids.includes(item.dataset.rid ?? ''));
    });
    const compare = this._actions.compare;
    fill(
      this._compareBar,
      compare && rids.length >= 2
        ? button('jp-DerivaML-button', () => compare(rids), `Compare ${rids.length} executions`)
        : null,
      compare && rids.length
        ? button('jp-DerivaML-button', () => this.setMarked([]), 'Clear marks')
        : null
    );
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.model.watching = this.isVisible;
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.watching = true;
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.watching = false;
  }

  protected onBeforeDetach(msg: Message): void {
    this.model.watching = false;
    super.onBeforeDetach(msg);
  }

  private renderList(): void {
    const { executions, executionsError } = this.model;
    const items = executions.map(e =>
      this.item(
        e.RID,
        [
          statusBadge(e.Status),
          h('span', 'jp-DerivaML-rid', e.RID),
          h('span', 'jp-DerivaML-workflow', e.Workflow || ''),
          h('span', 'jp-DerivaML-time', when(e.Start_Time))
        ],
        firstLine(e.Description)
      )
    );
    fill(
      this.listNode,
      // the header says once what fails every call
      executionsError && !failsEveryCall(executionsError)
        ? note(executionsError.message, 'error')
        : null,
      items.length
        ? h('ul', 'jp-DerivaML-items', ...items)
        : this.model.executionsLoading
          ? note('Loading…')
          : !executionsError &&
            note(
              Object.values(this.model.executionFilter).some(Boolean)
                ? 'No executions match the filter.'
                : 'No executions in this catalog yet.'
            )
    );
    this.markSelected(this._selected);
    this.setMarked(this._marked);
  }

  private renderDetail(e: IExecutionDetail): Child[] {
    const refs = (list: IExecutionRef[]) =>
      table(
        ['Execution', 'Status', 'Description'],
        list.map(r => [
          button('jp-DerivaML-link', () => this.select(r.rid), r.rid),
          statusBadge(r.status),
          firstLine(r.description)
        ])
      );
    const openTab = this._actions.openTab;
    return [
      heading(`Execution ${e.rid}`),
      openTab ? button('jp-DerivaML-button', () => openTab(e.rid), 'Open in a tab') : null,
      fields([
        ['Status', h('span', '', statusBadge(e.status), ' ', e.status_detail || '')],
        ['Description', this.describe(e.description)],
        ['Workflow', e.workflow && `${e.workflow.name} (${e.workflow.workflow_type.join(', ')})`],
        ['Started', when(e.start_time)],
        ['Stopped', when(e.stop_time)],
        ['Duration', e.duration]
      ]),
      heading('Inputs'),
      ...filesTable(e.inputs.datasets, e.inputs.assets, this.fileActions()),
      heading('Outputs'),
      ...filesTable(e.outputs.datasets, e.outputs.assets, this.fileActions()),
      e.children.length ? heading('Nested executions') : null,
      e.children.length ? refs(e.children) : null,
      this._actions.compare && e.children.length >= 2
        ? button(
            'jp-DerivaML-button jp-DerivaML-compareChildren',
            () => this._actions.compare?.(e.children.map(c => c.rid)),
            `Compare these ${e.children.length} executions`
          )
        : null,
      e.parents.length ? heading('Part of') : null,
      e.parents.length ? refs(e.parents) : null
    ];
  }

  /** A description, rendered from Markdown when a renderer is at hand. */
  private describe(text: string | null): Child {
    const render = this._actions.renderMarkdown;
    return text && render ? render(text) : text;
  }

  private fileActions(): IFileActions {
    const { open = null, showDataset } = this._actions;
    return { model: this.model, open, showDataset };
  }

  private _selected: string | null = null;
  private _marked: string[] = [];
  private _compareBar = h('div', 'jp-DerivaML-compareMarked');
}
