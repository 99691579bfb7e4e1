"""``GET /metadata/endpoints``: the cloud's endpoints, in the shape of the api-version asked for.

Two shapes exist. ``2015-01-01`` (what Azure Stack's own instructions, msrestazure, the Azure CLI's
``az cloud register --endpoint-resource-manager`` and this plugin's discovery ask for) is
``{galleryEndpoint, graphEndpoint, portalEndpoint, authentication{loginEndpoint, audiences}}``.
``2022-09-01`` (what newer tools ask for: go-azure-sdk, Terraform's azurerm) is one cloud object
with ``name``, ``portal``, ``graph``, ``resourceManager``, ``authentication{loginEndpoint,
audiences, tenant, identityProvider}`` and the data-plane DNS ``suffixes``. Any other api-version
is refused as Resource Manager refuses one, instead of silently answering with the old body.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_azurestack.emulator.arm.errors import ArmError

LEGACY = "2015-01-01"
CURRENT = "2022-09-01"
SUPPORTED = (CURRENT, LEGACY)


def api_version_of(query: Mapping[str, str]) -> str:
    """The request's api-version (the parameter name is case-insensitive), or ARM's refusal."""
    version = next((v for k, v in query.items() if k.lower() == "api-version"), None)
    if not version:
        raise ArmError(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )
    if version not in SUPPORTED:
        raise ArmError(
            400,
            "InvalidApiVersionParameter",
            f"The api-version '{version}' is invalid. The supported versions are '{','.join(SUPPORTED)}'.",
        )
    return version


def document(
    api_version: str,
    base_url: str,
    *,
    login_endpoint: str,
    audience: str,
    tenant: str,
    is_adfs: bool,
    location: str,
) -> dict[str, Any]:
    """The metadata document of ``api_version`` (one of ``SUPPORTED``)."""
    if api_version == LEGACY:
        return {
            "galleryEndpoint": f"{base_url}/gallery/",
            "graphEndpoint": f"{base_url}/graph/",
            "portalEndpoint": f"{base_url}/portal/",
            "authentication": {"loginEndpoint": login_endpoint, "audiences": [audience]},
        }
    # An Azure Stack Hub stamp's data-plane host names live under <region>.<external domain>;
    # the emulator's storage accounts say https://{account}.blob.{location}.azurestack.external/.
    external = f"{location}.azurestack.external"
    return {
        "portal": f"{base_url}/portal/",
        "authentication": {
            "loginEndpoint": login_endpoint,
            "audiences": [audience],
            "tenant": tenant,
            "identityProvider": "ADFS" if is_adfs else "AAD",
        },
        "graphAudience": f"{base_url}/graph/",
        "graph": f"{base_url}/graph/",
        "name": "AzureStack",
        "suffixes": {"keyVaultDns": f"vault.{external}", "storage": external},
        "gallery": f"{base_url}/gallery/",
        "resourceManager": f"{base_url}/",
    }
