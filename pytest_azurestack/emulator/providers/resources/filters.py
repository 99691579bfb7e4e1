"""The ``$filter`` of resource and resource-group lists: ``field eq 'value'`` joined by ``and``.

What clients send: ``tagName eq 'n' [and tagValue eq 'v']`` (SDKs, the plugin's sweeper),
``resourceType eq 'ns/type'`` and, from ``az resource list -g``, ``resourceGroup eq 'rg'``
(combined with ``resourceType`` and ``name`` by ``--resource-type``/``--name``). Values compare
case-insensitively except tag values, as ARM compares them. Anything else is ARM's 400.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import Any

from pytest_azurestack.emulator.arm.errors import ArmError
from pytest_azurestack.emulator.arm.ids import parse_resource_id

Predicate = Callable[[dict[str, Any]], bool]

# Fields by the name ARM accepts, lower-cased.
GROUP_FIELDS = ("tagName", "tagValue")
RESOURCE_FIELDS = ("tagName", "tagValue", "resourceType", "name", "location")
SUBSCRIPTION_RESOURCE_FIELDS = (*RESOURCE_FIELDS, "resourceGroup")

_CLAUSE = re.compile(r"^\s*(?P<field>\w+)\s+eq\s+'(?P<value>(?:[^']|'')*)'\s*$", re.IGNORECASE)
_AND = re.compile(r"\s+and\s+(?=(?:[^']*'[^']*')*[^']*$)", re.IGNORECASE)  # an `and` outside quotes


def predicate(text: str | None, fields: Collection[str]) -> Predicate:
    """The items ``$filter`` keeps; ``fields`` are those this list accepts."""
    if not text or not text.strip():
        return lambda item: True
    allowed = {f.lower(): f for f in fields}
    wanted: dict[str, str] = {}
    for clause in _AND.split(text):
        match = _CLAUSE.match(clause)
        field = match.group("field").lower() if match else ""
        if match is None or field not in allowed or field in wanted:
            raise _unsupported(text, fields)
        wanted[field] = match.group("value").replace("''", "'")
    if "tagvalue" in wanted and "tagname" not in wanted:
        raise _unsupported(text, fields)
    return lambda item: _matches(item, wanted)


def _matches(item: dict[str, Any], wanted: dict[str, str]) -> bool:
    for field, value in wanted.items():
        if field == "tagname":
            tags = {k.lower(): v for k, v in (item.get("tags") or {}).items()}
            if value.lower() not in tags:
                return False
            if "tagvalue" in wanted and tags[value.lower()] != wanted["tagvalue"]:
                return False
        elif field == "resourcegroup":
            if (parse_resource_id(str(item["id"])).resource_group or "").lower() != value.lower():
                return False
        elif field != "tagvalue" and str(item.get(_ITEM_KEYS[field], "")).lower() != value.lower():
            return False
    return True


_ITEM_KEYS = {"resourcetype": "type", "name": "name", "location": "location"}


def _unsupported(text: str, fields: Collection[str]) -> ArmError:
    clauses = ", ".join(
        "tagName eq 'n' [and tagValue eq 'v']" if f == "tagName" else f"{f} eq '...'"
        for f in fields
        if f != "tagValue"
    )
    return ArmError(
        400,
        "InvalidFilterInQueryString",
        f"The $filter '{text}' is not supported; use {clauses} (joined with 'and').",
    )
