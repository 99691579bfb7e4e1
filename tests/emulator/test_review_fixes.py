"""Review fixes: typed fault rules with actions, shared ARM checks, compute names, CA reuse, the
CLI's env-file check, response shapes, the running-operation index and the admin client."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest
from helpers import (
    NET,
    V2020,
    create,
    disk_path,
    error_of,
    linux_vm,
    make_nic,
    rg_path,
    vm_path,
)

from pytest_azurestack.emulator import cli
from pytest_azurestack.emulator.admin_client import EmulatorAdmin, EmulatorAdminError
from pytest_azurestack.emulator.arm.faults import FaultRule, Faults
from pytest_azurestack.emulator.arm.lro import LroManager, Transition
from pytest_azurestack.emulator.config import EmulatorConfig
from pytest_azurestack.emulator.server import EmulatorInfo, EmulatorServer
from pytest_azurestack.emulator.stamp import Emulator
from pytest_azurestack.emulator.tls import CA_FILE, make_certificates

DISKS = "2019-07-01"


# --- 1. fault rules are typed ---
@pytest.mark.parametrize(
    ("rule", "names"),
    [
        ({"times": "x"}, "times"),
        ({"status": "500"}, "status"),
        ({"delay": "slow", "kind": "slow"}, "delay"),
        ({"method": 1}, "method"),
        ({"times": True}, "times"),
        ({"method": "FETCH"}, "FETCH"),
        ({"times": -1}, ">= 0"),
    ],
)
def test_badly_typed_fault_rules_are_refused(rule: dict[str, Any], names: str) -> None:
    with pytest.raises(ValueError, match=names):
        FaultRule.from_dict(rule)


def test_bad_rule_over_http_is_400_and_arm_keeps_working(
    arm: Any, emulator_info: EmulatorInfo, faults: Faults, resource_group: str
) -> None:
    refused = arm.session.post(f"{emulator_info.arm_endpoint}/_emulator/faults", json={"times": "x"})
    assert refused.status_code == 400 and "times" in refused.json()["error"]["message"]
    assert faults.snapshot() == []
    assert arm.get(f"{rg_path(resource_group)}", "2019-10-01").status_code == 200


# --- 2. faults per provider and action ---
def test_rules_naming_nothing_served_are_refused(faults: Faults) -> None:
    with pytest.raises(ValueError, match=r"resource_type 'virtualMachines/start' is not served"):
        faults.add(FaultRule(provider="Microsoft.Compute", resource_type="virtualMachines/start"))
    with pytest.raises(ValueError, match="action 'reboot' is not served"):
        faults.add(FaultRule(provider="Microsoft.Compute", action="reboot"))
    with pytest.raises(ValueError, match="action 'start' is not served"):
        faults.add(FaultRule(provider="Microsoft.Storage", action="start"))
    with pytest.raises(ValueError, match=r"provider 'Microsoft.Sql' is not served"):
        faults.add(FaultRule(provider="Microsoft.Sql"))
    with pytest.raises(ValueError, match="needs method POST"):
        FaultRule(action="start", method="GET")
    faults.add(FaultRule(provider="microsoft.compute", resource_type="virtualmachines", action="Deallocate"))


def test_a_fault_on_deallocate_leaves_start_alone(arm: Any, faults: Faults, resource_group: str) -> None:
    vm = vm_path(resource_group, "absent")
    faults.add(FaultRule(status=503, provider="Microsoft.Compute", action="deallocate", retry_after=0))
    started = arm.post(f"{vm}/start", V2020)
    assert error_of(started)[:2] == (404, "ResourceNotFound")
    failed = arm.post(f"{vm}/deallocate", V2020)
    assert failed.status_code == 503 and failed.headers["Retry-After"] == "0"


# --- 3. compute resource names ---
@pytest.mark.parametrize("name", ["bad_name!", "ends-", "ends.", "_starts", "x" * 65, "sp ace"])
def test_invalid_vm_names(arm: Any, resource_group: str, name: str) -> None:
    got = error_of(arm.put(vm_path(resource_group, name), V2020, json={"location": arm.info.location}))
    assert got[:2] == (400, "InvalidResourceName") and name in got[2]


@pytest.mark.parametrize("name", ["bad!", "-lead", "trail.", "y" * 81])
def test_invalid_disk_names(arm: Any, resource_group: str, name: str) -> None:
    body = {"location": arm.info.location, "properties": {"creationData": {"createOption": "Empty"}}}
    got = error_of(arm.put(disk_path(resource_group, name), DISKS, json=body))
    assert got[:2] == (400, "InvalidResourceName")


def test_valid_compute_names_pass_the_check(arm: Any, resource_group: str) -> None:
    body = {
        "location": arm.info.location,
        "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 1},
    }
    response = arm.put(disk_path(resource_group, "Data_1.disk_"), DISKS, json=body)
    assert response.status_code in (200, 201, 202), response.text


# --- 4. one tags check for every provider ---
def _tag_targets(arm: Any, rg: str) -> list[tuple[str, str, dict[str, Any]]]:
    loc = arm.info.location
    return [
        (f"{{sub}}/resourcegroups/{rg}", "2019-10-01", {"location": loc}),
        (f"{rg_path(rg)}/providers/Microsoft.Network/publicIPAddresses/pip", NET, {"location": loc}),
        (
            disk_path(rg, "d"),
            DISKS,
            {"location": loc, "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 1}},
        ),
        (
            f"{rg_path(rg)}/providers/Microsoft.Storage/storageAccounts/st{uuid.uuid4().hex[:10]}",
            "2019-06-01",
            {"location": loc, "sku": {"name": "Standard_LRS"}, "kind": "Storage"},
        ),
    ]


@pytest.mark.parametrize(
    ("tags", "code"),
    [
        ({f"t{i}": "v" for i in range(60)}, "InvalidTag"),
        ({"a/b": "v"}, "InvalidTagNameCharacters"),
        ({"a<b": "v"}, "InvalidTagNameCharacters"),
        ({"a": "v" * 257}, "InvalidTagValueLength"),
        ({"a": 1}, "InvalidRequestContent"),
    ],
)
def test_tags_checked_alike_by_every_provider(
    arm: Any, resource_group: str, tags: dict[str, Any], code: str
) -> None:
    for path, version, body in _tag_targets(arm, resource_group):
        got = error_of(arm.put(path, version, json={**body, "tags": tags}))
        assert got[:2] == (400, code), (path, got)


# --- 5. shared location check ---
def test_location_checked_alike(arm: Any, resource_group: str) -> None:
    for path, version, body in _tag_targets(arm, resource_group)[1:]:
        wrong = error_of(arm.put(path, version, json={**body, "location": "eastus"}))
        assert wrong[:2] == (400, "LocationNotAvailableForResourceType") and "eastus" in wrong[2], path
        missing = error_of(arm.put(path, version, json={k: v for k, v in body.items() if k != "location"}))
        assert missing[:2] == (400, "LocationRequired"), path


# --- 6. the CLI's env file ---
def test_env_file_in_a_missing_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "no" / "such" / "emulator.env"
    assert cli.main(["--env-file", str(target), "--providers", "resources"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "does not exist" in err and str(target.parent) in err
    assert "--port" not in err and not target.parent.exists()


# --- 7. the CA survives restarts with a data dir ---
def test_ca_is_reused_from_the_data_dir(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = make_certificates(tmp_path / "w1", data)
    second = make_certificates(tmp_path / "w2", data)
    assert first.ca_bundle.read_bytes() == second.ca_bundle.read_bytes()
    assert oct((data / "emulator-ca-key.pem").stat().st_mode & 0o777) == "0o600"
    assert make_certificates(tmp_path / "w3").ca_bundle.read_bytes() != first.ca_bundle.read_bytes()


def test_client_trusting_the_first_ca_talks_to_the_restarted_emulator(tmp_path: Path) -> None:
    config = {"data_dir": tmp_path / "data", "providers": ("resources",), "retry_after": 0}
    with EmulatorServer(EmulatorConfig(**config)) as info:  # type: ignore[arg-type]
        trusted = tmp_path / "trusted-ca.pem"
        shutil.copy(info.ca_bundle, trusted)
    with EmulatorServer(EmulatorConfig(**config)) as again:  # type: ignore[arg-type]
        assert (tmp_path / "data" / CA_FILE).read_bytes() == trusted.read_bytes()
        with EmulatorAdmin(again.arm_endpoint, trusted) as admin:
            assert admin.info()["subscriptionId"] == again.subscription_id


# --- 8. shapes ---
def test_vm_and_nic_shapes_after_a_create(arm: Any, resource_group: str) -> None:
    rg = resource_group
    nic_id = make_nic(arm, rg)
    create(arm, rg, linux_vm(arm, nic_id))
    nic = arm.get(nic_id, NET).json()
    assert nic["properties"]["primary"] is True
    assert nic["properties"]["virtualMachine"]["id"].endswith("/virtualMachines/vm")
    bogus = error_of(arm.get(vm_path(rg), V2020, params={"$expand": "bogus"}))
    assert bogus[:2] == (400, "InvalidParameter") and "bogus" in bogus[2]
    assert arm.get(vm_path(rg), V2020, params={"$expand": "InstanceView"}).status_code == 200
    power = arm.post(f"{vm_path(rg)}/powerOff", V2020)
    assert power.status_code == 202 and power.headers["azure-asyncnotification"] == "Enabled"
    arm.wait(power)
    assert arm.delete(vm_path(rg), V2020).status_code == 202
    for _ in range(5):
        arm.get(vm_path(rg), V2020)
    released = arm.get(nic_id, NET).json()["properties"]
    assert "virtualMachine" not in released and "primary" not in released


def test_duplicate_data_disk_names_both_entries(arm: Any, resource_group: str) -> None:
    rg = resource_group
    body = {
        "location": arm.info.location,
        "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 1},
    }
    disk = arm.put(disk_path(rg, "shared"), DISKS, json=body)
    arm.wait(disk)
    disk_id = disk.json()["id"]
    vm = linux_vm(arm, make_nic(arm, rg))
    vm["properties"]["storageProfile"]["dataDisks"] = [
        {"lun": 0, "name": "dd1", "createOption": "Attach", "managedDisk": {"id": disk_id}},
        {"lun": 1, "name": "dd2", "createOption": "Attach", "managedDisk": {"id": disk_id}},
    ]
    got = error_of(arm.put(vm_path(rg), V2020, json=vm))
    assert got[:2] == (400, "InvalidParameter")
    assert "LUN 0 and LUN 1 both use disk 'shared'" in got[2]


def test_network_put_while_the_previous_one_runs_is_409(
    arm: Any, resource_group: str, lro: LroManager
) -> None:
    lro.set_transition("Microsoft.Network/publicIPAddresses", Transition(manual=True))
    path = f"{rg_path(resource_group)}/providers/Microsoft.Network/publicIPAddresses/busy"
    first = arm.put(path, NET, json={"location": arm.info.location})
    assert first.status_code == 201
    got = error_of(arm.put(path, NET, json={"location": arm.info.location, "tags": {"a": "b"}}))
    assert got[:2] == (409, "AnotherOperationInProgress")
    lro.finish_all()
    assert arm.put(path, NET, json={"location": arm.info.location, "tags": {"a": "b"}}).status_code == 200


# --- 9. running operations are indexed by resource id ---
def test_observe_uses_the_running_index(emulator: Emulator, lro: LroManager) -> None:
    rid = f"/subscriptions/s/resourceGroups/G/providers/Microsoft.Compute/disks/idx-{uuid.uuid4().hex[:6]}"
    request = _request(emulator)
    op = lro.begin(request, rid, kind="update")
    assert lro.running_on(rid.upper() + "/") == [op]
    lro.observe(rid.lower())
    assert op.polls == 1
    lro.observe(rid)
    assert op.done and lro.running_on(rid) == []
    lro.observe(rid)
    assert op.polls == 2


def _request(emulator: Emulator) -> Any:
    from pytest_azurestack.emulator.arm.request import ArmRequest

    return ArmRequest(
        method="PUT",
        path="/",
        route_params={},
        query={},
        api_version=DISKS,
        headers={},
        base_url="https://127.0.0.1:1",
        location="local",
        subscription_id="s",
        body=b"",
        context=emulator.context,
    )


# --- 10. the admin client ---
def test_admin_client_steers_the_emulator(fresh_emulator: Any, arm_client: Any) -> None:
    server = fresh_emulator(providers=("resources", "compute", "network", "storage"))
    info = server.info
    arm = arm_client(server)
    with EmulatorAdmin(info.arm_endpoint, info.ca_bundle) as admin:
        assert admin.info()["armEndpoint"] == info.arm_endpoint
        rule = admin.add_fault(
            kind="status", status=503, provider="Microsoft.Compute", action="start", times=1
        )
        assert rule["action"] == "start" and [r["id"] for r in admin.faults()] == [rule["id"]]
        with pytest.raises(EmulatorAdminError, match=r"400.*times"):
            admin.add_fault(times="x")
        with pytest.raises(EmulatorAdminError, match=r"400.*virtualMachines/start"):
            admin.add_fault(resource_type="virtualMachines/start")
        admin.remove_fault(rule["id"])
        with pytest.raises(EmulatorAdminError, match="404"):
            admin.remove_fault(rule["id"])
        admin.add_fault(kind="status", status=500, method="DELETE")
        admin.clear_faults()
        assert admin.faults() == []

        assert "delete" in admin.set_transition("delete", manual=True)
        group = "{sub}/resourcegroups/g1"
        assert arm.put(group, "2019-10-01", json={"location": info.location}).status_code == 201
        deleting = arm.delete(group, "2019-10-01")
        assert deleting.status_code == 202
        running = [op for op in admin.operations() if op["status"] == "InProgress"]
        assert [op["kind"] for op in running] == ["delete"]
        assert arm.get(group, "2019-10-01").status_code == 200  # manual: still there
        assert admin.finish_operation(running[0]["id"])["status"] == "Succeeded"
        assert arm.get(group, "2019-10-01").status_code == 404
        assert "delete" not in admin.clear_transition("delete")
        assert admin.finish_all() == []

        assert arm.put(group, "2019-10-01", json={"location": info.location}).status_code == 201
        assert any(item["type"] == "Microsoft.Resources/resourceGroups" for item in admin.state())
        log = admin.requests()
        assert log[-1]["method"] == "PUT" and log[-1]["status"] == 201
        admin.clear_requests()
        assert admin.requests() == []
        admin.reset_state()
        assert admin.state() == []
        assert arm.get(group, "2019-10-01").status_code == 404
