"""Conformance: a Linux VM deployed from an ARM template, under each profile.

How operators validate a stamp (Microsoft's validators and quickstart templates) and how the
Azure CLI's ``az vm create``, Terraform and the portal create VMs: one template deployment at
resource-group scope (Microsoft.Resources/deployments). The test checks what the providers hold
against the deployment's own account of it (its state, its operations, its outputs).
"""

from __future__ import annotations

import secrets
import string
from typing import TYPE_CHECKING, Any

import pytest
from vm_lab import power_state
from vm_templates import linux_vm_template

from pytest_azurestack.profiles import Profile
from pytest_azurestack.sdk import operation_group, request_models

DEPLOYMENTS_PACKAGE = "azure-mgmt-resource-deployments"

if TYPE_CHECKING:
    from azure.mgmt.compute import ComputeManagementClient
    from azure.mgmt.network import NetworkManagementClient
    from azure.mgmt.resource.resources import ResourceManagementClient

conformance = pytest.mark.conformance


def _password() -> str:
    """Fresh for every run; the parameter is named adminPassword, so cassettes scrub it."""
    alphabet = string.ascii_letters + string.digits
    return "Az1!" + "".join(secrets.choice(alphabet) for _ in range(20))


@pytest.mark.linux
@conformance(
    "AZS-VM-CREATE-FROM-TEMPLATE",
    "A template deployment (network, NIC and a Linux VM; its VHD's storage account where there are no "
    "managed disks) succeeds, the VM runs, and the deployment's outputs and operations name what was made.",
)
def test_create_vm_from_template(
    resource_client: ResourceManagementClient,
    compute_client: ComputeManagementClient,
    network_client: NetworkManagementClient,
    resource_group: Any,
    azurestack_profile: Profile,
    azurestack_names: Any,
) -> None:
    group = resource_group.name
    vm_name = azurestack_names.name("vm", max_length=15)
    parameters: dict[str, Any] = {"vmName": {"value": vm_name}, "adminPassword": {"value": _password()}}
    if not azurestack_profile.has_managed_disks:
        parameters["storageName"] = {"value": azurestack_names.storage_account()}
    # Single-API azure-mgmt-resource 25 and later moved deployments into a package of their own.
    deployments = operation_group(resource_client, "resource", "deployments", DEPLOYMENTS_PACKAGE)
    models = request_models(deployments)
    deployment = models.Deployment(
        properties=models.DeploymentProperties(
            mode="Incremental", template=linux_vm_template(azurestack_profile), parameters=parameters
        )
    )

    result = deployments.begin_create_or_update(group, "linux-vm", deployment).result()

    props = result.properties
    assert props.provisioning_state == "Succeeded"
    assert props.parameters["adminPassword"] == {"type": "SecureString"}, (
        "a secure value must never come back"
    )
    vm = compute_client.virtual_machines.get(group, vm_name, expand="instanceView")
    assert vm.provisioning_state == "Succeeded"
    assert power_state(vm.instance_view) == "PowerState/running"
    assert vm.os_profile.admin_password is None
    assert props.outputs["vmId"]["value"].lower() == vm.id.lower()
    assert props.outputs["osDiskName"]["value"] == vm.storage_profile.os_disk.name
    nic = network_client.network_interfaces.get(group, f"{vm_name}-nic")
    assert nic.virtual_machine.id.lower() == vm.id.lower()
    assert props.outputs["privateIp"]["value"] == nic.ip_configurations[0].private_ip_address
    if azurestack_profile.has_managed_disks:
        disk = compute_client.disks.get(group, vm.storage_profile.os_disk.name)
        assert disk.managed_by.lower() == vm.id.lower()
    else:
        assert vm.storage_profile.os_disk.vhd.uri.endswith(f"/vhds/{vm_name}-osdisk.vhd")
    deployment_operations = operation_group(
        resource_client, "resource", "deployment_operations", DEPLOYMENTS_PACKAGE
    )
    operations = list(deployment_operations.list(group, "linux-vm"))
    deployed = {o.properties.target_resource.resource_type for o in operations}
    assert "Microsoft.Compute/virtualMachines" in deployed
    assert {o.properties.provisioning_state for o in operations} == {"Succeeded"}
