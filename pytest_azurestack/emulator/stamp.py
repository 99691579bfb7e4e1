"""The composition of one emulated stamp: state, operations, identity, faults and the ARM core.

``Emulator`` wires the pieces together; ``app.build_app`` serves it over HTTP. Nothing below
(``arm/``, ``providers/``) imports this module: handlers see only ``ArmRequest.context``.
"""

from __future__ import annotations

import importlib
from collections import deque
from collections.abc import Mapping
from typing import Any

from pytest_azurestack.emulator import metadata
from pytest_azurestack.emulator.arm.context import ArmContext
from pytest_azurestack.emulator.arm.dispatch import Dispatcher
from pytest_azurestack.emulator.arm.faults import Faults, FaultTargets
from pytest_azurestack.emulator.arm.lro import LroManager
from pytest_azurestack.emulator.arm.operations import ROUTES as OPERATION_ROUTES
from pytest_azurestack.emulator.arm.routing import Route, Router
from pytest_azurestack.emulator.arm.store import Store
from pytest_azurestack.emulator.arm.versions import VersionTable
from pytest_azurestack.emulator.config import EmulatorConfig
from pytest_azurestack.emulator.identity import Identity
from pytest_azurestack.emulator.providers.compute import usages

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
            realistic=config.realistic,
        )
        # The last requests Resource Manager answered, for tests and debugging (admin API).
        self.requests: deque[dict[str, Any]] = deque(maxlen=REQUEST_LOG_SIZE)
        self.router = Router([*OPERATION_ROUTES, *provider_routes(config.providers)])
        self.faults = Faults(config.faults, FaultTargets.from_routes(self.router.routes))
        self.context = ArmContext(
            self.store,
            self.lro,
            config,
            self.versions,
            self.router.routes,
            # Late-bound: the inner dispatcher needs this context first.
            dispatch=lambda *request: self._inner(*request),
        )
        self.dispatch = Dispatcher(self.context, self.router, self.faults, self.authenticate)
        # Resource Manager calling its providers (a deployment's resources): already authenticated.
        self._inner = Dispatcher(self.context, self.router, self.faults, lambda _auth, _base: None)

    def set_realistic(self, realistic: bool) -> None:
        """Switch real-looking operation timing on or off while running (the admin API)."""
        with self.store.lock:
            self.config.realistic = realistic
            self.lro.realistic = realistic

    def authenticate(self, authorization: str | None, base_url: str) -> None:
        self.identity.verify(authorization, self.login_endpoint(base_url))

    def login_endpoint(self, base_url: str) -> str:
        return f"{base_url}/adfs/" if self.config.identity == "adfs" else f"{base_url}/"

    def metadata(self, base_url: str, query: Mapping[str, str]) -> dict[str, Any]:
        """``/metadata/endpoints`` at the request's api-version (raises ``ArmError`` for others)."""
        c = self.config
        return metadata.document(
            metadata.api_version_of(query),
            base_url,
            login_endpoint=self.login_endpoint(base_url),
            audience=c.audience,
            tenant=c.tenant_id or "adfs",
            is_adfs=c.identity == "adfs",
            location=c.location,
        )

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
            "realistic": c.realistic,
            "quotas": usages.limits(c.quotas),
        }
