"""The catalog-level Chaise annotations DerivaML sets: display style and a ``chaise-config``
whose navigation bar lists the catalog's tables by role, as deriva-ml's
``apply_catalog_annotations`` lays it out."""

from __future__ import annotations

from collections.abc import Iterable

from ..catalog.contract import Model
from .tags import TAG_CHAISE_CONFIG, TAG_DISPLAY

DOCUMENTATION = [
    {"url": "https://github.com/informatics-isi-edu/deriva-ml/blob/main/docs/"
            "ml_workflow_instruction.md", "name": "ML Notebook Instruction"},
    {"url": "https://informatics-isi-edu.github.io/deriva-ml/", "name": "Deriva-ML Documentation"},
]
ML_MENU = [("Workflow", "Workflow"), ("Execution", "Execution"),
           ("Execution_Metadata", "Execution Metadata"), ("Execution_Asset", "Execution Asset"),
           ("Dataset", "Dataset"), ("Dataset_Version", "Dataset Version"), ("File", "File")]


def navbar_menu(catalog_id: str, model: Model, ml_schema: str, domain_schemas: Iterable[str],
                features: Iterable[tuple[str, str, str]]) -> dict:
    """Chaise's ``navbarMenu``: user tables, DerivaML's tables, each domain schema's own
    tables, vocabularies, assets, features (``(schema, feature table, "Target:Name")``),
    the catalog registry and documentation. Entries name only tables the catalog has."""
    def entry(schema: str, table: str, name: str | None = None) -> dict:
        return {"name": name or table, "url": f"/chaise/recordset/#{catalog_id}/{schema}:{table}"}

    domains = [s for s in sorted(domain_schemas) if s in model.schemas]
    tables = {s: list(model.schemas.get(s, {}).values()) for s in [ml_schema, *domains]}
    vocabularies = []
    for schema in [ml_schema, *domains]:
        vocabularies.append({"name": f"{schema} Vocabularies", "header": True})
        vocabularies += [entry(schema, t.name) for t in tables[schema] if t.kind == "vocabulary"]
    return {"newTab": False, "children": [
        {"name": "User Info", "children": [
            entry("public", "ERMrest_Client", "Users"), entry("public", "ERMrest_Group", "Groups"),
            entry("public", "ERMrest_RID_Lease", "ERMrest RID Lease")]},
        {"name": "Deriva-ML", "children": [entry(ml_schema, t, name) for t, name in ML_MENU
                                           if model.has_table(ml_schema, t)]},
        {"name": "WWW", "children": [entry("WWW", "Page"), entry("WWW", "File")]},
        *({"name": schema, "children": [entry(schema, t.name) for t in tables[schema]
                                        if t.kind not in ("vocabulary", "association")]}
          for schema in domains),
        {"name": "Vocabulary", "children": vocabularies},
        {"name": "Assets", "children": [entry(schema, t.name) for schema in tables
                                        for t in tables[schema] if t.kind == "asset"]},
        {"name": "Features", "children": [entry(*feature) for feature in features]},
        {"name": "Catalog Registry", "url": "/chaise/recordset/#0/ermrest:registry@sort(RID)"},
        {"name": "Documentation", "children": DOCUMENTATION},
    ]}


def catalog_annotations(navbar: dict, navbar_brand_text: str, head_title: str,
                        ml_schema: str) -> dict:
    """The catalog's display and chaise-config annotations around ``navbar``."""
    return {
        TAG_DISPLAY: {"name_style": {"underline_space": True}},
        TAG_CHAISE_CONFIG: {
            "headTitle": head_title,
            "navbarBrandText": navbar_brand_text,
            "systemColumnsDisplayEntry": ["RID"],
            "systemColumnsDisplayCompact": ["RID"],
            "defaultTable": {"table": "Dataset", "schema": ml_schema},
            "deleteRecord": True,
            "showFaceting": True,
            "shareCiteAcls": True,
            "exportConfigsSubmenu": {"acls": {"show": ["*"], "enable": ["*"]}},
            "resolverImplicitCatalog": False,
            "showWriterEmptyRelatedOnLoad": False,
            "navbarMenu": navbar,
        },
    }
