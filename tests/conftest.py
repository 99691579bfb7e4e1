"""Shared fixtures of the plugin's own tests: a loopback HTTPS server with its own CA, a clean env."""

from __future__ import annotations

import os
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme
from pytest_httpserver import HTTPServer

# Variables the plugin reads: tests start from none of them, whatever the developer's shell has.
PLUGIN_ENV_PREFIXES = ("AZURESTACK_", "AZURE_")
PLUGIN_ENV_NAMES = ("ARM_ENDPOINT", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(PLUGIN_ENV_PREFIXES) or name in PLUGIN_ENV_NAMES:
            monkeypatch.delenv(name)


@dataclass(frozen=True)
class Tls:
    ca: trustme.CA
    ca_pem: Path  # the bundle a client must be given to trust the server


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    ca = trustme.CA()
    path = tmp_path_factory.mktemp("tls") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return Tls(ca, path)


@pytest.fixture(scope="session")
def _https_server(tls: Tls) -> Iterator[HTTPServer]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def https_server(_https_server: HTTPServer) -> Iterator[HTTPServer]:
    """A loopback HTTPS server whose certificate only ``tls.ca_pem`` trusts; cleared per test."""
    _https_server.clear()
    yield _https_server
    _https_server.clear()
