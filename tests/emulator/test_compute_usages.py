"""Compute usages of a location, counted from the emulator's VMs, and quotas that refuse a VM."""

from __future__ import annotations

from typing import Any

import pytest
from azure.mgmt.compute import ComputeManagementClient
from azure.profiles import KnownProfiles
from helpers import V2020, create, linux_vm, make_nic, vm_path

from pytest_azurestack.emulator import EmulatorConfig
from pytest_azurestack.emulator.admin_client import EmulatorAdmin, EmulatorAdminError
from pytest_azurestack.emulator.cli import config_from, parser
from pytest_azurestack.emulator.providers.compute import usages
from pytest_azurestack.emulator.providers.compute.sizes import AZURE_STACK_SIZES

RG = "2019-10-01"


def _usages(arm: Any, version: str = V2020) -> dict[str, dict[str, Any]]:
    response = arm.get("{sub}/providers/Microsoft.Compute/locations/local/usages", version)
    assert response.status_code == 200, response.text
    return {u["name"]["value"]: u for u in response.json()["value"]}


def _vm(arm: Any, rg: str, nic: str, size: str = "Standard_A1") -> dict[str, Any]:
    body = linux_vm(arm, make_nic(arm, rg, nic))
    body["properties"]["hardwareProfile"]["vmSize"] = size
    return body


def _group(arm: Any, name: str = "rg-usage") -> str:
    assert arm.put(f"{{sub}}/resourceGroups/{name}", RG, json={"location": "local"}).status_code == 201
    return name


def test_the_wire_shape_is_arms(fresh_emulator: Any, arm_client: Any) -> None:
    arm = arm_client(fresh_emulator())
    response = arm.get("{sub}/providers/Microsoft.Compute/locations/local/usages", V2020)
    body = response.json()
    assert set(body) == {"value"}
    first = body["value"][0]
    assert list(first) == ["unit", "currentValue", "limit", "name"]
    assert first == {
        "unit": "Count",
        "currentValue": 0,
        "limit": 10,
        "name": {"value": "availabilitySets", "localizedValue": "Availability Sets"},
    }
    names = [u["name"]["value"] for u in body["value"]]
    assert names[:4] == ["availabilitySets", "cores", "virtualMachines", "virtualMachineScaleSets"]
    assert {"standardDSv2Family", "standardA0_A7Family", "basicAFamily"} <= set(names)


def test_every_size_belongs_to_a_family() -> None:
    assert all(usages.family_of(size).name.endswith("Family") for size in AZURE_STACK_SIZES)


def test_counts_follow_the_vms_and_deallocation_frees_cores(fresh_emulator: Any, arm_client: Any) -> None:
    arm = arm_client(fresh_emulator())
    rg = _group(arm)
    create(arm, rg, _vm(arm, rg, "n1", "Standard_DS2_v2"), name="a")
    create(arm, rg, _vm(arm, rg, "n2", "Standard_A1"), name="b")
    seen = _usages(arm)
    assert seen["virtualMachines"]["currentValue"] == 2
    assert seen["cores"]["currentValue"] == 3  # 2 + 1
    assert seen["standardDSv2Family"]["currentValue"] == 2
    assert seen["standardA0_A7Family"]["currentValue"] == 1
    arm.wait(arm.post(vm_path(rg, "a") + "/deallocate", V2020))
    seen = _usages(arm)
    assert seen["virtualMachines"]["currentValue"] == 2 and seen["cores"]["currentValue"] == 1
    assert seen["standardDSv2Family"]["currentValue"] == 0


def test_a_vm_beyond_the_cores_quota_is_refused_as_arm_does(fresh_emulator: Any, arm_client: Any) -> None:
    arm = arm_client(fresh_emulator(quotas={"cores": 3}))
    rg = _group(arm)
    create(arm, rg, _vm(arm, rg, "n1", "Standard_DS2_v2"), name="a")
    refused = arm.put(vm_path(rg, "b"), V2020, json=_vm(arm, rg, "n2", "Standard_DS2_v2"))
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "OperationNotAllowed"
    assert "exceeding approved Total Regional vCPUs quota" in error["message"]
    assert "Current Limit: 3, Current Usage: 2, Additional Required: 2" in error["message"]
    assert "(Minimum) New Limit Required: 4" in error["message"]
    assert arm.get(vm_path(rg, "b"), V2020).status_code == 404  # nothing was created
    assert _usages(arm)["cores"] == {
        "unit": "Count",
        "currentValue": 2,
        "limit": 3,
        "name": {"value": "cores", "localizedValue": "Total Regional vCPUs"},
    }
    # A deallocated VM's cores are free again; starting it must fit the quota once more.
    arm.wait(arm.post(vm_path(rg, "a") + "/deallocate", V2020))
    create(arm, rg, _vm(arm, rg, "n3", "Standard_DS2_v2"), name="c")
    start = arm.post(vm_path(rg, "a") + "/start", V2020)
    assert start.status_code == 409 and start.json()["error"]["code"] == "OperationNotAllowed"


def test_family_and_vm_count_quotas(fresh_emulator: Any, arm_client: Any) -> None:
    arm = arm_client(fresh_emulator(quotas={"standardDSv2Family": 1, "virtualMachines": 2}))
    rg = _group(arm)
    refused = arm.put(vm_path(rg, "a"), V2020, json=_vm(arm, rg, "n1", "Standard_DS2_v2"))
    assert refused.status_code == 409
    assert "Standard DSv2 Family vCPUs quota" in refused.json()["error"]["message"]
    create(arm, rg, _vm(arm, rg, "n2"), name="b")
    create(arm, rg, _vm(arm, rg, "n3"), name="c")
    third = arm.put(vm_path(rg, "d"), V2020, json=_vm(arm, rg, "n4"))
    assert third.status_code == 409 and "Virtual Machines quota" in third.json()["error"]["message"]


def test_quotas_through_the_admin_api(fresh_emulator: Any, arm_client: Any) -> None:
    server = fresh_emulator()
    arm = arm_client(server)
    with EmulatorAdmin(server.info.arm_endpoint, server.info.ca_bundle) as admin:
        assert admin.quotas()["cores"] == 100
        assert admin.set_quotas(cores=0)["cores"] == 0
        assert _usages(arm)["cores"]["limit"] == 0
        assert admin.info()["quotas"]["cores"] == 0
        rg = _group(arm)
        refused = arm.put(vm_path(rg, "a"), V2020, json=_vm(arm, rg, "n1"))
        assert refused.status_code == 409
        assert admin.set_quotas(cores=None)["cores"] == 100  # back to the default
        with pytest.raises(EmulatorAdminError, match="unknown compute quota 'coresx'"):
            admin.set_quotas(coresx=1)
        with pytest.raises(EmulatorAdminError, match="whole number"):
            admin.set_quotas(cores=-1)


def test_quotas_from_the_command_line_and_config() -> None:
    config = config_from(parser().parse_args(["--quota", "cores=4", "--quota", "virtualmachines=2"]))
    assert config.quotas == {"cores": 4, "virtualmachines": 2}
    assert config.resolved().quotas == {"cores": 4, "virtualMachines": 2}  # canonical names
    with pytest.raises(SystemExit):
        parser().parse_args(["--quota", "cores"])
    with pytest.raises(ValueError, match="unknown compute quota 'gpus'"):
        EmulatorConfig(quotas={"gpus": 1}).validate()


@pytest.mark.parametrize("profile", ["v2020_09_01_hybrid", "v2019_03_01_hybrid"])
def test_the_sdk_reads_usages(sdk_client: Any, profile: str) -> None:
    client = sdk_client(ComputeManagementClient, getattr(KnownProfiles, profile))
    found = {u.name.value: u for u in client.usage.list("local")}
    assert found["cores"].limit == 100 and found["cores"].unit == "Count"
    assert found["cores"].name.localized_value == "Total Regional vCPUs"


def test_another_location_is_a_404(arm: Any) -> None:
    response = arm.get("{sub}/providers/Microsoft.Compute/locations/westus/usages", V2020)
    assert response.status_code == 404


def test_the_quota_api_refuses_a_body_that_is_not_an_object(arm: Any) -> None:
    response = arm.session.put(arm.url("/_emulator/quotas"), json=[1])
    assert response.status_code == 400 and "not a JSON object" in response.json()["error"]["message"]
