"""One Resource Manager request, end to end: auth, route, api-version, faults, group, handler.

Runs in Starlette's threadpool (sync), so handlers are plain functions; they run under the
store's lock, which makes concurrent clients (threads or processes) safe.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pytest_azurestack.emulator.arm.context import ArmContext
from pytest_azurestack.emulator.arm.errors import ArmError, resource_group_not_found
from pytest_azurestack.emulator.arm.faults import Faults
from pytest_azurestack.emulator.arm.ids import group_id
from pytest_azurestack.emulator.arm.operations import ANY_PROVIDER
from pytest_azurestack.emulator.arm.request import ArmRequest, ArmResponse
from pytest_azurestack.emulator.arm.routing import Match, Route, Router

log = logging.getLogger(__name__)

READ_ONLY_STATES = frozenset({"Disabled", "PastDue", "Deleted"})
SAFE_METHODS = frozenset({"GET", "HEAD"})
# (Authorization header, base URL the client addressed) -> None, or raises ArmError 401.
Authenticate = Callable[[str | None, str], None]


@dataclass(frozen=True)
class Dispatcher:
    """Turns one request into one ``ArmResponse``; built by the application that composes it."""

    context: ArmContext
    router: Router
    faults: Faults
    authenticate: Authenticate

    def __call__(
        self,
        method: str,
        path: str,
        query: Mapping[str, str],
        headers: Mapping[str, str],
        body: bytes,
        base_url: str,
    ) -> ArmResponse:
        """Never raises: every failure becomes an ARM error response."""
        try:
            return self._dispatch(method, path, query, headers, body, base_url)
        except ArmError as exc:
            return ArmResponse(exc.status, exc.body(), exc.headers)
        except Exception:  # the last resort: a bug in a handler must still answer like ARM
            log.exception("emulator handler failed on %s %s", method, path)
            error = ArmError(
                500, "InternalServerError", "The server encountered an internal error; see the emulator log."
            )
            return ArmResponse(500, error.body())

    def _dispatch(
        self,
        method: str,
        path: str,
        query: Mapping[str, str],
        headers: Mapping[str, str],
        body: bytes,
        base_url: str,
    ) -> ArmResponse:
        self.authenticate(headers.get("authorization"), base_url)
        match = self._resolve(method, path)
        route, params = match.route, match.params
        provider = params.get("namespace", "") if route.provider == ANY_PROVIDER else route.provider
        api_version = self._check_api_version(query, route, provider)
        self._check_subscription(params, method)
        config = self.context.config
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
            context=self.context,
            route=route,
        )
        self._inject_faults(request, provider)
        return self._run(request, route)

    def _resolve(self, method: str, path: str) -> Match:
        match, path_known = self.router.resolve(method, path)
        if match is None:
            raise self._unknown(method, path, path_known)
        return match

    def _check_api_version(self, query: Mapping[str, str], route: Route, provider: str) -> str:
        api_version = next((v for k, v in query.items() if k.lower() == "api-version"), None)
        if not api_version:
            raise ArmError(
                400,
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.",
            )
        if route.version_check != "none":
            self.context.versions.check(
                provider,
                route.resource_type,
                api_version,
                self.context.config.location,
                whole=route.version_check == "provider",
            )
        return api_version

    def _check_subscription(self, params: Mapping[str, str], method: str) -> None:
        subscription = params.get("subscription")
        served = (self.context.config.subscription_id or "").lower()
        if subscription is None:
            return
        if subscription.lower() != served:
            raise ArmError(
                404, "SubscriptionNotFound", f"The subscription '{subscription}' could not be found."
            )
        # A subscription that is not Enabled (or Warned) is read-only: ARM refuses every write.
        if self.context.config.subscription_state in READ_ONLY_STATES and method.upper() not in SAFE_METHODS:
            raise ArmError(
                409,
                "ReadOnlyDisabledSubscription",
                f"The subscription '{subscription}' is disabled and therefore marked as read only. "
                "You cannot perform any write actions on this subscription until it is re-enabled.",
            )

    def _inject_faults(self, request: ArmRequest, provider: str) -> None:
        route = request.route
        assert route is not None
        fired = self.faults.fire(
            request.method, provider, route.resource_type, request.route_params, route.action
        )
        for rule in fired:
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

    def _run(self, request: ArmRequest, route: Route) -> ArmResponse:
        """The handler, under the store lock; a GET first counts as a poll of what it reads."""
        store = self.context.store
        with store.lock:
            group = request.route_params.get("resource_group")
            if (
                route.check_group
                and group is not None
                and not store.exists(group_id(request.subscription_id, group))
            ):
                raise resource_group_not_found(group)
            if request.method == "GET":
                self.context.lro.observe(route.polled_resource(request.path))
            try:
                response = route.handler(request)
            finally:
                if request.method not in ("GET", "HEAD"):
                    store.mark_dirty()
                    store.flush()
        if not isinstance(response, ArmResponse):
            raise TypeError(f"handler {route.handler!r} returned {type(response).__name__}, not ArmResponse")
        return response

    def _unknown(self, method: str, path: str, path_known: bool) -> ArmError:
        if path_known:
            return ArmError(
                405,
                "MethodNotAllowed",
                f"The requested method '{method.upper()}' is not allowed for '{path}'.",
            )
        parts = [p for p in path.split("/") if p]
        lowered = [p.lower() for p in parts]
        if "providers" in lowered:
            at = len(lowered) - 1 - lowered[::-1].index("providers")
            if at + 1 < len(parts):
                namespace = parts[at + 1]
                if namespace.lower() not in self.router.namespaces():
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
