"""The Emulator (state + identity + ARM core) and its Starlette application."""

from __future__ import annotations

import importlib
import json
from collections import deque
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route as StarletteRoute

from pytest_azurestack.emulator.arm import admin
from pytest_azurestack.emulator.arm.dispatch import dispatch
from pytest_azurestack.emulator.arm.faults import Faults, FaultTargets
from pytest_azurestack.emulator.arm.headers import arm_headers
from pytest_azurestack.emulator.arm.lro import LroManager
from pytest_azurestack.emulator.arm.operations import ROUTES as OPERATION_ROUTES
from pytest_azurestack.emulator.arm.routing import Route, Router
from pytest_azurestack.emulator.arm.store import Store
from pytest_azurestack.emulator.arm.versions import VersionTable
from pytest_azurestack.emulator.config import EmulatorConfig
from pytest_azurestack.emulator.identity import Identity, OAuthError

ARM_METHODS = ["GET", "PUT", "POST", "DELETE", "PATCH", "HEAD"]
REQUEST_LOG_SIZE = 2000


def provider_routes(names: tuple[str, ...]) -> list[Route]:
    """``ROUTES`` of each provider package ``emulator/providers/<name>/urls.py``."""
    routes: list[Route] = []
    for name in names:
        module = f"pytest_azurestack.emulator.providers.{name}.urls"
        try:
            routes.extend(importlib.import_module(module).ROUTES)
        except ImportError as exc:
            raise RuntimeError(
                f"emulator provider {name!r} cannot be imported ({exc}); fix it or leave it out of "
                f"EmulatorConfig.providers"
            ) from exc
    return routes


class Emulator:
    """One emulated stamp: ``store``, ``lro``, ``faults``, ``identity``, ``config`` (resolved)."""

    def __init__(self, config: EmulatorConfig) -> None:
        config.validate()
        self.store = Store(config.data_dir)
        # A persisted state belongs to one subscription: keep it unless told otherwise.
        config = config.resolved(subscription_id=self.store.meta.get("subscription_id"))
        self.store.meta["subscription_id"] = config.subscription_id
        self.config = config
        self.identity = Identity(config)
        self.versions = VersionTable(config.build)
        self.lro = LroManager(
            self.store,
            polls=config.lro_polls,
            seconds=config.lro_seconds,
            retry_after=config.retry_after,
            transitions=config.transitions,
        )
        # The last requests Resource Manager answered, for tests and debugging (admin API).
        self.requests: deque[dict[str, Any]] = deque(maxlen=REQUEST_LOG_SIZE)
        self.router = Router([*OPERATION_ROUTES, *provider_routes(config.providers)])
        self.faults = Faults(config.faults, FaultTargets.from_routes(self.router.routes))

    def login_endpoint(self, base_url: str) -> str:
        return f"{base_url}/adfs/" if self.config.identity == "adfs" else f"{base_url}/"

    def metadata(self, base_url: str) -> dict[str, Any]:
        return {
            "galleryEndpoint": f"{base_url}/gallery/",
            "graphEndpoint": f"{base_url}/graph/",
            "portalEndpoint": f"{base_url}/portal/",
            "authentication": {
                "loginEndpoint": self.login_endpoint(base_url),
                "audiences": [self.config.audience],
            },
        }

    def describe(self, base_url: str) -> dict[str, Any]:
        c = self.config
        return {
            "armEndpoint": base_url,
            "build": c.build,
            "location": c.location,
            "tenantId": c.tenant_id,
            "subscriptionId": c.subscription_id,
            "audience": c.audience,
            "profiles": [p.name for p in self.versions.profiles],
            "providers": list(c.providers),
            "pageSize": c.page_size,
            "retryAfter": c.retry_after,
        }


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def build_app(emulator: Emulator) -> Starlette:
    async def metadata(request: Request) -> Response:
        return JSONResponse(emulator.metadata(_base_url(request)))

    async def discovery(request: Request) -> Response:
        return JSONResponse(emulator.identity.discovery(_base_url(request), request.path_params["prefix"]))

    async def keys(request: Request) -> Response:
        return JSONResponse(emulator.identity.jwks())

    async def token(request: Request) -> Response:
        raw = (await request.body()).decode("utf-8", "replace")
        form = dict(parse_qsl(raw, keep_blank_values=True))
        basic = _basic_auth(request.headers.get("authorization"))
        issuer = f"{_base_url(request)}/{request.path_params['prefix'].strip('/')}"
        try:
            body = emulator.identity.token(form, issuer, basic)
        except OAuthError as exc:
            return JSONResponse(exc.body(), status_code=exc.status, headers={"cache-control": "no-store"})
        return JSONResponse(body, headers={"cache-control": "no-store", "pragma": "no-cache"})

    async def arm(request: Request) -> Response:
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        query = dict(request.query_params)
        result = await run_in_threadpool(
            dispatch, emulator, request.method, request.url.path, query, headers, body, _base_url(request)
        )
        out = arm_headers(headers, emulator.config.location, request.method)
        out.update(result.headers)
        error = result.body.get("error") if isinstance(result.body, dict) else None
        emulator.requests.append(
            {
                "method": request.method,
                "path": request.url.path,
                "apiVersion": query.get("api-version"),
                "status": result.status,
                "code": error.get("code") if isinstance(error, dict) else None,
                "requestId": out["x-ms-request-id"],
            }
        )
        if result.body is None or request.method == "HEAD":
            return Response(b"", status_code=result.status, headers=out)
        payload = json.dumps(result.body, separators=(",", ":")).encode()
        return Response(
            payload, status_code=result.status, headers=out, media_type="application/json; charset=utf-8"
        )

    routes = [
        StarletteRoute("/metadata/endpoints", metadata, methods=["GET"]),
        StarletteRoute("/{prefix:path}/.well-known/openid-configuration", discovery, methods=["GET"]),
        StarletteRoute("/{prefix:path}/discovery/keys", keys, methods=["GET"]),
        StarletteRoute("/{prefix:path}/oauth2/token", token, methods=["POST"]),
        StarletteRoute("/{prefix:path}/oauth2/v2.0/token", token, methods=["POST"]),
        *admin.routes(emulator),
        StarletteRoute("/{path:path}", arm, methods=ARM_METHODS),
    ]
    app = Starlette(routes=routes)
    app.state.emulator = emulator
    return app


def _basic_auth(header: str | None) -> tuple[str, str] | None:
    import base64
    import binascii

    if not header or not header.lower().startswith("basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    from urllib.parse import unquote

    return unquote(user), unquote(password)
