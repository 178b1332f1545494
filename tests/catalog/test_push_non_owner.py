"""Pushing as a user who may read, insert and update the rows of the target but neither owns
it nor may create tables in ``deriva-ml``: the first push there is refused with a clear
error and writes nothing; once an owner has pushed (making ``deriva-ml.Pushed_Row``), the
user's push goes through after the object store lets them create objects (refused before
any row is written until then), and pushing again adds nothing.

Needs the DERIVA server of this machine (``DERIVAML_TEST_HOST=localhost``) and root: the
test makes the webauthn user with ``webauthn2-manage`` (this webauthn has its REST user
routes off). Its login is a credential dict; the credential file stays the owner's."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from backends import TEST_HOST, new_deriva_catalog

from derivaml_jupyter.catalog import connect_catalog
from derivaml_jupyter.catalog.push import push_executions
from derivaml_jupyter.core.definitions import ML_SCHEMA
from derivaml_jupyter.core.errors import DerivaMLException
from derivaml_jupyter.execution.configuration import ExecutionConfiguration
from derivaml_jupyter.execution.status_log import recorded_status_history
from derivaml_jupyter.ml import DerivaML

USER, PASSWORD = "alice", "alice-lab-pass"
WEBAUTHN_HOME = Path("/home/webauthn")
RIGHTS = ("enumerate", "select", "insert", "update")
NAMESPACE = "/hatrac/deriva-ml"  # where the files of Execution_Asset and _Metadata go
OBJECT_RIGHTS = ("subtree-create", "subtree-read")

pytestmark = pytest.mark.skipif(
    TEST_HOST != "localhost" or os.geteuid() != 0 or not shutil.which("webauthn2-manage")
    or not shutil.which("runuser") or not WEBAUTHN_HOME.is_dir(),
    reason="needs DERIVAML_TEST_HOST=localhost, root and webauthn2-manage to make a user")


def manage(*args: str) -> None:
    subprocess.run(["runuser", "-u", "webauthn", "--", "webauthn2-manage", *args],
                   cwd=WEBAUTHN_HOME, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def credential() -> dict:
    """The login of ``USER`` (made if missing), as a deriva-py credential dict."""
    manage("adduser", USER)
    manage("passwd", USER, PASSWORD)
    answer = requests.post(f"https://{TEST_HOST}/authn/session",
                           data={"username": USER, "password": PASSWORD}, timeout=60)
    answer.raise_for_status()
    return {"cookie": f"webauthn={answer.cookies['webauthn']}"}


@pytest.fixture
def writable() -> Iterator[str]:
    """A fresh DerivaML catalog (made by the owner) whose rows ``USER`` may read, insert and
    update."""
    from deriva.core import DerivaServer, get_credential

    with new_deriva_catalog() as catalog_id:
        DerivaML(TEST_HOST, catalog_id)
        ermrest = DerivaServer("https", TEST_HOST, get_credential(TEST_HOST)).connect_ermrest(
            catalog_id)
        acls = ermrest.get("/acl").json()
        for right in RIGHTS:
            ermrest.put(f"/acl/{right}", json=sorted({*(acls.get(right) or []), USER}))
        yield catalog_id


@contextmanager
def may_store_objects(rights: tuple[str, ...] = OBJECT_RIGHTS) -> Iterator[None]:
    """``USER`` may create and read objects under ``NAMESPACE`` for the block (reading: a
    file whose content is stored there already is reused), or has only ``rights`` there."""
    from deriva.core import HatracStore, get_credential

    store = HatracStore("https", TEST_HOST, get_credential(TEST_HOST))  # the owner's login
    try:
        store.create_namespace(NAMESPACE, parents=False)
    except requests.HTTPError as e:
        if e.response.status_code != 409:  # 409: there already
            raise
    for right in rights:
        store.set_acl(NAMESPACE, right, [USER], add_role=True)
    try:
        yield
    finally:
        for right in rights:
            store.del_acl(NAMESPACE, right, USER)


def offline_execution(ml: DerivaML, name: str) -> str:
    """A finished, uploaded execution of ``ml`` with one output file; its RID."""
    workflow = ml.create_workflow(name=name, workflow_type="Training")
    with ml.create_execution(ExecutionConfiguration(workflow=workflow,
                                                    description=name)) as exe:
        exe.asset_file_path("Execution_Asset", f"{name}.txt").write_text(f"{name}\n")
    exe.upload_execution_outputs(progress=False)
    return exe.execution_rid


def test_a_non_owner_pushes_once_an_owner_has(credential, writable, tmp_path, monkeypatch):
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))
    mine = DerivaML("local", "mine")
    rid = offline_execution(mine, "pushed by a writer")
    there = connect_catalog(TEST_HOST, writable)

    def push() -> object:
        return push_executions(mine, TEST_HOST, writable, [rid], credential=credential,
                               progress=lambda *_: None)

    with pytest.raises(DerivaMLException, match=(
            rf"first push to {TEST_HOST}/{writable} makes the table deriva-ml.Pushed_Row "
            rf"there .* which {USER} could not: .*permission denied.* Nothing was pushed. An "
            "owner of the catalog")):
        push()
    assert there.count(ML_SCHEMA, "Execution") == 0

    owners = DerivaML("local", "owners")
    push_executions(owners, TEST_HOST, writable, [offline_execution(owners, "by the owner")],
                    progress=lambda *_: None)
    executions = there.count(ML_SCHEMA, "Execution")
    with pytest.raises(DerivaMLException, match=r"Cannot store .* permission denied"):
        push()  # the object store does not let the user create objects yet
    assert there.count(ML_SCHEMA, "Execution") == executions

    with may_store_objects():
        result = push()
        again = push()
        history = recorded_status_history(connect_catalog(TEST_HOST, writable, credential),
                                          result.executions[rid])  # the user's own file
    (row,) = there.select(ML_SCHEMA, "Execution", where={"RID": result.executions[rid]})
    assert (row["Description"], row["RCB"]) == ("pushed by a writer", USER)
    assert [h["status"] for h in history][-1] == "Uploaded"
    assert (again.rows_inserted, again.files_uploaded) == (0, 0)


def test_a_file_someone_else_stored_that_the_user_may_not_read_goes_under_the_next_name(
        credential, writable, tmp_path, monkeypatch):
    """The owner stored a file of the same name and content; the user may create objects
    but not read others' (HEAD answers 403), so the push stores the file under the next
    name of its content, ``<md5>.1.<name>``, which a push again finds."""
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))
    owners = DerivaML("local", "owners")
    push_executions(owners, TEST_HOST, writable, [offline_execution(owners, "shared")],
                    progress=lambda *_: None)
    mine = DerivaML("local", "mine")
    rid = offline_execution(mine, "shared")
    with may_store_objects(("subtree-create",)):
        result = push_executions(mine, TEST_HOST, writable, [rid], credential=credential,
                                 progress=lambda *_: None)
        again = push_executions(mine, TEST_HOST, writable, [rid], credential=credential,
                                progress=lambda *_: None)
    there = connect_catalog(TEST_HOST, writable)
    md5 = hashlib.md5(b"shared\n").hexdigest()
    urls = {r["RCB"] == USER: r["URL"] for r in there.select(
        ML_SCHEMA, "Execution_Asset", where={"Filename": "shared.txt"})}
    assert urls[False].endswith(f"/{md5}.shared.txt")
    assert urls[True].endswith(f"/{md5}.1.shared.txt")
    (link,) = there.select(ML_SCHEMA, "Execution_Asset_Execution",
                           where={"Execution": result.executions[rid]})
    assert there.select(ML_SCHEMA, "Execution_Asset", where={
        "RID": link["Execution_Asset"]})[0]["URL"] == urls[True]
    assert (again.rows_inserted, again.files_uploaded, again.rows_updated) == (0, 0, 0)
