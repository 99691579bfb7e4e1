"""The VHD page blobs in storage accounts' blob endpoints: the contract unmanaged VM disks use.

The emulator does not serve blob storage, so it keeps a registry of the VHD blobs VMs created
(``Store.meta``) to answer what Azure would: a blob outlives the VM that wrote it, a new disk
cannot overwrite an existing blob, an ``Attach`` needs one, and a VM holds a lease on the blobs it
uses. Entries belong to one storage account instance: when the account is deleted (or deleted
and created again) its blobs are gone.

Other providers use only ``check_vhd_uri``, ``find_blob``, ``claim_blob``, ``hold_blob`` and
``release_blob``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from pytest_azurestack.emulator.arm.errors import ArmError
from pytest_azurestack.emulator.arm.store import Store
from pytest_azurestack.emulator.providers.storage.models import ACCOUNT_TYPE

# The registry's key in Store.meta, as earlier versions persisted it (kept so data dirs still load).
META_KEY = "compute.vhds"


def _account_stamp(account: dict[str, Any]) -> str:
    props = account.get("properties") or {}
    return str(props.get("creationTime") or account.get("id", "")).lower()


def blob_endpoint(account: dict[str, Any]) -> str:
    props = account.get("properties") or {}
    endpoints = props.get("primaryEndpoints") or {}
    return str(endpoints.get("blob") or "")


def find_account(store: Store, subscription: str, uri: str) -> dict[str, Any] | None:
    """The storage account whose blob endpoint serves ``uri``."""
    lowered = uri.lower()
    for account in store.list(subscription, ACCOUNT_TYPE):
        endpoint = blob_endpoint(account).lower()
        if endpoint and lowered.startswith(endpoint if endpoint.endswith("/") else endpoint + "/"):
            return account
    return None


def check_vhd_uri(store: Store, subscription: str, uri: str, target: str) -> dict[str, Any]:
    """Validate a VHD URI: a .vhd blob in a container of an existing account; return the account."""
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.netloc or not parts.path.lower().endswith(".vhd"):
        raise ArmError(
            400,
            "InvalidParameter",
            f"The value of parameter {target} is invalid: '{uri}' is not a blob URI ending in .vhd; use "
            "https://{account blob endpoint}/{container}/{name}.vhd.",
            target=target,
        )
    account = find_account(store, subscription, uri)
    if account is None:
        host = parts.netloc.split(".")[0]
        raise ArmError(
            404,
            "StorageAccountNotFound",
            f"Storage account '{host}' not found for VHD '{uri}'. Ensure storage account is not deleted and "
            "belongs to the same Azure location as the VM; create it first and use its "
            "primaryEndpoints.blob.",
            target=target,
        )
    rest = uri[len(blob_endpoint(account)) :].strip("/")
    if "/" not in rest:
        raise ArmError(
            400,
            "InvalidParameter",
            f"The value of parameter {target} is invalid: '{uri}' names no container; use "
            "{blob endpoint}/{container}/{name}.vhd.",
            target=target,
        )
    return account


def _registry(store: Store) -> dict[str, dict[str, Any]]:
    registry: dict[str, dict[str, Any]] = store.meta.setdefault(META_KEY, {})
    return registry


def find_blob(store: Store, subscription: str, uri: str) -> dict[str, Any] | None:
    """The registered blob at ``uri`` if its storage account (the same instance) still exists."""
    registry = _registry(store)
    entry = registry.get(uri.lower())
    if entry is None:
        return None
    account = store.get(entry["account"])
    if account is None or _account_stamp(account) != entry["stamp"]:
        registry.pop(uri.lower(), None)
        return None
    return entry


def claim_blob(store: Store, account: dict[str, Any], uri: str, size_gb: int, vm_id: str | None) -> None:
    """The blob at ``uri`` exists in ``account`` (created if new) with ``vm_id`` holding its lease."""
    _registry(store)[uri.lower()] = {
        "uri": uri,
        "account": account["id"],
        "stamp": _account_stamp(account),
        "sizeGB": size_gb,
        "attachedTo": vm_id,
    }
    store.mark_dirty()


def hold_blob(store: Store, uri: str, vm_id: str, size_gb: int | None = None) -> None:
    """``vm_id`` holds the lease of the registered blob at ``uri`` (now ``size_gb``, if given)."""
    _lease(store, uri, vm_id, size_gb)


def release_blob(store: Store, uri: str) -> None:
    """The blob's lease is broken: it stays, free for another VM to attach."""
    _lease(store, uri, None, None)


def _lease(store: Store, uri: str, vm_id: str | None, size_gb: int | None) -> None:
    entry = _registry(store).get(uri.lower())
    if entry is not None:
        entry["attachedTo"] = vm_id
        if size_gb is not None:
            entry["sizeGB"] = size_gb
        store.mark_dirty()
