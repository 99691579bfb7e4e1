"""The Network provider's state model, addressing and shapes, without HTTP."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from typing import Any

import pytest
from helpers import security_rule

from pytest_azurestack.emulator.arm.errors import ArmError
from pytest_azurestack.emulator.arm.store import Store
from pytest_azurestack.emulator.providers.network import addressing
from pytest_azurestack.emulator.providers.network.models import NetworkModel
from pytest_azurestack.emulator.providers.network.shapes import era, render

SUB = "00000000-0000-0000-0000-000000000001"
RG = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network"
VNET = f"{RG}/virtualNetworks/vnet"
SUBNET = f"{VNET}/subnets/default"


@pytest.fixture
def model() -> NetworkModel:
    m = NetworkModel(Store(), random.Random(7))
    m.put_virtual_network(
        VNET,
        {
            "location": "local",
            "properties": {
                "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                "subnets": [{"name": "default", "properties": {"addressPrefix": "10.0.0.0/29"}}],
            },
        },
    )
    return m


def _nic(model: NetworkModel, name: str, **config: Any) -> dict[str, Any]:
    body = {
        "location": "local",
        "properties": {
            "ipConfigurations": [{"name": "c", "properties": {"subnet": {"id": SUBNET}, **config}}]
        },
    }
    return model.put_network_interface(f"{RG}/networkInterfaces/{name}", body).resource


def _address(nic: dict[str, Any]) -> str:
    return str(nic["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"])


def test_parse_prefix() -> None:
    assert str(addressing.parse_prefix("10.0.0.0/16")) == "10.0.0.0/16"
    for bad in ("10.0.0.0", "10.0.0/16", "10.0.0.0/33", "x/8", "::/0"):
        with pytest.raises(addressing.PrefixFormatError):
            addressing.parse_prefix(bad)
    with pytest.raises(addressing.PrefixHostBitsError) as info:
        addressing.parse_prefix("10.0.0.7/24")
    assert info.value.expected == "10.0.0.0/24"


def test_a_slash_29_holds_three_nics_then_is_full(model: NetworkModel) -> None:
    # .0-.3 and the broadcast .7 are Azure's: .4, .5, .6 remain.
    assert [_address(_nic(model, f"n{i}")) for i in range(3)] == ["10.0.0.4", "10.0.0.5", "10.0.0.6"]
    with pytest.raises(ArmError) as info:
        _nic(model, "n3")
    assert info.value.code == "SubnetIsFull"
    assert model.store.get(f"{RG}/networkInterfaces/n3") is None  # a refused PUT leaves no trace


def test_freed_address_is_reused_and_update_keeps_address(model: NetworkModel) -> None:
    first, second = _nic(model, "a"), _nic(model, "b")
    assert _address(_nic(model, "b")) == _address(second)  # PUT again: same address
    change = model.delete_network_interface(first["id"])
    assert change is not None and change.complete is not None
    change.complete()
    assert _address(_nic(model, "c")) == "10.0.0.4"


def test_mac_addresses_are_unique(model: NetworkModel) -> None:
    macs = {_nic(model, f"n{i}")["properties"]["macAddress"] for i in range(3)}
    assert len(macs) == 3
    assert addressing.new_mac_address(set(), random.Random(1)).startswith("00-0D-3A-")


def test_finish_moves_children_to_succeeded(model: NetworkModel) -> None:
    vnet = model.store.get(VNET)
    assert vnet is not None
    assert vnet["properties"]["provisioningState"] == "Updating"
    assert vnet["properties"]["subnets"][0]["properties"]["provisioningState"] == "Updating"
    model.finish_put(VNET)
    assert vnet["properties"]["provisioningState"] == "Succeeded"
    assert vnet["properties"]["subnets"][0]["properties"]["provisioningState"] == "Succeeded"


def test_ids_compare_case_insensitively(model: NetworkModel) -> None:
    nic = _nic(model, "n")
    nic_upper = {
        "location": "local",
        "properties": {
            "ipConfigurations": [
                {
                    "name": "c",
                    "properties": {
                        "subnet": {"id": SUBNET.upper().replace("SUBSCRIPTIONS", "subscriptions")}
                    },
                }
            ]
        },
    }
    model.put_network_interface(f"{RG}/networkInterfaces/m", nic_upper)
    assert len(model.users_of_subnet(SUBNET.lower())) == 2
    assert model.store.get(nic["id"].upper()) is nic


def test_dynamic_public_ip_lifecycle(model: NetworkModel) -> None:
    pip = model.put_public_ip(f"{RG}/publicIPAddresses/p", {"location": "local"}).resource
    assert "ipAddress" not in pip["properties"]
    nic = _nic(model, "n", publicIPAddress={"id": pip["id"]})
    assert pip["properties"]["ipAddress"] in {str(h) for h in addressing.PUBLIC_POOLS[0].hosts()}
    expanded = model.expand(pip)
    assert expanded["properties"]["ipConfiguration"]["id"] == nic["properties"]["ipConfigurations"][0]["id"]
    assert "ipConfiguration" not in pip["properties"]  # derived, never stored
    with pytest.raises(ArmError) as info:
        _nic(model, "other", publicIPAddress={"id": pip["id"]})
    assert info.value.code == "PublicIPAddressInUse"
    _nic(model, "n")  # PUT without the public IP releases it
    assert "ipAddress" not in pip["properties"]


def test_render_shapes_by_version(model: NetworkModel) -> None:
    assert era("2015-06-15") == "2015-06-15" and era("2016-09-01") == "2015-06-15"
    assert era("2019-02-01") == "2018-11-01"
    vnet = model.expand(model.store.get(VNET) or {})
    new, old = render(vnet, "2018-11-01"), render(vnet, "2015-06-15")
    assert "virtualNetworkPeerings" in new["properties"] and "virtualNetworkPeerings" not in old["properties"]
    # Real recordings carry a child's type from 2018-11-01, though the SDK's model has it only from
    # 2020-07-01 (tests/cassette_models.py lists that difference).
    assert new["properties"]["subnets"][0]["type"] == "Microsoft.Network/virtualNetworks/subnets"
    assert "type" not in old["properties"]["subnets"][0]
    assert "delegations" not in old["properties"]["subnets"][0]["properties"]


_VALID_BODIES = {
    "vnet": {
        "location": "local",
        "tags": {"a": "b"},
        "properties": {
            "addressSpace": {"addressPrefixes": ["10.1.0.0/16"]},
            "dhcpOptions": {"dnsServers": ["10.1.0.10"]},
            "subnets": [{"name": "s", "properties": {"addressPrefix": "10.1.0.0/24"}}],
        },
    },
    "nic": {
        "location": "local",
        "properties": {
            "enableIPForwarding": True,
            "dnsSettings": {"dnsServers": ["10.0.0.10"]},
            "ipConfigurations": [
                {
                    "name": "c",
                    "properties": {"subnet": {"id": SUBNET}, "privateIPAllocationMethod": "Dynamic"},
                }
            ],
        },
    },
    "pip": {
        "location": "local",
        "sku": {"name": "Basic"},
        "properties": {
            "publicIPAllocationMethod": "Static",
            "idleTimeoutInMinutes": 5,
            "dnsSettings": {"domainNameLabel": "abc"},
        },
    },
    "nsg": {
        "location": "local",
        "properties": {
            "securityRules": [security_rule(destinationPortRange=None, destinationPortRanges=["22", "80-90"])]
        },
    },
}


def _mutations(body: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every (path, wrong value) pair: each node replaced by values of other JSON types."""
    for wrong in (None, 7, True, "x", [], {}, [None], {"id": 3}):
        if path and type(wrong) is not type(body):
            yield path, wrong
    if isinstance(body, dict):
        for key, value in body.items():
            yield from _mutations(value, (*path, key))
    elif isinstance(body, list):
        for index, value in enumerate(body):
            yield from _mutations(value, (*path, index))


def _at(body: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        body = body[part]
    return body


@pytest.mark.parametrize("kind", list(_VALID_BODIES))
def test_wrong_types_anywhere_are_4xx_never_a_crash(model: NetworkModel, kind: str) -> None:
    valid = _VALID_BODIES[kind]
    put = {
        "vnet": (model.put_virtual_network, f"{RG}/virtualNetworks/v2"),
        "nic": (model.put_network_interface, f"{RG}/networkInterfaces/n"),
        "pip": (model.put_public_ip, f"{RG}/publicIPAddresses/p"),
        "nsg": (model.put_network_security_group, f"{RG}/networkSecurityGroups/g"),
    }[kind]
    put[0](put[1], copy.deepcopy(valid))  # the valid body itself is accepted
    model.store.delete(put[1])
    tried = refused = 0
    for path, wrong in _mutations(valid):
        body = copy.deepcopy(valid)
        _at(body, path[:-1])[path[-1]] = wrong
        try:
            put[0](put[1], body)
        except ArmError as exc:
            assert 400 <= exc.status < 500, (path, wrong, exc)
            refused += 1
        else:
            model.store.delete(put[1])
        tried += 1
    assert tried > 20 and refused > tried // 2
