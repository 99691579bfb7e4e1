"""Shared fixtures for the emulator's tests (independent of the pytest-azurestack plugin).

Session scope (one emulator for the whole run, LRO default 1 poll, Retry-After 0):
  ``emulator_server``  the running ``EmulatorServer``
  ``emulator``         its live ``Emulator`` (``.store``, ``.lro``, ``.faults``, ``.identity``, ``.config``)
  ``emulator_info``    ``EmulatorInfo`` (arm_endpoint, client_id, client_secret, subscription_id, ca_bundle)
  ``arm_token``        a valid bearer token for the ARM audience
  ``credential``       a real azure-identity ``ClientSecretCredential`` bound to the emulator's ADFS
  ``sdk_client``       factory: ``sdk_client(ResourceManagementClient, KnownProfiles.v2020_09_01_hybrid)``
                       -> a profile-bound management client (polling_interval 0, CA trusted)
Function scope:
  ``arm``              ``ArmClient``: raw ``requests`` against the emulator with the token;
                       ``arm.get(path, api_version=..., **requests_kwargs)``, ``put``/``post``/``patch``/
                       ``delete``/``head``; paths may start with ``{sub}`` for ``/subscriptions/<id>``
  ``resource_group``   name of a fresh resource group (created via REST at 2019-10-01)
  ``faults``           the emulator's ``Faults``, cleared after the test
  ``lro``              the emulator's ``LroManager``; transitions restored after the test
  ``fresh_emulator``   factory: ``fresh_emulator(**EmulatorConfig fields)`` -> started server, stopped after
  ``arm_client``       factory: ``arm_client(server_or_info, token=<valid>)`` -> ``ArmClient`` for any server

Providers whose ``urls.py`` does not import are left out of the session emulator with a warning
(other engineers' providers may be mid-edit); set AZURESTACK_EMULATOR_STRICT=1 to fail instead.
"""

from __future__ import annotations

import importlib
import inspect
import os
import uuid
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from pytest_azurestack.emulator import EmulatorConfig, EmulatorInfo, EmulatorServer
from pytest_azurestack.emulator.arm.faults import Faults
from pytest_azurestack.emulator.arm.lro import LroManager
from pytest_azurestack.emulator.config import ALL_PROVIDERS
from pytest_azurestack.emulator.stamp import Emulator

RG_API = "2019-10-01"


def importable_providers() -> tuple[str, ...]:
    found = []
    for name in ALL_PROVIDERS:
        try:
            importlib.import_module(f"pytest_azurestack.emulator.providers.{name}.urls")
        except Exception as exc:
            if os.environ.get("AZURESTACK_EMULATOR_STRICT"):
                raise
            warnings.warn(f"emulator provider {name} left out: {exc}", stacklevel=1)
            continue
        found.append(name)
    return tuple(found)


class ArmClient:
    """Raw HTTP against the emulator: no SDK between the test and the wire."""

    def __init__(self, info: EmulatorInfo, token: str | None) -> None:
        self.info = info
        self.session = requests.Session()
        self.session.trust_env = False  # the machine's REQUESTS_CA_BUNDLE must not replace ours
        self.session.verify = str(info.ca_bundle)
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        self.sub = f"/subscriptions/{info.subscription_id}"

    def url(self, path: str) -> str:
        if path.startswith("https://"):
            return path
        return self.info.arm_endpoint + path.replace("{sub}", self.sub)

    def request(
        self, method: str, path: str, api_version: str | None = None, **kwargs: Any
    ) -> requests.Response:
        params = dict(kwargs.pop("params", None) or {})
        if api_version is not None:
            params["api-version"] = api_version
        kwargs.setdefault("timeout", 10)
        return self.session.request(method, self.url(path), params=params, **kwargs)

    def get(self, path: str, api_version: str | None = None, **kw: Any) -> requests.Response:
        return self.request("GET", path, api_version, **kw)

    def put(self, path: str, api_version: str | None = None, **kw: Any) -> requests.Response:
        return self.request("PUT", path, api_version, **kw)

    def post(self, path: str, api_version: str | None = None, **kw: Any) -> requests.Response:
        return self.request("POST", path, api_version, **kw)

    def patch(self, path: str, api_version: str | None = None, **kw: Any) -> requests.Response:
        return self.request("PATCH", path, api_version, **kw)

    def delete(self, path: str, api_version: str | None = None, **kw: Any) -> requests.Response:
        return self.request("DELETE", path, api_version, **kw)

    def head(self, path: str, api_version: str | None = None, **kw: Any) -> requests.Response:
        return self.request("HEAD", path, api_version, **kw)

    def wait(self, response: requests.Response, limit: int = 20) -> requests.Response:
        """Poll an LRO's Azure-AsyncOperation (else Location) until terminal; the last response."""
        url = response.headers.get("Azure-AsyncOperation") or response.headers["Location"]
        for _ in range(limit):
            polled = self.get(url)
            if "Azure-AsyncOperation" in response.headers:
                if polled.json()["status"] not in ("InProgress", "Running"):
                    return polled
            elif polled.status_code != 202:
                return polled
        raise AssertionError(f"operation {url} did not finish in {limit} polls")


@pytest.fixture(scope="session")
def emulator_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorServer]:
    config = EmulatorConfig(
        retry_after=0,
        lro_polls=1,
        providers=importable_providers(),
        work_dir=tmp_path_factory.mktemp("emulator"),
    )
    server = EmulatorServer(config)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def emulator(emulator_server: EmulatorServer) -> Emulator:
    return emulator_server.emulator


@pytest.fixture(scope="session")
def emulator_info(emulator_server: EmulatorServer) -> EmulatorInfo:
    assert emulator_server.info is not None
    return emulator_server.info


@pytest.fixture(scope="session")
def arm_token(emulator: Emulator) -> str:
    return emulator.identity.issue()


@pytest.fixture
def arm(emulator_info: EmulatorInfo, arm_token: str) -> Iterator[ArmClient]:
    client = ArmClient(emulator_info, arm_token)
    yield client
    client.session.close()


@pytest.fixture(scope="session")
def credential(emulator_info: EmulatorInfo) -> Any:
    from azure.identity import ClientSecretCredential

    return ClientSecretCredential(
        tenant_id=emulator_info.tenant_id,
        client_id=emulator_info.client_id,
        client_secret=emulator_info.client_secret,
        authority=emulator_info.login_endpoint,
        disable_instance_discovery=True,
        connection_verify=str(emulator_info.ca_bundle),
    )


@pytest.fixture(scope="session")
def sdk_client(emulator_info: EmulatorInfo, credential: Any) -> Callable[..., Any]:
    def make(client_class: type, profile: Any, **kwargs: Any) -> Any:
        # SubscriptionClient takes no subscription id.
        if "subscription_id" in inspect.signature(client_class).parameters:
            kwargs["subscription_id"] = emulator_info.subscription_id
        return client_class(
            credential,
            base_url=emulator_info.arm_endpoint,
            profile=profile,
            credential_scopes=[emulator_info.audience + "/.default"],
            connection_verify=str(emulator_info.ca_bundle),
            polling_interval=0,
            **kwargs,
        )

    return make


@pytest.fixture
def resource_group(arm: ArmClient) -> str:
    name = f"rg-{uuid.uuid4().hex[:8]}"
    response = arm.put(f"{{sub}}/resourcegroups/{name}", RG_API, json={"location": arm.info.location})
    assert response.status_code == 201, response.text
    return name


@pytest.fixture
def faults(emulator: Emulator) -> Iterator[Faults]:
    emulator.faults.clear()
    yield emulator.faults
    emulator.faults.clear()


@pytest.fixture
def lro(emulator: Emulator) -> Iterator[LroManager]:
    saved_default, saved = emulator.lro.default, dict(emulator.lro.transitions)
    yield emulator.lro
    emulator.lro.finish_all()
    emulator.lro.default, emulator.lro.transitions = saved_default, saved


@pytest.fixture
def fresh_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., EmulatorServer]]:
    started: list[EmulatorServer] = []

    def start(**fields: Any) -> EmulatorServer:
        fields.setdefault("retry_after", 0)
        fields.setdefault("providers", importable_providers())
        fields.setdefault("work_dir", tmp_path_factory.mktemp("emulator"))
        server = EmulatorServer(EmulatorConfig(**fields))
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def arm_client() -> Iterator[Callable[..., ArmClient]]:
    made: list[ArmClient] = []

    def make(server: EmulatorServer | EmulatorInfo, token: str | None = "") -> ArmClient:
        if isinstance(server, EmulatorServer):
            assert server.info is not None
            info, token = server.info, server.emulator.identity.issue() if token == "" else token
        else:
            info = server
        client = ArmClient(info, token or None)
        made.append(client)
        return client

    yield make
    for client in made:
        client.session.close()
