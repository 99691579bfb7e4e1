"""``/metadata/endpoints`` answers in the shape of the api-version asked for, and refuses others."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_azurestack.cloud import discover


def test_2015_01_01_is_the_legacy_shape(arm: Any, emulator_info: Any) -> None:
    body = arm.get("/metadata/endpoints", "2015-01-01").json()
    assert set(body) == {"galleryEndpoint", "graphEndpoint", "portalEndpoint", "authentication"}
    assert body["authentication"] == {
        "loginEndpoint": f"{emulator_info.arm_endpoint}/adfs/",
        "audiences": [emulator_info.audience],
    }


def test_2022_09_01_is_one_cloud_with_name_and_suffixes(arm: Any, emulator_info: Any) -> None:
    response = arm.get("/metadata/endpoints", "2022-09-01")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "AzureStack"
    assert body["resourceManager"] == f"{emulator_info.arm_endpoint}/"
    assert body["authentication"] == {
        "loginEndpoint": f"{emulator_info.arm_endpoint}/adfs/",
        "audiences": [emulator_info.audience],
        "tenant": "adfs",
        "identityProvider": "ADFS",
    }
    # The data-plane suffixes agree with the blob endpoint the storage provider hands out.
    assert body["suffixes"]["storage"] == f"{emulator_info.location}.azurestack.external"
    assert body["suffixes"]["keyVaultDns"] == f"vault.{emulator_info.location}.azurestack.external"
    assert "galleryEndpoint" not in body and body["portal"].endswith("/portal/")


def test_aad_identity_names_its_tenant_and_provider(fresh_emulator: Any, arm_client: Any) -> None:
    server = fresh_emulator(identity="aad")
    body = arm_client(server).get("/metadata/endpoints", "2022-09-01").json()
    assert body["authentication"]["identityProvider"] == "AAD"
    assert body["authentication"]["tenant"] == server.info.tenant_id


@pytest.mark.parametrize("version", ["2019-05-01", "2099-01-01", "garbage"])
def test_an_unknown_api_version_is_refused_like_arm(arm: Any, version: str) -> None:
    response = arm.get("/metadata/endpoints", version)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "InvalidApiVersionParameter"
    assert f"'{version}'" in error["message"] and "2022-09-01,2015-01-01" in error["message"]


def test_a_missing_api_version_is_refused(arm: Any) -> None:
    response = arm.get("/metadata/endpoints")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "MissingApiVersionParameter"


def test_the_plugins_discovery_still_reads_it(emulator_info: Any) -> None:
    cloud = discover(emulator_info.arm_endpoint, str(emulator_info.ca_bundle))
    assert cloud.login_endpoint == f"{emulator_info.arm_endpoint}/adfs/"
    assert cloud.audiences == (emulator_info.audience,) and cloud.is_adfs
