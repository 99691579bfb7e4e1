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


SETTINGS = ("subscription_state", "images", "realistic")


def describe_settings(config: EmulatorConfig) -> dict[str, Any]:
    images = ImageCatalog.from_config(config).images
    return {
        "subscription_state": config.subscription_state,
        "images": [dataclasses.asdict(i) for i in images],
        "realistic": config.realistic,
    }


def apply_settings(emulator: Emulator, body: Any) -> None:
    """Change the settings ``body`` names (``images: null`` restores the default marketplace);
    validated as a whole first, so a bad value changes nothing. Quotas have ``/quotas``."""
    if not isinstance(body, dict):
        raise ValueError(f"send a JSON object with any of {', '.join(SETTINGS)}")
    unknown = set(body) - set(SETTINGS)
    if unknown:
        raise ValueError(
            f"unknown settings {sorted(unknown)}; steerable: {', '.join(SETTINGS)} (quotas: {PREFIX}/quotas)"
        )
    if "images" in body and body["images"] is not None and not isinstance(body["images"], list):
        raise ValueError("images must be a list of image objects (or null for the default marketplace)")
    if not isinstance(body.get("realistic", False), bool):
        raise ValueError(f"realistic must be true or false, not {body['realistic']!r}")
    config = emulator.config
    candidate = dataclasses.replace(config, **body)
    candidate.validate()
    for name in body:
        if name == "realistic":
            emulator.set_realistic(body[name])
        else:
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

    async def quotas(request: Request) -> Response:
        """Compute quota limits: PUT ``{name: limit | null}`` (null restores the default)."""
        config = emulator.config
        if request.method == "PUT":
            try:
                body = await _json(request)
                if not isinstance(body, dict):
                    raise ValueError("the body is not a JSON object")
                given = usages.check_limits({k: v for k, v in body.items() if v is not None})
                dropped = usages.check_limits(dict.fromkeys((k for k, v in body.items() if v is None), 0))
            except (ValueError, TypeError) as exc:
                return _error(400, f"{exc}; send {{name: limit | null}}")
            with store.lock:
                for name in dropped:
                    config.quotas.pop(name, None)
                config.quotas.update(given)
        return JSONResponse(usages.limits(config.quotas))

    async def requests_log(request: Request) -> Response:
        if request.method == "DELETE":
            emulator.requests.clear()
            return Response(status_code=204)
        return JSONResponse({"value": list(emulator.requests)})

    async def settings(request: Request) -> Response:
        """The stamp's steerable settings: subscription state, marketplace images, realistic timing."""
        if request.method == "PUT":
            try:
                body = await _json(request)
                with store.lock:
                    apply_settings(emulator, body)
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
        StarletteRoute(f"{PREFIX}/quotas", quotas, methods=["GET", "PUT"]),
    ]
