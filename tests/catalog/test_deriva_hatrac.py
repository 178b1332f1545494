"""Hatrac object storage of the DERIVA backend: namespaces, unusable names, resumable chunked
uploads and retries.

The first tests run against ``FakeHatrac`` (answers as the lab's Hatrac gave them); the last
ones against the real server named by ``DERIVAML_TEST_HOST`` (skipped without it).
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from contextlib import suppress
from pathlib import Path

import pytest

from derivaml_jupyter.catalog import connect_catalog
from derivaml_jupyter.catalog.deriva import objects as deriva_objects
from derivaml_jupyter.catalog.deriva import retry
from derivaml_jupyter.core.errors import (
    DerivaMLConflict,
    DerivaMLUnavailable,
    DerivaMLValidationError,
)

from .conftest import TEST_HOST
from .fake_deriva import (
    APACHE_408,
    APACHE_503,
    FakeHatrac,
    dropped_connection,
    fake_catalog,
    hatrac_duplicate_key,
    hatrac_file_exists,
    hatrac_name_in_use,
    install,
    request_path,
)

NS = "deriva-ml/Execution_Asset"
NS_PATH = "/hatrac/deriva-ml/Execution_Asset"


class Interrupted(Exception):
    """Stands for a process stopped in the middle of an upload."""


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch) -> Path:
    """``DERIVAML_HOME``, where upload jobs in progress are recorded."""
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def server(monkeypatch):
    return install(monkeypatch)


@pytest.fixture
def hatrac(server) -> FakeHatrac:
    return FakeHatrac(server)


@pytest.fixture
def catalog(server, hatrac):
    return fake_catalog(server)


@pytest.fixture
def small_chunks(monkeypatch) -> int:
    """Files above 2000 bytes go up in chunks of 1000 bytes."""
    monkeypatch.setattr(deriva_objects, "CHUNKED_ABOVE", 2000)
    monkeypatch.setattr(deriva_objects, "UPLOAD_CHUNK", 1000)
    monkeypatch.setattr(deriva_objects, "MAX_CHUNKS", 100)
    return 1000


def write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def url_of(content: bytes, filename: str, alternative: int = 0) -> str:
    return deriva_objects.object_url(NS, hashlib.md5(content).hexdigest(), filename, alternative)


def object_puts(server, url: str) -> list:
    return [r for r in server.sent if r.method == "PUT" and request_path(r) == url]


# -- namespaces -------------------------------------------------------------------------------

def test_namespaces_are_made_once_top_down_and_objects_go_in_without_parents(
        catalog, server, hatrac, tmp_path):
    for i in range(3):
        content = f"output {i}".encode()
        info = catalog.put_object(NS, f"out{i}.txt", write(tmp_path / f"out{i}.txt", content))
        assert hatrac.stored(info.url) == content
    made = [request_path(r) for r in server.sent if r.method == "PUT"
            and r.headers["Content-Type"] == "application/x-hatrac-namespace"]
    # Made when the first object's PUT answers 404; the namespace first, then (404 again) its
    # parent; never looked at with HEAD, which makes Hatrac list a namespace's children.
    assert made == [NS_PATH, "/hatrac/deriva-ml", NS_PATH]
    assert not [r for r in server.sent if r.method == "HEAD"
                and request_path(r) in (NS_PATH, "/hatrac/deriva-ml")]
    assert not [r for r in server.sent if "parents" in request_path(r)]


def test_a_namespace_made_meanwhile_by_another_client_is_used(catalog, hatrac, tmp_path, slept):
    hatrac.interfere("PUT", "/hatrac/deriva-ml", hatrac_duplicate_key("/hatrac/deriva-ml"),
                     effect="done")
    info = catalog.put_object(NS, "a.txt", write(tmp_path / "a.txt", b"a"))
    assert hatrac.stored(info.url) == b"a" and {"/hatrac/deriva-ml", NS_PATH} <= hatrac.namespaces
    other = "/hatrac/deriva-ml/Other"
    hatrac.interfere("PUT", other, hatrac_name_in_use(other), effect="done")
    info = catalog.put_object("deriva-ml/Other", "b.txt", write(tmp_path / "b.txt", b"b"))
    assert hatrac.stored(info.url) == b"b" and other in hatrac.namespaces


def test_threads_putting_at_once_make_each_namespace_once_and_each_object_once(
        catalog, server, hatrac, tmp_path):
    same = write(tmp_path / "environment.json", b'{"python": "3.11"}')
    sources = [write(tmp_path / f"d{i}.bin", bytes([i]) * 1000) for i in range(8)] + [same] * 8
    barrier = threading.Barrier(len(sources))
    results: list = [None] * len(sources)

    def put(i: int) -> None:
        barrier.wait()
        results[i] = catalog.put_object(NS, sources[i].name, sources[i])

    threads = [threading.Thread(target=put, args=(i,)) for i in range(len(sources))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for source, info in zip(sources, results):
        assert hatrac.stored(info.url) == source.read_bytes()
    assert len({info.url for info in results[8:]}) == 1
    assert len(hatrac.objects[results[8].url]) == 1  # one version: stored once
    # One PUT of the namespace answered 404 (its parent was missing), one made it.
    assert len(object_puts(server, NS_PATH)) == 2


def test_a_namespace_that_is_an_object_is_refused(catalog, hatrac, tmp_path):
    hatrac.namespaces.add("/hatrac/deriva-ml")
    hatrac.objects[NS_PATH] = [b"x"]
    with pytest.raises(DerivaMLConflict, match="is an object, not a namespace"):
        catalog.put_object(NS, "a.txt", write(tmp_path / "a.txt", b"a"))


# -- names without content, deleted names -----------------------------------------------------

def test_object_info_of_a_name_without_content_is_none(catalog, hatrac):
    hatrac.objects["/hatrac/ns/empty.bin"] = []
    hatrac.objects["/hatrac/ns/full.bin"] = [b"full"]
    assert catalog.object_info("/hatrac/ns/empty.bin") is None
    assert catalog.object_info("/hatrac/ns/full.bin").md5 == hashlib.md5(b"full").hexdigest()


def test_a_name_left_without_content_is_filled_through_an_upload_job(
        catalog, server, hatrac, tmp_path):
    content = b"environment"
    url = url_of(content, "environment.json")
    hatrac.objects[url] = []  # a failed upload's leftover
    info = catalog.put_object(NS, "environment.json", write(tmp_path / "e.json", content))
    assert info.url == url and hatrac.stored(url) == content
    assert [r.method for r in server.sent if request_path(r).startswith(f"{url};upload")] == [
        "POST", "PUT", "POST"]


def test_a_deleted_name_moves_the_put_to_the_next_name_which_later_puts_find(
        server, hatrac, tmp_path):
    content = b"environment"
    source = write(tmp_path / "environment.json", content)
    base, first = url_of(content, "environment.json"), url_of(content, "environment.json", 1)
    hatrac.deleted.add(base)
    info = fake_catalog(server).put_object(NS, "environment.json", source)
    assert info.url == first and info.md5 == hashlib.md5(content).hexdigest()
    assert hatrac.stored(first) == content
    server.sent.clear()
    again = fake_catalog(server).put_object(NS, "environment.json", source)  # a new connection
    assert again == info and len(hatrac.objects[first]) == 1
    assert not [r for r in server.sent if r.method in ("PUT", "POST")
                and request_path(r).startswith(first)]


def test_a_name_without_content_of_another_user_costs_no_upload(catalog, server, hatrac,
                                                                tmp_path):
    content = b"x" * 5000
    base = url_of(content, "big.bin")
    hatrac.objects[base] = []
    hatrac.foreign.add(base)
    info = catalog.put_object(NS, "big.bin", write(tmp_path / "big.bin", content))
    assert info.url == url_of(content, "big.bin", 1) and hatrac.stored(info.url) == content
    assert not [r for r in server.sent if r.body and request_path(r).startswith(base)
                and r.method == "PUT"]


def test_when_no_name_can_take_the_file_the_error_says_so(catalog, hatrac, tmp_path):
    content = b"content"
    for n in range(deriva_objects.ALTERNATIVE_NAMES + 1):
        hatrac.deleted.add(url_of(content, "a.txt", n))
    with pytest.raises(DerivaMLConflict, match="none of the names .* can take it"):
        catalog.put_object(NS, "a.txt", write(tmp_path / "a.txt", content))


# -- transient failures -----------------------------------------------------------------------

def test_the_observed_failure_500_then_408_leaving_a_name_without_content_is_survived(
        catalog, server, hatrac, tmp_path, slept):
    content = bytes(range(256)) * 400
    url = url_of(content, "weights.bin")
    server.fail_first("PUT", url, APACHE_408)
    hatrac.interfere("PUT", url, hatrac_file_exists(NS_PATH), effect="empty")
    seen: list[int] = []
    info = catalog.put_object(NS, "weights.bin", write(tmp_path / "w.bin", content),
                              progress=seen.append)
    assert info.url == url and hatrac.stored(url) == content
    puts = object_puts(server, url)
    assert len(puts) == 3 and all(r.body == content for r in puts)  # each try sends it all
    assert sum(seen) == len(content) and len(slept) == 2


def test_a_put_the_http_layer_sends_again_carries_its_whole_body_again(tmp_path):
    """deriva-py's sessions send a PUT answered 5xx again by themselves (urllib3): unless the
    file is rewound, the second request has no body and Apache answers 408 after waiting for
    it (the observed failure)."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from deriva.core import HatracStore

    bodies: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_HEAD(self):
            namespace = self.path == "/hatrac/ns"
            self.send_response(200 if namespace else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_PUT(self):
            self.connection.settimeout(5)
            try:
                bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
            except TimeoutError:
                bodies.append(b"")
            self.send_response(503 if len(bodies) == 1 else 201)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        store = HatracStore("http", f"127.0.0.1:{httpd.server_port}")
        content = bytes(range(256)) * 400
        seen: list[int] = []
        info = deriva_objects.HatracObjects(store).put(
            "ns", "a.bin", write(tmp_path / "a.bin", content), None, seen.append)
    finally:
        httpd.shutdown()
    assert bodies == [content, content] and info.length == len(content)
    assert sum(seen) == len(content)


def test_steps_are_retried_after_503_and_dropped_connections(catalog, server, hatrac,
                                                             tmp_path, slept, small_chunks):
    content = bytes(range(250)) * 20  # 5000 bytes: 5 chunks
    url = url_of(content, "big.bin")
    server.fail_first("HEAD", url, APACHE_503)
    server.fail_first("PUT", "/hatrac/deriva-ml", dropped_connection())
    server.fail_first("POST", f"{url};upload", APACHE_503)
    server.fail_first("PUT", f"{url};upload/.*/2", dropped_connection(), APACHE_408)
    hatrac.interfere("POST", f"{url};upload/.*", dropped_connection(), effect="done")
    info = catalog.put_object(NS, "big.bin", write(tmp_path / "big.bin", content))
    assert info.url == url and hatrac.stored(url) == content and not hatrac.jobs
    assert len(slept) == 6


def test_a_server_that_keeps_failing_gives_a_clear_error_in_bounded_time(
        catalog, server, hatrac, tmp_path, slept):
    server.fail_first("HEAD", "/hatrac/.*", *[APACHE_503] * 100)
    with pytest.raises(DerivaMLUnavailable, match="still failing after .* tries .*503"):
        catalog.put_object(NS, "a.txt", write(tmp_path / "a.txt", b"a"))
    assert sum(slept) <= retry.RETRY_SECONDS and len(slept) < 100


def test_downloads_are_retried(catalog, server, hatrac, tmp_path, slept):
    hatrac.objects["/hatrac/ns/x.bin"] = [b"payload"]
    server.fail_first("GET", "/hatrac/ns/x.bin", APACHE_503, dropped_connection())
    info = catalog.get_object("/hatrac/ns/x.bin", tmp_path / "x.bin")
    assert (tmp_path / "x.bin").read_bytes() == b"payload" and info.length == 7


# -- chunked uploads --------------------------------------------------------------------------

def interrupt_after(nbytes: int):
    """A progress callback stopping the upload once ``nbytes`` are acknowledged."""
    done = [0]

    def progress(n: int) -> None:
        done[0] += n
        if done[0] >= nbytes:
            raise Interrupted

    return progress


def chunks_sent(server, url: str) -> list[tuple[str, int]]:
    """(job, chunk number) of each chunk PUT to ``url``."""
    paths = [request_path(r).removeprefix(f"{url};upload/") for r in server.sent
             if r.method == "PUT" and request_path(r).startswith(f"{url};upload/")]
    return [(p.split("/")[0], int(p.split("/")[1])) for p in paths]


def test_an_interrupted_chunked_upload_continues_its_job(server, hatrac, tmp_path, home,
                                                         small_chunks):
    content = bytes(range(250)) * 18  # 4500 bytes: 5 chunks
    source = write(tmp_path / "model.pt", content)
    url = url_of(content, "model.pt")
    with pytest.raises(Interrupted):
        fake_catalog(server).put_object(NS, "model.pt", source, progress=interrupt_after(2000))
    assert hatrac.stored(url) is None and list((home / "hatrac-uploads").iterdir())
    [(job, _), _] = chunks_sent(server, url)
    server.sent.clear()
    seen: list[int] = []
    info = fake_catalog(server).put_object(NS, "model.pt", source, progress=seen.append)
    assert info.url == url and hatrac.stored(url) == content
    assert chunks_sent(server, url) == [(job, 2), (job, 3), (job, 4)]
    assert sum(seen) == len(content) and not list((home / "hatrac-uploads").iterdir())


def test_a_job_the_server_no_longer_has_is_started_again(server, hatrac, tmp_path,
                                                         small_chunks):
    content = bytes(range(250)) * 18
    source = write(tmp_path / "model.pt", content)
    url = url_of(content, "model.pt")
    with pytest.raises(Interrupted):
        fake_catalog(server).put_object(NS, "model.pt", source, progress=interrupt_after(2000))
    hatrac.jobs.clear()  # cancelled meanwhile
    server.sent.clear()
    info = fake_catalog(server).put_object(NS, "model.pt", source)
    assert hatrac.stored(info.url) == content and info.url == url
    assert [n for _, n in chunks_sent(server, url)] == [0, 1, 2, 3, 4]


def test_chunks_the_server_lost_are_sent_again(server, hatrac, tmp_path, small_chunks):
    content = bytes(range(250)) * 18
    source = write(tmp_path / "model.pt", content)
    with pytest.raises(Interrupted):
        fake_catalog(server).put_object(NS, "model.pt", source, progress=interrupt_after(2000))
    [job] = hatrac.jobs.values()
    del job["chunks"][1]
    info = fake_catalog(server).put_object(NS, "model.pt", source)
    assert hatrac.stored(info.url) == content


def test_a_chunked_upload_with_a_wrong_md5_is_refused_and_its_job_cancelled(
        catalog, hatrac, tmp_path, home, small_chunks):
    source = write(tmp_path / "model.pt", b"m" * 4500)
    with pytest.raises(DerivaMLValidationError, match="do not have the MD5"):
        catalog.put_object(NS, "model.pt", source, md5="0" * 32)
    assert not hatrac.jobs and not list((home / "hatrac-uploads").iterdir())


# -- against a real server --------------------------------------------------------------------

real = pytest.mark.skipif(not TEST_HOST, reason="set DERIVAML_TEST_HOST to a DERIVA server to "
                          "run the Hatrac tests against its Hatrac")


@pytest.fixture
def real_catalog(request):
    """A new connection to the test catalog on ``DERIVAML_TEST_HOST`` (a function, so tests can
    open several, as several processes would)."""
    catalog_id = request.getfixturevalue("deriva_catalog_id")
    return lambda: connect_catalog(TEST_HOST, catalog_id)


@pytest.fixture
def fresh_namespace(real_catalog):
    """A namespace not yet made, under ``/hatrac/derivaml-test/``; its objects are deleted
    after the test."""
    namespace = f"derivaml-test/{uuid.uuid4().hex[:12]}/Asset"
    yield namespace
    store = real_catalog().objects.store
    with suppress(Exception):  # best effort: the test has passed or failed already
        for name in store.retrieve_namespace(f"/hatrac/{namespace}"):
            store.del_obj(name)
        store.delete_namespace(f"/hatrac/{namespace}")
        store.delete_namespace(f"/hatrac/{namespace.rsplit('/', 1)[0]}")


def downloaded_md5(catalog, url: str, tmp_path: Path) -> str:
    dest = tmp_path / f"check-{uuid.uuid4().hex}"
    catalog.get_object(url, dest)
    return hashlib.md5(dest.read_bytes()).hexdigest()


@real
def test_real_parallel_puts_into_a_fresh_namespace(real_catalog, fresh_namespace, tmp_path):
    same = write(tmp_path / "environment.json", b'{"python": "3.11"}')
    sources = [write(tmp_path / f"d{i}.bin", bytes([i]) * 100_000) for i in range(8)] + [same] * 8
    connections = [real_catalog(), real_catalog()]  # as two processes would
    barrier = threading.Barrier(len(sources))
    results: list = [None] * len(sources)

    def put(i: int) -> None:
        barrier.wait()
        results[i] = connections[i % 2].put_object(fresh_namespace, sources[i].name, sources[i])

    threads = [threading.Thread(target=put, args=(i,)) for i in range(len(sources))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results), "a put failed: see the exception printed above"
    names = set(connections[0].objects.store.retrieve_namespace(f"/hatrac/{fresh_namespace}"))
    assert names == {info.url for info in results}  # one name per content
    assert len(names) == 9
    for source, info in zip(sources, results):
        md5 = hashlib.md5(source.read_bytes()).hexdigest()
        assert info.md5 == md5 and downloaded_md5(connections[0], info.url, tmp_path) == md5


@real
def test_real_deleted_and_abandoned_names_do_not_block_a_put(real_catalog, fresh_namespace,
                                                            tmp_path):
    catalog = real_catalog()
    store = catalog.objects.store
    deleted = write(tmp_path / "deleted.txt", b"stored, then deleted")
    first = catalog.put_object(fresh_namespace, "deleted.txt", deleted)
    store.del_obj(first.url)
    again = catalog.put_object(fresh_namespace, "deleted.txt", deleted)
    assert again.url == first.url.replace(f"{first.md5}.", f"{first.md5}.1.")
    assert real_catalog().put_object(fresh_namespace, "deleted.txt", deleted) == again
    assert downloaded_md5(catalog, again.url, tmp_path) == first.md5

    abandoned = write(tmp_path / "abandoned.txt", b"upload started, then cancelled")
    md5 = hashlib.md5(abandoned.read_bytes()).hexdigest()
    url = deriva_objects.object_url(fresh_namespace, md5, "abandoned.txt")
    job = store.create_upload_job(url, str(abandoned), deriva_objects.hex_to_b64(md5), None,
                                  create_parents=False)
    store.cancel_upload_job(url, job)
    assert catalog.object_info(url) is None  # a name without content
    info = real_catalog().put_object(fresh_namespace, "abandoned.txt", abandoned)
    assert info.url == url and downloaded_md5(catalog, url, tmp_path) == md5


@real
def test_real_interrupted_chunked_upload_resumes(real_catalog, fresh_namespace, tmp_path,
                                                 monkeypatch):
    monkeypatch.setattr(deriva_objects, "CHUNKED_ABOVE", 100 * 1024)
    monkeypatch.setattr(deriva_objects, "UPLOAD_CHUNK", 64 * 1024)
    content = bytes(range(256)) * 1300  # 332800 bytes: 6 chunks of 64 KiB
    source = write(tmp_path / "model.pt", content)
    with pytest.raises(Interrupted):
        real_catalog().put_object(fresh_namespace, "model.pt", source,
                                  progress=interrupt_after(128 * 1024))
    catalog = real_catalog()
    sent: list[str] = []
    put = catalog.objects.store.put
    monkeypatch.setattr(catalog.objects.store, "put",
                        lambda path, *a, **kw: sent.append(path) or put(path, *a, **kw))
    info = catalog.put_object(fresh_namespace, "model.pt", source)
    assert [p.rsplit("/", 1)[1] for p in sent] == ["2", "3", "4", "5"]  # chunks 0, 1 were sent
    assert downloaded_md5(catalog, info.url, tmp_path) == hashlib.md5(content).hexdigest()
