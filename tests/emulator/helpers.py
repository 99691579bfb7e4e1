"""Helpers shared by the emulator's test modules (fixtures stay in conftest.py).

``ArmClient`` talks raw HTTP to an emulator; ``error_of`` unpacks an ARM error answer;
``unique_name`` makes names that do not collide across a session; ``security_rule`` builds a
valid NSG rule body; the Compute helpers (``rg_path``, ``vm_path``, ``disk_path``, ``make_nic``,
``linux_vm``, ``create``) build and create VMs over raw HTTP.
"""

from __future__ import annotations

import uuid
from typing import Any

import requests

from pytest_azurestack.emulator import EmulatorInfo


class ArmClient:
    """Raw HTTP against the emulator: no SDK between the test and the wire."""

    def __init__(self, info: EmulatorInfo, token: str | None) -> None:
        self.info = info
        self.session = requests.Session()
        self.session.trust_env = False  # the machine's REQUESTS_CA_BUNDLE must not replace ours
        self.session.verify = str(info.ca_bundle)
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        self.sub = f"/subscriptions/{info.subscription_id}"

    def url(self, path: str) -> str:
        if path.startswith("https://"):
            return path
        return self.info.arm_endpoint + path.replace("{sub}", self.sub)

    def request(
        self, method: str, path: str, api_version: str | None = None, **kwargs: Any
    ) -> requests.Response:
        params = dict(kwargs.pop("params", None) or {})
        if api_version is not None:
            params["api-version"] = api_version
        kwargs.setdefault("timeout", 10)
        return self.session.request(method, self.url(path), params=params, **kwargs)

    def get(self, path: str, api_version: str | None = None, **kw: Any) -> requests.Response:
        return self.request("GET", path, api_version, **kw)

    def put(self, path: str, api_version: str | None = None, **kw: Any) -> requests.Response:
        return self.request("PUT", path, api_version, **kw)

    def post(self, path: str, api_version: str | None = None, **kw: Any) -> requests.Response:
        return self.request("POST", path, api_version, **kw)

    def patch(self, path: str, api_version: str | None = None, **kw: Any) -> requests.Response:
        return self.request("PATCH", path, api_version, **kw)

    def delete(self, path: str, api_version: str | None = None, **kw: Any) -> requests.Response:
        return self.request("DELETE", path, api_version, **kw)

    def head(self, path: str, api_version: str | None = None, **kw: Any) -> requests.Response:
        return self.request("HEAD", path, api_version, **kw)

    def wait(self, response: requests.Response, limit: int = 20) -> requests.Response:
        """Poll an LRO's Azure-AsyncOperation (else Location) until terminal; the last response."""
        url = response.headers.get("Azure-AsyncOperation") or response.headers["Location"]
        for _ in range(limit):
            polled = self.get(url)
            if "Azure-AsyncOperation" in response.headers:
                if polled.json()["status"] not in ("InProgress", "Running"):
                    return polled
            elif polled.status_code != 202:
                return polled
        raise AssertionError(f"operation {url} did not finish in {limit} polls")


def error_of(response: requests.Response) -> tuple[int, str, str]:
    """(status, error code, error message) of an ARM error answer."""
    error = response.json()["error"]
    return response.status_code, error["code"], error["message"]


def unique_name(prefix: str, length: int = 8) -> str:
    return f"{prefix}{uuid.uuid4().hex[:length]}"


def security_rule(name: str = "r", **properties: Any) -> dict[str, Any]:
    """An allow-all inbound TCP rule at priority 100; ``properties`` override or add fields."""
    body: dict[str, Any] = {
        "protocol": "Tcp",
        "access": "Allow",
        "direction": "Inbound",
        "priority": 100,
        "sourcePortRange": "*",
        "destinationPortRange": "*",
        "sourceAddressPrefix": "*",
        "destinationAddressPrefix": "*",
    }
    body.update(properties)
    return {"name": name, "properties": {k: v for k, v in body.items() if v is not None}}


# --- Compute over raw HTTP -----------------------------------------------------------------------
NET = "2018-11-01"
V2020, V2017_12, V2017_03, V2016 = "2020-06-01", "2017-12-01", "2017-03-30", "2016-03-30"
PASSWORD = "Emul@tor-" + uuid.uuid4().hex[:8]


def rg_path(rg: str) -> str:
    return f"{{sub}}/resourceGroups/{rg}"


def vm_path(rg: str, name: str = "vm") -> str:
    return f"{rg_path(rg)}/providers/Microsoft.Compute/virtualMachines/{name}"


def disk_path(rg: str, name: str) -> str:
    return f"{rg_path(rg)}/providers/Microsoft.Compute/disks/{name}"


def make_nic(arm: Any, rg: str, name: str = "nic") -> str:
    net = f"{rg_path(rg)}/providers/Microsoft.Network"
    vnet = {
        "location": arm.info.location,
        "properties": {
            "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
            "subnets": [{"name": "default", "properties": {"addressPrefix": "10.0.0.0/24"}}],
        },
    }
    if arm.get(f"{net}/virtualNetworks/vnet", NET).status_code == 404:
        arm.wait(arm.put(f"{net}/virtualNetworks/vnet", NET, json=vnet))
    subnet_id = arm.get(f"{net}/virtualNetworks/vnet/subnets/default", NET).json()["id"]
    nic = {
        "location": arm.info.location,
        "properties": {"ipConfigurations": [{"name": "c1", "properties": {"subnet": {"id": subnet_id}}}]},
    }
    response = arm.put(f"{net}/networkInterfaces/{name}", NET, json=nic)
    assert response.status_code in (200, 201), response.text
    arm.wait(response)
    return str(response.json()["id"])


def linux_vm(arm: Any, nic_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "location": arm.info.location,
        "properties": {
            "hardwareProfile": {"vmSize": "Standard_A1"},
            "storageProfile": {
                "imageReference": {
                    "publisher": "Canonical",
                    "offer": "UbuntuServer",
                    "sku": "16.04-LTS",
                    "version": "latest",
                },
                "osDisk": {"createOption": "fromImage"},
            },
            "osProfile": {"computerName": "vm", "adminUsername": "azureuser", "adminPassword": PASSWORD},
            "networkProfile": {"networkInterfaces": [{"id": nic_id}]},
        },
    }
    body.update(overrides)
    return body


def create(arm: Any, rg: str, body: dict[str, Any], name: str = "vm", version: str = V2020) -> dict[str, Any]:
    response = arm.put(vm_path(rg, name), version, json=body)
    assert response.status_code == 201, response.text
    assert arm.wait(response).json()["status"] == "Succeeded"
    return dict(arm.get(vm_path(rg, name), version, params={"$expand": "instanceView"}).json())
