"""ARM templates the deployment tests send: the VM sample's whole lab, per profile."""

from __future__ import annotations

import copy
from typing import Any

from pytest_azurestack.profiles import COMPUTE, NETWORK, STORAGE, Profile

SCHEMA = "https://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json#"
NIC_ID = "[resourceId('Microsoft.Network/networkInterfaces', variables('nicName'))]"
SIZES = ["Standard_A1", "Standard_A2", "Standard_D1_v2", "Standard_DS1_v2", "Standard_NOPE"]


def lab_template(profile: Profile) -> dict[str, Any]:
    """Storage, vnet, subnet (a child resource), NIC and a Linux VM; managed OS disk where the
    profile has managed disks, else a VHD in the template's storage account."""
    compute = profile.api_version(COMPUTE, "virtualMachines")
    network = profile.api_version(NETWORK)
    storage = profile.api_version(STORAGE)
    os_disk: dict[str, Any] = {"createOption": "FromImage"}
    vm_depends = ["[variables('nicName')]"]
    if not profile.has_managed_disks:
        os_disk = {
            "name": "osdisk",
            "createOption": "FromImage",
            "caching": "ReadWrite",
            "vhd": {
                "uri": "[concat(reference(parameters('storageName')).primaryEndpoints.blob, 'vhds/', "
                "parameters('vmName'), '-os.vhd')]"
            },
        }
    return {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": {
            "vmName": {"type": "string", "defaultValue": "labvm"},
            "storageName": {"type": "string"},
            "adminUsername": {"type": "string", "defaultValue": "azureuser"},
            "adminPassword": {"type": "securestring"},
            "vmSize": {"type": "string", "defaultValue": "Standard_A1", "allowedValues": SIZES},
            "location": {"type": "string", "defaultValue": "[resourceGroup().location]"},
        },
        "variables": {
            "vnetName": "[concat(parameters('vmName'), '-vnet')]",
            "nicName": "[concat(parameters('vmName'), '-nic')]",
            "subnetId": "[resourceId('Microsoft.Network/virtualNetworks/subnets', variables('vnetName'), "
            "'default')]",
        },
        "resources": [
            {
                "type": "Microsoft.Storage/storageAccounts",
                "apiVersion": storage,
                "name": "[parameters('storageName')]",
                "location": "[parameters('location')]",
                "sku": {"name": "Standard_LRS"},
                "kind": "Storage",
                "properties": {},
            },
            {
                "type": "Microsoft.Network/virtualNetworks",
                "apiVersion": network,
                "name": "[variables('vnetName')]",
                "location": "[parameters('location')]",
                "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}},
            },
            {
                "type": "Microsoft.Network/virtualNetworks/subnets",
                "apiVersion": network,
                "name": "[concat(variables('vnetName'), '/default')]",
                "dependsOn": ["[resourceId('Microsoft.Network/virtualNetworks', variables('vnetName'))]"],
                "properties": {"addressPrefix": "10.0.0.0/24"},
            },
            {
                "type": "Microsoft.Network/networkInterfaces",
                "apiVersion": network,
                "name": "[variables('nicName')]",
                "location": "[parameters('location')]",
                "dependsOn": ["[variables('subnetId')]"],
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
                "apiVersion": compute,
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
                    "storageProfile": {
                        "imageReference": {
                            "publisher": "Canonical",
                            "offer": "UbuntuServer",
                            "sku": "16.04-LTS",
                            "version": "latest",
                        },
                        "osDisk": os_disk,
                    },
                    "networkProfile": {"networkInterfaces": [{"id": NIC_ID}]},
                },
            },
        ],
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
            "adminPassword": {"type": "securestring", "value": "[parameters('adminPassword')]"},
        },
    }


def lab_parameters(storage_name: str, password: str, **values: Any) -> dict[str, Any]:
    params = {"storageName": storage_name, "adminPassword": password, **values}
    return {k: {"value": v} for k, v in params.items()}


def without_resource(template: dict[str, Any], full_type: str) -> dict[str, Any]:
    """The template less one resource (what other resources name of it stays)."""
    out = copy.deepcopy(template)
    out["resources"] = [r for r in out["resources"] if r["type"] != full_type]
    return out
