"""Fault injection, off by default: per provider, resource type, action, method and optionally name.

Kinds: ``status`` (answer 429/500/503 instead of running the handler, 429 and 503 with
Retry-After, in seconds, a fraction allowed), ``lro`` (the operation the request starts ends
``Failed`` or ``Canceled``) and
``slow`` (delay the response by ``delay`` seconds). ``times`` limits how often a rule fires.
For ``lro`` rules ``status`` is what the operation's monitor (Location) URL answers at the end
(500 makes azure-core retry it first, as it would against a real stamp). ``action`` is the last
segment of a POST action URL (``start``, ``powerOff``, ``restart``, ``deallocate``, ``listKeys``...),
so a rule can fail ``deallocate`` and leave ``start`` alone.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

from pytest_azurestack.emulator.arm.errors import ArmError

if TYPE_CHECKING:
    from pytest_azurestack.emulator.arm.routing import Route

_ids = itertools.count(1)
_STATUS_CODES = {429: "TooManyRequests", 500: "InternalServerError", 503: "ServiceUnavailable"}
_METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH", "HEAD")
# The JSON type each settable field takes (None allowed where the default is None).
_INTS = ("status", "times")
_TEXTS = ("kind", "lro_status", "method", "provider", "resource_type", "action", "name", "code", "message")
_OPTIONAL = ("method", "provider", "resource_type", "action", "name", "times", "code", "message")


def _check_types(rule: FaultRule) -> None:
    """ValueError naming the field: a rule of the wrong shape must not break every request later."""
    for name in (*_INTS, *_TEXTS, "delay", "retry_after"):
        value = getattr(rule, name)
        if value is None:
            if name in _OPTIONAL:
                continue
            raise ValueError(f"fault {name} must not be null")
        if name in _INTS:
            ok = isinstance(value, int) and not isinstance(value, bool)
            want = "an integer"
        elif name in ("delay", "retry_after"):
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            want = "a number of seconds"
        else:
            ok = isinstance(value, str)
            want = "a string"
        if not ok:
            raise ValueError(f"fault {name} must be {want}, got {type(value).__name__} {value!r:.40}")


@dataclass
class FaultRule:
    kind: str = "status"
    status: int = 500
    lro_status: str = "Failed"
    delay: float = 0.0
    method: str | None = None
    provider: str | None = None
    resource_type: str | None = None
    action: str | None = None
    name: str | None = None
    times: int | None = None
    retry_after: float = 1  # a fraction (which ARM never sends, azure-core honours) keeps tests fast
    code: str | None = None
    message: str | None = None
    id: int = field(default_factory=lambda: next(_ids))
    fired: int = 0

    def __post_init__(self) -> None:
        _check_types(self)
        self.delay = float(self.delay)
        self.retry_after = float(self.retry_after)
        if self.kind not in ("status", "lro", "slow"):
            raise ValueError(f"fault kind {self.kind!r} is unknown; use status, lro or slow")
        if not 400 <= self.status <= 599:
            raise ValueError(f"fault status {self.status} must be an HTTP error status (4xx/5xx)")
        if self.kind == "lro" and self.lro_status not in ("Failed", "Canceled"):
            raise ValueError(f"fault lro_status {self.lro_status!r} must be Failed or Canceled")
        if self.delay < 0 or self.retry_after < 0 or (self.times is not None and self.times < 0):
            raise ValueError("fault delay, retry_after and times must be >= 0")
        if self.method is not None and self.method.upper() not in _METHODS:
            raise ValueError(f"fault method {self.method!r} is unknown; use one of {', '.join(_METHODS)}")
        if self.action is not None and self.method is not None and self.method.upper() != "POST":
            raise ValueError(f"fault action {self.action!r} needs method POST (or no method)")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FaultRule:
        """ValueError for unknown keys or values of the wrong type."""
        if not isinstance(data, Mapping):
            raise ValueError(f"a fault rule must be a JSON object, got {type(data).__name__}")
        allowed = {f.name for f in fields(cls)} - {"id", "fired"}
        unknown = set(data) - allowed
        if unknown:
            raise ValueError(f"unknown fault keys {sorted(unknown)}; allowed: {', '.join(sorted(allowed))}")
        return cls(**dict(data))

    def matches(
        self,
        method: str,
        provider: str,
        resource_type: str,
        params: Mapping[str, str],
        action: str | None = None,
    ) -> bool:
        if self.times is not None and self.fired >= self.times:
            return False
        if self.method and self.method.upper() != method.upper():
            return False
        if self.provider and self.provider.lower() != provider.lower():
            return False
        if self.resource_type and self.resource_type.lower() not in _type_keys(resource_type):
            return False
        if self.action and self.action.lower() != (action or "").lower():
            return False
        return not (self.name and self.name.lower() not in {v.lower() for v in params.values()})

    def error(self) -> ArmError:
        code = self.code or _STATUS_CODES.get(self.status, "InjectedFault")
        message = self.message or f"Injected fault {self.id}: the service answered {self.status}."
        seconds = f"{self.retry_after:g}"
        headers = {"Retry-After": seconds} if self.status in (429, 503) else {}
        return ArmError(self.status, code, message, headers=headers)

    def describe(self) -> dict[str, Any]:
        return asdict(self)


def _type_keys(resource_type: str) -> tuple[str, str]:
    """A rule's type matches a route's type or its parent (``virtualNetworks`` for subnets)."""
    lowered = resource_type.lower()
    return lowered, lowered.split("/", 1)[0]


@dataclass(frozen=True)
class FaultTargets:
    """What the mounted routes serve, so a rule that could never fire is refused up front."""

    served: frozenset[tuple[str, str, str]]  # (provider, type key, action or "") lower-cased

    @classmethod
    def from_routes(cls, routes: Iterable[Route]) -> FaultTargets:
        served = set()
        for route in routes:
            action = (route.action or "").lower()
            for key in _type_keys(route.resource_type):
                served.add((route.provider.lower(), key, action))
        return cls(frozenset(served))

    def check(self, rule: FaultRule) -> None:
        want = [
            (rule.provider, 0, "provider"),
            (rule.resource_type, 1, "resource_type"),
            (rule.action, 2, "action"),
        ]
        candidates = list(self.served)
        providers = sorted({t[0] for t in candidates if t[0] != "*"})
        if rule.provider is not None and rule.provider.lower() not in providers:
            raise ValueError(
                f"fault provider {rule.provider!r} is not served here; use one of {', '.join(providers)}"
            )
        for value, index, label in want:
            if value is None:
                continue
            # Operation-status routes serve every provider ("*").
            narrowed = [t for t in candidates if t[index] in (value.lower(), "*" if index == 0 else None)]
            if not narrowed:
                options = sorted({t[index] for t in candidates if t[index] and t[index] != "*"})
                raise ValueError(
                    f"fault {label} {value!r} is not served here"
                    + (" for the provider/type given" if index else "")
                    + f"; use one of {', '.join(options) or '(none)'}"
                )
            candidates = narrowed


class Faults:
    def __init__(self, rules: list[FaultRule] | None = None, targets: FaultTargets | None = None) -> None:
        self._lock = threading.Lock()
        self.targets = targets
        self.rules: list[FaultRule] = []
        for rule in rules or []:
            self.add(rule)

    def add(self, rule: FaultRule) -> FaultRule:
        """ValueError when the rule names a provider, type or action no mounted route serves."""
        if self.targets is not None:
            self.targets.check(rule)
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

    def snapshot(self) -> list[FaultRule]:
        with self._lock:
            return list(self.rules)

    def fire(
        self,
        method: str,
        provider: str,
        resource_type: str,
        params: Mapping[str, str],
        action: str | None = None,
    ) -> list[FaultRule]:
        """The rules matching this request, each counted as fired once."""
        with self._lock:
            hits = [r for r in self.rules if r.matches(method, provider, resource_type, params, action)]
            for rule in hits:
                rule.fired += 1
            return hits
