"""Unit tests of the ARM core pieces that need no server: ids, routing, store, transitions, faults."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_azurestack.emulator import cli
from pytest_azurestack.emulator.arm import (
    ArmResponse,
    Route,
    Store,
    parse_resource_id,
    resource_id,
    same_id,
)
from pytest_azurestack.emulator.arm.faults import FaultRule
from pytest_azurestack.emulator.arm.lro import LroManager, Transition
from pytest_azurestack.emulator.arm.routing import Router
from pytest_azurestack.emulator.arm.versions import VersionTable


def test_resource_id_round_trip_with_children() -> None:
    rid = resource_id("s", "g", "Microsoft.Network", "virtualNetworks", "v", "subnets", "a")
    assert rid == "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v/subnets/a"
    parsed = parse_resource_id(rid)
    assert (parsed.subscription, parsed.resource_group, parsed.namespace) == ("s", "g", "Microsoft.Network")
    assert parsed.types == ("virtualNetworks", "subnets") and parsed.names == ("v", "a")
    assert parsed.full_type == "Microsoft.Network/virtualNetworks/subnets" and parsed.name == "a"
    assert parsed.parent == "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v"
    assert parse_resource_id(parsed.parent).parent == "/subscriptions/s/resourceGroups/g"


def test_parse_resource_group_ids_in_any_case() -> None:
    parsed = parse_resource_id("/subscriptions/s/resourcegroups/G")
    assert parsed.resource_group == "G" and parsed.full_type == "Microsoft.Resources/resourceGroups"


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "/foo/bar",
        "/subscriptions",
        "/subscriptions/s/resourceGroups",
        "/subscriptions/s/resourceGroups/g/providers/ns/type",
    ],
)
def test_bad_ids_are_value_errors(bad: str) -> None:
    with pytest.raises(ValueError, match="is not a resource id"):
        parse_resource_id(bad)


def test_same_id_ignores_case_and_trailing_slash() -> None:
    assert same_id("/subscriptions/S/resourceGroups/G/", "/subscriptions/s/resourcegroups/g")
    assert not same_id("/subscriptions/s/resourceGroups/g", "/subscriptions/s/resourceGroups/h")
    assert not same_id(None, "/x")


def _handler(request: Any) -> ArmResponse:
    return ArmResponse(200)


def test_router_prefers_literal_segments_and_reports_other_methods() -> None:
    generic = Route("GET", "/subscriptions/{subscription}/providers/{namespace}/{thing}", _handler, "X", "t")
    literal = Route(
        "GET", "/subscriptions/{subscription}/providers/Microsoft.X/things", _handler, "X", "things"
    )
    router = Router([generic, literal])
    match, _ = router.resolve("GET", "/SUBSCRIPTIONS/abc/Providers/microsoft.x/THINGS")
    assert match is not None and match.route is literal and match.params == {"subscription": "abc"}
    match, _ = router.resolve("GET", "/subscriptions/abc/providers/Microsoft.Y/other")
    assert match is not None and match.route is generic and match.params["namespace"] == "Microsoft.Y"
    assert router.resolve("PUT", "/subscriptions/abc/providers/Microsoft.X/things") == (None, True)
    assert router.resolve("GET", "/nothing") == (None, False)


def test_store_list_children_delete_tree() -> None:
    store = Store()
    group = "/subscriptions/s/resourceGroups/g"
    vm = resource_id("s", "g", "Microsoft.Compute", "virtualMachines", "vm")
    other = resource_id("s", "g2", "Microsoft.Compute", "virtualMachines", "vm2")
    store.put(group, {"id": group, "type": "Microsoft.Resources/resourceGroups"})
    store.put({"id": vm, "type": "Microsoft.Compute/virtualMachines"})
    store.put(other, {"id": other, "type": "Microsoft.Compute/virtualMachines"})
    assert [r["id"] for r in store.list("s", "microsoft.compute/VIRTUALMACHINES")] == [vm, other]
    assert [r["id"] for r in store.list("s", "Microsoft.Compute/virtualMachines", "G")] == [vm]
    assert [r["id"] for r in store.children(group.upper())] == [vm]
    live = store.get(vm.lower())
    assert live is not None
    live["tags"] = {"a": "b"}
    assert store.get(vm) == {"id": vm, "type": "Microsoft.Compute/virtualMachines", "tags": {"a": "b"}}
    assert {r["id"] for r in store.delete_tree(group)} == {group, vm}
    assert store.exists(other) and not store.exists(vm)


def test_store_flush_is_atomic_json(tmp_path: Any) -> None:
    store = Store(tmp_path)
    store.put("/subscriptions/s/resourceGroups/g", {"id": "/subscriptions/s/resourceGroups/g", "type": "t"})
    store.meta["subscription_id"] = "s"
    store.flush()
    store.close()
    assert not list(tmp_path.glob(".state-*"))
    again = Store(tmp_path)
    assert again.exists("/subscriptions/S/resourcegroups/G") and again.meta == {"subscription_id": "s"}


def test_transition_and_fault_validation() -> None:
    assert Transition.from_dict({"polls": 0}) == Transition(0, None, False)
    with pytest.raises(ValueError, match="unknown transition keys"):
        Transition.from_dict({"poll": 2})
    with pytest.raises(ValueError, match=">= 0"):
        Transition.from_dict({"polls": -1})
    with pytest.raises(ValueError, match="must be an HTTP error status"):
        FaultRule(kind="status", status=200)
    with pytest.raises(ValueError, match="Failed or Canceled"):
        FaultRule(kind="lro", lro_status="Succeeded")
    with pytest.raises(ValueError, match="unknown fault keys"):
        FaultRule.from_dict({"kind": "status", "colour": "red"})


def test_fault_matching_and_times() -> None:
    rule = FaultRule(
        kind="status",
        status=503,
        provider="microsoft.compute",
        resource_type="virtualMachines",
        method="post",
        name="VM1",
        times=1,
    )
    assert not rule.matches("POST", "Microsoft.Compute", "virtualMachines", {"name": "vm2"})
    assert not rule.matches("GET", "Microsoft.Compute", "virtualMachines", {"name": "vm1"})
    assert rule.matches("POST", "Microsoft.Compute", "virtualMachines/extensions", {"name": "vm1"})
    rule.fired = 1
    assert not rule.matches("POST", "Microsoft.Compute", "virtualMachines", {"name": "vm1"})


def test_version_table_by_build() -> None:
    newest = VersionTable("2102")
    assert newest.served("Microsoft.Compute", "disks") == {"2019-07-01", "2017-03-30"}
    assert "2020-06-01" in newest.served("microsoft.compute", "virtualMachines")
    assert "2019-07-01" in newest.served_by_provider("Microsoft.Compute")
    oldest = VersionTable("1808")
    assert "2020-06-01" not in oldest.served("Microsoft.Compute", "virtualMachines")
    assert oldest.served("Microsoft.Storage", "storageAccounts") == {"2016-01-01"}


@pytest.mark.parametrize(("given", "header"), [(1, "1"), (0, "0"), (1.0, "1"), (0.01, "0.01")])
def test_retry_after_reads_as_whole_seconds_unless_a_fraction_is_asked_for(given: float, header: str) -> None:
    assert LroManager(Store(), retry_after=given).retry_after_header == header


def test_the_cli_takes_fractional_retry_after() -> None:
    assert cli.parser().parse_args(["--retry-after", "0.01"]).retry_after == 0.01
    assert cli.parser().parse_args(["--retry-after", "2"]).retry_after == 2
