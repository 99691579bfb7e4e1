"""Resource group and registration state (no HTTP)."""

from __future__ import annotations

import re
from typing import Any

from pytest_azurestack.emulator.arm import validation
from pytest_azurestack.emulator.arm.errors import ArmError, resource_group_not_found
from pytest_azurestack.emulator.arm.ids import group_id
from pytest_azurestack.emulator.arm.store import Store

GROUP_TYPE = "Microsoft.Resources/resourceGroups"
# Kept under a group but not resources of it: ARM's resource lists never show them.
HIDDEN_TYPES = (GROUP_TYPE, "Microsoft.Resources/deployments")
_GROUP_NAME = re.compile(r"^[-\w._()]{1,90}$")


def check_group_name(name: str) -> None:
    if not _GROUP_NAME.match(name) or name.endswith("."):
        raise ArmError(
            400,
            "InvalidResourceGroup",
            f"The provided resource group name '{name}' has invalid characters or length: "
            "it must be 1-90 letters, digits, underscores, hyphens, periods or parentheses, "
            "and not end with a period.",
        )


def check_tags(tags: Any) -> dict[str, str]:
    """ARM's tag rules (shared by every provider); an absent ``tags`` is ``{}`` for a group."""
    return validation.check_tags(tags) or {}


def check_location(value: Any, stamp_location: str) -> str:
    """Resource groups have their own wording for a region the stamp does not serve."""
    location = validation.normalize_location(validation.location_text(value))
    if location != validation.normalize_location(stamp_location):
        raise ArmError(
            400,
            "LocationNotAvailableForResourceGroup",
            f"The provided location '{value}' is not available for resource group. "
            f"List of available regions is '{stamp_location}'.",
        )
    return location


def get_group(store: Store, subscription: str, name: str) -> dict[str, Any]:
    group = store.get(group_id(subscription, name))
    if group is None:
        raise resource_group_not_found(name)
    return group


def new_group(
    subscription: str, name: str, location: str, tags: dict[str, str], managed_by: str | None
) -> dict[str, Any]:
    group: dict[str, Any] = {
        "id": group_id(subscription, name),
        "name": name,
        "type": GROUP_TYPE,
        "location": location,
        "tags": tags,
        "properties": {"provisioningState": "Succeeded"},
    }
    if managed_by:
        group["managedBy"] = managed_by
    return group


def resources_in(store: Store, prefix: str) -> list[dict[str, Any]]:
    """Top-level resources under a group or subscription (not child resources like subnets)."""
    out = []
    for item in store.children(prefix):
        if item.get("type") in HIDDEN_TYPES:
            continue
        parts = [p for p in str(item["id"]).split("/") if p]
        # /subscriptions/s/resourceGroups/g/providers/ns/type/name has 8 segments.
        if len(parts) == 8:
            out.append(item)
    return out


REGISTRATIONS_KEY = "registrations"  # Store.meta: namespace (lower-cased) -> registration state


def registration_state(store: Store, namespace: str) -> str:
    """A namespace is ``Registered`` until a client unregisters it."""
    registrations: dict[str, str] = store.meta.get(REGISTRATIONS_KEY, {})
    return registrations.get(namespace.lower(), "Registered")


def set_registration(store: Store, namespace: str, state: str) -> None:
    store.meta.setdefault(REGISTRATIONS_KEY, {})[namespace.lower()] = state
