"""Reading a Network request body strictly, the way the real service parses it.

Every accessor takes the JSON path of the value (``properties.addressSpace.addressPrefixes``)
so a wrong type or a missing property becomes one 400 naming exactly that path, never a 500.
The Network resource provider answers malformed bodies with ``InvalidRequestFormat`` ("Cannot
parse the request.") and an ``InvalidJson`` detail naming the path; we say what was expected too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pytest_azurestack.emulator.arm.errors import ArmError
from pytest_azurestack.emulator.arm.validation import (
    KIND_NAMES,
    check_tags,
    check_unchanged_location,
    json_type,
    location_text,
    type_ok,
)
from pytest_azurestack.emulator.providers.network import addressing


def bad_request(path: str, problem: str) -> ArmError:
    """400 InvalidRequestFormat naming ``path``."""
    message = f"Cannot parse the request: {problem}"
    return ArmError(
        400,
        "InvalidRequestFormat",
        message,
        details=[{"code": "InvalidJson", "message": f"{problem} Path '{path}'."}],
        target=path,
    )


def missing(path: str, hint: str = "") -> ArmError:
    return bad_request(path, f"the required property '{path}' is missing.{(' ' + hint) if hint else ''}")


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def expect(value: Any, kind: type, path: str) -> Any:
    """``value`` if it is of ``kind`` (bool is not an int here), else a 400 naming ``path``."""
    if not type_ok(value, kind):
        raise bad_request(path, f"'{path}' must be {KIND_NAMES[kind]}, got {json_type(value)}.")
    return value


def get(obj: dict[str, Any], key: str, kind: type, path: str, *, required: bool = False) -> Any:
    """``obj[key]`` checked against ``kind``; None when absent (or null) and not required."""
    full = join(path, key)
    value = obj.get(key)
    if value is None:
        if required:
            raise missing(full)
        return None
    return expect(value, kind, full)


def get_object(obj: dict[str, Any], key: str, path: str, *, required: bool = False) -> dict[str, Any]:
    """A nested object; ``{}`` when absent and not required."""
    value = get(obj, key, dict, path, required=required)
    return value if value is not None else {}


def get_list(
    obj: dict[str, Any], key: str, item: type, path: str, *, required: bool = False
) -> list[Any] | None:
    """An array whose every element is ``item``."""
    value = get(obj, key, list, path, required=required)
    if value is None:
        return None
    full = join(path, key)
    for index, element in enumerate(value):
        expect(element, item, join(full, index))
    return value


def get_choice(
    obj: dict[str, Any], key: str, choices: Iterable[str], path: str, *, required: bool = False
) -> str | None:
    """A string enum, matched case-insensitively and answered in its canonical spelling."""
    value = get(obj, key, str, path, required=required)
    if value is None:
        return None
    options = list(choices)
    for choice in options:
        if choice.lower() == value.lower():
            return choice
    full = join(path, key)
    raise bad_request(full, f"'{value}' is not a valid value for '{full}'; use one of {', '.join(options)}.")


def get_dns_servers(obj: dict[str, Any], path: str) -> list[str]:
    """``dnsServers`` under ``obj`` (absent: none), each an IPv4 address."""
    servers: list[str] = get_list(obj, "dnsServers", str, path) or []
    for index, server in enumerate(servers):
        if not addressing.is_ipv4(server):
            raise bad_request(f"{path}.dnsServers[{index}]", f"'{server}' is not an IP address.")
    return servers


def get_reference(obj: dict[str, Any], key: str, path: str) -> str | None:
    """A ``{"id": "..."}`` reference to another resource; None when absent."""
    ref = get(obj, key, dict, path)
    if ref is None:
        return None
    return str(get(ref, "id", str, join(path, key), required=True))


def get_tags(body: dict[str, Any]) -> dict[str, str]:
    """ARM's tag rules, shared by every provider; ``{}`` when absent."""
    return check_tags(body.get("tags")) or {}


def require_location(body: dict[str, Any], existing: dict[str, Any] | None) -> str:
    """ARM requires ``location`` on every tracked resource and never lets it change.

    (The stamp's one region is checked in ``responses`` before the model sees the body.)
    """
    location = get(body, "location", str, "")
    if location is None and existing is not None:
        return str(existing["location"])
    location = location_text(location)
    if existing is not None:
        check_unchanged_location(location, existing)
    return location


def check_name(name: str, kind: str) -> None:
    """Network resource names: 1-80 characters, letters/digits/``_.-``, not ending in ``.`` or ``-``."""
    ok = 0 < len(name) <= 80 and name[0].isalnum() and name[-1] not in ".-"
    ok = ok and all(c.isalnum() or c in "_.-" for c in name)
    if not ok:
        raise ArmError(
            400,
            "InvalidResourceName",
            f"Resource name {name} is invalid. The name can be up to 80 characters long. "
            "It must begin with a word character, and it must end with a word character or with '_'. "
            f"The name may contain word characters or '.', '-', '_'. ({kind})",
        )
