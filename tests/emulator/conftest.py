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

Every provider is served: one whose ``urls.py`` does not import fails the emulator's start, so
the session errors rather than silently testing less.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from helpers import ArmClient

from pytest_azurestack.emulator import EmulatorConfig, EmulatorInfo, EmulatorServer
from pytest_azurestack.emulator.arm.faults import Faults
from pytest_azurestack.emulator.arm.lro import LroManager
from pytest_azurestack.emulator.stamp import Emulator

RG_API = "2019-10-01"


@pytest.fixture(scope="session")
def emulator_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorServer]:
    config = EmulatorConfig(
        retry_after=0,
        lro_polls=1,
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
