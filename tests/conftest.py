"""Shared fixtures of the plugin's own tests: a loopback HTTPS server with its own CA, a clean env."""

from __future__ import annotations

import json
import os
import shlex
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import trustme
from plugin_helpers import provider_document
from pytest_httpserver import HTTPServer
from werkzeug import Response

from pytest_azurestack.preflight.providers import NAMESPACES as PREFLIGHT_NAMESPACES

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


@dataclass(frozen=True)
class FakeStamp:
    """A loopback HTTPS server answering as a stamp's metadata and ADFS identity endpoints."""

    server: HTTPServer
    resource_groups: list[dict[str, object]] = field(default_factory=list)  # what a listing returns
    subscription_id: str = "11111111-2222-3333-4444-555555555555"
    client_id: str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    audience: str = "https://management.adfs.azurestack.local/6f3b6a0e-1d0e-4c2e-9d34-5e2b1f0c8a11"

    @property
    def arm_endpoint(self) -> str:
        return self.server.url_for("").rstrip("/")

    def arm_path(self, path: str) -> str:
        return f"/subscriptions/{self.subscription_id}{path}"


@pytest.fixture
def fake_stamp(
    https_server: HTTPServer, tls: Tls, clean_env: None, monkeypatch: pytest.MonkeyPatch
) -> FakeStamp:
    """The six variables point at ``https_server``, which serves discovery and tokens (ADFS)."""
    stamp = FakeStamp(https_server)
    base = stamp.arm_endpoint
    https_server.expect_request("/metadata/endpoints").respond_with_json(
        {"authentication": {"loginEndpoint": f"{base}/adfs/", "audiences": [stamp.audience]}}
    )
    https_server.expect_request("/adfs/.well-known/openid-configuration").respond_with_json(
        {
            "token_endpoint": f"{base}/adfs/oauth2/v2.0/token",
            "issuer": f"{base}/adfs",
            "authorization_endpoint": f"{base}/adfs/oauth2/v2.0/authorize",
        }
    )
    https_server.expect_request("/adfs/oauth2/v2.0/token", method="POST").respond_with_json(
        {"access_token": "tok", "expires_in": 3600, "token_type": "Bearer"}
    )
    # The start-of-run access check reads the subscription (tests override it with a oneshot answer).
    https_server.expect_request(stamp.arm_path(""), method="GET").respond_with_json(
        {"id": stamp.arm_path(""), "subscriptionId": stamp.subscription_id, "state": "Enabled"}
    )
    # The preflight reads the provider documents: registered, serving every hybrid profile (a 2102 stamp).
    for namespace in PREFLIGHT_NAMESPACES:
        https_server.expect_request(
            stamp.arm_path(f"/providers/{namespace}"), method="GET"
        ).respond_with_json(provider_document(stamp.subscription_id, namespace))
    # The end-of-run sweeper lists resource groups; by default this stamp has none.
    https_server.expect_request(stamp.arm_path("/resourcegroups"), method="GET").respond_with_handler(
        lambda request: Response(
            json.dumps({"value": stamp.resource_groups}), content_type="application/json"
        )
    )
    for name, value in {
        "AZURE_TENANT_ID": "adfs",
        "AZURE_CLIENT_ID": stamp.client_id,
        "AZURE_CLIENT_SECRET": "not-a-real-secret",
        "AZURE_SUBSCRIPTION_ID": stamp.subscription_id,
        "ARM_ENDPOINT": base,
        "AZURE_RESOURCE_LOCATION": "local",
        "AZURESTACK_CA_BUNDLE": str(tls.ca_pem),
        "AZURESTACK_TARGET": "live",
    }.items():
        monkeypatch.setenv(name, value)
    return stamp


# --- the standalone emulator, started as a user starts it ---------------------------------------

EMULATOR_SCRIPT = Path(sys.executable).with_name("azurestack-emulator")


@dataclass
class StandaloneEmulator:
    """A running ``azurestack-emulator`` process and the env file it wrote."""

    process: subprocess.Popen[str]
    env_file: Path
    log: Path  # stdout and stderr: a file, so a chatty server never blocks on a full pipe

    def exports(self) -> dict[str, str]:
        """The variables of its ``export NAME=value`` lines."""
        env = {}
        for line in self.env_file.read_text().splitlines():
            key, _, value = line.removeprefix("export ").partition("=")
            env[key] = shlex.split(value)[0] if value else ""
        return env

    def stop(self) -> int:
        """SIGTERM, as a user's Ctrl-C or a service manager would; the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=15)


@pytest.fixture(scope="session")
def launch_emulator() -> Iterator[Callable[..., StandaloneEmulator]]:
    """Start the console script with ``--port 0 --env-file PATH *args``; wait until it is ready."""
    launched: list[StandaloneEmulator] = []

    def launch(env_file: Path, *args: str) -> StandaloneEmulator:
        assert EMULATOR_SCRIPT.exists(), f"console script not installed at {EMULATOR_SCRIPT}"
        log = env_file.with_suffix(".log")
        with log.open("w") as out:
            process = subprocess.Popen(
                [str(EMULATOR_SCRIPT), "--port", "0", "--env-file", str(env_file), *args],
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
            )
        emulator = StandaloneEmulator(process, env_file, log)
        launched.append(emulator)
        deadline = time.monotonic() + 30
        while not (env_file.exists() and "ARM_ENDPOINT" in env_file.read_text()):
            assert process.poll() is None, f"the emulator exited early:\n{log.read_text()}"
            assert time.monotonic() < deadline, "the emulator did not write its env file within 30 s"
            time.sleep(0.05)
        return emulator

    yield launch
    for emulator in launched:
        if emulator.process.poll() is None:
            emulator.process.kill()
            emulator.process.wait(timeout=15)


# --- the project's own suite, run as a user runs it ----------------------------------------------

ROOT = Path(__file__).resolve().parents[1]


def _run_suite(*args: str, wrapper: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*wrapper, sys.executable, "-m", "pytest", "suites", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def run_suite() -> Callable[..., subprocess.CompletedProcess[str]]:
    """``run_suite(*pytest_args, wrapper=("unshare", "-n", "--"))``: `pytest suites` in the repo."""
    return _run_suite
