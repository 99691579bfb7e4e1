"""One Resource Manager request, end to end: auth, route, api-version, faults, group, handler.

Runs in Starlette's threadpool (sync), so handlers are plain functions; they run under the
store's lock, which makes concurrent clients (threads or processes) safe.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from pytest_azurestack.emulator.arm.errors import ArmError, resource_group_not_found
from pytest_azurestack.emulator.arm.ids import group_id
from pytest_azurestack.emulator.arm.operations import ANY_PROVIDER
from pytest_azurestack.emulator.arm.request import ArmRequest, ArmResponse

if TYPE_CHECKING:
    from pytest_azurestack.emulator.app import Emulator

log = logging.getLogger(__name__)


def dispatch(
    emulator: Emulator,
    method: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    body: bytes,
    base_url: str,
) -> ArmResponse:
    """Never raises: every failure becomes an ARM error response."""
    try:
        return _dispatch(emulator, method, path, query, headers, body, base_url)
    except ArmError as exc:
        return ArmResponse(exc.status, exc.body(), exc.headers)
    except Exception:  # the last resort: a bug in a handler must still answer like ARM
        log.exception("emulator handler failed on %s %s", method, path)
        error = ArmError(
            500, "InternalServerError", "The server encountered an internal error; see the emulator log."
        )
        return ArmResponse(500, error.body())


def _dispatch(
    emulator: Emulator,
    method: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    body: bytes,
    base_url: str,
) -> ArmResponse:
    config = emulator.config
    emulator.identity.verify(headers.get("authorization"), emulator.login_endpoint(base_url))

    match, path_known = emulator.router.resolve(method, path)
    if match is None:
        raise _unknown(emulator, method, path, path_known)
    route, params = match.route, match.params
    provider = params.get("namespace", "") if route.provider == ANY_PROVIDER else route.provider

    api_version = next((v for k, v in query.items() if k.lower() == "api-version"), None)
    if not api_version:
        raise ArmError(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )
    if route.version_check != "none":
        emulator.versions.check(
            provider,
            route.resource_type,
            api_version,
            config.location,
            whole=route.version_check == "provider",
        )

    subscription = params.get("subscription")
    if subscription is not None and subscription.lower() != (config.subscription_id or "").lower():
        raise ArmError(404, "SubscriptionNotFound", f"The subscription '{subscription}' could not be found.")

    request = ArmRequest(
        method=method.upper(),
        path=path,
        route_params=params,
        query=dict(query),
        api_version=api_version,
        headers=dict(headers),
        base_url=base_url,
        location=config.location,
        subscription_id=config.subscription_id or "",
        body=body,
        emulator=emulator,
        route=route,
    )
    for rule in emulator.faults.fire(method, provider, route.resource_type, params, route.action):
        if rule.kind == "slow":
            time.sleep(rule.delay)  # outside the lock: a slow answer must not stall other clients
        elif rule.kind == "status":
            raise rule.error()
        elif rule.kind == "lro":
            request.lro_fault = {
                "status": rule.lro_status,
                "code": rule.code,
                "message": rule.message,
                "http_status": rule.status,
            }

    store = emulator.store
    with store.lock:
        group = params.get("resource_group")
        if (
            route.check_group
            and group is not None
            and not store.exists(group_id(request.subscription_id, group))
        ):
            raise resource_group_not_found(group)
        if request.method == "GET":
            emulator.lro.observe(path)
        try:
            response = route.handler(request)
        finally:
            if request.method not in ("GET", "HEAD"):
                store.mark_dirty()
                store.flush()
    if not isinstance(response, ArmResponse):
        raise TypeError(f"handler {route.handler!r} returned {type(response).__name__}, not ArmResponse")
    return response


def _unknown(emulator: Emulator, method: str, path: str, path_known: bool) -> ArmError:
    if path_known:
        return ArmError(
            405, "MethodNotAllowed", f"The requested method '{method.upper()}' is not allowed for '{path}'."
        )
    parts = [p for p in path.split("/") if p]
    lowered = [p.lower() for p in parts]
    if "providers" in lowered:
        at = len(lowered) - 1 - lowered[::-1].index("providers")
        if at + 1 < len(parts):
            namespace = parts[at + 1]
            if namespace.lower() not in emulator.router.namespaces():
                return ArmError(
                    404,
                    "InvalidResourceNamespace",
                    f"The resource namespace '{namespace}' is invalid or not served by this stamp.",
                )
            types = "/".join(parts[at + 2 :: 2]) or namespace
            return ArmError(
                404,
                "InvalidResourceType",
                f"The resource type '{types}' could not be found in the namespace '{namespace}'.",
            )
    return ArmError(
        404, "NotFound", f"The requested path '{path}' is not served by this Azure Stack emulator."
    )
