"""Checks Resource Manager itself applies to every provider's request body: tags and location.

Also the JSON-type vocabulary the providers' typed body readers share (``type_ok``,
``json_type``); each provider keeps its own error wording where the real services differ.
"""

from __future__ import annotations

from typing import Any

from pytest_azurestack.emulator.arm.errors import ArmError

# ARM's documented tag limits (Azure "tag resources" page): 50 tags, names 512 and values 256
# characters, and these characters refused in names.
MAX_TAGS = 50
MAX_TAG_NAME = 512
MAX_TAG_VALUE = 256
TAG_NAME_FORBIDDEN = "<>%&\\?/"

KIND_NAMES: dict[type, str] = {
    dict: "an object",
    list: "an array",
    str: "a string",
    int: "an integer",
    bool: "a boolean",
}


def type_ok(value: Any, kind: type) -> bool:
    """``isinstance``, except that JSON booleans are not integers."""
    return isinstance(value, kind) and not (kind is int and isinstance(value, bool))


def json_type(value: Any) -> str:
    """How JSON would name ``value``'s type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return KIND_NAMES.get(type(value), type(value).__name__)


def check_tags(value: Any) -> dict[str, str] | None:
    """``tags`` as ARM validates them before any provider runs; None when absent."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ArmError(
            400,
            "InvalidRequestContent",
            f"The request content was invalid: 'tags' must be an object of strings, got {json_type(value)}.",
            target="tags",
        )
    if len(value) > MAX_TAGS:
        raise ArmError(
            400, "InvalidTag", f"A resource can have at most {MAX_TAGS} tags; {len(value)} were given."
        )
    for name, tag in value.items():
        if not type_ok(tag, str):
            raise ArmError(
                400,
                "InvalidRequestContent",
                f"The request content was invalid: 'tags.{name}' must be a string, got {json_type(tag)}.",
                target=f"tags.{name}",
            )
        if not name or len(name) > MAX_TAG_NAME or any(c in name for c in TAG_NAME_FORBIDDEN):
            raise ArmError(
                400,
                "InvalidTagNameCharacters",
                f"The tag name '{name}' has invalid characters or length: use 1-{MAX_TAG_NAME} characters "
                f"without any of {' '.join(TAG_NAME_FORBIDDEN)}.",
            )
        if len(tag) > MAX_TAG_VALUE:
            raise ArmError(
                400,
                "InvalidTagValueLength",
                f"The value of tag '{name}' is {len(tag)} characters long; the limit is {MAX_TAG_VALUE}.",
            )
    return dict(value)


def normalize_location(location: str) -> str:
    """``"West US"`` and ``"westus"`` are the same region to ARM."""
    return location.replace(" ", "").lower()


def location_text(value: Any) -> str:
    """A body's ``location``: required, a non-empty string."""
    if not isinstance(value, str) or not value.strip():
        raise ArmError(400, "LocationRequired", "The location property is required for this definition.")
    return value


def check_stamp_location(location: str, stamp_location: str, full_type: str) -> None:
    """A stamp has one region: ARM refuses any other before the provider sees the request."""
    if normalize_location(location) != normalize_location(stamp_location):
        raise ArmError(
            400,
            "LocationNotAvailableForResourceType",
            f"The provided location '{location}' is not available for resource type '{full_type}'. "
            f"List of available regions for the resource type is '{stamp_location}'.",
        )


def check_unchanged_location(location: str, existing: dict[str, Any]) -> None:
    """A resource never moves: a PUT naming another region is refused."""
    if normalize_location(location) != normalize_location(str(existing["location"])):
        raise ArmError(
            400,
            "InvalidResourceLocation",
            f"The resource '{existing['name']}' already exists in location '{existing['location']}'. "
            f"A resource with the same name cannot be created in location '{location}'. "
            "Please select a new resource name.",
        )


def resolve_location(value: Any, existing: dict[str, Any] | None, stamp_location: str, full_type: str) -> str:
    """The location of a PUT: required on create, kept on update, the stamp's, never changed."""
    if value is None and existing is not None:
        return str(existing["location"])
    location = location_text(value)
    if existing is not None:
        check_unchanged_location(location, existing)
    check_stamp_location(location, stamp_location, full_type)
    return location
