"""The Network provider driven through the real multi-API SDK, under every hybrid profile."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.network import NetworkManagementClient
from azure.profiles import KnownProfiles

PROFILES = {
    "2020-09-01-hybrid": (KnownProfiles.v2020_09_01_hybrid, "2018-11-01"),
    "2019-03-01-hybrid": (KnownProfiles.v2019_03_01_hybrid, "2017-10-01"),
    "2018-03-01-hybrid": (KnownProfiles.v2018_03_01_hybrid, "2017-10-01"),
    "2017-03-09-profile": (KnownProfiles.v2017_03_09_profile, "2015-06-15"),
}


@pytest.fixture(params=list(PROFILES), ids=list(PROFILES))
def network(request: pytest.FixtureRequest, sdk_client: Callable[..., Any]) -> Any:
    profile, version = PROFILES[request.param]
    client = sdk_client(NetworkManagementClient, profile)
    client.expected_version = version
    return client


def test_sample_network_chain(network: Any, resource_group: str, emulator_info: Any) -> None:
    """vnet -> subnet -> public IP -> NSG -> NIC, as the VM sample builds them, then GETs and deletes."""
    rg, loc = resource_group, emulator_info.location
    vnet = network.virtual_networks.begin_create_or_update(
        rg, "vnet", {"location": loc, "address_space": {"address_prefixes": ["10.0.0.0/16"]}}
    ).result()
    assert vnet.provisioning_state == "Succeeded"
    assert vnet.address_space.address_prefixes == ["10.0.0.0/16"]
    subnet = network.subnets.begin_create_or_update(
        rg, "vnet", "default", {"address_prefix": "10.0.0.0/24"}
    ).result()
    assert subnet.provisioning_state == "Succeeded"
    assert subnet.id.endswith("/virtualNetworks/vnet/subnets/default")

    pip = network.public_ip_addresses.begin_create_or_update(
        rg, "pip", {"location": loc, "public_ip_allocation_method": "Dynamic"}
    ).result()
    assert pip.ip_address is None  # Dynamic: no address until something uses it
    nsg = network.network_security_groups.begin_create_or_update(
        rg,
        "nsg",
        {
            "location": loc,
            "security_rules": [
                {
                    "name": "ssh",
                    "protocol": "Tcp",
                    "source_port_range": "*",
                    "destination_port_range": "22",
                    "source_address_prefix": "*",
                    "destination_address_prefix": "*",
                    "access": "Allow",
                    "priority": 1000,
                    "direction": "Inbound",
                }
            ],
        },
    ).result()
    assert [r.name for r in nsg.security_rules] == ["ssh"]
    assert len(nsg.default_security_rules) == 6

    nic = network.network_interfaces.begin_create_or_update(
        rg,
        "nic",
        {
            "location": loc,
            "network_security_group": {"id": nsg.id},
            "ip_configurations": [
                {"name": "ipconfig1", "subnet": {"id": subnet.id}, "public_ip_address": {"id": pip.id}}
            ],
        },
    ).result()
    config = nic.ip_configurations[0]
    assert config.private_ip_address == "10.0.0.4"
    assert config.private_ip_allocation_method == "Dynamic"
    assert config.primary is True
    assert config.subnet.id.lower() == subnet.id.lower()
    assert nic.mac_address and nic.mac_address.startswith("00-0D-3A-")
    assert nic.network_security_group.id.lower() == nsg.id.lower()

    second = network.network_interfaces.begin_create_or_update(
        rg, "nic2", {"location": loc, "ip_configurations": [{"name": "c", "subnet": {"id": subnet.id}}]}
    ).result()
    assert second.ip_configurations[0].private_ip_address == "10.0.0.5"

    pip = network.public_ip_addresses.get(rg, "pip")
    assert pip.ip_address  # allocated now that the NIC uses it
    assert pip.ip_configuration.id.lower() == config.id.lower()
    subnet = network.subnets.get(rg, "vnet", "default")
    assert {c.id.lower() for c in subnet.ip_configurations} == {
        config.id.lower(),
        second.ip_configurations[0].id.lower(),
    }

    assert [v.name for v in network.virtual_networks.list(rg)] == ["vnet"]
    assert "vnet" in [v.name for v in network.virtual_networks.list_all()]
    assert sorted(n.name for n in network.network_interfaces.list(rg)) == ["nic", "nic2"]
    assert [s.name for s in network.subnets.list(rg, "vnet")] == ["default"]

    with pytest.raises(HttpResponseError) as info:
        network.subnets.begin_delete(rg, "vnet", "default").result()
    assert info.value.error.code == "InUseSubnetCannotBeDeleted"

    network.network_interfaces.begin_delete(rg, "nic").result()
    network.network_interfaces.begin_delete(rg, "nic2").result()
    with pytest.raises(ResourceNotFoundError):
        network.network_interfaces.get(rg, "nic")
    assert network.public_ip_addresses.get(rg, "pip").ip_address is None  # Dynamic: released
    network.subnets.begin_delete(rg, "vnet", "default").result()
    assert list(network.subnets.list(rg, "vnet")) == []
    network.virtual_networks.begin_delete(rg, "vnet").result()
    network.public_ip_addresses.begin_delete(rg, "pip").result()
    network.network_security_groups.begin_delete(rg, "nsg").result()
    assert list(network.virtual_networks.list(rg)) == []


def test_security_rule_crud(network: Any, resource_group: str, emulator_info: Any) -> None:
    rg = resource_group
    network.network_security_groups.begin_create_or_update(
        rg, "nsg", {"location": emulator_info.location}
    ).result()
    rule = {
        "protocol": "Tcp",
        "source_port_range": "*",
        "destination_port_range": "443",
        "source_address_prefix": "*",
        "destination_address_prefix": "*",
        "access": "Allow",
        "priority": 200,
        "direction": "Inbound",
    }
    created = network.security_rules.begin_create_or_update(rg, "nsg", "https", rule).result()
    assert created.provisioning_state == "Succeeded"
    assert created.destination_port_range == "443"
    rule["destination_port_range"] = "8443"
    network.security_rules.begin_create_or_update(rg, "nsg", "https", rule).result()
    assert network.security_rules.get(rg, "nsg", "https").destination_port_range == "8443"
    assert [r.name for r in network.security_rules.list(rg, "nsg")] == ["https"]
    # 2015-06-15 has no defaultSecurityRules operations: the NSG body carries them at every version.
    defaults = network.network_security_groups.get(rg, "nsg").default_security_rules
    assert {d.name for d in defaults} >= {"AllowVnetInBound", "DenyAllInBound", "AllowInternetOutBound"}
    with pytest.raises(HttpResponseError) as info:
        network.security_rules.begin_create_or_update(rg, "nsg", "clash", {**rule, "name": "clash"}).result()
    assert info.value.error.code == "SecurityRuleConflict"
    network.security_rules.begin_delete(rg, "nsg", "https").result()
    assert list(network.security_rules.list(rg, "nsg")) == []


def test_missing_subnet_reference_is_refused(network: Any, resource_group: str, emulator_info: Any) -> None:
    rg, loc = resource_group, emulator_info.location
    network.virtual_networks.begin_create_or_update(
        rg, "vnet", {"location": loc, "address_space": {"address_prefixes": ["10.1.0.0/16"]}}
    ).result()
    missing = f"{network.virtual_networks.get(rg, 'vnet').id}/subnets/nope"
    with pytest.raises(HttpResponseError) as info:
        network.network_interfaces.begin_create_or_update(
            rg, "nic", {"location": loc, "ip_configurations": [{"name": "c", "subnet": {"id": missing}}]}
        )
    assert info.value.status_code == 400
    assert info.value.error.code == "InvalidResourceReference"
    assert missing in info.value.error.message


def test_static_public_ip_and_sku(network: Any, resource_group: str, emulator_info: Any) -> None:
    pip = network.public_ip_addresses.begin_create_or_update(
        resource_group, "pip", {"location": emulator_info.location, "public_ip_allocation_method": "Static"}
    ).result()
    assert pip.ip_address
    assert pip.public_ip_allocation_method == "Static"
    if network.expected_version == "2015-06-15":
        assert not hasattr(pip, "sku")
    else:
        assert pip.sku.name == "Basic"
        assert pip.public_ip_address_version == "IPv4"


def test_client_sends_profile_version(network: Any, resource_group: str) -> None:
    # The client built for the profile really speaks its version: the emulator would refuse others.
    assert list(network.virtual_networks.list(resource_group)) == []
    assert network.virtual_networks._config.api_version == network.expected_version
