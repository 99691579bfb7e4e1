"""A deployment and its operations as each Resources api-version writes them.

Fields follow the api-version's own model (azure-mgmt-resource's versioned models): ``type``
from 2018-05-01; ``duration``, ``templateHash``, ``outputResources`` and an operation's
``provisioningOperation`` and ``duration`` from 2019-10-01 (2016-02-01 and 2018-02-01 have none).
"""

from __future__ import annotations

from typing import Any

_COMMON = (
    "provisioningState",
    "correlationId",
    "timestamp",
    "outputs",
    "providers",
    "dependencies",
    "parameters",
    "mode",
    "error",
)
_FROM_2019_10_01 = ("duration", "templateHash", "outputResources")


def _at_least(api_version: str, floor: str) -> bool:
    return api_version[:10] >= floor


def deployment_body(record: dict[str, Any], api_version: str) -> dict[str, Any]:
    body: dict[str, Any] = {"id": record["id"], "name": record["name"]}
    if _at_least(api_version, "2018-05-01"):
        body["type"] = record["type"]
    body["properties"] = _properties(record["properties"], api_version)
    return body


def _properties(props: dict[str, Any], api_version: str) -> dict[str, Any]:
    keys = _COMMON + (_FROM_2019_10_01 if _at_least(api_version, "2019-10-01") else ())
    return {k: props[k] for k in keys if k in props and props[k] not in (None, [])}


def validate_body(record: dict[str, Any], api_version: str) -> dict[str, Any]:
    """A validate's answer: only the properties (``DeploymentValidateResult``), ``Succeeded``."""
    props = _properties({**record["properties"], "provisioningState": "Succeeded"}, api_version)
    props.pop("outputResources", None)
    props.pop("duration", None)
    if _at_least(api_version, "2019-10-01"):
        props["validatedResources"] = record["validatedResources"]
    return {"properties": props}


def operation_body(record: dict[str, Any], operation: dict[str, Any], api_version: str) -> dict[str, Any]:
    newer = _at_least(api_version, "2019-10-01")
    keys = [
        "provisioningState",
        "timestamp",
        "serviceRequestId",
        "statusCode",
        "statusMessage",
        "targetResource",
    ]
    if newer:
        keys[1:1] = ["duration"]
        keys.insert(0, "provisioningOperation")
    props = {k: operation[k] for k in keys if operation.get(k) is not None}
    return {
        "id": f"{record['id']}/operations/{operation['operationId']}",
        "operationId": operation["operationId"],
        "properties": props,
    }
