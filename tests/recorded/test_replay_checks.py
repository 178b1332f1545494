"""The recorded HTTP layer itself: a replay fails clearly when the code sends a request the
cassette does not hold; what differs run to run is matched; a recording keeps no login and
names no real host."""

from __future__ import annotations

import base64
import io
import json

import pytest
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from . import cassette
from .test_pull_recorded import source  # noqa: F401  (the fixture)
from .transport import Journal, Settings, UnrecordedRequest, install

PULL = "test_pull_copies_a_dataset_version_with_its_files"


@pytest.mark.cassette(PULL)
def test_a_changed_request_fails_naming_it_and_how_to_rerecord(recorded, source):  # noqa: F811
    from derivaml_jupyter.cli.main import main

    catalog_id = source[0]
    with pytest.raises(UnrecordedRequest) as failure:  # a dataset the recording never read
        main(["pull", f"{recorded.host}/{catalog_id}", "3ZZ@1.0.0"])
    (miss,) = recorded.take_misses()
    assert str(failure.value) == miss
    assert miss.startswith(f"No recorded answer (left) for GET /ermrest/catalog/{catalog_id}")
    assert "3ZZ" in miss.split(";")[0]
    assert "re-record with DERIVAML_RECORD=1 DERIVAML_TEST_HOST=<server>" in miss


@pytest.mark.parametrize("url, key", [
    ("https://h/ermrest/catalog/7/entity/s:T/(RID=3B;RID=2A)@sort(RID)",
     "/ermrest/catalog/7/entity/s:T/(RID=2A;RID=3B)@sort(RID)"),
    ("https://h/hatrac/s/T/0123456789abcdef0123456789abcdef.hydra-2026-11-28_16-04-42-794660_24331"
     "-config.yaml", "/hatrac/s/T/<md5>.hydra-<time>-config.yaml"),
    ("https://h/ermrest/catalog/7/entity/s:T/RCT::geq::2026-11-28T16%3A05%3A26.708901%2B00%3A00",
     "/ermrest/catalog/7/entity/s:T/RCT::geq::<time>"),
    ("https://h/ermrest/catalog/7/entity/s:T/URL=%2Ftmp%2Fpytest-3%2Ft0%2Fproject",
     "/ermrest/catalog/7/entity/s:T/URL=<tmp>/project"),
])
def test_values_that_differ_run_to_run_are_matched_as_placeholders(url, key):
    assert cassette.key_of(cassette.canonical(url, "/tmp/pytest-3/t0")) == key


class Upstream(BaseAdapter):
    """A server answering every request with ``answer`` (status, body, headers)."""

    def __init__(self, answer):
        super().__init__()
        self.answer, self.sent = answer, []

    def send(self, request, **kwargs):
        self.sent.append(request)
        status, body, headers = self.answer
        response = requests.Response()
        response.status_code, response.url, response.request = status, request.url, request
        response.headers = CaseInsensitiveDict(headers)
        response._content, response.raw = body, io.BytesIO(body)
        return response

    def close(self):
        pass


def session_through(settings: Settings, upstream: Upstream, monkeypatch) -> requests.Session:
    """A deriva-py session whose requests reach ``upstream`` through the layer."""
    import deriva.core

    monkeypatch.setattr(deriva.core, "get_credential", lambda host: (
        {"cookie": "webauthn=secret"} if host == "lab.example" else None))
    install(settings, monkeypatch.setattr)
    session = deriva.core.get_new_requests_session("https://deriva.recorded.test/")
    session.get_adapter("https://").upstream_adapter = upstream
    return session


def test_a_recording_keeps_no_login_and_names_no_real_host(tmp_path, monkeypatch):
    settings = Settings("record", tmp_path / "journal.sqlite", "lab.example", str(tmp_path))
    body = json.dumps({"url": "https://lab.example/ermrest/catalog/9",
                       "dir": f"{tmp_path}/x"}).encode()
    upstream = Upstream((201, body, {"Content-Type": "application/json",
                                     "Set-Cookie": "webauthn=secret2",
                                     "Location": "https://lab.example/ermrest/catalog/9"}))
    session = session_through(settings, upstream, monkeypatch)

    answer = session.post(f"https://{cassette.NEUTRAL_HOST}/ermrest/catalog", json={"a": 1})
    assert answer.json()["url"] == f"https://{cassette.NEUTRAL_HOST}/ermrest/catalog/9"
    assert answer.json()["dir"] == f"{tmp_path}/x"
    (sent,) = upstream.sent
    assert sent.url == "https://lab.example/ermrest/catalog"
    assert sent.headers["Cookie"] == "webauthn=secret"

    (stored,) = Journal(settings.journal).exchanges()
    text = json.dumps(stored)
    assert "secret" not in text and "lab.example" not in text and str(tmp_path) not in text
    assert stored["headers"]["location"] == f"https://{cassette.NEUTRAL_HOST}/ermrest/catalog/9"
    assert stored["request"] == {"shape": {"a": "int"}, "size": 8}


def test_a_replay_answers_with_the_values_this_run_sent(tmp_path, monkeypatch):
    def b64(md5: str) -> str:
        return base64.b64encode(bytes.fromhex(md5)).decode()

    recorded = "/hatrac/s/T/" + "a" * 32 + ".environment.json"
    answer = {"key": cassette.key_of(recorded), "raw": recorded, "reason": "",
              "request": {"shape": None, "size": 3}}
    journal = Journal(tmp_path / "journal.sqlite")
    journal.load([
        {**answer, "method": "HEAD", "status": 200, "body": {"base64": ""},
         "headers": {"content-md5": b64("a" * 32), "content-length": "3"}},
        {**answer, "method": "PUT", "status": 201, "body": f"{recorded}:V1\n",
         "headers": {"content-type": "text/plain", "location": f"{recorded}:V1"}},
    ])
    settings = Settings("replay", journal.path, None, str(tmp_path))
    session = session_through(settings, Upstream((500, b"", {})), monkeypatch)

    sent = "/hatrac/s/T/" + "b" * 32 + ".environment.json"
    head = session.head(f"https://{cassette.NEUTRAL_HOST}{sent}")
    assert head.headers["Content-MD5"] == b64("b" * 32)  # the object this run names
    assert head.headers["Content-Length"] == "3"
    put = session.put(f"https://{cassette.NEUTRAL_HOST}{sent}", data=b"new")
    assert (put.status_code, put.text) == (201, f"{sent}:V1\n")
    assert put.headers["Location"] == f"{sent}:V1"
    with pytest.raises(UnrecordedRequest, match=r"No recorded answer \(left\) for PUT"):
        session.put(f"https://{cassette.NEUTRAL_HOST}{sent}", data=b"new")


def test_a_body_of_another_shape_fails(tmp_path, monkeypatch):
    path = "/ermrest/catalog/7/entity/s:T"
    journal = Journal(tmp_path / "journal.sqlite")
    journal.load([{"method": "POST", "key": path, "raw": path, "status": 200,
                   "request": {"shape": cassette.body_shape(b'[{"Name": "x"}]'), "size": 15},
                   "headers": {"content-type": "application/json"}, "body": "[]"}])
    settings = Settings("replay", journal.path, None, str(tmp_path))
    session = session_through(settings, Upstream((500, b"", {})), monkeypatch)

    with pytest.raises(UnrecordedRequest, match="sends a body of another shape") as failure:
        session.post(f"https://{cassette.NEUTRAL_HOST}{path}", json=[{"Name": "x", "Extra": 1}])
    assert '"Extra": "int"' in str(failure.value)
    assert journal.take_misses() == [str(failure.value)]
