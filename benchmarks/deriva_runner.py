"""The two sides of ``bench_deriva.py``: the same execution done by ours and by deriva-ml.

``bench_deriva.py`` commits a copy of this file (and of ``bench_upload.py``, whose
``make_files`` it uses) to a scratch git repository with an ``origin`` remote (deriva-ml
records a workflow only from a committed file) and runs it there with each side's Python; it
imports nothing of either side at module level, so deriva-ml's interpreter can run it too.
Every command prints one JSON document as its last line of output; ``count_requests`` and
``Phases`` also serve the ``python -c`` programs of part 2 and ``bench_deriva.py`` itself.

    python deriva_runner.py upload ours|deriva-ml HOST CATALOG WORK SMALL_FILES SMALL_KB BIG_MB
    python deriva_runner.py setup-deriva-ml HOST
"""

from __future__ import annotations

import atexit
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

PARAMS = {"learning_rate": "0.001", "epochs": "10", "batch_size": "64"}
METRIC = {"accuracy": 0.9731}
ASSET_TABLE = "Execution_Asset"
WORKFLOW_TYPE = "Benchmark"


# -- request counting -------------------------------------------------------------------------
def route(method: str, url: str) -> str:
    """A request's kind: ``GET entity deriva-ml:Execution``, ``PUT hatrac chunk`` ..."""
    path = unquote(urlsplit(url).path)
    parts = path.split("/")
    if len(parts) > 1 and parts[1] == "hatrac":
        if ";upload" not in path:
            return f"{method} hatrac object"
        steps = [p for p in path.split(";upload", 1)[1].split("/") if p]
        return f"{method} hatrac " + ("upload job", "upload job end", "chunk")[min(len(steps), 2)]
    if len(parts) > 4 and parts[1] == "ermrest":
        snapshot = "@snapshot " if "@" in parts[3] else ""
        target = parts[5].split("@")[0] if len(parts) > 5 else ""
        return f"{method} {snapshot}{parts[4]} {target}".rstrip()
    return f"{method} {'/'.join(parts[:4])}"


def count_requests() -> dict[str, list]:
    """Count this process's HTTP requests (``requests.Session.send``) by ``route``, with
    `` -> 503`` etc. appended for error answers: a live ``{route: [count, seconds]}``. With
    ``BENCH_REQUEST_LOG`` set, it is written there as JSON when the process exits."""
    import requests

    tally: dict[str, list] = {}
    send = requests.Session.send

    def counted(session, request, **kwargs):
        started, answer = time.perf_counter(), "no answer"
        try:
            response = send(session, request, **kwargs)
            answer = response.status_code
            return response
        finally:
            kind = route(request.method, request.url)
            if answer == "no answer" or answer >= 400:
                kind += f" -> {answer}"
            entry = tally.setdefault(kind, [0, 0.0])
            entry[0] += 1
            entry[1] += time.perf_counter() - started

    requests.Session.send = counted
    target = os.environ.get("BENCH_REQUEST_LOG")
    if target:
        atexit.register(lambda: Path(target).write_text(json.dumps(tally)))
    return tally


def since(tally: dict[str, list], before: dict[str, list]) -> dict[str, list]:
    """The requests in ``tally`` made after the copy ``before`` was taken."""
    return {k: [n - before.get(k, [0, 0.0])[0], s - before.get(k, [0, 0.0])[1]]
            for k, (n, s) in tally.items() if n > before.get(k, [0, 0.0])[0]}


def copy(tally: dict[str, list]) -> dict[str, list]:
    return {k: list(v) for k, v in tally.items()}


class Phases:
    """Seconds and requests of the steps of a run: ``phases("connect")`` closes the step
    that began at the previous call; ``report()`` prints them as JSON."""

    def __init__(self, tally: dict[str, list]):
        self.tally = tally
        self.last = (time.perf_counter(), 0)
        self.steps: dict[str, list] = {}

    def __call__(self, name: str) -> None:
        now = (time.perf_counter(), sum(n for n, _ in self.tally.values()))
        self.steps[name] = [now[0] - self.last[0], now[1] - self.last[1]]
        self.last = now

    def report(self) -> None:
        print(json.dumps(self.steps))


# -- the upload run -------------------------------------------------------------------------
def upload(side: str, host: str, catalog: str, work: str, small_files: str, small_kb: str,
           big_mb: str) -> dict:
    """One execution with parameters, a metric and the files: seconds from
    ``create_execution`` until the upload returns, and the requests made meanwhile."""
    from bench_upload import make_files  # committed next to this file

    tally = count_requests()
    work_dir = Path(work)
    files = make_files(work_dir / "sources", int(small_files), int(small_kb) / 1024,
                       int(big_mb))
    if side == "ours":
        os.environ["DERIVAML_HOME"] = str(work_dir / "home")
        from derivaml import DerivaML, ExecutionConfiguration

        ml = DerivaML(host, catalog)
        finish = {"progress": False}
    else:
        import logging

        from deriva_ml import DerivaML
        from deriva_ml.execution import ExecutionConfiguration

        ml = DerivaML(host, catalog, working_dir=str(work_dir / "home"),
                      logging_level=logging.WARNING)
        finish = {"clean_folder": False}
    workflow = ml.create_workflow("Upload benchmark", WORKFLOW_TYPE)
    before = copy(tally)
    started = time.perf_counter()
    execution = ml.create_execution(ExecutionConfiguration(
        workflow=workflow, description="Upload benchmark", config_choices=PARAMS))
    created = time.perf_counter()
    with execution:
        for f in files:
            execution.asset_file_path(ASSET_TABLE, f)
        metric = execution.asset_file_path("Execution_Metadata", "metrics.json")
        Path(metric).write_text(json.dumps(METRIC))
    staged = time.perf_counter()
    uploaded = execution.upload_execution_outputs(**finish)
    done = time.perf_counter()
    stored = sum(len(paths) for table, paths in uploaded.items() if table.endswith(ASSET_TABLE))
    if stored != len(files):
        raise SystemExit(f"{side}: {stored} of {len(files)} files uploaded")
    return {"seconds": done - started, "create_execution": created - started,
            "stage": staged - created, "upload": done - staged, "files": len(files),
            "megabytes": sum(f.stat().st_size for f in files) / 2**20,
            "execution": execution.execution_rid, "requests": since(tally, before)}


def setup_deriva_ml(host: str) -> dict:
    """A new catalog made by deriva-ml, with the benchmark's workflow type."""
    import logging
    import tempfile

    from deriva_ml import DerivaML, MLVocab
    from deriva_ml.schema import create_ml_catalog

    started = time.perf_counter()
    catalog = create_ml_catalog(host, project_name="bench")
    with tempfile.TemporaryDirectory() as work:
        ml = DerivaML(host, catalog.catalog_id, working_dir=work, logging_level=logging.WARNING)
        ml.add_term(MLVocab.workflow_type, WORKFLOW_TYPE, description="Benchmark runs.")
    return {"catalog_id": str(catalog.catalog_id), "seconds": time.perf_counter() - started}


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    commands = {"upload": upload, "setup-deriva-ml": setup_deriva_ml}
    print(json.dumps(commands[command](*arguments)))
