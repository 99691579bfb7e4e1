"""Every response body in the committed cassettes reads cleanly into the SDK's own model of its
api-version (the multi-API SDK of the [sdk] extra): no field the model lacks, no value of the
wrong type. A misfit is a response shape the emulator (or a recording) got wrong; see
tests/cassette_models.py for how a body is matched to its model and compared.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from cassette_models import misfits, model_for

pytest.importorskip("azure.mgmt.compute.v2020_06_01", reason="needs the multi-API SDK of the [sdk] extra")

CASSETTES = Path(__file__).resolve().parent.parent / "cassettes"
FILES = sorted(CASSETTES.rglob("*.yaml"))


def _body(response: dict[str, Any]) -> Any:
    text = (response.get("body") or {}).get("string") or ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    try:
        return json.loads(text) if text.strip() else None
    except ValueError:
        return None


def _interactions(path: Path) -> list[tuple[str, str, str, int, Any]]:
    data = yaml.safe_load(path.read_text())
    out = []
    for item in data.get("interactions") or []:
        request, response = item["request"], item["response"]
        url = urlsplit(request["uri"])
        version = parse_qs(url.query).get("api-version", [""])[0]
        out.append(
            (request["method"].upper(), url.path, version, int(response["status"]["code"]), _body(response))
        )
    return out


def test_there_are_cassettes_to_check() -> None:
    assert len(FILES) > 50


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CASSETTES)))
def test_every_response_fits_its_sdk_model(path: Path) -> None:
    problems: list[str] = []
    for method, url_path, version, status, body in _interactions(path):
        target = model_for(method, url_path, version, status, body is not None)
        if target is None:
            continue
        found = misfits(target.model_class(), body)
        problems += [f"{method} {url_path} ({version}, {target.model}): {p}" for p in found]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"name": "vm", "location": "local", "unknownField": 1}, "$.unknownField: not in the model"),
        (
            {"name": "vm", "properties": {"vmId": "x", "hardwareProfile": {"vmsize": "A1"}}},
            "$.properties.hardwareProfile.vmsize",
        ),
        (
            {"name": "vm", "properties": {"osProfile": {"allowExtensionOperations": "yes"}}},
            "Data: yes, bool",
        ),
        ({"name": "vm", "properties": {"instanceView": {"statuses": [{"time": "yesterday"}]}}}, "time"),
    ],
)
def test_a_misfit_is_found(body: dict[str, Any], expected: str) -> None:
    from azure.mgmt.compute.v2020_06_01.models import VirtualMachine

    found = misfits(VirtualMachine, body)
    assert any(expected in p for p in found), found


def test_a_body_that_fits_has_no_misfits() -> None:
    from azure.mgmt.compute.v2020_06_01.models import VirtualMachine

    body = {
        "name": "vm",
        "location": "local",
        "tags": {"a": "b"},
        "properties": {
            "hardwareProfile": {"vmSize": "Standard_A1"},
            "instanceView": {"statuses": [{"code": "x", "time": "2020-01-01T00:00:00.1234567+00:00"}]},
            "provisioningState": "Succeeded",
        },
    }
    assert misfits(VirtualMachine, body) == []


def test_an_unmapped_path_is_an_error_not_a_pass() -> None:
    with pytest.raises(LookupError):
        model_for(
            "GET",
            "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/galleries/x",
            "2020-06-01",
            200,
            True,
        )


def test_only_a_network_childs_type_is_allowed_beyond_the_model() -> None:
    """Real recordings carry a NIC ipConfiguration's ``type`` where the 2017-10-01 model has none;
    a ``type`` anywhere else, or a child's unknown field, is still a misfit."""
    from azure.mgmt.network.v2017_10_01.models import NetworkInterface

    child = {"name": "ipconfig1", "type": "Microsoft.Network/networkInterfaces/ipConfigurations"}
    assert misfits(NetworkInterface, {"name": "nic", "properties": {"ipConfigurations": [child]}}) == []
    odd = {**child, "type": "Microsoft.Compute/virtualMachines", "shape": 1}
    found = misfits(NetworkInterface, {"name": "nic", "properties": {"ipConfigurations": [odd]}})
    assert any(".type" in p for p in found) and any(".shape" in p for p in found), found
