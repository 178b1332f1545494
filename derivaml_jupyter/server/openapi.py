"""The OpenAPI 3 description of ``/derivaml/api`` (served as ``openapi.json``), and the checks
of each request's path arguments, query arguments and JSON body against it.

A value that breaks the description is a ``DerivaMLValidationError`` (400) naming the argument
or body field and what it should be, before any handler work is done.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .. import __version__
from ..core.errors import DerivaMLValidationError

NO_CONTROL = "^[^\\x00-\\x1f]*$"


def text(max_length: int, description: str, pattern: str = NO_CONTROL) -> dict[str, Any]:
    return {"type": "string", "maxLength": max_length, "pattern": pattern,
            "description": description}


def whole(minimum: int, maximum: int, default: int, description: str) -> dict[str, Any]:
    return {"type": "integer", "minimum": minimum, "maximum": maximum, "default": default,
            "description": f"{description}, a whole number from {minimum} to {maximum}"}


RID = text(100, "a RID (letters, digits, '-', '_', optionally @snapshot), at most 100 "
           "characters", "^[A-Za-z0-9][A-Za-z0-9_@-]*$")
PATH = text(4096, "a path relative to the Jupyter server's root directory, without control "
            "characters")
ERROR = {"description": "What was wrong and what to do", "content": {"application/json": {
    "schema": {"type": "object", "required": ["error", "message"],
               "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                              "scope": {"type": "string", "enum": ["catalog"], "description":
                                        "'catalog' when the request's catalog could not be "
                                        "opened (every call on it fails alike)"}}}}}}


def query(name: str, schema: dict[str, Any], required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema}


def in_path(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema}


CATALOG = [
    query("host", text(260, "'local' or the name (optionally :port) of a DERIVA host allowed "
                       "by c.DerivaMLServer.allowed_hosts",
                       "^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$")),
    query("catalog", text(100, "a catalog id: letters, digits, '_', '-', '.' (and '@' for a "
                          "remote snapshot), at most 100 characters",
                          "^[A-Za-z0-9][A-Za-z0-9_.@-]*$")),
]
RUN_ID = in_path("run_id", text(15, "a run id (digits)", "^[0-9]{1,15}$"))
ISO_TIME = "^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9:.]+([+-][0-9:]+|Z)?)?$"
VERSION = query("version", text(64, "a dataset version such as 1.2.0"))


def operation(summary: str, parameters: list[dict[str, Any]] = (), body: dict | None = None,
              status: str = "200") -> dict[str, Any]:
    described: dict[str, Any] = {
        "summary": summary, "parameters": list(parameters),
        "responses": {status: {"description": summary, "content": {"application/json": {
            "schema": {}}}}, "default": ERROR}}
    if body is not None:
        described["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"type": "object", "additionalProperties": False, **body}}}}
    return described


def unchanged_is_304(described: dict[str, Any]) -> dict[str, Any]:
    """``described`` with its answer's ETag header and a 304 (no body) for If-None-Match."""
    etag = {"ETag": {"description": "names this answer", "schema": {"type": "string"}}}
    described["responses"]["200"]["headers"] = etag
    described["responses"]["304"] = {"description": "Unchanged since the answer whose ETag "
                                     "If-None-Match gives", "headers": etag}
    return described


def file_content(described: dict[str, Any]) -> dict[str, Any]:
    """``described`` answering a file's bytes (its own media type), or one range of them."""
    binary = {"*/*": {"schema": {"type": "string", "format": "binary"}}}
    described["responses"]["200"]["content"] = binary
    described["responses"]["206"] = {"description": "The range asked for", "content": binary}
    described["responses"]["416"] = {"description": "The range starts beyond the file's end"}
    return described


PATHS: dict[str, dict[str, dict[str, Any]]] = {
    "/openapi.json": {"get": operation("This description")},
    "/catalogs": {"get": operation("The local catalogs (their names) under DERIVAML_HOME")},
    "/info": {"get": operation("The package version, the catalog and its counts", CATALOG)},
    "/datasets": {"get": operation("The datasets with their current version and types",
                                   CATALOG)},
    "/datasets/{rid}": {"get": operation(
        "A dataset with its history, nesting and member counts (as of ?version)",
        [in_path("rid", RID), *CATALOG, VERSION])},
    "/datasets/{rid}/members": {"get": operation(
        "One page of a dataset's members of one table", [
            in_path("rid", RID), *CATALOG, VERSION,
            query("table", text(128, "the member table: one of the dataset detail's "
                                "member_counts (?table=<name>)"), required=True),
            query("limit", whole(1, 1000, 100, "rows per page")),
            query("after", {**RID, "description": "the 'next' cursor of the previous page"}),
        ])},
    "/executions": {"get": unchanged_is_304(operation(
        "One page of the executions, newest first, the total and the next page's cursor "
        "(304 when If-None-Match holds its ETag)", [
        *CATALOG, query("status", text(64, "an execution status such as Uploaded")),
        query("workflow", text(256, "a workflow RID or name")),
        query("q", text(200, "text the description holds (any case)")),
        query("since", text(40, "a date or time (ISO 8601) the execution was created at or "
                            "after", ISO_TIME)),
        query("dataset", {**RID, "description": "a dataset the execution read or made"}),
        query("limit", whole(1, 1000, 50, "executions per page")),
        query("offset", whole(0, 10**9, 0, "executions to skip (after the cursor, if any)")),
        query("after", text(200, "the 'next' cursor of the previous page",
                            "^[A-Za-z0-9_=-]+$")),
    ]))},
    "/executions/{rid}": {"get": operation(
        "An execution with its workflow, inputs, outputs and nesting",
        [in_path("rid", RID), *CATALOG])},
    "/executions/{rid}/provenance": {"get": operation(
        "What an execution ran on (Python, platform, git commit, remote and uncommitted "
        "changes, from its environment.json) and the metrics its metrics files hold",
        [in_path("rid", RID), *CATALOG])},
    "/executions/{rid}/abandon": {"post": operation(
        "Mark an execution that never ended (Running or Created) Aborted, with a reason "
        "(409 if it has ended)", [in_path("rid", RID), *CATALOG], body={
            "required": ["reason"],
            "properties": {"reason": text(1000, "why it was abandoned, a line of text")}})},
    "/executions/{rid}/overrides": {"get": operation(
        "The Hydra overrides an execution ran with (from its hydra-*-overrides.yaml; a "
        "sweep's: its jobs' as one multirun), its top-level config (config_name), whether it "
        "ran a notebook or a model, and the "
        "notebook or project folder it ran from when that is under the server root (null "
        "otherwise): what running it again needs",
        [in_path("rid", RID), *CATALOG])},
    "/executions/{rid}/sweep": {"get": operation(
        "A sweep's jobs (its nested executions) as a table: a row per job with its "
        "parameters (overrides) and metrics, and the parameter and metric names",
        [in_path("rid", RID), *CATALOG])},
    "/compare": {"get": operation(
        "Executions side by side: a row per fact (workflow, status, Hydra config, metrics, "
        "inputs, outputs) with each execution's value and whether they differ", [
            *CATALOG,
            query("rids", text(2000, "two to twenty execution RIDs separated by commas",
                               "^[A-Za-z0-9][A-Za-z0-9_@-]*(,[A-Za-z0-9][A-Za-z0-9_@-]*)"
                               "{1,19}$"), required=True),
            query("only_differences", {"type": "string", "enum": ["true", "false"],
                                       "default": "false",
                                       "description": "'true' for the rows that differ only"}),
        ])},
    "/assets/{rid}/content": {"get": file_content(operation(
        "The file of an asset: whole, or the byte range a Range header asks for (206; 416 "
        "beyond its end)", [
            in_path("rid", RID), *CATALOG,
            query("download", {"type": "string", "enum": ["true", "false"],
                               "default": "false",
                               "description": "'true' to have the browser save the file"}),
        ]))},
    "/workflows": {"get": operation("The recorded workflows", CATALOG)},
    "/configs": {"get": operation(
        "The hydra-zen configs of the project holding ?path (the nearest folder with "
        "src/configs from ?path up), the catalogs its deriva_ml options name, and its path",
        [query("path", {**PATH, "description": "the project folder, " + PATH["description"]})])},
    "/notebooks/upload": {"post": operation(
        "Upload a notebook and its Markdown rendering to an execution", CATALOG, body={
            "required": ["path", "execution_rid"],
            "properties": {"path": {**PATH, "description": "the .ipynb file, " +
                                    PATH["description"]},
                           "execution_rid": RID}})},
    "/push": {"post": operation(
        "Copy executions of the request's local catalog (their workflows, inputs, outputs, "
        "files and nested executions) to another catalog: what was copied", CATALOG, body={
            "required": ["to"],
            "properties": {
                "to": text(361, "the target: HOST/CATALOG on a DERIVA server this Jupyter "
                           "server allows, or the name of another local catalog",
                           "^([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?/)?"
                           "[A-Za-z0-9][A-Za-z0-9_.-]*$"),
                "rids": {"type": "array", "maxItems": 1000, "items": RID,
                         "description": "the executions to push (default: every one not "
                         "pushed to that target yet)"}}})},
    "/runs": {
        "get": operation("Your headless runs started on this server (also before it "
                         "restarted), newest first"),
        "post": operation("Start a headless run of a notebook or of a project's model", body={
            "required": ["kind", "path"],
            "properties": {
                "kind": {"type": "string", "enum": ["notebook", "model"],
                         "description": "'notebook' or 'model'"},
                "path": {**PATH, "description": "the notebook or project folder, " +
                         PATH["description"]},
                "overrides": {"type": "array", "maxItems": 100, "items": text(
                    1000, "a Hydra override choosing an option of a config group or setting "
                    "a field of one")},
                "parameters": {"type": "object", "description": "notebook parameters",
                               "additionalProperties": {"oneOf": [
                                   {"type": "string", "maxLength": 10000},
                                   {"type": "number"}, {"type": "boolean"}]}},
                "multirun": {"type": "boolean"},
                "config_name": {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_.\-]*$",
                                "maxLength": 200, "description": "a model's top-level config "
                                "(default: deriva_model); one of the project's"}}},
            status="201")},
    "/runs/{run_id}": {"get": operation(
        "One of your runs: its status, execution and last output lines", [RUN_ID])},
    "/runs/{run_id}/cancel": {"post": operation(
        "Cancel one of your running runs: its process group gets SIGTERM, then SIGKILL after "
        "a few seconds (409 if it has already ended)", [RUN_ID])},
}


def document(api_url: str) -> dict[str, Any]:
    """The OpenAPI description, its server at ``api_url`` (``<base url>derivaml/api``)."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "DerivaML API", "version": __version__,
                 "description": "DerivaML catalogs, executions and headless runs from Jupyter. "
                 "Authenticate with the Jupyter server's token."},
        "servers": [{"url": api_url}],
        "components": {"securitySchemes": {"token": {
            "type": "apiKey", "in": "header", "name": "Authorization"}}},
        "security": [{"token": []}],
        "paths": PATHS,
    }


def _problem(schema: dict[str, Any], value: Any) -> str | None:
    """Why ``value`` breaks ``schema`` (the deepest error's message), or None."""
    from jsonschema import Draft7Validator

    error = next(iter(sorted(Draft7Validator(schema).iter_errors(value),
                             key=lambda e: -len(e.absolute_path))), None)
    if error is None:
        return None
    where = ".".join(map(str, error.absolute_path))
    described = error.schema.get("description") if isinstance(error.schema, dict) else None
    subject = f"field {where}" if where else "it"
    return f"{subject} must be {described}" if described else \
        f"{subject + ': ' if where else ''}{error.message[:300]}"


def checked_arguments(operation: dict[str, Any], values: dict[str, str | None]
                      ) -> dict[str, Any]:
    """The path and query ``values`` of a request (None when absent) checked against
    ``operation``'s parameters, whole numbers converted and defaults filled in."""
    checked: dict[str, Any] = {}
    for parameter in operation["parameters"]:
        name, schema = parameter["name"], parameter["schema"]
        value: Any = values.get(name)
        where = "Path argument" if parameter["in"] == "path" else "Query argument"
        if value is None:
            if parameter["required"]:
                raise DerivaMLValidationError(
                    f"Give the {where.lower()} {name}: {schema['description']}.")
            checked[name] = schema.get("default")
            continue
        if schema["type"] == "integer":
            value = int(value) if re.fullmatch("-?[0-9]{1,12}", value) else value
        problem = _problem(schema, value)
        if problem:
            raise DerivaMLValidationError(
                f"{where} {name}={_shown(value)} is not valid: {problem}.")
        checked[name] = value
    return checked


def checked_body(operation: dict[str, Any], body: bytes) -> dict[str, Any] | None:
    """The JSON body of a request, checked against ``operation``'s request body."""
    if "requestBody" not in operation:
        return None
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    try:
        value = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        value = None
    shape = (f"a JSON object with the fields {', '.join(schema['properties'])} "
             f"({', '.join(schema['required'])} required)")
    if not isinstance(value, dict):
        raise DerivaMLValidationError(f"The request body must be {shape}.")
    problem = _problem(schema, value)
    if problem:
        raise DerivaMLValidationError(
            f"The request body is not valid: {problem}. Send {shape}.")
    return value


def _shown(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 60 else f"{shown[:40]}... ({len(str(value))} characters)"
