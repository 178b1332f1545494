"""Run with a deriva-ml installation's Python (not ours): make, read and delete catalogs
with the released deriva-ml, so tests compare what it writes and reads with what we do.

    python deriva_ml_helper.py demo HOST            -> {"catalog_id": ..., "deriva_ml": ...}
    python deriva_ml_helper.py read HOST CATALOG EXECUTION_RID [DATASET_RID ...]
    python deriva_ml_helper.py delete HOST CATALOG

Every command prints one JSON document on its last line of output.
"""

import json
import logging
import os
import subprocess
import sys
import tempfile

import deriva_ml
from deriva.core import ErmrestCatalog, get_credential

logging.disable(logging.WARNING)


def demo(host: str) -> dict:
    """deriva-ml's own demo catalog: subjects, Image assets, nested datasets, features."""
    from deriva_ml import demo_catalog

    # Its builder clones deriva-ml's repository only to get a scratch working directory, and
    # records a workflow whose URL it takes from git; neither needs the network here.
    os.environ.setdefault("DERIVA_ML_WORKFLOW_URL", "https://example.org/deriva-ml-helper.py")
    os.environ.setdefault("DERIVA_ML_WORKFLOW_CHECKSUM", "0" * 40)
    os.environ.setdefault("DERIVA_ML_NOTEBOOK_PATH", __file__)  # 1.17 needs it with the URL
    real_run = subprocess.run

    def run(args, *a, **kw):
        if isinstance(args, str) and args.startswith("git clone"):
            return subprocess.CompletedProcess(args, 0, "", "")
        return real_run(args, *a, **kw)

    if hasattr(demo_catalog, "subprocess"):  # 1.24 clones, 1.17 does not
        demo_catalog.subprocess.run = run
    with tempfile.TemporaryDirectory() as cwd:
        os.chdir(cwd)
        catalog = demo_catalog.create_demo_catalog(
            host, populate=True, create_features=True, create_datasets=True,
            on_exit_delete=False)
    return {"catalog_id": str(catalog.catalog_id), "deriva_ml": deriva_ml.__version__}


def read(host: str, catalog_id: str, execution_rid: str, *dataset_rids: str) -> dict:
    """What deriva-ml reads of an execution (through its own ``Status``, workflow and dataset
    APIs, whichever this release has) and of datasets."""
    from deriva_ml import DerivaML
    from deriva_ml.core.enums import Status

    # deriva-ml fills a workflow's missing version from the reader's git checkout; there is
    # none here.
    os.environ.setdefault("SETUPTOOLS_SCM_PRETEND_VERSION", "0.0.0")
    with tempfile.TemporaryDirectory() as work:
        ml = DerivaML(host, catalog_id, working_dir=work, logging_level=logging.ERROR)
        row = ml.retrieve_rid(execution_rid)
        workflows = ml.find_workflows() if hasattr(ml, "find_workflows") else \
            ml.list_workflows()
        pb = ml.pathBuilder() if callable(ml.pathBuilder) else ml.pathBuilder
        outputs = []
        for schema in ml.catalog.getCatalogModel().schemas.values():
            for name, t in schema.tables.items():
                if name.endswith("_Execution") and "Asset_Role" in t.columns.elements:
                    table = pb.schemas[schema.name].tables[name]
                    outputs += [r[name[:-len("_Execution")]] for r in table.filter(
                        (table.Execution == execution_rid) & (table.Asset_Role == "Output")
                    ).entities().fetch()]
        links = pb.schemas[ml.ml_schema].Dataset_Execution
        result = {
            "execution": {
                "status": Status(row["Status"]).value,
                "status_detail": row["Status_Detail"],
                "description": row["Description"],
                "duration": row["Duration"],
                "workflow": next(w.name for w in workflows
                                 if row["Workflow"] in (getattr(w, "workflow_rid", None),
                                                        getattr(w, "rid", None))),
                "inputs": sorted(r["Dataset"] for r in links.filter(
                    links.Execution == execution_rid).entities().fetch()),
                "outputs": sorted(outputs),
            },
            "datasets": {},
        }
        if hasattr(ml, "lookup_execution"):
            result["execution"]["lookup_status"] = ml.lookup_execution(
                execution_rid).status.value
        for rid in dataset_rids:
            if hasattr(ml, "lookup_dataset"):
                ds = ml.lookup_dataset(rid)
                history, members = ds.dataset_history(), ds.list_dataset_members()
            else:
                history, members = ml.dataset_history(rid), ml.list_dataset_members(rid)
            result["datasets"][rid] = {
                "history": [{"version": str(h.dataset_version), "execution": h.execution_rid,
                             "snapshot": h.snapshot} for h in history],
                "members": {t: sorted(r["RID"] for r in rows)
                            for t, rows in members.items() if rows},
            }
    return result


def delete(host: str, catalog_id: str) -> dict:
    ErmrestCatalog("https", host, catalog_id, get_credential(host)).delete_ermrest_catalog(
        really=True)
    return {"deleted": catalog_id}


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    print(json.dumps({"demo": demo, "read": read, "delete": delete}[command](*args)))
