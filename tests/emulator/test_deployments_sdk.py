"""Template deployments through the real multi-API SDK, under every hybrid profile.

``resource_client.deployments.begin_create_or_update`` deploys the VM sample's whole lab
(storage, vnet, a subnet as a child resource, NIC, VM: a managed OS disk, or at
2017-03-09-profile a VHD in the template's storage account); the state is checked through the
Compute, Network and Storage clients. Failures end as ARM ends them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.resource import ResourceManagementClient
from azure.profiles import KnownProfiles
from lab_templates import lab_parameters, lab_template, without_resource

from pytest_azurestack import profiles

PROFILES = {
    "2020-09-01-hybrid": KnownProfiles.v2020_09_01_hybrid,
    "2019-03-01-hybrid": KnownProfiles.v2019_03_01_hybrid,
    "2018-03-01-hybrid": KnownProfiles.v2018_03_01_hybrid,
    "2017-03-09-profile": KnownProfiles.v2017_03_09_profile,
}
PASSWORD = "Emul@tor-" + uuid.uuid4().hex[:8]


def _profile(name: str) -> profiles.Profile:
    return next(p for p in profiles.HYBRID_PROFILES if p.name == name)


def _storage_name() -> str:
    return "st" + uuid.uuid4().hex[:12]


def _deployment(template: dict[str, Any], parameters: dict[str, Any]) -> dict[str, Any]:
    return {"properties": {"mode": "Incremental", "template": template, "parameters": parameters}}


def _validate(client: Any, group: str, name: str, body: dict[str, Any]) -> tuple[Any, Any]:
    """(properties, error): 2019-10-01 validates as a long-running operation, whose poller raises
    on ARM's 400; the older versions return the 400's body as the result."""
    deployments = client.deployments
    if not hasattr(deployments, "begin_validate"):
        result = deployments.validate(group, name, body)
        return result.properties, result.error
    try:
        return deployments.begin_validate(group, name, body).result().properties, None
    except HttpResponseError as exc:
        return None, exc.error


def _deployments_in(client: Any, group: str) -> list[Any]:
    deployments = client.deployments
    lister = getattr(deployments, "list_by_resource_group", None) or deployments.list  # 2016-02-01
    return list(lister(group))


def _resources_in(client: Any, group: str) -> list[Any]:
    if hasattr(client.resources, "list_by_resource_group"):
        return list(client.resources.list_by_resource_group(group))
    return list(client.resource_groups.list_resources(group))  # 2016-02-01


@pytest.mark.parametrize("profile_name", list(PROFILES))
def test_the_whole_lab_deploys_from_one_template(
    profile_name: str, sdk_client: Callable[..., Any], resource_group: str
) -> None:
    known = PROFILES[profile_name]
    resources = sdk_client(ResourceManagementClient, known)
    compute = sdk_client(ComputeManagementClient, known)
    network = sdk_client(NetworkManagementClient, known)
    template = lab_template(_profile(profile_name))
    storage = _storage_name()

    result = resources.deployments.begin_create_or_update(
        resource_group, "lab", _deployment(template, lab_parameters(storage, PASSWORD))
    ).result()

    props = result.properties
    assert props.provisioning_state == "Succeeded"
    assert props.mode == "Incremental"
    assert props.parameters["adminPassword"] == {"type": "SecureString"}
    assert props.parameters["vmSize"] == {"type": "String", "value": "Standard_A1"}
    vm = compute.virtual_machines.get(resource_group, "labvm")
    assert vm.provisioning_state == "Succeeded"
    assert props.outputs["vmId"]["value"].lower() == vm.id.lower()
    nic = network.network_interfaces.get(resource_group, "labvm-nic")
    assert props.outputs["privateIp"]["value"] == nic.ip_configurations[0].private_ip_address
    assert "value" not in props.outputs["adminPassword"]
    assert props.outputs["osDiskName"]["value"] == vm.storage_profile.os_disk.name
    if profile_name == "2017-03-09-profile":
        assert vm.storage_profile.os_disk.vhd.uri.startswith(f"https://{storage}.blob.")
        assert getattr(vm.storage_profile.os_disk, "managed_disk", None) is None
    else:
        disk = compute.disks.get(resource_group, vm.storage_profile.os_disk.name)
        assert disk.managed_by.lower() == vm.id.lower()
    subnet = network.subnets.get(resource_group, "labvm-vnet", "default")
    assert subnet.ip_configurations[0].id.lower().startswith(nic.id.lower())

    listed = _deployments_in(resources, resource_group)
    assert [d.name for d in listed] == ["lab"]
    operations = list(resources.deployment_operations.list(resource_group, "lab"))
    targets = {o.properties.target_resource.resource_type for o in operations}
    assert targets == {r["type"] for r in template["resources"]}
    assert {o.properties.provisioning_state for o in operations} == {"Succeeded"}


@pytest.mark.parametrize("profile_name", list(PROFILES))
def test_a_bad_size_fails_the_deployment_and_keeps_what_it_created(
    profile_name: str, sdk_client: Callable[..., Any], resource_group: str
) -> None:
    known = PROFILES[profile_name]
    resources = sdk_client(ResourceManagementClient, known)
    network = sdk_client(NetworkManagementClient, known)
    body = _deployment(
        lab_template(_profile(profile_name)),
        lab_parameters(_storage_name(), PASSWORD, vmSize="Standard_NOPE"),
    )

    with pytest.raises(HttpResponseError) as raised:
        resources.deployments.begin_create_or_update(resource_group, "bad", body).result()

    assert raised.value.error is not None and raised.value.error.code == "DeploymentFailed"
    deployment = resources.deployments.get(resource_group, "bad")
    assert deployment.properties.provisioning_state == "Failed"
    [detail] = deployment.properties.error.details
    assert "Standard_NOPE" in detail.message
    assert network.network_interfaces.get(resource_group, "labvm-nic").provisioning_state == "Succeeded"
    failed = [
        o
        for o in resources.deployment_operations.list(resource_group, "bad")
        if o.properties.provisioning_state == "Failed"
    ]
    assert [o.properties.target_resource.resource_type for o in failed] == [
        "Microsoft.Compute/virtualMachines"
    ]


@pytest.mark.parametrize("profile_name", list(PROFILES))
def test_a_missing_dependency_is_refused_before_anything_deploys(
    profile_name: str, sdk_client: Callable[..., Any], resource_group: str
) -> None:
    known = PROFILES[profile_name]
    resources = sdk_client(ResourceManagementClient, known)
    template = without_resource(lab_template(_profile(profile_name)), "Microsoft.Network/virtualNetworks")
    body = _deployment(template, lab_parameters(_storage_name(), PASSWORD))

    with pytest.raises(HttpResponseError) as raised:
        resources.deployments.begin_create_or_update(resource_group, "nodep", body)

    assert raised.value.status_code == 400
    assert raised.value.error is not None and raised.value.error.code == "InvalidTemplate"
    assert (
        "labvm-vnet" in raised.value.error.message
        and "is not defined in the template" in raised.value.error.message
    )
    assert not resources.deployments.check_existence(resource_group, "nodep")
    assert _resources_in(resources, resource_group) == []


@pytest.mark.parametrize("profile_name", list(PROFILES))
def test_validate_checks_without_deploying(
    profile_name: str, sdk_client: Callable[..., Any], resource_group: str
) -> None:
    known = PROFILES[profile_name]
    resources = sdk_client(ResourceManagementClient, known)
    template = lab_template(_profile(profile_name))

    good, no_error = _validate(
        resources, resource_group, "check", _deployment(template, lab_parameters(_storage_name(), PASSWORD))
    )
    _, error = _validate(
        resources,
        resource_group,
        "check",
        _deployment(template, lab_parameters(_storage_name(), PASSWORD, vmSize="A9")),
    )

    assert no_error is None
    assert good.provisioning_state == "Succeeded"
    assert good.parameters["adminPassword"] == {"type": "SecureString"}
    assert error is not None and error.code == "InvalidTemplate"
    assert "'A9' is not part of the allowed value(s)" in error.message
    assert not resources.deployments.check_existence(resource_group, "check")
    assert _resources_in(resources, resource_group) == []
