"""``LineageAPI``: the ``DerivaML`` methods that answer provenance questions across
executions (deriva-ml's lineage, experiment and impact queries).

- backward: ``lookup_lineage`` (what produced this, and from what);
- forward: ``find_executions_consuming`` (what read this);
- experiments: ``lookup_experiment``, ``find_experiments`` (executions with a Hydra config);
- workflows: ``lookup_workflow_by_url``, ``list_workflow_executions``;
- impact of a schema change: ``find_datasets_referencing``, ``find_features_referencing``;
- ``list_executions`` (those this machine ran) and ``audit_provenance``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..catalog.contract import Table
from ..core.definitions import ML_SCHEMA, Status
from ..core.errors import DerivaMLNotFound, DerivaMLValidationError
from ..core.rid import normalize_rid

if TYPE_CHECKING:
    from ..dataset.references import DatasetReference, FeatureReference
    from .experiment import Experiment
    from .lineage import LineageResult
    from .lineage_audit import ProvenanceAuditReport
    from .records import ExecutionRecord
    from .workflow import Workflow


class LineageAPI:
    """Mixed into ``DerivaML``; relies on its catalog and execution, asset and dataset
    methods."""

    # -- lineage -----------------------------------------------------------------------------
    def lookup_lineage(self, rid: str, *, depth: int | None = None,
                       max_executions: int = 500) -> LineageResult:
        """The executions behind an artifact (a dataset, asset, feature value or execution
        RID), back to where each branch starts: each node is an execution with the datasets
        and assets it consumed, its ``parents`` the executions that produced those.
        ``depth``: how many parent levels to expand (None: all, 0: the producer only);
        ``max_executions`` caps the executions expanded. Nesting (``Execution_Execution``)
        is not followed: ``list_execution_parents`` answers that.

        Example::

            result = ml.lookup_lineage(model_weights_rid)
            for ds in result.lineage.consumed_datasets:
                print(ds.rid, ds.version)
        """
        from .lineage_walk import LineageWalk

        return LineageWalk(self, max_executions).run(normalize_rid(rid), depth)

    def find_executions_consuming(self, rid: str) -> list[ExecutionRecord]:
        """The executions that read a dataset (its ``Dataset_Execution`` input links) or an
        asset (``Asset_Role`` ``Input``); empty when nothing recorded reading it."""
        if not rid:
            raise DerivaMLValidationError(
                "find_executions_consuming needs the RID of a dataset or an asset.")
        found = self.catalog.resolve_rid(rid)
        if (found.schema, found.table) == (ML_SCHEMA, "Dataset"):
            return list(self.find_executions(dataset=found.row["RID"], dataset_role="input"))
        if self.catalog.model().table(found.schema, found.table).kind == "asset":
            return self.list_asset_executions(found.row["RID"], asset_role="Input")
        raise DerivaMLValidationError(
            f"RID {found.row['RID']} is a row of {found.schema}:{found.table}, which nothing "
            "consumes: forward lineage is defined for datasets and assets.")

    # -- experiments -------------------------------------------------------------------------
    def lookup_experiment(self, execution_rid: str) -> Experiment:
        """The execution ``execution_rid`` as an ``Experiment`` (its Hydra config choices and
        model parameters, inputs, outputs)."""
        from .experiment import Experiment

        return Experiment(self, self._execution_row(execution_rid)["RID"])

    def find_experiments(self, workflow_rid: str | None = None,
                         status: Status | None = None) -> Iterator[Experiment]:
        """The executions that recorded a Hydra config (a ``*-config.yaml`` in their
        ``Execution_Metadata``) as ``Experiment`` objects, in creation order; only those of
        ``workflow_rid`` / with ``status`` if given."""
        from .experiment import CONFIG_SUFFIX, METADATA, Experiment

        configs = [r["RID"] for r in self.catalog.iter_rows(ML_SCHEMA, METADATA)
                   if (r.get("Filename") or "").endswith(CONFIG_SUFFIX)]
        with_config = {r["Execution"] for r in self.catalog.select(
            ML_SCHEMA, f"{METADATA}_Execution", columns=["Execution"],
            where={METADATA: configs, "Asset_Role": "Output"})} if configs else set()
        where: dict[str, Any] = {"RID": sorted(with_config)}
        if workflow_rid is not None:
            where["Workflow"] = normalize_rid(workflow_rid)
        if status is not None:
            where["Status"] = self.profile.status_words(status)
        if with_config:
            for row in self.catalog.select(ML_SCHEMA, "Execution", where=where, sort=["RCT"],
                                           columns=["RID"]):
                yield Experiment(self, row["RID"])

    # -- workflows ---------------------------------------------------------------------------
    def lookup_workflow_by_url(self, url_or_checksum: str) -> Workflow:
        """The recorded workflow whose URL (e.g. a GitHub blob URL at a commit) or checksum
        (the Git object hash of its file) is ``url_or_checksum``."""
        for column in ("URL", "Checksum"):
            found = self._workflows({column: url_or_checksum}, sort=["RCT"])
            if found:
                return found[0]
        raise DerivaMLNotFound(
            f"No workflow has the URL or checksum {url_or_checksum!r}; find_workflows() lists "
            "the recorded workflows.")

    def list_workflow_executions(self, workflow: str) -> list[str]:
        """RIDs of the executions of ``workflow``, a Workflow RID or else a ``Workflow_Type``
        name (every workflow of that type)."""
        from ..dataset.workflow_runs import workflow_execution_rids

        return workflow_execution_rids(self.catalog, ML_SCHEMA, workflow)

    # -- impact of schema changes ------------------------------------------------------------
    def find_datasets_referencing(self, table: str | Table, column: str | None = None
                                  ) -> list[DatasetReference]:
        """``DatasetReference`` (dataset_rid, element_table, member_count) of each dataset
        with members in ``table``, by dataset RID: the datasets a change to the table affects
        (``column`` does not narrow it: membership is by row). One read."""
        from ..dataset.references import DatasetReference

        t = self.find_table(table)
        association = self._element_associations().get(t.name)
        if association is None:
            return []
        counts: dict[str, int] = {}
        for row in self.catalog.iter_rows(association[0].schema, association[0].name):
            counts[row["Dataset"]] = counts.get(row["Dataset"], 0) + 1
        return [DatasetReference(dataset_rid=rid, element_table=t.name, member_count=n)
                for rid, n in sorted(counts.items())]

    def find_features_referencing(self, table: str | Table, column: str | None = None
                                  ) -> list[FeatureReference]:
        """``FeatureReference`` (feature_name, target_table, feature_table,
        referencing_columns) of each feature whose table has a foreign key to ``table`` (to
        its ``column`` if given), by target table and feature name."""
        from ..dataset.references import FeatureReference

        t = self.find_table(table)
        refs = []
        for feature in self.find_features():
            columns = sorted({c for fk in feature.feature_table.references(t.schema, t.name)
                              if column is None or column in fk.pk_columns
                              for c in fk.columns})
            if columns:
                refs.append(FeatureReference(
                    feature_name=feature.feature_name, target_table=feature.target_table.name,
                    feature_table=feature.feature_table.name, referencing_columns=columns))
        return sorted(refs, key=lambda r: (r.target_table, r.feature_name))

    # -- this machine's executions and the audit ---------------------------------------------
    def list_executions(self, *, status: Status | list[Status] | None = None,
                        workflow_rid: str | None = None, mode: Any = None,
                        since: datetime | None = None) -> list[ExecutionRecord]:
        """The executions run on this machine (those with a folder in ``working_dir``), as
        records read from the catalog, oldest first; ``status`` (one or a list),
        ``workflow_rid`` and ``since`` (last status change on this machine at or after it)
        filter them. ``mode``: every execution here ran connected to its catalog, so
        ``"online"`` matches all and ``"offline"`` none."""
        from .records import ExecutionRecord

        rids = [folder.name for folder in self._execution_dirs()]
        where: dict[str, Any] = {"RID": rids}
        if status is not None:
            where["Status"] = [w for s in (status if isinstance(status, list) else [status])
                               for w in self.profile.status_words(s)]
        if workflow_rid is not None:
            where["Workflow"] = normalize_rid(workflow_rid)
        if str(getattr(mode, "value", mode)).lower() == "offline" or not rids:
            return []
        records = [ExecutionRecord.from_row(self, row) for row in self.catalog.select(
            ML_SCHEMA, "Execution", where=where, sort=["RCT"])]
        if since is not None:
            records = [r for r in records if r.status_history and
                       datetime.fromisoformat(r.status_history[-1]["time"]) >= since]
        return records

    def audit_provenance(self) -> ProvenanceAuditReport:
        """A read-only report (``violations``, ``known_degraded``, ``summary()``) of the
        datasets whose current version names no producing execution."""
        from .lineage_audit import audit_provenance

        return audit_provenance(self)
