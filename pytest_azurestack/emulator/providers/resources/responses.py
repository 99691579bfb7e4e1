"""Microsoft.Resources handlers: request -> response."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytest_azurestack.emulator.arm.errors import ArmError
from pytest_azurestack.emulator.arm.ids import group_id
from pytest_azurestack.emulator.arm.lro import Change, respond
from pytest_azurestack.emulator.arm.operations import ANY_PROVIDER
from pytest_azurestack.emulator.arm.paging import paged
from pytest_azurestack.emulator.arm.request import ArmRequest, ArmResponse
from pytest_azurestack.emulator.arm.validation import location_text, normalize_location
from pytest_azurestack.emulator.providers.resources import filters, models

DISPLAY_NAME = "Azure Stack Emulator Subscription"


# --- subscription, locations --------------------------------------------------------------------
def _subscription(request: ArmRequest) -> dict[str, Any]:
    sub = request.subscription_id
    return {
        "id": f"/subscriptions/{sub}",
        "subscriptionId": sub,
        "displayName": DISPLAY_NAME,
        "state": request.context.config.subscription_state,
        "subscriptionPolicies": {
            "locationPlacementId": "AzureStack",
            "quotaId": "AzureStack",
            "spendingLimit": "Off",
        },
        "authorizationSource": "RoleBased",
    }


def list_subscriptions(request: ArmRequest) -> ArmResponse:
    return ArmResponse(200, {"value": [_subscription(request)]})


def get_subscription(request: ArmRequest) -> ArmResponse:
    return ArmResponse(200, _subscription(request))


def list_locations(request: ArmRequest) -> ArmResponse:
    loc = request.location
    item = {
        "id": f"/subscriptions/{request.subscription_id}/locations/{loc}",
        "name": loc,
        "displayName": loc,
        "latitude": "0",
        "longitude": "0",
    }
    return ArmResponse(200, {"value": [item]})


# --- providers ----------------------------------------------------------------------------------
def _provider_body(request: ArmRequest, namespace: str) -> dict[str, Any]:
    types: dict[str, None] = {}
    canonical = namespace
    for route in request.context.routes:
        if route.provider.lower() == namespace.lower():
            canonical = route.provider
            types.setdefault(route.resource_type, None)
    if namespace.lower() == "microsoft.resources":
        canonical = "Microsoft.Resources"
    resource_types = [
        {
            "resourceType": rtype,
            "locations": [request.location],
            "apiVersions": sorted(request.context.versions.served(canonical, rtype), reverse=True),
        }
        for rtype in types
    ]
    return {
        "id": f"/subscriptions/{request.subscription_id}/providers/{canonical}",
        "namespace": canonical,
        "registrationState": models.registration_state(request.store, canonical),
        "resourceTypes": resource_types,
    }


def _known_namespace(request: ArmRequest) -> str:
    namespace = request.param("namespace")
    known = {r.provider.lower() for r in request.context.routes} - {ANY_PROVIDER}
    if namespace.lower() not in known:
        raise ArmError(
            404,
            "InvalidResourceNamespace",
            f"The resource namespace '{namespace}' is invalid or not served by this Azure Stack stamp.",
        )
    return namespace


def list_providers(request: ArmRequest) -> ArmResponse:
    names = sorted({r.provider for r in request.context.routes if r.provider != ANY_PROVIDER})
    return ArmResponse(200, paged(request, [_provider_body(request, n) for n in names], page_size=100))


def get_provider(request: ArmRequest) -> ArmResponse:
    return ArmResponse(200, _provider_body(request, _known_namespace(request)))


def _set_registration(state: str) -> Callable[[ArmRequest], ArmResponse]:
    def handler(request: ArmRequest) -> ArmResponse:
        namespace = _known_namespace(request)
        models.set_registration(request.store, namespace, state)
        return ArmResponse(200, _provider_body(request, namespace))

    return handler


register_provider = _set_registration("Registered")
unregister_provider = _set_registration("Unregistered")


# --- resource groups ----------------------------------------------------------------------------
# Resource group bodies carry ``type`` from 2019-10-01; older versions' (2018-05-01 and before)
# are ``{id, name, location, tags, properties}``, as real recordings show. ``managedBy`` is in the
# SDK's models from 2018-02-01.
GROUP_TYPE_SINCE = "2019-10-01"
_MANAGED_BY_SINCE = "2018-02-01"


def _group_body(group: dict[str, Any], api_version: str) -> dict[str, Any]:
    keys = (
        ("id", "name", "type", "location") if api_version >= GROUP_TYPE_SINCE else ("id", "name", "location")
    )
    body: dict[str, Any] = {k: group[k] for k in keys if k in group}
    if group.get("tags"):
        body["tags"] = group["tags"]
    body["properties"] = dict(group.get("properties") or {"provisioningState": "Succeeded"})
    if group.get("managedBy") and api_version >= _MANAGED_BY_SINCE:
        body["managedBy"] = group["managedBy"]
    return body


def create_or_update_group(request: ArmRequest) -> ArmResponse:
    name = request.param("resource_group")
    models.check_group_name(name)
    body = request.json()
    store, sub = request.store, request.subscription_id
    location = models.check_location(body.get("location"), request.location)
    tags = models.check_tags(body.get("tags"))
    managed_by = body.get("managedBy")
    if managed_by is not None and not isinstance(managed_by, str):
        raise ArmError(400, "InvalidRequestContent", "The 'managedBy' property must be a string.")
    existing = store.get(group_id(sub, name))
    if existing is not None:
        if existing["properties"].get("provisioningState") == "Deleting":
            raise ArmError(
                409,
                "ResourceGroupBeingDeleted",
                f"The resource group '{existing['name']}' is in deprovisioning state.",
            )
        if existing["location"] != location:
            raise ArmError(
                409,
                "InvalidResourceGroupLocation",
                f"Invalid resource group location '{body.get('location')}'. "
                f"The Resource group already exists in location '{existing['location']}'.",
            )
        existing["tags"] = tags
        if managed_by:
            existing["managedBy"] = managed_by
        return ArmResponse(200, _group_body(existing, request.api_version))
    group = store.put(models.new_group(sub, name, location, tags, managed_by))
    return ArmResponse(201, _group_body(group, request.api_version))


def get_group(request: ArmRequest) -> ArmResponse:
    group = models.get_group(request.store, request.subscription_id, request.param("resource_group"))
    return ArmResponse(200, _group_body(group, request.api_version))


def check_group(request: ArmRequest) -> ArmResponse:
    exists = request.store.exists(group_id(request.subscription_id, request.param("resource_group")))
    return ArmResponse(204 if exists else 404)


def update_group(request: ArmRequest) -> ArmResponse:
    group = models.get_group(request.store, request.subscription_id, request.param("resource_group"))
    body = request.json()
    if "location" in body and normalize_location(location_text(body["location"])) != group["location"]:
        raise ArmError(400, "InvalidRequestContent", "The location of a resource group cannot be changed.")
    if "tags" in body:
        group["tags"] = models.check_tags(body["tags"])
    if isinstance(body.get("managedBy"), str):
        group["managedBy"] = body["managedBy"]
    return ArmResponse(200, _group_body(group, request.api_version))


def delete_group(request: ArmRequest) -> ArmResponse:
    store = request.store
    group = models.get_group(store, request.subscription_id, request.param("resource_group"))
    group["properties"]["provisioningState"] = "Deleting"
    gid = group["id"]

    def complete() -> None:
        store.delete_tree(gid)

    # ARM answers a group delete 202 with only a Location under /subscriptions/{sub}/operationresults.
    return respond(request, Change(group, kind="delete", complete=complete), reply="location")


def list_groups(request: ArmRequest) -> ArmResponse:
    keep = filters.predicate(request.query_param("$filter"), filters.GROUP_FIELDS)
    store = request.store
    groups = [
        _group_body(g, request.api_version)
        for g in store.list(request.subscription_id, models.GROUP_TYPE)
        if keep(g)
    ]
    return ArmResponse(200, paged(request, groups))


# --- generic resources --------------------------------------------------------------------------
def _generic(item: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        k: item[k] for k in ("id", "name", "type", "sku", "kind", "location", "managedBy") if k in item
    }
    if item.get("tags"):
        body["tags"] = item["tags"]
    return body


def list_group_resources(request: ArmRequest) -> ArmResponse:
    keep = filters.predicate(request.query_param("$filter"), filters.RESOURCE_FIELDS)
    prefix = group_id(request.subscription_id, request.param("resource_group"))
    items = [_generic(i) for i in models.resources_in(request.store, prefix) if keep(i)]
    return ArmResponse(200, paged(request, items))


def list_resources(request: ArmRequest) -> ArmResponse:
    keep = filters.predicate(request.query_param("$filter"), filters.SUBSCRIPTION_RESOURCE_FIELDS)
    store = request.store
    items: list[dict[str, Any]] = []
    for group in store.list(request.subscription_id, models.GROUP_TYPE):
        items.extend(_generic(i) for i in models.resources_in(store, group["id"]) if keep(i))
    return ArmResponse(200, paged(request, items))
