"""Fault injection, off by default: per provider, resource type, method and optionally name.

Kinds: ``status`` (answer 429/500/503 instead of running the handler, 429 and 503 with
Retry-After), ``lro`` (the operation the request starts ends ``Failed`` or ``Canceled``) and
``slow`` (delay the response by ``delay`` seconds). ``times`` limits how often a rule fires.
For ``lro`` rules ``status`` is what the operation's monitor (Location) URL answers at the end
(500 makes azure-core retry it first, as it would against a real stamp).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from pytest_azurestack.emulator.arm.errors import ArmError

_ids = itertools.count(1)
_STATUS_CODES = {429: "TooManyRequests", 500: "InternalServerError", 503: "ServiceUnavailable"}


@dataclass
class FaultRule:
    kind: str = "status"
    status: int = 500
    lro_status: str = "Failed"
    delay: float = 0.0
    method: str | None = None
    provider: str | None = None
    resource_type: str | None = None
    name: str | None = None
    times: int | None = None
    retry_after: int = 1
    code: str | None = None
    message: str | None = None
    id: int = field(default_factory=lambda: next(_ids))
    fired: int = 0

    def __post_init__(self) -> None:
        if self.kind not in ("status", "lro", "slow"):
            raise ValueError(f"fault kind {self.kind!r} is unknown; use status, lro or slow")
        if self.kind == "status" and not 400 <= int(self.status) <= 599:
            raise ValueError(f"fault status {self.status} must be an HTTP error status (4xx/5xx)")
        if self.kind == "lro" and self.lro_status not in ("Failed", "Canceled"):
            raise ValueError(f"fault lro_status {self.lro_status!r} must be Failed or Canceled")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FaultRule:
        allowed = {f.name for f in fields(cls)} - {"id", "fired"}
        unknown = set(data) - allowed
        if unknown:
            raise ValueError(f"unknown fault keys {sorted(unknown)}; allowed: {', '.join(sorted(allowed))}")
        return cls(**dict(data))

    def matches(self, method: str, provider: str, resource_type: str, params: Mapping[str, str]) -> bool:
        if self.times is not None and self.fired >= self.times:
            return False
        if self.method and self.method.upper() != method.upper():
            return False
        if self.provider and self.provider.lower() != provider.lower():
            return False
        if self.resource_type and self.resource_type.lower() not in (
            resource_type.lower(),
            resource_type.split("/", 1)[0].lower(),
        ):
            return False
        return not (self.name and self.name.lower() not in {v.lower() for v in params.values()})

    def error(self) -> ArmError:
        code = self.code or _STATUS_CODES.get(self.status, "InjectedFault")
        message = self.message or f"Injected fault {self.id}: the service answered {self.status}."
        headers = {"Retry-After": str(self.retry_after)} if self.status in (429, 503) else {}
        return ArmError(self.status, code, message, headers=headers)

    def describe(self) -> dict[str, Any]:
        return asdict(self)


class Faults:
    def __init__(self, rules: list[FaultRule] | None = None) -> None:
        self._lock = threading.Lock()
        self.rules: list[FaultRule] = list(rules or [])

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self.rules.append(rule)
        return rule

    def remove(self, rule_id: int) -> bool:
        with self._lock:
            before = len(self.rules)
            self.rules = [r for r in self.rules if r.id != rule_id]
            return len(self.rules) != before

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    def fire(
        self, method: str, provider: str, resource_type: str, params: Mapping[str, str]
    ) -> list[FaultRule]:
        """The rules matching this request, each counted as fired once."""
        with self._lock:
            hits = [r for r in self.rules if r.matches(method, provider, resource_type, params)]
            for rule in hits:
                rule.fired += 1
            return hits
