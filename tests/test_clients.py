"""Profile-bound clients: the multi-API generation gets ``profile=``, every client our transport."""

from __future__ import annotations

from typing import Any

import pytest
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.storage import StorageManagementClient
from azure.profiles import KnownProfiles

from pytest_azurestack.clients import ClientContext, is_multi_api, known_profile, make_client
from pytest_azurestack.cloud import PLAYBACK_CLOUD
from pytest_azurestack.credentials import PlaybackCredential
from pytest_azurestack.profiles import (
    ALL_PROFILES,
    COMPUTE,
    HYBRID_PROFILES,
    NETWORK,
    RESOURCES,
    STORAGE,
    V2017_03_09_PROFILE,
    Profile,
)
from pytest_azurestack.recording.replay import Replayer
from pytest_azurestack.transport import AzureStackTransport

# (client class, operation group, provider, resource type): what the sample uses.
GROUPS = [
    (ComputeManagementClient, "virtual_machines", COMPUTE, "virtualMachines"),
    (ComputeManagementClient, "disks", COMPUTE, "disks"),
    (NetworkManagementClient, "virtual_networks", NETWORK, "virtualNetworks"),
    (NetworkManagementClient, "subnets", NETWORK, "virtualNetworks/subnets"),
    (NetworkManagementClient, "network_interfaces", NETWORK, "networkInterfaces"),
    (StorageManagementClient, "storage_accounts", STORAGE, "storageAccounts"),
    (ResourceManagementClient, "resource_groups", RESOURCES, "resourceGroups"),
]


def _context(profile: Profile, **kwargs: Any) -> ClientContext:
    transport = AzureStackTransport(profile=profile, replay=Replayer(None))
    return ClientContext(PLAYBACK_CLOUD, PlaybackCredential(), "sub", profile, transport, **kwargs)  # type: ignore[arg-type]


def test_installed_generation_is_multi_api() -> None:
    for client_class in (
        ComputeManagementClient,
        NetworkManagementClient,
        ResourceManagementClient,
        StorageManagementClient,
    ):
        assert is_multi_api(client_class)


def test_known_profile_names() -> None:
    assert known_profile(ALL_PROFILES[-1]) is KnownProfiles.latest
    assert known_profile(V2017_03_09_PROFILE) is KnownProfiles.v2017_03_09_profile


@pytest.mark.parametrize("profile", HYBRID_PROFILES, ids=lambda p: p.name)
@pytest.mark.parametrize(
    ("client_class", "group", "provider", "resource_type"),
    GROUPS,
    ids=[f"{c.__name__}.{g}" for c, g, _, _ in GROUPS],
)
def test_clients_speak_the_profile(
    profile: Profile, client_class: type, group: str, provider: str, resource_type: str
) -> None:
    client = _context(profile).client(client_class)
    expected = profile.api_version(provider, resource_type)
    if expected is None:  # 2017-03-09-profile has no managed disks: the SDK has no such group either
        with pytest.raises(ValueError, match="does not have operation group"):
            getattr(client, group)
        return
    assert getattr(client, group)._config.api_version == expected


def test_client_options() -> None:
    context = _context(HYBRID_PROFILES[0], polling_interval=0.05)
    client = context.client(ComputeManagementClient)
    assert client._client._base_url == PLAYBACK_CLOUD.arm_endpoint
    assert client._config.credential_scopes == [PLAYBACK_CLOUD.scope]
    assert client._config.polling_interval == 0.05
    assert client._client._pipeline._transport is context.transport


class SingleApiClient:
    """Stands in for the single-API generation: no LATEST_PROFILE, no profile= argument."""

    def __init__(self, credential: Any, subscription_id: str, **kwargs: Any) -> None:
        self.kwargs = kwargs


def test_single_api_client_is_built_without_profile() -> None:
    assert not is_multi_api(SingleApiClient)
    client = make_client(SingleApiClient, _context(HYBRID_PROFILES[0]))
    assert "profile" not in client.kwargs
    assert client.kwargs["transport"] is not None


FIXTURE_TEST = """
from azure.mgmt.compute import ComputeManagementClient

def test_bound(azurestack_profile, compute_client, network_client, storage_client, resource_client,
               azurestack_cloud, azurestack_subscription_id, azurestack_location):
    assert isinstance(compute_client, ComputeManagementClient)
    assert compute_client.virtual_machines._config.api_version == azurestack_profile.api_version(
        "microsoft.compute", "virtualMachines")
    assert network_client.virtual_networks._config.api_version == azurestack_profile.api_version(
        "microsoft.network", "virtualNetworks")
    assert storage_client.storage_accounts._config.api_version == azurestack_profile.api_version(
        "microsoft.storage", "storageAccounts")
    assert resource_client.resource_groups._config.api_version == azurestack_profile.api_version(
        "microsoft.resources", "resourceGroups")
    assert compute_client._client._base_url == azurestack_cloud.arm_endpoint
    assert azurestack_cloud.is_adfs
    assert azurestack_subscription_id == "11111111-2222-3333-4444-555555555555"
    assert azurestack_location == "local"
"""


def test_client_fixtures_are_bound_to_the_test_profile(pytester: pytest.Pytester, fake_stamp: Any) -> None:
    pytester.makepyfile(FIXTURE_TEST)
    args = [
        a for p in ("2020-09-01-hybrid", "2019-03-01-hybrid", "latest") for a in ("--azurestack-profile", p)
    ]
    pytester.runpytest(*args).assert_outcomes(passed=3)
