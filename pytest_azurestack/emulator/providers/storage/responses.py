"""Microsoft.Storage handlers, with each api-version's response shape (2016-01-01, 2017-10-01, 2019-06-01)."""

from __future__ import annotations

import copy
from typing import Any

from pytest_azurestack.emulator.arm.errors import ArmError, resource_not_found
from pytest_azurestack.emulator.arm.ids import resource_id
from pytest_azurestack.emulator.arm.lro import Change, respond
from pytest_azurestack.emulator.arm.paging import paged
from pytest_azurestack.emulator.arm.request import ArmRequest, ArmResponse
from pytest_azurestack.emulator.arm.validation import (
    check_stamp_location,
    check_tags,
    location_text,
    normalize_location,
)
from pytest_azurestack.emulator.providers.storage import models

# Properties each api-version does not know yet.
_NOT_BEFORE = {
    "supportsHttpsTrafficOnly": "2016-12-01",
    "networkAcls": "2017-06-01",
}


def shape(account: dict[str, Any], api_version: str) -> dict[str, Any]:
    """The account as ``api_version`` shows it (keys never appear)."""
    body = {k: copy.deepcopy(v) for k, v in account.items() if k != "keys"}
    props: dict[str, Any] = body["properties"]
    for key, since in _NOT_BEFORE.items():
        if api_version < since:
            props.pop(key, None)
    if api_version < "2017-01-01":
        # 2016-01-01 had no service-managed encryption block unless asked for, and no file endpoint.
        props.pop("encryption", None)
    if not body.get("tags"):
        body["tags"] = {}
    return body


def _key_permission(api_version: str) -> str:
    return "FULL" if api_version < "2017-01-01" else "Full"


def _account_id(request: ArmRequest) -> str:
    return resource_id(
        request.subscription_id,
        request.param("resource_group"),
        models.NAMESPACE,
        "storageAccounts",
        request.param("name"),
    )


def _get_account(request: ArmRequest) -> dict[str, Any]:
    account = request.store.get(_account_id(request))
    if account is None:
        raise resource_not_found(models.ACCOUNT_TYPE, request.param("name"), request.param("resource_group"))
    return account


def create(request: ArmRequest) -> ArmResponse:
    name = request.param("name")
    problem = models.name_problem(name)
    if problem:
        raise ArmError(400, "AccountNameInvalid", problem)
    body = request.json()
    given = location_text(body.get("location"))
    check_stamp_location(given, request.location, models.ACCOUNT_TYPE)
    location = normalize_location(given)
    sku = models.parse_sku(body)
    kind = models.parse_kind(body, request.api_version)
    tags = check_tags(body.get("tags")) or {}
    props = models.parse_properties(body, kind, request.api_version)
    store, sub, group = request.store, request.subscription_id, request.param("resource_group")
    existing = models.find_by_name(store, sub, name)
    if existing is not None:
        if existing["id"].lower() != _account_id(request).lower():
            raise ArmError(
                409,
                "StorageAccountAlreadyTaken",
                f"The storage account named {name} is already taken.",
            )
        if existing["kind"] != kind and not (existing["kind"] == "Storage" and kind == "StorageV2"):
            raise ArmError(
                409, "OperationNotAllowed", f"The kind of storage account {name} cannot change to {kind}."
            )
        existing.update(sku=sku, kind=kind, tags=tags)
        existing["properties"].update(props)
        return ArmResponse(200, shape(existing, request.api_version))
    account = store.put(models.new_account(sub, group, name, location, sku, kind, tags, props))
    api_version = request.api_version

    def complete() -> dict[str, Any]:
        account["properties"]["provisioningState"] = "Succeeded"
        return shape(account, api_version)

    # The real service answers a create with 202 and Location only.
    return respond(request, Change(account, created=True, complete=complete), reply="location")


def get(request: ArmRequest) -> ArmResponse:
    return ArmResponse(200, shape(_get_account(request), request.api_version))


def update(request: ArmRequest) -> ArmResponse:
    account = _get_account(request)
    body = request.json()
    if "sku" in body:
        account["sku"] = models.parse_sku(body)
    if "tags" in body:
        account["tags"] = check_tags(body["tags"]) or {}
    if "properties" in body:
        props = models.parse_properties(body, account["kind"], request.api_version)
        if "supportsHttpsTrafficOnly" not in (body.get("properties") or {}):
            props.pop("supportsHttpsTrafficOnly")
        account["properties"].update(props)
    return ArmResponse(200, shape(account, request.api_version))


def delete(request: ArmRequest) -> ArmResponse:
    gone = request.store.delete(_account_id(request))
    return ArmResponse(200 if gone else 204)


def _list(request: ArmRequest, group: str | None) -> ArmResponse:
    accounts = request.store.list(request.subscription_id, models.ACCOUNT_TYPE, group)
    items = [shape(a, request.api_version) for a in accounts]
    if request.api_version >= "2019-06-01":  # older versions had no nextLink
        return ArmResponse(200, paged(request, items))
    return ArmResponse(200, {"value": items})


def list_in_group(request: ArmRequest) -> ArmResponse:
    return _list(request, request.param("resource_group"))


def list_in_subscription(request: ArmRequest) -> ArmResponse:
    return _list(request, None)


def check_name_availability(request: ArmRequest) -> ArmResponse:
    body = request.json()
    name, rtype = body.get("name"), body.get("type")
    if not isinstance(name, str):
        raise ArmError(400, "MissingRequiredProperty", "The 'name' property is required.", target="name")
    if not isinstance(rtype, str) or rtype.lower() != models.ACCOUNT_TYPE.lower():
        raise ArmError(
            400,
            "InvalidRequestPropertyValue",
            f"The 'type' must be '{models.ACCOUNT_TYPE}', not {rtype!r}.",
            target="type",
        )
    problem = models.name_problem(name)
    if problem:
        return ArmResponse(200, {"nameAvailable": False, "reason": "AccountNameInvalid", "message": problem})
    if models.find_by_name(request.store, request.subscription_id, name):
        message = f"The storage account named {name} is already taken."
        return ArmResponse(200, {"nameAvailable": False, "reason": "AlreadyExists", "message": message})
    return ArmResponse(200, {"nameAvailable": True})


def _keys_body(account: dict[str, Any], api_version: str) -> dict[str, Any]:
    permission = _key_permission(api_version)
    return {"keys": [{**k, "permissions": permission} for k in account["keys"]]}


def list_keys(request: ArmRequest) -> ArmResponse:
    return ArmResponse(200, _keys_body(_get_account(request), request.api_version))


def regenerate_key(request: ArmRequest) -> ArmResponse:
    account = _get_account(request)
    key_name = request.json().get("keyName")
    fresh = models.new_keys()
    for index, key in enumerate(account["keys"]):
        if isinstance(key_name, str) and key["keyName"].lower() == key_name.lower():
            account["keys"][index] = {"keyName": key["keyName"], "value": fresh[index]["value"]}
            return ArmResponse(200, _keys_body(account, request.api_version))
    raise ArmError(
        400, "InvalidRequestPropertyValue", f"The keyName {key_name!r} is invalid; use key1 or key2."
    )
