"""A template's ``outputs``, evaluated when its resources have deployed."""

from __future__ import annotations

from typing import Any

from pytest_azurestack.emulator.templates.errors import invalid
from pytest_azurestack.emulator.templates.evaluation import Scope, evaluate_value
from pytest_azurestack.emulator.templates.parameters import SECURE_TYPES, TYPE_NAMES


def evaluate_outputs(outputs: Any, scope: Scope) -> dict[str, dict[str, Any]]:
    """``{name: {"type": "String", "value": ...}}``; a secure output shows its type only, as ARM."""
    result: dict[str, dict[str, Any]] = {}
    for name, spec in (outputs or {}).items():
        if not isinstance(spec, dict) or not isinstance(spec.get("type"), str):
            raise invalid(f"The template output '{name}' must be an object with a 'type'")
        kind = spec["type"].lower()
        if kind not in TYPE_NAMES:
            raise invalid(f"The template output '{name}' has an invalid type '{spec['type']}'")
        condition = spec.get("condition")
        if condition is not None and evaluate_value(condition, scope) is not True:
            continue
        shown: dict[str, Any] = {"type": TYPE_NAMES[kind]}
        if kind not in SECURE_TYPES:
            shown["value"] = evaluate_value(spec.get("value"), scope)
        result[name] = shown
    return result
