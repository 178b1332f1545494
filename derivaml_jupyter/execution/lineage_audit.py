"""``ml.audit_provenance()``: a read-only report of datasets whose current version names no
producing execution (deriva-ml's provenance audit)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..core.definitions import ML_SCHEMA
from ..dataset.spec import DatasetVersion

if TYPE_CHECKING:
    from ..ml import DerivaML

# deriva-ml's unknown-provenance execution: data adopted without a known producer is
# attributed to the execution with this description.
SENTINEL_EXECUTION_DESCRIPTION = "deriva-ml unknown-provenance sentinel execution"


@dataclass
class ProvenanceFinding:
    """One artifact whose provenance is missing (a violation) or thin (known-degraded)."""

    category: str
    rid: str
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.category}] {self.kind} {self.rid}: {self.detail}"


@dataclass
class ProvenanceAuditReport:
    """``violations`` must be fixed; ``known_degraded`` are compliant but thin."""

    violations: list[ProvenanceFinding] = field(default_factory=list)
    known_degraded: list[ProvenanceFinding] = field(default_factory=list)

    @property
    def is_clean(self) -> bool:
        return not self.violations

    def summary(self) -> str:
        return f"{len(self.violations)} violation(s), {len(self.known_degraded)} known-degraded"


def audit_provenance(ml: DerivaML) -> ProvenanceAuditReport:
    """Check the producer of each dataset's current version: none is a ``null_producer``
    violation; deriva-ml's unknown-provenance execution is ``sentinel_producer``
    (known-degraded). Two reads; nothing is written."""
    sentinels = {r["RID"] for r in ml.catalog.select(
        ML_SCHEMA, "Execution", where={"Description": SENTINEL_EXECUTION_DESCRIPTION},
        columns=["RID"])}
    current: dict[str, dict] = {}
    for row in ml.catalog.iter_rows(ML_SCHEMA, "Dataset_Version"):
        known = current.get(row["Dataset"])
        if known is None or (DatasetVersion.parse(row["Version"])
                             > DatasetVersion.parse(known["Version"])):
            current[row["Dataset"]] = row
    report = ProvenanceAuditReport()
    for rid, row in sorted(current.items()):
        if row["Execution"] is None:
            report.violations.append(ProvenanceFinding(
                "null_producer", rid, "Dataset",
                f"Version {row['Version']} (the current one) names no producing execution; "
                "make new versions inside an execution (execution.create_dataset, or "
                "increment_dataset_version with execution_rid=)."))
        elif row["Execution"] in sentinels:
            report.known_degraded.append(ProvenanceFinding(
                "sentinel_producer", rid, "Dataset",
                "Attributed to the unknown-provenance execution: the gap is recorded, but "
                "there is no real producer."))
    return report
