"""The Network provider on the wire: shapes per api-version, headers, LRO answers and errors."""

from __future__ import annotations

import re
from typing import Any

import pytest
from helpers import security_rule

NEW, MID, OLD = "2018-11-01", "2017-10-01", "2015-06-15"
ETAG = re.compile(r'^W/"[0-9a-f-]{36}"$')


def _net(rg: str, path: str) -> str:
    return f"{{sub}}/resourceGroups/{rg}/providers/Microsoft.Network/{path}"


def _done(arm: Any, response: Any) -> Any:
    assert response.status_code in (200, 201, 202), response.text
    assert arm.wait(response).json()["status"] == "Succeeded"
    return response


@pytest.fixture
def loc(emulator_info: Any) -> str:
    return str(emulator_info.location)


@pytest.fixture
def subnet_id(arm: Any, resource_group: str, loc: str) -> str:
    body = {
        "location": loc,
        "properties": {
            "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
            "subnets": [{"name": "default", "properties": {"addressPrefix": "10.0.0.0/24"}}],
        },
    }
    created = _done(arm, arm.put(_net(resource_group, "virtualNetworks/vnet"), NEW, json=body))
    return str(created.json()["properties"]["subnets"][0]["id"])


def _nic_body(loc: str, subnet_id: str, **config: Any) -> dict[str, Any]:
    return {
        "location": loc,
        "properties": {
            "ipConfigurations": [{"name": "ipconfig1", "properties": {"subnet": {"id": subnet_id}, **config}}]
        },
    }


def test_put_is_a_long_running_operation(arm: Any, resource_group: str, loc: str) -> None:
    path = _net(resource_group, "virtualNetworks/v1")
    body = {"location": loc, "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}
    created = arm.put(path, NEW, json=body)
    assert created.status_code == 201, created.text
    assert created.json()["properties"]["provisioningState"] == "Updating"
    assert "/providers/Microsoft.Network/locations/" in created.headers["Azure-AsyncOperation"]
    assert ETAG.match(created.headers["ETag"]) and created.headers["ETag"] == created.json()["etag"]
    assert created.headers["x-ms-arm-service-request-id"]
    # Each GET counts as a poll: the non-terminal state is visible before the operation ends.
    assert arm.get(path, NEW).json()["properties"]["provisioningState"] == "Updating"
    assert arm.wait(created).json()["status"] == "Succeeded"
    got = arm.get(path, NEW)
    assert got.json()["properties"]["provisioningState"] == "Succeeded"
    assert got.json()["type"] == "Microsoft.Network/virtualNetworks"
    assert got.json()["properties"]["resourceGuid"]
    updated = arm.put(path, NEW, json={**body, "tags": {"a": "b"}})
    assert updated.status_code == 200
    assert updated.json()["etag"] != created.json()["etag"]
    _done(arm, updated)


def test_delete_is_202_with_location_then_404(arm: Any, resource_group: str, loc: str) -> None:
    path = _net(resource_group, "publicIPAddresses/p")
    _done(arm, arm.put(path, NEW, json={"location": loc}))
    deleted = arm.delete(path, NEW)
    assert deleted.status_code == 202
    assert "monitor=true" in deleted.headers["Location"]
    assert arm.wait(deleted).json()["status"] == "Succeeded"
    gone = arm.get(path, NEW)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "ResourceNotFound"
    assert arm.delete(path, NEW).status_code == 204


def test_nic_shape_per_version(arm: Any, resource_group: str, loc: str, subnet_id: str) -> None:
    path = _net(resource_group, "networkInterfaces/nic")
    _done(arm, arm.put(path, NEW, json=_nic_body(loc, subnet_id)))
    new = arm.get(path, NEW).json()
    props = new["properties"]
    config = props["ipConfigurations"][0]
    assert config["type"] == "Microsoft.Network/networkInterfaces/ipConfigurations"  # as real recordings show
    assert ETAG.match(config["etag"])
    assert config["properties"]["privateIPAddress"] == "10.0.0.4"
    assert config["properties"]["privateIPAddressVersion"] == "IPv4"
    assert config["properties"]["primary"] is True
    assert props["hostedWorkloads"] == [] and props["tapConfigurations"] == []
    assert props["enableAcceleratedNetworking"] is False and props["enableIPForwarding"] is False
    assert props["dnsSettings"]["internalDomainNameSuffix"]
    assert re.fullmatch(r"00-0D-3A(-[0-9A-F]{2}){3}", props["macAddress"])

    mid = arm.get(path, MID).json()["properties"]
    # As real 2017-10-01 recordings show: no enableAcceleratedNetworking, ipConfigurations typed.
    assert "hostedWorkloads" not in mid and "enableAcceleratedNetworking" not in mid
    assert mid["ipConfigurations"][0]["type"] == "Microsoft.Network/networkInterfaces/ipConfigurations"

    old = arm.get(path, OLD).json()["properties"]
    for absent in ("hostedWorkloads", "tapConfigurations", "enableAcceleratedNetworking"):
        assert absent not in old
    assert "privateIPAddressVersion" not in old["ipConfigurations"][0]["properties"]
    assert "internalDomainNameSuffix" not in old["dnsSettings"]
    assert old["ipConfigurations"][0]["properties"]["privateIPAddress"] == "10.0.0.4"


def test_public_ip_shape_per_version(arm: Any, resource_group: str, loc: str) -> None:
    path = _net(resource_group, "publicIPAddresses/pip")
    _done(
        arm, arm.put(path, NEW, json={"location": loc, "properties": {"publicIPAllocationMethod": "Static"}})
    )
    new = arm.get(path, NEW).json()
    assert new["sku"] == {"name": "Basic"}
    assert new["properties"]["ipTags"] == [] and new["properties"]["idleTimeoutInMinutes"] == 4
    assert new["properties"]["ipAddress"]
    old = arm.get(path, OLD).json()
    assert "sku" not in old
    assert "publicIPAddressVersion" not in old["properties"] and "ipTags" not in old["properties"]
    assert old["properties"]["ipAddress"] == new["properties"]["ipAddress"]


def test_subnet_back_reference_and_public_ip_association(
    arm: Any, resource_group: str, loc: str, subnet_id: str
) -> None:
    pip = _done(
        arm, arm.put(_net(resource_group, "publicIPAddresses/pip"), NEW, json={"location": loc})
    ).json()
    assert "ipAddress" not in pip["properties"]
    nic = _done(
        arm,
        arm.put(
            _net(resource_group, "networkInterfaces/nic"),
            NEW,
            json=_nic_body(loc, subnet_id, publicIPAddress={"id": pip["id"]}),
        ),
    ).json()
    config_id = nic["properties"]["ipConfigurations"][0]["id"]
    subnet = arm.get(subnet_id, NEW).json()
    assert subnet["properties"]["ipConfigurations"] == [{"id": config_id}]
    pip = arm.get(pip["id"], NEW).json()
    assert pip["properties"]["ipConfiguration"] == {"id": config_id}
    assert pip["properties"]["ipAddress"]
    refused = arm.delete(pip["id"], NEW)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "PublicIPAddressCannotBeDeleted"


def test_nic_used_by_a_vm_cannot_be_deleted(
    arm: Any, emulator: Any, resource_group: str, loc: str, subnet_id: str
) -> None:
    path = _net(resource_group, "networkInterfaces/nic")
    nic = _done(arm, arm.put(path, NEW, json=_nic_body(loc, subnet_id))).json()
    vm_id = f"{nic['id'].split('/providers/')[0]}/providers/Microsoft.Compute/virtualMachines/vm"
    # What the compute provider does when a VM takes the NIC.
    emulator.store.get(nic["id"])["properties"]["virtualMachine"] = {"id": vm_id}
    refused = arm.delete(path, NEW)
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "NicInUse"
    assert nic["id"] in error["message"] and vm_id in error["message"]
    # A PUT of the NIC keeps the attachment; only compute clears it.
    _done(arm, arm.put(path, NEW, json=_nic_body(loc, subnet_id)))
    assert arm.get(path, NEW).json()["properties"]["virtualMachine"] == {"id": vm_id}
    emulator.store.get(nic["id"])["properties"].pop("virtualMachine")
    assert arm.delete(path, NEW).status_code == 202


def test_subnet_in_use_survives_vnet_put_without_it(
    arm: Any, resource_group: str, loc: str, subnet_id: str
) -> None:
    _done(arm, arm.put(_net(resource_group, "networkInterfaces/nic"), NEW, json=_nic_body(loc, subnet_id)))
    body = {"location": loc, "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}
    refused = arm.put(_net(resource_group, "virtualNetworks/vnet"), NEW, json=body)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "InUseSubnetCannotBeDeleted"
    refused = arm.delete(_net(resource_group, "virtualNetworks/vnet"), NEW)
    assert refused.json()["error"]["code"] == "InUseSubnetCannotBeDeleted"
    assert refused.headers["x-ms-arm-service-request-id"]


def test_static_private_addresses(arm: Any, resource_group: str, loc: str, subnet_id: str) -> None:
    static = {"privateIPAllocationMethod": "Static", "privateIPAddress": "10.0.0.10"}
    nic = _done(
        arm,
        arm.put(_net(resource_group, "networkInterfaces/a"), NEW, json=_nic_body(loc, subnet_id, **static)),
    )
    assert nic.json()["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"] == "10.0.0.10"
    taken = arm.put(
        _net(resource_group, "networkInterfaces/b"), NEW, json=_nic_body(loc, subnet_id, **static)
    )
    assert taken.json()["error"]["code"] == "PrivateIPAddressInUse"
    outside = {**static, "privateIPAddress": "10.9.0.10"}
    refused = arm.put(
        _net(resource_group, "networkInterfaces/b"), NEW, json=_nic_body(loc, subnet_id, **outside)
    )
    assert refused.json()["error"]["code"] == "PrivateIPAddressNotInSubnet"
    reserved = {**static, "privateIPAddress": "10.0.0.1"}
    refused = arm.put(
        _net(resource_group, "networkInterfaces/b"), NEW, json=_nic_body(loc, subnet_id, **reserved)
    )
    assert refused.json()["error"]["code"] == "PrivateIPAddressIsReserved"
    # Dynamic allocation skips the static address.
    dynamic = _done(
        arm, arm.put(_net(resource_group, "networkInterfaces/c"), NEW, json=_nic_body(loc, subnet_id))
    )
    assert dynamic.json()["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"] == "10.0.0.4"


@pytest.mark.parametrize(
    ("prefixes", "code"),
    [
        (["10.0.0/16"], "InvalidAddressPrefixFormat"),
        (["10.0.0.0/33"], "InvalidAddressPrefixFormat"),
        (["banana"], "InvalidAddressPrefixFormat"),
        (["10.0.0.1/16"], "InvalidCIDRNotation"),
        ("10.0.0.0/16", "InvalidRequestFormat"),
        ([16], "InvalidRequestFormat"),
        ([], "InvalidRequestFormat"),
    ],
)
def test_vnet_address_space_validation(
    arm: Any, resource_group: str, loc: str, prefixes: Any, code: str
) -> None:
    body = {"location": loc, "properties": {"addressSpace": {"addressPrefixes": prefixes}}}
    response = arm.put(_net(resource_group, "virtualNetworks/bad"), NEW, json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == code
    assert arm.get(_net(resource_group, "virtualNetworks/bad"), NEW).status_code == 404


@pytest.mark.parametrize(
    ("prefix", "code"),
    [
        ("10.1.0.0/24", "NetcfgSubnetRangeOutsideVnet"),
        ("10.0.0.0/25", "NetcfgSubnetRangesOverlap"),
        ("10.0.0/24", "InvalidAddressPrefixFormat"),
    ],
)
def test_subnet_range_validation(
    arm: Any, resource_group: str, subnet_id: str, prefix: str, code: str
) -> None:
    response = arm.put(
        subnet_id.rsplit("/", 1)[0] + "/second", NEW, json={"properties": {"addressPrefix": prefix}}
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == code


@pytest.mark.parametrize(
    ("path", "body", "code", "names"),
    [
        (
            "virtualNetworks/v",
            {"properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}},
            "LocationRequired",
            "location",
        ),
        (
            "virtualNetworks/v",
            {"location": "L", "properties": {}},
            "InvalidRequestFormat",
            "properties.addressSpace",
        ),
        ("virtualNetworks/v", {"location": "L", "properties": []}, "InvalidRequestFormat", "'properties'"),
        (
            "virtualNetworks/v",
            {"location": "L", "tags": {"a": 1}, "properties": {}},
            "InvalidRequestContent",  # ARM's shared tags check answers before the provider
            "tags.a",
        ),
        (
            "networkInterfaces/n",
            {"location": "L", "properties": {}},
            "InvalidRequestFormat",
            "ipConfigurations",
        ),
        (
            "networkInterfaces/n",
            {"location": "L", "properties": {"ipConfigurations": [{"name": "c"}]}},
            "InvalidRequestFormat",
            "ipConfigurations[0].properties",
        ),
        (
            "networkInterfaces/n",
            {"location": "L", "properties": {"ipConfigurations": [{"name": "c", "properties": {}}]}},
            "InvalidRequestFormat",
            "subnet",
        ),
        (
            "networkInterfaces/n",
            {
                "location": "L",
                "properties": {"ipConfigurations": [{"name": "c", "properties": {"subnet": "x"}}]},
            },
            "InvalidRequestFormat",
            "subnet",
        ),
        (
            "publicIPAddresses/p",
            {"location": "L", "properties": {"publicIPAllocationMethod": "Sometimes"}},
            "InvalidRequestFormat",
            "Sometimes",
        ),
        (
            "publicIPAddresses/p",
            {"location": "L", "properties": {"idleTimeoutInMinutes": "4"}},
            "InvalidRequestFormat",
            "idleTimeoutInMinutes",
        ),
        (
            "publicIPAddresses/p",
            {"location": "L", "properties": {"idleTimeoutInMinutes": 99}},
            "PublicIPIdleTimeoutIsOutOfRange",
            "99",
        ),
        (
            "networkSecurityGroups/g",
            {
                "location": "L",
                "properties": {"securityRules": [security_rule(priority=10)]},
            },
            "SecurityRuleInvalidPriority",
            "10",
        ),
        (
            "networkSecurityGroups/g",
            {
                "location": "L",
                "properties": {"securityRules": [security_rule(destinationPortRange="70000")]},
            },
            "SecurityRuleInvalidPortRange",
            "70000",
        ),
        (
            "networkSecurityGroups/g",
            {
                "location": "L",
                "properties": {
                    "securityRules": [
                        {"name": "r", "properties": {"protocol": "Tcp", "access": "Allow", "priority": 100}}
                    ]
                },
            },
            "InvalidRequestFormat",
            "direction",
        ),
    ],
)
def test_bad_bodies_are_4xx_naming_the_problem(
    arm: Any, resource_group: str, loc: str, path: str, body: dict[str, Any], code: str, names: str
) -> None:
    if body.get("location") == "L":
        body = {**body, "location": loc}
    response = arm.put(_net(resource_group, path), NEW, json=body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert names in error["message"]


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"", b'"text"'])
def test_unparseable_body(arm: Any, resource_group: str, raw: bytes) -> None:
    response = arm.put(
        _net(resource_group, "virtualNetworks/v"), NEW, data=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "InvalidRequestContent"


def test_missing_references_are_invalid_resource_reference(
    arm: Any, resource_group: str, loc: str, subnet_id: str
) -> None:
    group = subnet_id.split("/providers/")[0]
    for extra in (
        {"publicIPAddress": {"id": f"{group}/providers/Microsoft.Network/publicIPAddresses/nope"}},
        {"subnet": {"id": subnet_id + "x"}},
    ):
        response = arm.put(
            _net(resource_group, "networkInterfaces/n"), NEW, json=_nic_body(loc, subnet_id, **extra)
        )
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "InvalidResourceReference"
    nsg = {"id": f"{group}/providers/Microsoft.Network/networkSecurityGroups/nope"}
    body = _nic_body(loc, subnet_id)
    body["properties"]["networkSecurityGroup"] = nsg
    response = arm.put(_net(resource_group, "networkInterfaces/n"), NEW, json=body)
    assert response.json()["error"]["code"] == "InvalidResourceReference"


def test_nsg_in_use_cannot_be_deleted(arm: Any, resource_group: str, loc: str, subnet_id: str) -> None:
    nsg = _done(
        arm, arm.put(_net(resource_group, "networkSecurityGroups/g"), NEW, json={"location": loc})
    ).json()
    body = _nic_body(loc, subnet_id)
    body["properties"]["networkSecurityGroup"] = {"id": nsg["id"]}
    nic = _done(arm, arm.put(_net(resource_group, "networkInterfaces/n"), NEW, json=body)).json()
    shown = arm.get(nsg["id"], NEW).json()
    assert shown["properties"]["networkInterfaces"] == [{"id": nic["id"]}]
    assert len(shown["properties"]["defaultSecurityRules"]) == 6
    refused = arm.delete(nsg["id"], NEW)
    assert refused.json()["error"]["code"] == "InUseNetworkSecurityGroupCannotBeDeleted"


def test_lists_are_paged(arm: Any, resource_group: str, loc: str) -> None:
    for index in range(3):
        _done(arm, arm.put(_net(resource_group, f"publicIPAddresses/p{index}"), NEW, json={"location": loc}))
    first = arm.get(_net(resource_group, "publicIPAddresses"), NEW).json()
    assert len(first["value"]) == 2 and first["nextLink"]
    second = arm.get(first["nextLink"]).json()
    assert [p["name"] for p in second["value"]] == ["p2"] and "nextLink" not in second
    everywhere = arm.get("{sub}/providers/Microsoft.Network/publicIPAddresses", NEW).json()
    assert everywhere["value"] and "nextLink" in everywhere


def test_if_match_and_patch_tags(arm: Any, resource_group: str, loc: str) -> None:
    path = _net(resource_group, "networkSecurityGroups/g")
    created = _done(arm, arm.put(path, NEW, json={"location": loc})).json()
    stale = arm.put(
        path, NEW, json={"location": loc}, headers={"If-Match": 'W/"00000000-0000-0000-0000-000000000000"'}
    )
    assert stale.status_code == 412
    current = arm.get(path, NEW).headers["ETag"]
    assert current == created["etag"]
    _done(arm, arm.put(path, NEW, json={"location": loc}, headers={"If-Match": current}))
    patched = arm.patch(path, NEW, json={"tags": {"env": "test"}})
    assert patched.status_code == 200 and patched.json()["tags"] == {"env": "test"}


def test_unserved_api_version_is_refused(arm: Any, resource_group: str) -> None:
    response = arm.get(_net(resource_group, "virtualNetworks"), "2022-09-01")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "NoRegisteredProviderFound"


def test_other_regions_are_refused(arm: Any, resource_group: str) -> None:
    response = arm.put(_net(resource_group, "publicIPAddresses/p"), NEW, json={"location": "eastus"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "LocationNotAvailableForResourceType" and "eastus" in error["message"]
