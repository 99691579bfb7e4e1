"""Template deployments over raw HTTP: the long-running-operation shape, secure values, the
preflight refusals, copy loops, dependency order, and the template the Azure CLI's
``az vm create`` sends (vnet, NSG, public IP and NIC at network 2015-06-15, then the VM)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from helpers import ArmClient, error_of, rg_path
from lab_templates import lab_parameters, lab_template

from pytest_azurestack import profiles
from pytest_azurestack.emulator.arm.faults import FaultRule
from pytest_azurestack.emulator.arm.lro import Transition
from pytest_azurestack.emulator.stamp import Emulator

V2019 = "2019-10-01"
SECRET = "S3cret-" + uuid.uuid4().hex
PROFILE = profiles.V2020_09_01_HYBRID


def deployment_path(rg: str, name: str = "dep") -> str:
    return f"{rg_path(rg)}/providers/Microsoft.Resources/deployments/{name}"


def body(
    template: dict[str, Any], parameters: dict[str, Any] | None = None, mode: str = "Incremental"
) -> dict[str, Any]:
    return {"properties": {"mode": mode, "template": template, "parameters": parameters or {}}}


def template(*resources: dict[str, Any], **sections: Any) -> dict[str, Any]:
    return {"$schema": "x", "contentVersion": "1.0.0.0", "resources": list(resources), **sections}


def public_ip(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "Microsoft.Network/publicIPAddresses",
        "apiVersion": "2018-11-01",
        "name": name,
        "location": "[resourceGroup().location]",
        "properties": {"publicIPAllocationMethod": "Dynamic"},
        **extra,
    }


def deploy(
    arm: ArmClient, rg: str, payload: dict[str, Any], name: str = "dep", version: str = V2019
) -> dict[str, Any]:
    response = arm.put(deployment_path(rg, name), version, json=payload)
    assert response.status_code == 201, response.text
    arm.wait(response, limit=100)
    return dict(arm.get(deployment_path(rg, name), version).json())


def test_a_put_is_a_long_running_operation_on_its_operation_statuses(
    arm: ArmClient, resource_group: str
) -> None:
    response = arm.put(deployment_path(resource_group), V2019, json=body(template(public_ip("ip1"))))

    assert response.status_code == 201, response.text
    status_url = response.headers["Azure-AsyncOperation"]
    assert "/providers/Microsoft.Resources/deployments/dep/operationStatuses/" in status_url
    assert response.json()["properties"]["provisioningState"] in ("Accepted", "Running")
    statuses = [arm.get(status_url).json()["status"] for _ in range(4)]
    assert statuses[0] == "Running" and statuses[-1] == "Succeeded"
    final = arm.get(deployment_path(resource_group), V2019).json()["properties"]
    assert final["provisioningState"] == "Succeeded"
    assert final["duration"].startswith("PT") and final["timestamp"].endswith("Z")
    assert final["correlationId"]
    assert final["outputResources"] == [
        {
            "id": f"/subscriptions/{arm.info.subscription_id}/resourceGroups/{resource_group}"
            "/providers/Microsoft.Network/publicIPAddresses/ip1"
        }
    ]


@pytest.mark.parametrize(
    ("version", "has_type", "has_duration"),
    [
        ("2019-10-01", True, True),
        ("2018-05-01", True, False),
        ("2018-02-01", False, False),
        ("2016-02-01", False, False),
    ],
)
def test_the_shape_follows_the_api_version(
    arm: ArmClient, resource_group: str, version: str, has_type: bool, has_duration: bool
) -> None:
    got = deploy(arm, resource_group, body(template(public_ip("ip1"))), version=version)

    assert ("type" in got) is has_type
    assert ("duration" in got["properties"]) is has_duration
    assert ("outputResources" in got["properties"]) is has_duration
    ops = arm.get(f"{rg_path(resource_group)}/deployments/dep/operations", version).json()["value"]
    assert ("provisioningOperation" in ops[0]["properties"]) is has_duration


def test_a_secure_string_is_never_echoed(arm: ArmClient, resource_group: str, emulator: Emulator) -> None:
    lab = lab_template(PROFILE)
    payload = body(lab, lab_parameters("st" + uuid.uuid4().hex[:12], SECRET))
    emulator.requests.clear()

    put = arm.put(deployment_path(resource_group), V2019, json=payload)
    arm.wait(put, limit=100)
    seen = [
        put.text,
        arm.get(deployment_path(resource_group), V2019).text,
        arm.get(f"{rg_path(resource_group)}/providers/Microsoft.Resources/deployments", V2019).text,
        arm.get(f"{rg_path(resource_group)}/deployments/dep/operations", V2019).text,
        arm.post(f"{deployment_path(resource_group, 'v')}/validate", V2019, json=payload).text,
        json.dumps(list(emulator.requests)),
        json.dumps(
            emulator.store.get(
                f"/subscriptions/{arm.info.subscription_id}/resourceGroups/{resource_group}"
                "/providers/Microsoft.Resources/deployments/dep"
            )
        ),
    ]

    assert json.loads(seen[1])["properties"]["parameters"]["adminPassword"] == {"type": "SecureString"}
    assert json.loads(seen[1])["properties"]["outputs"]["adminPassword"] == {"type": "SecureString"}
    for text in seen:
        assert SECRET not in text


def test_deployment_operations_name_each_resource(arm: ArmClient, resource_group: str) -> None:
    deploy(arm, resource_group, body(template(public_ip("ip1"), public_ip("ip2", dependsOn=["ip1"]))))

    listed = arm.get(f"{rg_path(resource_group)}/deployments/dep/operations", V2019).json()["value"]
    targets = [o["properties"]["targetResource"]["resourceName"] for o in listed]
    assert targets == ["ip1", "ip2"]
    first = listed[0]
    assert first["properties"]["provisioningState"] == "Succeeded"
    assert first["properties"]["statusCode"] in ("OK", "Created")
    one = arm.get(f"{rg_path(resource_group)}/deployments/dep/operations/{first['operationId']}", V2019)
    assert one.json() == first


def test_dependencies_order_the_resources(arm: ArmClient, resource_group: str, lro: Any) -> None:
    lro.set_transition("Microsoft.Network/publicIPAddresses", Transition(manual=True))
    first = public_ip("first")
    second = public_ip("second", dependsOn=["[resourceId('Microsoft.Network/publicIPAddresses', 'first')]"])
    put = arm.put(deployment_path(resource_group), V2019, json=body(template(second, first)))
    status_url = put.headers["Azure-AsyncOperation"]

    for _ in range(3):
        assert arm.get(status_url).json()["status"] == "Running"
    names = [
        o["properties"]["targetResource"]["resourceName"]
        for o in arm.get(f"{rg_path(resource_group)}/deployments/dep/operations", V2019).json()["value"]
    ]
    assert names == ["first"]  # the second waits for the first's operation to end
    finish_operations_on(lro, "first")
    assert arm.get(status_url).json()["status"] == "Running"  # the second has started
    finish_operations_on(lro, "second")
    assert arm.wait(put, limit=10).json()["status"] == "Succeeded"


def test_finishing_a_deployment_by_hand_ends_its_resources_too(
    arm: ArmClient, resource_group: str, lro: Any
) -> None:
    lro.set_transition("Microsoft.Network/publicIPAddresses", Transition(manual=True))
    put = arm.put(
        deployment_path(resource_group),
        V2019,
        json=body(template(public_ip("a"), public_ip("b", dependsOn=["a"]))),
    )

    lro.finish_all()

    assert arm.wait(put).json()["status"] == "Succeeded"
    for name in ("a", "b"):
        ip = arm.get(
            f"{rg_path(resource_group)}/providers/Microsoft.Network/publicIPAddresses/{name}", "2018-11-01"
        )
        assert ip.json()["properties"]["provisioningState"] == "Succeeded"


def finish_operations_on(lro: Any, name: str) -> None:
    for op in lro.pending():
        if op.resource_id.lower().endswith(f"/publicipaddresses/{name}"):
            lro.finish(op)


def test_a_copy_loop_deploys_count_resources_and_depends_on_by_loop_name(
    arm: ArmClient, resource_group: str
) -> None:
    loop = public_ip("[concat('ip', copyIndex(1))]", copy={"name": "ips", "count": "[parameters('n')]"})
    after = public_ip("last", dependsOn=["ips"])
    payload = body(
        template(
            loop,
            after,
            parameters={"n": {"type": "int", "defaultValue": 2}},
            outputs={"n": {"type": "int", "value": "[length(createArray(1, 2, 3))]"}},
        ),
        {"n": {"value": 3}},
    )

    got = deploy(arm, resource_group, payload)

    assert got["properties"]["provisioningState"] == "Succeeded", got
    assert got["properties"]["outputs"] == {"n": {"type": "Int", "value": 3}}
    deployed = [r["id"].rsplit("/", 1)[-1] for r in got["properties"]["outputResources"]]
    assert sorted(deployed) == ["ip1", "ip2", "ip3", "last"]
    [dependency] = [d for d in got["properties"]["dependencies"] if d["resourceName"] == "last"]
    assert sorted(d["resourceName"] for d in dependency["dependsOn"]) == ["ip1", "ip2", "ip3"]


def test_an_api_version_the_stamp_does_not_serve_is_refused_at_preflight(
    arm: ArmClient, resource_group: str
) -> None:
    response = arm.put(
        deployment_path(resource_group), V2019, json=body(template(public_ip("ip", apiVersion="2022-09-01")))
    )

    status, code, _ = error_of(response)
    assert (status, code) == (400, "InvalidTemplateDeployment")
    [detail] = response.json()["error"]["details"]
    assert detail["code"] == "NoRegisteredProviderFound" and "2022-09-01" in detail["message"]
    assert arm.get(deployment_path(resource_group), V2019).status_code == 404


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (body(template(public_ip("ip")), mode="Complete"), "DeploymentModeNotSupported"),
        (body(template(public_ip("ip")), mode="Sideways"), "InvalidDeploymentMode"),
        (body(template(public_ip("ip", dependsOn=["ghost"]))), "InvalidTemplate"),
        (body(template(public_ip("a", dependsOn=["b"]), public_ip("b", dependsOn=["a"]))), "InvalidTemplate"),
        (body(template(public_ip("[concat('ip']"))), "InvalidTemplate"),
        (body(template(public_ip("[nosuch('x')]"))), "InvalidTemplate"),
        (body(template(public_ip("ip")), {"extra": {"value": 1}}), "InvalidTemplate"),
        (body(template(parameters={"p": {"type": "int"}})), "InvalidTemplate"),
        (body(template(parameters={"p": {"type": "int"}}), {"p": {"value": "x"}}), "InvalidTemplate"),
        (
            {"properties": {"mode": "Incremental", "templateLink": {"uri": "https://x/t.json"}}},
            "InvalidTemplateLink",
        ),
        ({"properties": {"mode": "Incremental"}}, "InvalidRequestContent"),
    ],
    ids=[
        "complete",
        "mode",
        "ghost",
        "cycle",
        "syntax",
        "function",
        "extra-param",
        "missing-param",
        "param-type",
        "link",
        "no-template",
    ],
)
def test_preflight_refuses_what_arm_refuses(
    arm: ArmClient, resource_group: str, payload: dict[str, Any], code: str
) -> None:
    response = arm.put(deployment_path(resource_group), V2019, json=payload)
    validated = arm.post(f"{deployment_path(resource_group)}/validate", V2019, json=payload)

    assert error_of(response)[:2] == (400, code), response.text
    assert error_of(validated)[:2] == (400, code)
    assert arm.get(deployment_path(resource_group), V2019).status_code == 404


def test_an_inner_operation_that_fails_fails_the_deployment(
    arm: ArmClient, resource_group: str, faults: Any
) -> None:
    faults.add(
        FaultRule(
            kind="lro",
            lro_status="Failed",
            resource_type="publicIPAddresses",
            name="bad",
            code="InternalOperationError",
            message="injected",
        )
    )

    got = deploy(arm, resource_group, body(template(public_ip("good"), public_ip("bad", dependsOn=["good"]))))

    props = got["properties"]
    assert props["provisioningState"] == "Failed"
    assert props["error"]["code"] == "DeploymentFailed"
    assert props["error"]["details"] == [{"code": "InternalOperationError", "message": "injected"}]
    good = arm.get(
        f"{rg_path(resource_group)}/providers/Microsoft.Network/publicIPAddresses/good", "2018-11-01"
    )
    assert good.json()["properties"]["provisioningState"] == "Succeeded"  # incremental: kept


def test_a_running_deployment_cannot_be_replaced_or_deleted_then_is(
    arm: ArmClient, resource_group: str, lro: Any
) -> None:
    lro.set_transition("Microsoft.Network/publicIPAddresses", Transition(manual=True))
    payload = body(template(public_ip("ip")))
    put = arm.put(deployment_path(resource_group), V2019, json=payload)

    assert error_of(arm.put(deployment_path(resource_group), V2019, json=payload))[:2] == (
        409,
        "DeploymentActive",
    )
    assert error_of(arm.delete(deployment_path(resource_group), V2019))[:2] == (409, "DeploymentActive")
    finish_operations_on(lro, "ip")
    assert arm.wait(put).json()["status"] == "Succeeded"
    deleted = arm.delete(deployment_path(resource_group), V2019)
    assert deleted.status_code == 202
    arm.wait(deleted)
    assert arm.get(deployment_path(resource_group), V2019).status_code == 404
    assert arm.head(deployment_path(resource_group), V2019).status_code == 404
    ip = arm.get(f"{rg_path(resource_group)}/providers/Microsoft.Network/publicIPAddresses/ip", "2018-11-01")
    assert ip.status_code == 200  # deleting a deployment keeps what it deployed


def test_cancel_stops_what_has_not_started(arm: ArmClient, resource_group: str, lro: Any) -> None:
    lro.set_transition("Microsoft.Network/publicIPAddresses", Transition(manual=True))
    put = arm.put(
        deployment_path(resource_group),
        V2019,
        json=body(template(public_ip("a"), public_ip("b", dependsOn=["a"]))),
    )

    assert arm.post(f"{deployment_path(resource_group)}/cancel", V2019).status_code == 204
    finish_operations_on(lro, "a")
    assert arm.wait(put).json()["status"] == "Canceled"
    assert (
        arm.get(deployment_path(resource_group), V2019).json()["properties"]["provisioningState"]
        == "Canceled"
    )
    missing = arm.get(
        f"{rg_path(resource_group)}/providers/Microsoft.Network/publicIPAddresses/b", "2018-11-01"
    )
    assert missing.status_code == 404


def test_deployments_are_not_resources_of_the_group(arm: ArmClient, resource_group: str) -> None:
    deploy(arm, resource_group, body(template(public_ip("ip"))))

    listed = arm.get(f"{rg_path(resource_group)}/resources", V2019).json()["value"]
    assert [r["type"] for r in listed] == ["Microsoft.Network/publicIPAddresses"]


def cli_vm_template(rg_id: str, vm_api: str) -> dict[str, Any]:
    """The shape Azure CLI 2.66's ``az vm create`` (no --nics) sends, as its template builder writes it."""
    net = f"{rg_id}/providers/Microsoft.Network"
    return {
        "$schema": "https://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {
            "adminPassword": {"type": "securestring", "metadata": {"description": "Secure adminPassword"}}
        },
        "variables": {},
        "resources": [
            {
                "name": "vmVNET",
                "type": "Microsoft.Network/virtualNetworks",
                "location": "local",
                "apiVersion": "2015-06-15",
                "dependsOn": [],
                "tags": {},
                "properties": {
                    "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                    "subnets": [{"name": "vmSubnet", "properties": {"addressPrefix": "10.0.0.0/24"}}],
                },
            },
            {
                "type": "Microsoft.Network/networkSecurityGroups",
                "name": "vmNSG",
                "apiVersion": "2015-06-15",
                "location": "local",
                "tags": {},
                "dependsOn": [],
                "properties": {
                    "securityRules": [
                        {
                            "name": "default-allow-ssh",
                            "properties": {
                                "protocol": "Tcp",
                                "sourcePortRange": "*",
                                "destinationPortRange": "22",
                                "sourceAddressPrefix": "*",
                                "destinationAddressPrefix": "*",
                                "access": "Allow",
                                "priority": 1000,
                                "direction": "Inbound",
                            },
                        }
                    ]
                },
            },
            {
                "apiVersion": "2015-06-15",
                "type": "Microsoft.Network/publicIPAddresses",
                "name": "vmPublicIP",
                "location": "local",
                "tags": {},
                "dependsOn": [],
                "properties": {"publicIPAllocationMethod": "dynamic"},
            },
            {
                "apiVersion": "2015-06-15",
                "type": "Microsoft.Network/networkInterfaces",
                "name": "vmVMNic",
                "location": "local",
                "tags": {},
                "dependsOn": [
                    "Microsoft.Network/virtualNetworks/vmVNET",
                    "Microsoft.Network/networkSecurityGroups/vmNSG",
                    "Microsoft.Network/publicIpAddresses/vmPublicIP",
                ],
                "properties": {
                    "ipConfigurations": [
                        {
                            "name": "ipconfigvm",
                            "properties": {
                                "privateIPAllocationMethod": "Dynamic",
                                "subnet": {"id": f"{net}/virtualNetworks/vmVNET/subnets/vmSubnet"},
                                "publicIPAddress": {"id": f"{net}/publicIPAddresses/vmPublicIP"},
                            },
                        }
                    ],
                    "networkSecurityGroup": {"id": f"{net}/networkSecurityGroups/vmNSG"},
                },
            },
            {
                "apiVersion": vm_api,
                "type": "Microsoft.Compute/virtualMachines",
                "name": "vm",
                "location": "local",
                "tags": {},
                "dependsOn": ["Microsoft.Network/networkInterfaces/vmVMNic"],
                "properties": {
                    "hardwareProfile": {"vmSize": "Standard_DS1_v2"},
                    "networkProfile": {"networkInterfaces": [{"id": f"{net}/networkInterfaces/vmVMNic"}]},
                    "storageProfile": {
                        "osDisk": {
                            "createOption": "fromImage",
                            "name": None,
                            "caching": "ReadWrite",
                            "managedDisk": {"storageAccountType": None},
                        },
                        "imageReference": {
                            "publisher": "Canonical",
                            "offer": "UbuntuServer",
                            "sku": "16.04-LTS",
                            "version": "latest",
                        },
                    },
                    "osProfile": {
                        "computerName": "vm",
                        "adminUsername": "azureuser",
                        "adminPassword": "[parameters('adminPassword')]",
                    },
                },
            },
        ],
        "outputs": {},
    }


@pytest.mark.parametrize("profile", [profiles.V2020_09_01_HYBRID, profiles.V2019_03_01_HYBRID], ids=str)
def test_the_template_az_vm_create_sends_deploys(
    arm: ArmClient, resource_group: str, profile: profiles.Profile
) -> None:
    rg_id = f"/subscriptions/{arm.info.subscription_id}/resourceGroups/{resource_group}"
    cli = cli_vm_template(rg_id, str(profile.api_version(profiles.COMPUTE, "virtualMachines")))
    version = str(profile.api_version(profiles.RESOURCES, "deployments"))
    payload = {
        "properties": {
            "template": cli,
            "parameters": {"adminPassword": {"value": SECRET}},
            "mode": "incremental",
        }
    }

    validated = arm.post(f"{deployment_path(resource_group, 'vm_deploy')}/validate", version, json=payload)
    got = deploy(arm, resource_group, payload, name="vm_deploy", version=version)

    assert validated.status_code == 200, validated.text
    assert got["properties"]["provisioningState"] == "Succeeded", got["properties"].get("error")
    vm = arm.get(
        f"{rg_path(resource_group)}/providers/Microsoft.Compute/virtualMachines/vm",
        str(profile.api_version(profiles.COMPUTE, "virtualMachines")),
    ).json()
    assert vm["properties"]["provisioningState"] == "Succeeded"
    assert vm["properties"]["networkProfile"]["networkInterfaces"][0]["id"].lower().endswith("/vmvmnic")


def test_a_type_the_stamp_has_no_provider_route_for_fails_with_arms_error(
    arm: ArmClient, resource_group: str
) -> None:
    aset = {
        "type": "Microsoft.Compute/availabilitySets",
        "apiVersion": "2020-06-01",
        "name": "aset",
        "location": "[resourceGroup().location]",
        "properties": {},
    }

    got = deploy(arm, resource_group, body(template(public_ip("ip"), aset)))

    props = got["properties"]
    assert props["provisioningState"] == "Failed"
    assert [d["code"] for d in props["error"]["details"]] == ["InvalidResourceType"]
    ops = arm.get(f"{rg_path(resource_group)}/deployments/dep/operations", V2019).json()["value"]
    failed = [o for o in ops if o["properties"]["provisioningState"] == "Failed"]
    assert failed[0]["properties"]["statusCode"] == "NotFound"
    assert failed[0]["properties"]["statusMessage"]["error"]["code"] == "InvalidResourceType"


def test_an_error_that_quotes_a_secure_value_masks_it(arm: ArmClient, resource_group: str) -> None:
    secure = {"p": {"type": "securestring"}}
    quoting = public_ip("[int(parameters('p'))]")  # the message quotes the argument
    in_body = public_ip("ip", tags={"t": "[toLower(int(parameters('p')))]"})

    refused = arm.put(
        deployment_path(resource_group, "a"),
        V2019,
        json=body(template(quoting, parameters=secure), {"p": {"value": SECRET}}),
    )
    failed = deploy(
        arm, resource_group, body(template(in_body, parameters=secure), {"p": {"value": SECRET}}), "b"
    )

    assert refused.status_code == 400 and SECRET not in refused.text
    assert failed["properties"]["provisioningState"] == "Failed"
    ops = arm.get(f"{rg_path(resource_group)}/deployments/b/operations", V2019).text
    assert SECRET not in json.dumps(failed) and SECRET not in ops
    assert "***" in json.dumps(failed)
