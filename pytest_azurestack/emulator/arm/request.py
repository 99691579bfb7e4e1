"""What a handler sees (``ArmRequest``) and what it returns (``ArmResponse``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pytest_azurestack.emulator.arm.errors import ArmError

if TYPE_CHECKING:
    from pytest_azurestack.emulator.arm.context import ArmContext
    from pytest_azurestack.emulator.arm.lro import LroManager
    from pytest_azurestack.emulator.arm.routing import Route
    from pytest_azurestack.emulator.arm.store import Store

__all__ = ["ArmError", "ArmRequest", "ArmResponse"]

_NO_DEFAULT: Any = object()


@dataclass
class ArmResponse:
    """``body`` is JSON-able (dict/list) or None for an empty body."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class ArmRequest:
    """One Resource Manager request, already authenticated and api-version checked.

    ``path`` is the request path as sent (case preserved); ``route_params`` the ``{...}`` values
    of the matched pattern; ``query`` the query string (first value per key); ``headers`` has
    lower-cased names; ``base_url`` is ``https://host:port`` as the client addressed us, so links
    (nextLink, Location) point where the client can follow them. ``context`` is all of the stamp
    a handler may use (store, operations, settings, api-versions).
    """

    method: str
    path: str
    route_params: dict[str, str]
    query: dict[str, str]
    api_version: str
    headers: dict[str, str]
    base_url: str
    location: str
    subscription_id: str
    body: bytes
    context: ArmContext
    route: Route | None = None
    # Set by the fault injector: the next LRO begun by this request ends in this state.
    lro_fault: dict[str, Any] | None = None

    def json(self, default: Any = _NO_DEFAULT) -> Any:
        """The body as a JSON object; ``default`` (if given) for an empty body.

        Anything that is not a JSON object is ``ArmError(400, "InvalidRequestContent")``.
        """
        if not self.body.strip():
            if default is not _NO_DEFAULT:
                return default
            raise ArmError(
                400, "InvalidRequestContent", "The request content was invalid: the body is empty."
            )
        try:
            value = json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ArmError(
                400,
                "InvalidRequestContent",
                f"The request content was invalid and could not be deserialized: {exc}.",
            ) from None
        if not isinstance(value, dict):
            raise ArmError(
                400,
                "InvalidRequestContent",
                f"The request content was invalid: expected a JSON object, got {type(value).__name__}.",
            )
        return value

    def param(self, name: str) -> str:
        """A route parameter, e.g. ``request.param("name")``."""
        return self.route_params[name]

    def query_param(self, name: str, default: str | None = None) -> str | None:
        """A query parameter, matched case-insensitively (``$expand``, ``$filter``...)."""
        lowered = name.lower()
        for key, value in self.query.items():
            if key.lower() == lowered:
                return value
        return default

    @property
    def store(self) -> Store:
        return self.context.store

    @property
    def lro(self) -> LroManager:
        return self.context.lro

    @property
    def resource_group(self) -> str | None:
        return self.route_params.get("resource_group")

    def url(self, path: str, **query: str) -> str:
        """An absolute URL on this emulator, as the client addressed it."""
        from urllib.parse import urlencode

        qs = urlencode(query) if query else ""
        return f"{self.base_url}{path}" + (f"?{qs}" if qs else "")
