"""The stamp settings a preflight looks at: subscription state, marketplace, compute quota."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from helpers import ArmClient, error_of

from pytest_azurestack.emulator import EmulatorServer
from pytest_azurestack.emulator.admin_client import EmulatorAdmin, EmulatorAdminError
from pytest_azurestack.emulator.cli import config_from, parser

COMPUTE = "2017-03-30"
USAGES = "{sub}/providers/Microsoft.Compute/locations/local/usages"
UBUNTU = (
    "{sub}/providers/Microsoft.Compute/locations/local/publishers/Canonical/artifacttypes/vmimage"
    "/offers/UbuntuServer/skus/16.04-LTS/versions"
)


def _usage(client: ArmClient) -> dict[str, dict[str, Any]]:
    response = client.get(USAGES, COMPUTE)
    assert response.status_code == 200, response.text
    return {u["name"]["value"]: u for u in response.json()["value"]}


def test_usages_have_arm_shape_and_count_what_exists(
    fresh_emulator: Callable[..., EmulatorServer], arm_client: Callable[..., ArmClient]
) -> None:
    server = fresh_emulator(quotas={"cores": 3})
    client = arm_client(server)
    usage = _usage(client)
    assert usage["cores"] == {
        "unit": "Count",
        "currentValue": 0,
        "limit": 3,
        "name": {"value": "cores", "localizedValue": "Total Regional vCPUs"},
    }
    assert usage["virtualMachines"]["limit"] == 50
    # A VM in the store counts with its size's cores.
    sub = server.config.subscription_id
    server.emulator.store.put(
        {
            "id": f"/subscriptions/{sub}/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/v",
            "name": "v",
            "type": "Microsoft.Compute/virtualMachines",
            "location": "local",
            "properties": {"hardwareProfile": {"vmSize": "Standard_DS2_v2"}},
        }
    )
    usage = _usage(client)
    assert (usage["cores"]["currentValue"], usage["virtualMachines"]["currentValue"]) == (2, 1)


def test_usages_in_a_location_the_stamp_lacks_is_404(
    fresh_emulator: Callable[..., EmulatorServer], arm_client: Callable[..., ArmClient]
) -> None:
    client = arm_client(fresh_emulator())
    response = client.get("{sub}/providers/Microsoft.Compute/locations/westus/usages", COMPUTE)
    assert response.status_code == 404
    assert error_of(response)[1] == "LocationNotAvailableForResourceType"


def test_a_disabled_subscription_is_read_only(
    fresh_emulator: Callable[..., EmulatorServer], arm_client: Callable[..., ArmClient]
) -> None:
    server = fresh_emulator(subscription_state="Disabled")
    client = arm_client(server)
    assert client.get("{sub}", "2016-06-01").json()["state"] == "Disabled"
    response = client.put("{sub}/resourcegroups/g", "2019-10-01", json={"location": "local"})
    assert response.status_code == 409
    _, code, message = error_of(response)
    assert code == "ReadOnlyDisabledSubscription"
    assert "disabled and therefore marked as read only" in message
    assert client.get("{sub}/resourcegroups", "2019-10-01").status_code == 200  # reads still work
    assert not server.emulator.store.list(server.config.subscription_id, "Microsoft.Resources/resourceGroups")


def test_admin_settings_change_the_marketplace_state_and_quota(
    fresh_emulator: Callable[..., EmulatorServer], arm_client: Callable[..., ArmClient]
) -> None:
    server = fresh_emulator()
    assert server.info is not None
    client = arm_client(server)
    with EmulatorAdmin(server.info.arm_endpoint, server.info.ca_bundle) as admin:
        before = admin.settings()
        assert before["subscription_state"] == "Enabled" and len(before["images"]) == 2
        windows_only = [i for i in before["images"] if i["publisher"] != "Canonical"]
        after = admin.update_settings(images=windows_only, subscription_state="Disabled")
        assert admin.set_quotas(cores=0)["cores"] == 0 and len(after["images"]) == 1
        assert client.get(UBUNTU, COMPUTE).status_code == 404
        assert _usage(client)["cores"]["limit"] == 0
        assert client.get("{sub}", "2016-06-01").json()["state"] == "Disabled"
        with pytest.raises(EmulatorAdminError, match="subscription state 'Off' is unknown"):
            admin.update_settings(subscription_state="Off", images=None)
        with pytest.raises(EmulatorAdminError, match="unknown settings"):
            admin.update_settings(build="1808")
        assert len(admin.settings()["images"]) == 1  # a refused change changed nothing
        admin.update_settings(images=None, subscription_state="Enabled")
        assert client.get(UBUNTU, COMPUTE).status_code == 200


def test_cli_flags_reach_the_config(tmp_path: Any) -> None:
    images = tmp_path / "images.json"
    images.write_text(
        '[{"publisher": "P", "offer": "O", "sku": "S", "version": "1.0.0", "os_type": "Linux", '
        '"size_gb": 30}]'
    )
    args = parser().parse_args(
        [
            "--subscription-state",
            "Disabled",
            "--images",
            str(images),
            "--quota",
            "cores=4",
            "--quota",
            "virtualMachines=1",
        ]
    )
    config = config_from(args)
    config.validate()
    assert config.subscription_state == "Disabled"
    assert config.quotas == {"cores": 4, "virtualMachines": 1}
    assert config.images is not None and config.images[0]["publisher"] == "P"
    with pytest.raises(SystemExit):
        parser().parse_args(["--quota", "cores"])
