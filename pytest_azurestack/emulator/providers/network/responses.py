"""Microsoft.Network handlers: request -> model -> response at the request's api-version.

Every write is a long-running operation: PUT answers 201 (created) or 200 with the resource in
``Updating`` and ``Azure-AsyncOperation``; DELETE answers 202 with ``Location`` (or 204 when there
is nothing to delete). Every answer carries ``x-ms-arm-service-request-id`` like the real Network
provider, and resource answers an ``ETag`` header equal to the body's ``etag``.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pytest_azurestack.emulator.arm.errors import ArmError
from pytest_azurestack.emulator.arm.ids import resource_id
from pytest_azurestack.emulator.arm.lro import Change, respond
from pytest_azurestack.emulator.arm.paging import paged
from pytest_azurestack.emulator.arm.request import ArmRequest, ArmResponse
from pytest_azurestack.emulator.arm.validation import check_stamp_location
from pytest_azurestack.emulator.providers.network import models
from pytest_azurestack.emulator.providers.network.models import NetworkModel
from pytest_azurestack.emulator.providers.network.shapes import render
from pytest_azurestack.emulator.providers.network.validation import get_tags

Handler = Callable[[ArmRequest], ArmResponse]
SERVICE_REQUEST_ID = "x-ms-arm-service-request-id"


@dataclass(frozen=True)
class TopLevel:
    """A tracked Network resource type and its model operations."""

    segment: str  # the URL segment: virtualNetworks
    full_type: str
    put: Callable[[NetworkModel, str, dict[str, Any]], Change]
    delete: Callable[[NetworkModel, str], Change | None]


@dataclass(frozen=True)
class Child:
    """A child collection kept inline in its parent (subnets, security rules, ip configurations)."""

    parent: TopLevel
    segment: str  # subnets
    put: Callable[[NetworkModel, str, dict[str, Any]], Change] | None = None
    delete: Callable[[NetworkModel, str], Change | None] | None = None


VNETS = TopLevel(
    "virtualNetworks",
    models.VNETS,
    NetworkModel.put_virtual_network,
    NetworkModel.delete_virtual_network,
)
NICS = TopLevel(
    "networkInterfaces",
    models.NICS,
    NetworkModel.put_network_interface,
    NetworkModel.delete_network_interface,
)
PUBLIC_IPS = TopLevel(
    "publicIPAddresses", models.PUBLIC_IPS, NetworkModel.put_public_ip, NetworkModel.delete_public_ip
)
NSGS = TopLevel(
    "networkSecurityGroups",
    models.NSGS,
    NetworkModel.put_network_security_group,
    NetworkModel.delete_network_security_group,
)
SUBNETS = Child(VNETS, "subnets", NetworkModel.put_subnet, NetworkModel.delete_subnet)
RULES = Child(NSGS, "securityRules", NetworkModel.put_security_rule, NetworkModel.delete_security_rule)
DEFAULT_RULES = Child(NSGS, "defaultSecurityRules")
IP_CONFIGS = Child(NICS, "ipConfigurations")


# --- plumbing -----------------------------------------------------------------------------------
def network_handler(handler: Handler) -> Handler:
    """Stamp ``x-ms-arm-service-request-id`` on every answer, errors included."""

    @functools.wraps(handler)
    def wrapped(request: ArmRequest) -> ArmResponse:
        service_id = str(uuid.uuid4())
        try:
            response = handler(request)
        except ArmError as exc:
            exc.headers.setdefault(SERVICE_REQUEST_ID, service_id)
            raise
        response.headers.setdefault(SERVICE_REQUEST_ID, service_id)
        return response

    return wrapped


def _model(request: ArmRequest) -> NetworkModel:
    return NetworkModel(request.store)


def _top_id(request: ArmRequest, kind: TopLevel, name_param: str = "name") -> str:
    return resource_id(
        request.subscription_id,
        request.param("resource_group"),
        models.NAMESPACE,
        kind.segment,
        request.param(name_param),
    )


def _child_id(request: ArmRequest, kind: Child) -> str:
    return f"{_top_id(request, kind.parent, 'parent')}/{kind.segment}/{request.param('name')}"


def _shown(request: ArmRequest, model: NetworkModel, resource: dict[str, Any]) -> dict[str, Any]:
    return render(model.expand(resource), request.api_version)


def _with_etag(response: ArmResponse, resource: dict[str, Any]) -> ArmResponse:
    if resource.get("etag"):
        response.headers["ETag"] = resource["etag"]
    return response


def _check_preconditions(request: ArmRequest, model: NetworkModel, current: dict[str, Any] | None) -> None:
    model.check_if_match(current, request.headers.get("if-match"))
    if (request.headers.get("if-none-match") or "").strip() == "*" and current is not None:
        raise ArmError(412, "PreconditionFailed", f"{current['id']} already exists and If-None-Match is '*'.")


def _check_idle(request: ArmRequest, rid: str) -> None:
    """A write while the resource's previous operation runs is refused, as Compute does."""
    if request.lro.running_on(rid):
        raise ArmError(
            409,
            "AnotherOperationInProgress",
            f"Another operation on resource {rid} is in progress; wait for it to finish (poll its "
            "Azure-AsyncOperation URL) and retry.",
        )


def _check_location(request: ArmRequest, kind: TopLevel, body: dict[str, Any]) -> None:
    """A stamp has one region: ARM refuses any other before the provider sees the request."""
    location = body.get("location")
    if isinstance(location, str):
        check_stamp_location(location, request.location, kind.full_type)


# --- top-level resources ------------------------------------------------------------------------
def put_resource(kind: TopLevel) -> Handler:
    @network_handler
    def handler(request: ArmRequest) -> ArmResponse:
        model, rid = _model(request), _top_id(request, kind)
        body = request.json()
        _check_location(request, kind, body)
        _check_idle(request, rid)
        _check_preconditions(request, model, model.store.get(rid))
        change = kind.put(model, rid, body)
        response = respond(request, change, _shown(request, model, change.resource))
        return _with_etag(response, change.resource)

    return handler


def get_resource(kind: TopLevel) -> Handler:
    @network_handler
    def handler(request: ArmRequest) -> ArmResponse:
        model = _model(request)
        resource = model.get(_top_id(request, kind), kind.full_type)
        return _with_etag(ArmResponse(200, _shown(request, model, resource)), resource)

    return handler


def list_resources(kind: TopLevel, in_group: bool) -> Handler:
    @network_handler
    def handler(request: ArmRequest) -> ArmResponse:
        model = _model(request)
        group = request.param("resource_group") if in_group else None
        items = model.list_resources(request.subscription_id, kind.full_type, group)
        return ArmResponse(200, paged(request, [_shown(request, model, item) for item in items]))

    return handler


def delete_resource(kind: TopLevel) -> Handler:
    @network_handler
    def handler(request: ArmRequest) -> ArmResponse:
        model, rid = _model(request), _top_id(request, kind)
        _check_preconditions(
            request, model, model.store.get(rid) if request.headers.get("if-match") else None
        )
        return respond(request, kind.delete(model, rid))

    return handler


def patch_tags(kind: TopLevel) -> Handler:
    """PATCH ``{"tags": {...}}``: the only update the Network provider does in place."""

    @network_handler
    def handler(request: ArmRequest) -> ArmResponse:
        model = _model(request)
        resource = model.get(_top_id(request, kind), kind.full_type)
        body = request.json()
        unknown = set(body) - {"tags"}
        if unknown:
            raise ArmError(
                400,
                "InvalidRequestFormat",
                f"Cannot parse the request: PATCH only updates 'tags', not {', '.join(sorted(unknown))}; "
                "use PUT for other changes.",
            )
        resource["tags"] = get_tags(body)
        resource["etag"] = models.new_etag()
        return _with_etag(ArmResponse(200, _shown(request, model, resource)), resource)

    return handler


# --- child resources ----------------------------------------------------------------------------
def put_child(kind: Child) -> Handler:
    assert kind.put is not None
    put = kind.put

    @network_handler
    def handler(request: ArmRequest) -> ArmResponse:
        model, cid = _model(request), _child_id(request, kind)
        body = request.json()
        _check_idle(request, cid)
        change = put(model, cid, body)
        response = respond(request, change, _shown(request, model, change.resource))
        return _with_etag(response, change.resource)

    return handler


def get_child(kind: Child) -> Handler:
    @network_handler
    def handler(request: ArmRequest) -> ArmResponse:
        model = _model(request)
        _, child = model.get_child(_child_id(request, kind))
        return _with_etag(ArmResponse(200, _shown(request, model, child)), child)

    return handler


def list_children(kind: Child) -> Handler:
    @network_handler
    def handler(request: ArmRequest) -> ArmResponse:
        model = _model(request)
        parent = model.get(_top_id(request, kind.parent, "parent"), kind.parent.full_type)
        items = parent["properties"].get(kind.segment, [])
        return ArmResponse(200, paged(request, [_shown(request, model, item) for item in items]))

    return handler


def delete_child(kind: Child) -> Handler:
    assert kind.delete is not None
    delete = kind.delete

    @network_handler
    def handler(request: ArmRequest) -> ArmResponse:
        return respond(request, delete(_model(request), _child_id(request, kind)))

    return handler
