"""Azure CLI 2.66 (the last release with the hybrid profiles) runs Microsoft's VM sample, command
by command, against the standalone emulator, as an Azure Stack operator would.

Run by ``tox -e cli``, which installs ``azure-cli~=2.66.0`` in an environment of its own and
points ``AZ_CLI`` at it; skipped when no suitable ``az`` is found. Each profile gets its own
``AZURE_CONFIG_DIR``, registers the emulator as a cloud at that profile, trusts the emulator's CA
(``REQUESTS_CA_BUNDLE``), signs in with the service principal against ADFS, then runs every
step and checks the state it leaves (power state, disk size, tags...). A failure names the step
and the command, with the client secret and the admin password masked.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pytest_azurestack.emulator.admin_client import EmulatorAdmin

AZ_VERSION = "2.66."  # later releases drop the hybrid profiles
COMMAND_TIMEOUT = 300  # seconds; one az command against a loopback emulator takes 2-5
IMAGE = "Canonical:UbuntuServer:16.04-LTS:latest"
# Error codes that mean "the emulator does not serve this", never a client's mistake here.
UNSERVED = {
    "NotFound",
    "InvalidResourceType",
    "InvalidResourceNamespace",
    "NoRegisteredProviderFound",
    "InvalidApiVersionParameter",
    "MethodNotAllowed",
    "InvalidFilterInQueryString",
}


def _find_az() -> tuple[str | None, str]:
    """The az executable to use and, when there is none fit for the test, why."""
    az = os.environ.get("AZ_CLI") or shutil.which("az")
    if not az:
        return None, (
            "Azure CLI not found: run `tox -e cli` (it installs azure-cli~=2.66.0 in its own "
            "environment) or set AZ_CLI to an az 2.66 executable"
        )
    try:
        out = subprocess.run(
            [az, "version", "-o", "json"], capture_output=True, text=True, timeout=120, check=True
        )
        version = json.loads(out.stdout)["azure-cli"]
    except (OSError, subprocess.SubprocessError, ValueError, KeyError) as exc:
        return None, f"{az} does not run as the Azure CLI ({exc}); set AZ_CLI to an az 2.66 executable"
    if not version.startswith(AZ_VERSION):
        return None, (
            f"{az} is Azure CLI {version}; the hybrid profiles need 2.66 (the last release with them): "
            "run `tox -e cli` or set AZ_CLI"
        )
    return az, ""


AZ, WHY_NOT = _find_az()
pytestmark = pytest.mark.skipif(AZ is None, reason=WHY_NOT)


@dataclass
class Cli:
    """``az`` in one isolated configuration directory, with the secrets it is given masked."""

    az: str
    env: dict[str, str]
    secrets: tuple[str, ...]
    steps: list[tuple[str, str, float]] = field(default_factory=list)  # (command, outcome, seconds)

    def mask(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def __call__(self, *args: str) -> Any:
        """Run ``az ARGS -o json``; the parsed output (None when it prints nothing)."""
        command = "az " + " ".join(args)
        started = time.monotonic()
        result = subprocess.run(
            [self.az, *args, "-o", "json"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
        )
        seconds = time.monotonic() - started
        if result.returncode != 0:
            self.steps.append((self.mask(command), "FAILED", seconds))
            error = self.mask(result.stderr.strip())[-2000:]
            raise AssertionError(
                f"`{self.mask(command)}` exited {result.returncode}: {error}\n\nsteps so far:\n{self.table()}"
            )
        self.steps.append((self.mask(command), "ok", seconds))
        return json.loads(result.stdout) if result.stdout.strip() else None

    def table(self) -> str:
        return "\n".join(
            f"{outcome:6} {seconds:5.1f}s  {command}" for command, outcome, seconds in self.steps
        )


@pytest.fixture(scope="module")
def emulator_exports(
    tmp_path_factory: pytest.TempPathFactory,
    launch_emulator: Callable[..., Any],  # tests/conftest.py: the console script, as a user starts it
) -> Iterator[dict[str, str]]:
    env_file = tmp_path_factory.mktemp("emulator") / "azurestack.env"
    # Retry-After 0.01 s, which azure-core honours: the CLI keeps its default polling.
    emulator = launch_emulator(env_file, "--retry-after", "0.01")
    yield emulator.exports()
    assert emulator.stop() == 0, "the emulator must stop cleanly on SIGTERM"


def _cli(exports: dict[str, str], config_dir: Path, password: str) -> Cli:
    assert AZ is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "ARM_", "AZURESTACK_"))}
    env.update(
        AZURE_CONFIG_DIR=str(config_dir),
        REQUESTS_CA_BUNDLE=exports["REQUESTS_CA_BUNDLE"],  # the emulator's CA, and only it
        AZURE_CORE_COLLECT_TELEMETRY="false",
        AZURE_CORE_NO_COLOR="true",
        AZURE_CORE_ONLY_SHOW_ERRORS="true",
        AZURE_CORE_SURVEY_MESSAGE="false",
        AZURE_EXTENSION_USE_DYNAMIC_INSTALL="no",
    )
    return Cli(AZ, env, (exports["AZURE_CLIENT_SECRET"], password))


@pytest.mark.parametrize("profile", ["2020-09-01-hybrid", "2019-03-01-hybrid"])
def test_the_vm_sample_runs_command_by_command(
    emulator_exports: dict[str, str], tmp_path: Path, profile: str, capsys: pytest.CaptureFixture[str]
) -> None:
    exports = emulator_exports
    password = "Emul@tor-" + uuid.uuid4().hex[:12]
    az = _cli(exports, tmp_path / "azure-config", password)
    location = exports["AZURE_RESOURCE_LOCATION"]
    suffix = profile[:4] + profile[5:7]
    cloud, group = f"AzureStackEmulator{suffix}", f"cli-sample-{suffix}"
    with EmulatorAdmin(exports["ARM_ENDPOINT"], Path(exports["REQUESTS_CA_BUNDLE"])) as admin:
        admin.clear_requests()
        try:
            _run_sample(az, exports, profile, cloud, group, location, password)
        finally:
            with capsys.disabled():
                print(f"\nAzure CLI against the emulator at {profile}:\n{az.table()}")
        # Nothing the CLI sent may have met a route, type or api-version the emulator lacks.
        unserved = [
            f"{r['method']} {r['path']} api-version={r['apiVersion']}: {r['status']} {r['code']}"
            for r in admin.requests()
            if r["status"] >= 500 or r["code"] in UNSERVED
        ]
        assert unserved == [], "\n".join(unserved)


def _run_sample(
    az: Cli, exports: dict[str, str], profile: str, cloud: str, group: str, location: str, password: str
) -> None:
    arm = exports["ARM_ENDPOINT"]
    # --- sign in as an Azure Stack operator does -----------------------------------------------------
    az("cloud", "register", "-n", cloud, "--endpoint-resource-manager", arm, "--profile", profile)
    az("cloud", "set", "-n", cloud)
    assert az("cloud", "show", "-n", cloud)["profile"] == profile
    accounts = az(
        "login", "--service-principal", "--tenant", "adfs",
        "-u", exports["AZURE_CLIENT_ID"], "-p", exports["AZURE_CLIENT_SECRET"],
    )  # fmt: skip
    assert [a["id"] for a in accounts] == [exports["AZURE_SUBSCRIPTION_ID"]]

    # --- the lab -------------------------------------------------------------------------------------
    assert (
        az("group", "create", "-n", group, "-l", location)["properties"]["provisioningState"] == "Succeeded"
    )
    account = "st" + uuid.uuid4().hex[:12]
    created = az(
        "storage", "account", "create", "-n", account, "-g", group, "-l", location, "--sku", "Standard_LRS"
    )
    assert created["provisioningState"] == "Succeeded" and created["sku"]["name"] == "Standard_LRS"
    vnet = az("network", "vnet", "create", "-g", group, "-n", "vnet", "--address-prefix", "10.0.0.0/16")
    assert vnet["newVNet"]["addressSpace"]["addressPrefixes"] == ["10.0.0.0/16"]
    subnet = az(
        "network", "vnet", "subnet", "create", "-g", group, "--vnet-name", "vnet", "-n", "subnet",
        "--address-prefix", "10.0.0.0/24",
    )  # fmt: skip
    assert subnet["addressPrefix"] == "10.0.0.0/24"
    nic = az(
        "network", "nic", "create", "-g", group, "-n", "nic", "--vnet-name", "vnet", "--subnet", "subnet"
    )
    assert nic["NewNIC"]["ipConfigurations"][0]["privateIPAddress"].startswith("10.0.0.")

    # --- VMs: on the NIC made above, and with everything the CLI templates itself ---------------------
    vm_args = ("--image", IMAGE, "--admin-username", "azureuser", "--admin-password", password,
               "--authentication-type", "password", "--size", "Standard_A1")  # fmt: skip
    made = az("vm", "create", "-g", group, "-n", "vm", "--nics", "nic", *vm_args)
    assert made["powerState"] == "VM running", made
    other = az("vm", "create", "-g", group, "-n", "vm2", *vm_args)
    assert other["powerState"] == "VM running" and other["publicIpAddress"], other
    kinds = {r["type"].lower() for r in az("resource", "list", "-g", group)}
    assert {
        "microsoft.network/networksecuritygroups",
        "microsoft.network/publicipaddresses",
        "microsoft.compute/virtualmachines",
    } <= kinds

    # --- the sample's operations on the first VM ---------------------------------------------------------
    assert az("vm", "update", "-g", group, "-n", "vm", "--set", "tags.env=cli")["tags"] == {"env": "cli"}
    assert az("disk", "create", "-g", group, "-n", "data1", "--size-gb", "1")["diskSizeGb"] == 1
    az("vm", "disk", "attach", "-g", group, "--vm-name", "vm", "--name", "data1")
    shown = az("vm", "show", "-g", group, "-n", "vm")
    assert [d["name"] for d in shown["storageProfile"]["dataDisks"]] == ["data1"]
    az("vm", "disk", "detach", "-g", group, "--vm-name", "vm", "--name", "data1")
    assert az("vm", "show", "-g", group, "-n", "vm")["storageProfile"]["dataDisks"] == []
    az("vm", "deallocate", "-g", group, "-n", "vm")
    assert _power(az, group, "vm") == "PowerState/deallocated"
    os_disk = shown["storageProfile"]["osDisk"]["name"]
    assert az("disk", "update", "-g", group, "-n", os_disk, "--size-gb", "40")["diskSizeGb"] == 40
    assert az("vm", "show", "-g", group, "-n", "vm")["storageProfile"]["osDisk"]["diskSizeGb"] == 40
    az("vm", "start", "-g", group, "-n", "vm")
    assert _power(az, group, "vm") == "PowerState/running"
    az("vm", "restart", "-g", group, "-n", "vm")
    assert _power(az, group, "vm") == "PowerState/running"
    az("vm", "stop", "-g", group, "-n", "vm")
    assert _power(az, group, "vm") == "PowerState/stopped"
    assert sorted(v["name"] for v in az("vm", "list", "-g", group)) == ["vm", "vm2"]

    # --- what the operator's preflight and inventory read ---------------------------------------------
    usage = {u["name"]["value"]: u for u in az("vm", "list-usage", "-l", location)}
    assert int(usage["virtualMachines"]["currentValue"]) >= 2  # the other profile's VMs may be there
    assert int(usage["cores"]["currentValue"]) >= 2 and int(usage["cores"]["limit"]) > 0
    listed = {r["name"] for r in az("resource", "list", "-g", group)}
    assert {"vm", "vm2", "nic", "vnet", account, "data1", os_disk} <= listed

    # --- clean up -----------------------------------------------------------------------------------------
    az("vm", "delete", "-g", group, "-n", "vm", "--yes")
    assert [v["name"] for v in az("vm", "list", "-g", group)] == ["vm2"]
    az("group", "delete", "-n", group, "--yes")
    assert az("group", "exists", "-n", group) is False


def _power(az: Cli, group: str, name: str) -> str:
    view = az("vm", "get-instance-view", "-g", group, "-n", name)
    codes = [s["code"] for s in view["instanceView"]["statuses"]]
    return next(c for c in codes if c.startswith("PowerState/"))
