"""The admin API under ``/_emulator/``: inspect and steer operations, faults and state.

Not part of Resource Manager: an emulator's own control surface, beside the ARM routes. No
authentication: it listens on loopback only, like the rest of the emulator.
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route as StarletteRoute

from pytest_azurestack.emulator.arm.faults import FaultRule
from pytest_azurestack.emulator.arm.lro import Transition
from pytest_azurestack.emulator.config import EmulatorConfig
from pytest_azurestack.emulator.providers.compute import usages
from pytest_azurestack.emulator.providers.compute.images import ImageCatalog

if TYPE_CHECKING:
    from pytest_azurestack.emulator.stamp import Emulator

PREFIX = "/_emulator"


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": "BadAdminRequest", "message": message}}, status_code=status)


async def _json(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return {}
    return json.loads(raw)


SETTINGS = ("subscription_state", "images", "quota")


def describe_settings(config: EmulatorConfig) -> dict[str, Any]:
    images = ImageCatalog.from_config(config).images
    return {
        "subscription_state": config.subscription_state,
        "images": [dataclasses.asdict(i) for i in images],
        "quota": usages.limits(config.quota),
    }


def apply_settings(config: EmulatorConfig, body: Any) -> None:
    """Change the settings ``body`` names (``images: null`` restores the default marketplace);
    validated as a whole first, so a bad value changes nothing."""
    if not isinstance(body, dict):
        raise ValueError(f"send a JSON object with any of {', '.join(SETTINGS)}")
    unknown = set(body) - set(SETTINGS)
    if unknown:
        raise ValueError(f"unknown settings {sorted(unknown)}; steerable: {', '.join(SETTINGS)}")
    if "quota" in body and not isinstance(body["quota"], dict):
        raise ValueError("quota must be an object of usage name -> limit")
    if "images" in body and body["images"] is not None and not isinstance(body["images"], list):
        raise ValueError("images must be a list of image objects (or null for the default marketplace)")
    candidate = dataclasses.replace(config, **body)
    candidate.validate()
    for name in body:
        setattr(config, name, getattr(candidate, name))


def routes(emulator: Emulator) -> list[StarletteRoute]:
    lro, store = emulator.lro, emulator.store

    async def info(request: Request) -> Response:
        return JSONResponse(emulator.describe(str(request.base_url).rstrip("/")))

    async def operations(request: Request) -> Response:
        with store.lock:
            return JSONResponse({"value": [op.describe() for op in lro.operations.values()]})

    async def finish(request: Request) -> Response:
        try:
            body = await _json(request)
            op_id = request.path_params["op_id"]
            with store.lock:
                if op_id == "all":
                    done = lro.finish_all(body.get("status"))
                else:
                    op = lro.get(op_id)
                    if op is None:
                        return _error(404, f"operation {op_id} not found; GET {PREFIX}/operations lists them")
                    done = [lro.finish(op, body.get("status"), body.get("error"))]
            return JSONResponse({"value": [op.describe() for op in done]})
        except (ValueError, AttributeError) as exc:
            return _error(400, str(exc))

    async def transitions(request: Request) -> Response:
        if request.method == "PUT":
            try:
                body = await _json(request)
                for key, value in body.items():
                    lro.set_transition(key, None if value is None else Transition.from_dict(value))
            except (ValueError, AttributeError, TypeError) as exc:
                return _error(400, f"{exc}; send {{key: {{polls, seconds, manual}} | null}}")
        current = {k: vars(v) for k, v in lro.transitions.items()}
        current["*"] = vars(lro.default)
        return JSONResponse(current)

    async def faults(request: Request) -> Response:
        if request.method == "POST":
            try:
                rule = emulator.faults.add(FaultRule.from_dict(await _json(request)))
            except (ValueError, TypeError, AttributeError) as exc:
                return _error(400, str(exc))
            return JSONResponse(rule.describe(), status_code=201)
        if request.method == "DELETE":
            emulator.faults.clear()
            return Response(status_code=204)
        return JSONResponse({"value": [r.describe() for r in emulator.faults.snapshot()]})

    async def fault(request: Request) -> Response:
        rule_id = request.path_params["rule_id"]
        if not emulator.faults.remove(rule_id):
            return _error(404, f"fault rule {rule_id} not found")
        return Response(status_code=204)

    async def requests_log(request: Request) -> Response:
        if request.method == "DELETE":
            emulator.requests.clear()
            return Response(status_code=204)
        return JSONResponse({"value": list(emulator.requests)})

    async def settings(request: Request) -> Response:
        """The stamp's steerable settings: subscription state, marketplace images, compute quota."""
        if request.method == "PUT":
            try:
                body = await _json(request)
                with store.lock:
                    apply_settings(emulator.config, body)
            except (ValueError, TypeError, AttributeError) as exc:
                return _error(400, str(exc))
        return JSONResponse(describe_settings(emulator.config))

    async def state(request: Request) -> Response:
        if request.method == "DELETE":
            with store.lock:
                store.clear()
                lro.clear()
                store.flush()
            return Response(status_code=204)
        return JSONResponse({"value": list(store)})

    return [
        StarletteRoute(f"{PREFIX}/info", info, methods=["GET"]),
        StarletteRoute(f"{PREFIX}/operations", operations, methods=["GET"]),
        StarletteRoute(f"{PREFIX}/operations/{{op_id}}/finish", finish, methods=["POST"]),
        StarletteRoute(f"{PREFIX}/transitions", transitions, methods=["GET", "PUT"]),
        StarletteRoute(f"{PREFIX}/faults", faults, methods=["GET", "POST", "DELETE"]),
        StarletteRoute(f"{PREFIX}/faults/{{rule_id:int}}", fault, methods=["DELETE"]),
        StarletteRoute(f"{PREFIX}/settings", settings, methods=["GET", "PUT"]),
        StarletteRoute(f"{PREFIX}/state", state, methods=["GET", "DELETE"]),
        StarletteRoute(f"{PREFIX}/requests", requests_log, methods=["GET", "DELETE"]),
    ]
