"""Storage account state and validation (no HTTP). Stored in the newest shape; see responses.py."""

from __future__ import annotations

import base64
import re
import secrets
from datetime import datetime, timezone
from typing import Any

from pytest_azurestack.emulator.arm.errors import ArmError
from pytest_azurestack.emulator.arm.ids import resource_id
from pytest_azurestack.emulator.arm.store import Store

NAMESPACE = "Microsoft.Storage"
ACCOUNT_TYPE = "Microsoft.Storage/storageAccounts"
# What an Azure Stack Hub stamp offers: locally redundant storage only.
SKUS = {"standard_lrs": "Standard_LRS", "premium_lrs": "Premium_LRS"}
# Kinds by api-version: StorageV2 arrived after 2016-01-01.
KINDS_2016 = {"storage": "Storage", "blobstorage": "BlobStorage"}
KINDS = {**KINDS_2016, "storagev2": "StorageV2"}
ACCESS_TIERS = {"hot": "Hot", "cool": "Cool"}
_NAME = re.compile(r"^[a-z0-9]{3,24}$")


def name_problem(name: str) -> str | None:
    if _NAME.match(name):
        return None
    return (
        f"{name} is not a valid storage account name. Storage account name must be between 3 and 24 "
        "characters in length and use numbers and lower-case letters only."
    )


def blob_suffix(location: str) -> str:
    return f"{location}.azurestack.external"


def endpoints(name: str, location: str) -> dict[str, str]:
    suffix = blob_suffix(location)
    return {service: f"https://{name}.{service}.{suffix}/" for service in ("blob", "queue", "table")}


def find_by_name(store: Store, subscription: str, name: str) -> dict[str, Any] | None:
    for account in store.list(subscription, ACCOUNT_TYPE):
        if account["name"].lower() == name.lower():
            return account
    return None


def _bad(target: str, message: str) -> ArmError:
    return ArmError(400, "InvalidRequestContent", message, target=target)


def _object(body: dict[str, Any], key: str, required: bool) -> dict[str, Any] | None:
    value = body.get(key)
    if value is None:
        if required:
            raise ArmError(400, "MissingRequiredProperty", f"The '{key}' property is required.", target=key)
        return None
    if not isinstance(value, dict):
        raise _bad(key, f"The '{key}' property must be an object, got {type(value).__name__}.")
    return value


def parse_sku(body: dict[str, Any]) -> dict[str, str]:
    sku = _object(body, "sku", required=True)
    assert sku is not None
    name = sku.get("name")
    if not isinstance(name, str) or not name:
        raise ArmError(
            400, "MissingRequiredProperty", "The 'sku.name' property is required.", target="sku.name"
        )
    canonical = SKUS.get(name.lower())
    if canonical is None:
        raise ArmError(
            400,
            "SkuNotSupported",
            f"The SKU '{name}' is not supported by this Azure Stack stamp; "
            f"use one of {', '.join(SKUS.values())}.",
            target="sku.name",
        )
    return {"name": canonical, "tier": canonical.split("_", 1)[0]}


def parse_kind(body: dict[str, Any], api_version: str) -> str:
    kind = body.get("kind")
    if not isinstance(kind, str) or not kind:
        raise ArmError(400, "MissingRequiredProperty", "The 'kind' property is required.", target="kind")
    allowed = KINDS_2016 if api_version < "2017-01-01" else KINDS
    canonical = allowed.get(kind.lower())
    if canonical is None:
        raise ArmError(
            400,
            "InvalidRequestPropertyValue",
            f"The value '{kind}' is not valid for property 'kind' at api-version {api_version}; "
            f"use one of {', '.join(allowed.values())}.",
            target="kind",
        )
    return canonical


def parse_properties(body: dict[str, Any], kind: str, api_version: str) -> dict[str, Any]:
    props = _object(body, "properties", required=False) or {}
    out: dict[str, Any] = {}
    tier = props.get("accessTier")
    if tier is not None:
        if not isinstance(tier, str) or tier.lower() not in ACCESS_TIERS:
            raise _bad("properties.accessTier", f"The access tier '{tier}' is invalid; use Hot or Cool.")
        out["accessTier"] = ACCESS_TIERS[tier.lower()]
    elif kind == "BlobStorage":
        raise ArmError(
            400,
            "MissingRequiredProperty",
            "The 'properties.accessTier' property is required for BlobStorage accounts; use Hot or Cool.",
            target="properties.accessTier",
        )
    https_only = props.get("supportsHttpsTrafficOnly")
    if https_only is not None and not isinstance(https_only, bool):
        raise _bad(
            "properties.supportsHttpsTrafficOnly",
            "The 'supportsHttpsTrafficOnly' property must be a boolean.",
        )
    # The service default flipped to true with 2019-04-01.
    out["supportsHttpsTrafficOnly"] = https_only if https_only is not None else api_version >= "2019-04-01"
    return out


def new_keys() -> list[dict[str, str]]:
    return [
        {"keyName": n, "value": base64.b64encode(secrets.token_bytes(64)).decode()} for n in ("key1", "key2")
    ]


def new_account(
    subscription: str,
    group: str,
    name: str,
    location: str,
    sku: dict[str, str],
    kind: str,
    tags: dict[str, str],
    props: dict[str, Any],
) -> dict[str, Any]:
    now = datetime.now(timezone.utc).isoformat()
    return {
        "id": resource_id(subscription, group, NAMESPACE, "storageAccounts", name),
        "name": name,
        "type": ACCOUNT_TYPE,
        "location": location,
        "tags": tags,
        "sku": sku,
        "kind": kind,
        "properties": {
            "provisioningState": "Creating",
            "primaryEndpoints": endpoints(name, location),
            "primaryLocation": location,
            "statusOfPrimary": "available",
            "creationTime": now,
            "encryption": {
                "services": {
                    "blob": {"enabled": True, "lastEnabledTime": now},
                    "file": {"enabled": True, "lastEnabledTime": now},
                },
                "keySource": "Microsoft.Storage",
            },
            "networkAcls": {
                "bypass": "AzureServices",
                "virtualNetworkRules": [],
                "ipRules": [],
                "defaultAction": "Allow",
            },
            **props,
        },
        "keys": new_keys(),
    }
