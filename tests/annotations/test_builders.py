"""The annotation builders of ``derivaml.model`` give the JSON deriva-ml's builders give.

``deriva_ml_builders.json`` holds what deriva-ml's own builders return for the constructions
in ``cases`` (made with deriva-ml 1.24, whose builders 1.54 keeps; the display tag is 1.54's
``tag:misd.isi.edu,2015:display``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import derivaml.model as m

EXPECTED = json.loads((Path(__file__).parent / "deriva_ml_builders.json").read_text())


def cases(m) -> dict:
    """Builder constructions covering every option, by name."""
    pc_display = m.PseudoColumnDisplay(
        markdown_pattern="[{{{Name}}}]({{{URL}}})", template_engine=m.TemplateEngine.HANDLEBARS,
        show_foreign_key_link=False, array_ux_mode=m.ArrayUxMode.CSV,
        column_order=[m.SortKey("Name"), m.SortKey("RCT", descending=True)], wait_for=["x"])
    species = m.PseudoColumn(
        source=[m.OutboundFK("domain", "Image_Subject_fkey"),
                m.OutboundFK("domain", "Subject_Species_fkey"), "Name"],
        markdown_name="Species", comment=False, display=pc_display,
        array_options={"max_length": 3}, entity=True, self_link=True)
    samples = m.PseudoColumn(source=[m.InboundFK("domain", "Sample_Subject_fkey"), "RID"],
                             aggregate=m.Aggregate.CNT, markdown_name="Samples")
    ranged = m.Facet(
        source=[m.OutboundFK("d", "S_fkey"), "Name"], markdown_name="Sp", comment="c",
        entity=True, ux_mode=m.FacetUxMode.RANGES, bar_plot=False,
        ranges=[m.FacetRange(min=1, max=5, min_exclusive=True),
                m.FacetRange(max=9.5, max_exclusive=False)],
        not_null=True, hide_null_choice=True, hide_not_null_choice=False, n_bins=10)
    return {
        "display": m.Display(
            name="Research Subjects", comment="People",
            name_style=m.NameStyle(underline_space=True, title_case=False),
            show_null={m.CONTEXT_COMPACT: False, m.CONTEXT_DETAILED: '"N/A"'},
            show_foreign_key_link={"compact": False}).to_dict(),
        "display_md_empty_style": m.Display(markdown_name="**B**",
                                            name_style=m.NameStyle()).to_dict(),
        "vc": m.VisibleColumns()
        .compact(["RID", "Name", m.fk_constraint("domain", "Subject_Species_fkey"), samples])
        .detailed(["RID", species]).entry(["Name"]).entry_create(["Name", "Age"])
        .entry_edit(["Age"]).default(["RID"]).set_context("compact/brief", "compact").to_dict(),
        "vc_sourcekey": m.VisibleColumns().compact([m.PseudoColumn(
            sourcekey="S", display=m.PseudoColumnDisplay(column_order=False))]).to_dict(),
        "vfk": m.VisibleForeignKeys()
        .detailed([m.fk_constraint("domain", "Image_Subject_fkey"),
                   m.PseudoColumn(source=[m.InboundFK("d", "X_fkey"), "RID"], markdown_name="X")])
        .default([]).set_context("compact", "detailed").to_dict(),
        "td": m.TableDisplay().row_name("{{{Name}}}", template_engine=m.TemplateEngine.MUSTACHE)
        .compact(m.TableDisplayOptions(
            row_order=[m.SortKey("Name"), m.SortKey("RCT", descending=True)], page_size=50,
            page_markdown_pattern="p", separator_markdown="s", prefix_markdown="a",
            suffix_markdown="b", collapse_toc_panel=True, hide_column_headers=False))
        .detailed(m.TableDisplayOptions())
        .default(m.TableDisplayOptions(row_markdown_pattern="{{{RID}}}"))
        .set_context("compact/brief", None).set_context("compact/select", "compact").to_dict(),
        "cd": m.ColumnDisplay()
        .default(m.ColumnDisplayOptions(pre_format=m.PreFormat(
            format="%.2f", bool_true_value="Yes", bool_false_value="No")))
        .compact(m.ColumnDisplayOptions(markdown_pattern="[Link]({{{_value}}})",
                                        template_engine=m.TemplateEngine.HANDLEBARS,
                                        column_order=False))
        .detailed(m.ColumnDisplayOptions(pre_format=m.PreFormat(),
                                         column_order=[m.SortKey("Value", True)]))
        .set_context("entry", "compact").to_dict(),
        "facets": m.FacetList([m.Facet(source="Species", open=True)]).add(ranged).add(m.Facet(
            sourcekey="k", choices=["a", None, 3], ux_mode=m.FacetUxMode.CHECK_PRESENCE)
        ).to_dict(),
        "sort": [m.SortKey("A").to_dict(), m.SortKey("B", descending=True).to_dict()],
        "fk": [m.InboundFK("s", "c").to_dict(), m.OutboundFK("s", "c").to_dict(),
               m.fk_constraint("s", "c")],
        "tags": [m.Display.tag, m.VisibleColumns.tag, m.VisibleForeignKeys.tag,
                 m.TableDisplay.tag, m.ColumnDisplay.tag],
        "contexts": [m.CONTEXT_DEFAULT, m.CONTEXT_COMPACT, m.CONTEXT_DETAILED, m.CONTEXT_ENTRY,
                     m.CONTEXT_FILTER],
    }


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_builders_give_deriva_mls_json(name):
    assert json.loads(json.dumps(cases(m)[name])) == EXPECTED[name]


def test_enum_members_and_values_match_deriva_ml():
    assert {e.name: e.value for e in m.Aggregate} == {
        "MIN": "min", "MAX": "max", "CNT": "cnt", "CNT_D": "cnt_d", "ARRAY": "array",
        "ARRAY_D": "array_d"}
    assert [e.value for e in m.ArrayUxMode] == ["raw", "csv", "olist", "ulist"]
    assert [e.value for e in m.FacetUxMode] == ["choices", "ranges", "check_presence"]
    assert [e.value for e in m.TemplateEngine] == ["handlebars", "mustache"]


def test_builders_take_their_first_option_positionally_as_in_deriva_ml():
    assert m.Display("Subjects").to_dict() == {"name": "Subjects"}
    assert m.PseudoColumn("Name").to_dict() == {"source": "Name"}
    assert m.SortKey("RCT", True).to_dict() == {"column": "RCT", "descending": True}


def test_mutually_exclusive_options_are_refused():
    with pytest.raises(ValueError, match="mutually exclusive"):
        m.Display(name="a", markdown_name="b")
    with pytest.raises(ValueError, match="mutually exclusive"):
        m.PseudoColumn(source="a", sourcekey="b")


def test_a_facet_list_is_the_filter_context_of_visible_columns():
    facets = m.FacetList().add(m.Facet(source="Species", open=True))
    vc = m.VisibleColumns().compact(["RID"]).set_context(m.CONTEXT_FILTER, facets)
    assert vc.to_dict() == {"compact": ["RID"],
                            "filter": {"and": [{"source": "Species", "open": True}]}}
    # deriva-ml's documented form (the list's dict put in the context) gives the same JSON
    raw = m.VisibleColumns()
    raw._contexts["filter"] = facets.to_dict()
    assert raw.to_dict() == {"filter": {"and": [{"source": "Species", "open": True}]}}


def test_builders_are_chainable_and_independent():
    a, b = m.VisibleColumns(), m.VisibleColumns()
    assert a.compact(["RID"]) is a
    assert b.to_dict() == {}
