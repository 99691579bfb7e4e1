"""The Starlette application serving one ``Emulator``: metadata, identity, admin API and ARM."""

from __future__ import annotations

import base64
import binascii
import json
from urllib.parse import parse_qsl, unquote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route as StarletteRoute

from pytest_azurestack.emulator import admin
from pytest_azurestack.emulator.arm.errors import ArmError
from pytest_azurestack.emulator.arm.headers import arm_headers
from pytest_azurestack.emulator.identity import OAuthError
from pytest_azurestack.emulator.stamp import Emulator

ARM_METHODS = ["GET", "PUT", "POST", "DELETE", "PATCH", "HEAD"]


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def build_app(emulator: Emulator) -> Starlette:
    async def metadata(request: Request) -> Response:
        try:
            body = emulator.metadata(_base_url(request), dict(request.query_params))
        except ArmError as exc:
            return JSONResponse(exc.body(), status_code=exc.status)
        return JSONResponse(body)

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
            emulator.dispatch, request.method, request.url.path, query, headers, body, _base_url(request)
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
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return unquote(user), unquote(password)
