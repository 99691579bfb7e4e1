"""Typed reads of a request body: a wrong type is a 400 naming the property, never a 500."""

from __future__ import annotations

from typing import Any

from pytest_azurestack.emulator.arm.errors import ArmError
from pytest_azurestack.emulator.arm.validation import KIND_NAMES, check_tags, type_ok


def missing(path: str) -> ArmError:
    """Compute's wording for an absent required property."""
    return ArmError(400, "InvalidParameter", f"Required parameter '{path}' is missing (null).", target=path)


def invalid(path: str, message: str) -> ArmError:
    return ArmError(400, "InvalidParameter", message, target=path)


def _typed(parent: dict[str, Any], key: str, path: str, kind: type, required: bool) -> Any:
    value = parent.get(key)
    if value is None:
        if required:
            raise missing(path)
        return None
    if not type_ok(value, kind):
        raise ArmError(
            400,
            "InvalidRequestContent",
            f"The request content was invalid and could not be deserialized: '{path}' must be "
            f"{KIND_NAMES[kind]}, got {type(value).__name__} {value!r:.60}.",
            target=path,
        )
    return value


def obj(parent: dict[str, Any], key: str, path: str, required: bool = False) -> dict[str, Any] | None:
    return _typed(parent, key, path, dict, required)


def arr(parent: dict[str, Any], key: str, path: str, required: bool = False) -> list[Any] | None:
    return _typed(parent, key, path, list, required)


def text(parent: dict[str, Any], key: str, path: str, required: bool = False) -> str | None:
    value = _typed(parent, key, path, str, required)
    if required and value is not None and not value.strip():
        raise missing(path)
    return value


def integer(parent: dict[str, Any], key: str, path: str, required: bool = False) -> int | None:
    value = parent.get(key)
    # JSON clients send sizes as numbers; the real service also accepts numeric strings.
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return _typed(parent, key, path, int, required)


def boolean(parent: dict[str, Any], key: str, path: str) -> bool | None:
    return _typed(parent, key, path, bool, False)


def objects(items: list[Any], path: str) -> list[dict[str, Any]]:
    """Every element of an array must be an object."""
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise ArmError(
                400,
                "InvalidRequestContent",
                f"The request content was invalid and could not be deserialized: '{path}[{index}]' must be "
                f"an object, got {type(item).__name__}.",
                target=f"{path}[{index}]",
            )
    return items


def tags(body: dict[str, Any]) -> dict[str, str] | None:
    """ARM's tag rules, shared by every provider; None when absent."""
    return check_tags(body.get("tags"))
