/** The Datasets section: the catalog's datasets, searched by text (RID, description) and
 * filtered by type; a click shows one with its versions, member counts and a paged member
 * table (image members with thumbnails). */
import { Message } from '@lumino/messaging';

import { DerivaMLModel } from '../model';
import { IDatasetDetail, IDatasetSummary } from '../tokens';
import { Child, button, fields, fill, h, heading, note, table, when } from './dom';
import { memberTable } from './members';
import { ItemsSection } from './section';

export class DatasetsSection extends ItemsSection {
  constructor(model: DerivaMLModel) {
    super(model, 'Datasets');
    model.catalogChanged.connect(() => this.refresh(), this);
    this._search.type = 'search';
    this._search.placeholder = 'Search datasets';
    this._search.setAttribute('aria-label', 'Search datasets');
    this._type.setAttribute('aria-label', 'Dataset type');
    this._search.addEventListener('input', () => this.renderFiltered());
    this._type.addEventListener('change', () => this.renderFiltered());
    this.node.insertBefore(
      h('div', 'jp-DerivaML-filters', this._search, this._type),
      this.listNode
    );
  }

  refresh(): void {
    this._loaded = true;
    this.clearDetail();
    void this.display(
      this.listNode,
      () => this.model.datasets(),
      list => {
        this._datasets = list;
        this.listTypes(list);
        return this.renderList(this.filtered());
      }
    );
  }

  /** Show dataset `rid` in the detail area, as of `version` (default: the current one). */
  select(rid: string, version?: string): void {
    this.markSelected(rid);
    void this.showDetail(() => this.model.dataset(rid, version), d => this.renderDetail(d));
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (!this._loaded) {
      this.refresh();
    }
  }

  /** The type filter's choices: every type the catalog's datasets have. */
  private listTypes(datasets: IDatasetSummary[]): void {
    const chosen = this._type.value;
    const types = [...new Set(datasets.flatMap(d => d.Dataset_Types))].sort();
    const any = h('option', '', 'Any type');
    any.value = '';
    fill(this._type, any, ...types.map(t => h('option', '', t)));
    this._type.value = types.includes(chosen) ? chosen : '';
  }

  private filtered(): IDatasetSummary[] {
    const text = this._search.value.trim().toLowerCase();
    const type = this._type.value;
    return this._datasets.filter(
      d =>
        (!type || d.Dataset_Types.includes(type)) &&
        (!text || `${d.RID} ${d.Description ?? ''}`.toLowerCase().includes(text))
    );
  }

  private renderFiltered(): void {
    fill(this.listNode, ...this.renderList(this.filtered()));
  }

  private renderList(datasets: IDatasetSummary[]): Child[] {
    if (!datasets.length) {
      return [
        note(
          this._datasets.length
            ? 'No datasets match the search.'
            : 'No datasets in this catalog yet (`derivaml demo` loads example data).'
        )
      ];
    }
    const items = datasets.map(d =>
      this.item(
        d.RID,
        [
          h('span', 'jp-DerivaML-rid', d.RID),
          h('span', 'jp-DerivaML-version', d.Version),
          h('span', 'jp-DerivaML-types', d.Dataset_Types.join(', '))
        ],
        d.Description
      )
    );
    return [h('ul', 'jp-DerivaML-items', ...items)];
  }

  private renderDetail(d: IDatasetDetail): Child[] {
    const members = h('div', 'jp-DerivaML-memberArea');
    const counts = Object.entries(d.member_counts);
    const link = (rid: string) => button('jp-DerivaML-link', () => this.select(rid), rid);
    return [
      heading(`Dataset ${d.rid}`),
      fields([
        ['Description', d.description],
        ['Types', d.dataset_types.join(', ')],
        [
          'Version',
          d.version === d.current_version
            ? d.version
            : `${d.version} (current ${d.current_version})`
        ],
        ['Parents', d.parents.length ? h('span', '', ...d.parents.map(link)) : null],
        ['Children', d.children.length ? h('span', '', ...d.children.map(link)) : null]
      ]),
      heading('Members'),
      counts.length
        ? table(
            ['Table', 'Count', ''],
            counts.map(([name, count]) => [
              name,
              String(count),
              button(
                'jp-DerivaML-button',
                () => fill(members, memberTable(this.model, d.rid, name, count)),
                'Show'
              )
            ])
          )
        : note('No members.'),
      members,
      heading('History'),
      table(
        ['Version', 'Created', 'Description'],
        [...d.history].reverse().map(v => [v.Version, when(v.RCT), v.Description])
      )
    ];
  }

  private _loaded = false;
  private _datasets: IDatasetSummary[] = [];
  private _search = h('input', 'jp-mod-styled jp-DerivaML-search');
  private _type = h('select', 'jp-mod-styled jp-DerivaML-typeFilter');
}
