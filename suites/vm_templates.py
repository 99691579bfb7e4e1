"""The ARM template the suite deploys a Linux VM with, for one profile.

A virtual network with its subnet, a NIC and the VM, each at the profile's api-versions; where
the profile has no managed disks (2017-03-09-profile) a storage account too, holding the VM's
OS VHD. Its outputs name the VM, its private address and its OS disk, so the test checks what
the deployment says against what the providers hold.
"""

from __future__ import annotations

from typing import Any

from vm_lab import ADMIN_USERNAME, LINUX_IMAGE, MANAGED_VM_SIZE, UNMANAGED_VM_SIZE

from pytest_azurestack.profiles import COMPUTE, NETWORK, STORAGE, Profile

SCHEMA = "https://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json#"
NIC_ID = "[resourceId('Microsoft.Network/networkInterfaces', variables('nicName'))]"
VNET_ID = "[resourceId('Microsoft.Network/virtualNetworks', variables('vnetName'))]"
STORAGE_ID = "[resourceId('Microsoft.Storage/storageAccounts', parameters('storageName'))]"


def linux_vm_template(profile: Profile) -> dict[str, Any]:
    network = profile.api_version(NETWORK)
    managed = profile.has_managed_disks
    os_disk: dict[str, Any] = {"createOption": "FromImage", "caching": "ReadWrite"}
    vm_depends = [NIC_ID]
    resources: list[dict[str, Any]] = []
    if not managed:
        os_disk.update(
            name="[concat(parameters('vmName'), '-osdisk')]",
            vhd={
                "uri": "[concat(reference(parameters('storageName')).primaryEndpoints.blob, 'vhds/', "
                "parameters('vmName'), '-osdisk.vhd')]"
            },
        )
        vm_depends.append(STORAGE_ID)
        resources.append(
            {
                "type": "Microsoft.Storage/storageAccounts",
                "apiVersion": profile.api_version(STORAGE),
                "name": "[parameters('storageName')]",
                "location": "[parameters('location')]",
                "sku": {"name": "Standard_LRS"},
                "kind": "Storage",
                "properties": {},
            }
        )
    resources += [
        {
            "type": "Microsoft.Network/virtualNetworks",
            "apiVersion": network,
            "name": "[variables('vnetName')]",
            "location": "[parameters('location')]",
            "properties": {
                "addressSpace": {"addressPrefixes": ["10.1.0.0/16"]},
                "subnets": [
                    {"name": "[variables('subnetName')]", "properties": {"addressPrefix": "10.1.0.0/24"}}
                ],
            },
        },
        {
            "type": "Microsoft.Network/networkInterfaces",
            "apiVersion": network,
            "name": "[variables('nicName')]",
            "location": "[parameters('location')]",
            "dependsOn": [VNET_ID],
            "properties": {
                "ipConfigurations": [
                    {
                        "name": "ipconfig1",
                        "properties": {
                            "privateIPAllocationMethod": "Dynamic",
                            "subnet": {"id": "[variables('subnetId')]"},
                        },
                    }
                ]
            },
        },
        {
            "type": "Microsoft.Compute/virtualMachines",
            "apiVersion": profile.api_version(COMPUTE, "virtualMachines"),
            "name": "[parameters('vmName')]",
            "location": "[parameters('location')]",
            "dependsOn": vm_depends,
            "properties": {
                "hardwareProfile": {"vmSize": "[parameters('vmSize')]"},
                "osProfile": {
                    "computerName": "[parameters('vmName')]",
                    "adminUsername": "[parameters('adminUsername')]",
                    "adminPassword": "[parameters('adminPassword')]",
                },
                "storageProfile": {"imageReference": dict(LINUX_IMAGE), "osDisk": os_disk},
                "networkProfile": {"networkInterfaces": [{"id": NIC_ID}]},
            },
        },
    ]
    return {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": {
            "vmName": {"type": "string", "maxLength": 15},
            "storageName": {"type": "string", "defaultValue": ""},
            "adminUsername": {"type": "string", "defaultValue": ADMIN_USERNAME},
            "adminPassword": {"type": "securestring"},
            "vmSize": {
                "type": "string",
                "defaultValue": MANAGED_VM_SIZE if managed else UNMANAGED_VM_SIZE,
                "allowedValues": [MANAGED_VM_SIZE, UNMANAGED_VM_SIZE],
            },
            "location": {"type": "string", "defaultValue": "[resourceGroup().location]"},
        },
        "variables": {
            "vnetName": "[concat(parameters('vmName'), '-vnet')]",
            "subnetName": "default",
            "nicName": "[concat(parameters('vmName'), '-nic')]",
            "subnetId": "[concat(resourceId('Microsoft.Network/virtualNetworks', variables('vnetName')), "
            "'/subnets/', variables('subnetName'))]",
        },
        "resources": resources,
        "outputs": {
            "vmId": {
                "type": "string",
                "value": "[resourceId('Microsoft.Compute/virtualMachines', parameters('vmName'))]",
            },
            "privateIp": {
                "type": "string",
                "value": "[reference(variables('nicName')).ipConfigurations[0].properties.privateIPAddress]",
            },
            "osDiskName": {
                "type": "string",
                "value": "[reference(parameters('vmName')).storageProfile.osDisk.name]",
            },
        },
    }
