"""The real SDK, bound to each hybrid profile, against the emulator: the fixtures work end to end."""

from __future__ import annotations

from typing import Any

import pytest
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.profiles import KnownProfiles

from pytest_azurestack.profiles import HYBRID_PROFILES

PROFILES = [getattr(KnownProfiles, p.sdk_name) for p in HYBRID_PROFILES]


@pytest.mark.parametrize("profile", PROFILES, ids=[p.name for p in HYBRID_PROFILES])
def test_resource_group_round_trip(sdk_client: Any, profile: Any) -> None:
    client = sdk_client(ResourceManagementClient, profile)
    name = f"sdk-{profile.name.split('_')[1]}-rg"
    created = client.resource_groups.create_or_update(name, {"location": "local", "tags": {"k": "v"}})
    assert created.name == name and created.tags == {"k": "v"}
    assert client.resource_groups.check_existence(name) is True
    client.resource_groups.begin_delete(name).result()
    assert client.resource_groups.check_existence(name) is False
