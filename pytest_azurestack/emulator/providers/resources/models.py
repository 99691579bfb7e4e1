"""Resource group and registration state (no HTTP)."""

from __future__ import annotations

import re
from typing import Any

from pytest_azurestack.emulator.arm.errors import ArmError, resource_group_not_found
from pytest_azurestack.emulator.arm.ids import group_id
from pytest_azurestack.emulator.arm.store import Store

GROUP_TYPE = "Microsoft.Resources/resourceGroups"
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
    if tags is None:
        return {}
    if not isinstance(tags, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in tags.items()
    ):
        raise ArmError(
            400, "InvalidRequestContent", "The 'tags' property must be an object of string values."
        )
    if len(tags) > 50:
        raise ArmError(400, "InvalidTag", "A resource can have at most 50 tags.")
    for key in tags:
        if not key or len(key) > 512 or any(c in key for c in "<>%&\\?/"):
            raise ArmError(
                400, "InvalidTagNameCharacters", f"The tag name '{key}' has invalid characters or length."
            )
    return dict(tags)


def normalize_location(value: Any, field: str = "location") -> str:
    if not isinstance(value, str) or not value.strip():
        raise ArmError(
            400, "LocationRequired", f"The '{field}' property is required and must be a non-empty string."
        )
    return value.replace(" ", "").lower()


def check_location(value: Any, stamp_location: str) -> str:
    location = normalize_location(value)
    if location != stamp_location.lower():
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
        if item.get("type") == GROUP_TYPE:
            continue
        parts = [p for p in str(item["id"]).split("/") if p]
        # /subscriptions/s/resourceGroups/g/providers/ns/type/name has 8 segments.
        if len(parts) == 8:
            out.append(item)
    return out
