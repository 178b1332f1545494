"""A DERIVA server whose TLS certificate does not verify: connecting fails at once with an
error saying so, after one try (urllib3 used to try 10 times, waiting minutes in all)."""

from __future__ import annotations

import http.server
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from derivaml_jupyter.catalog.deriva import DerivaCatalog
from derivaml_jupyter.core.errors import DerivaMLUnavailable


class _CountingServer(http.server.ThreadingHTTPServer):
    connections = 0

    def get_request(self):
        request = super().get_request()
        self.connections += 1
        return request


@pytest.fixture
def untrusted_server(tmp_path: Path) -> Iterator[_CountingServer]:
    """An HTTPS server on 127.0.0.1 with a self-signed certificate."""
    if not shutil.which("openssl"):
        pytest.skip("needs the openssl command to make a certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    server = _CountingServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True,
                                        do_handshake_on_connect=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_a_certificate_that_does_not_verify_fails_at_once(untrusted_server, monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    host = f"127.0.0.1:{untrusted_server.server_address[1]}"
    with pytest.raises(DerivaMLUnavailable, match="certificate .* did not verify") as error:
        DerivaCatalog(host, "1", credential={})
    assert "REQUESTS_CA_BUNDLE" in str(error.value)
    assert untrusted_server.connections == 1
