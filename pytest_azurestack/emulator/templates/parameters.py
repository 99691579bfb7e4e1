"""Binding a deployment's parameter values to its template's declarations.

Defaults (which may be expressions such as ``[resourceGroup().location]``), ``allowedValues``,
min/max value and length, and types are checked as ARM checks them. A ``securestring`` or
``secureObject`` value is kept only here, in memory: ``echo`` (what the deployment shows) names
its type and never its value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pytest_azurestack.emulator.templates.errors import TemplateError, invalid
from pytest_azurestack.emulator.templates.evaluation import Scope, evaluate_value

# Declared type (lower case) -> how the deployment writes it back.
TYPE_NAMES = {
    "string": "String",
    "securestring": "SecureString",
    "int": "Int",
    "bool": "Bool",
    "object": "Object",
    "secureobject": "SecureObject",
    "array": "Array",
}
SECURE_TYPES = ("securestring", "secureobject")


@dataclass
class BoundParameters:
    values: dict[str, Any] = field(default_factory=dict)  # lower-cased name -> value
    echo: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> {"type", "value"?}

    @property
    def secrets(self) -> list[str]:
        """Every secure string value, so nothing echoes one by accident."""
        found: list[str] = []
        for name, shown in self.echo.items():
            if shown["type"] in ("SecureString", "SecureObject"):
                value = self.values[name.lower()]
                found.extend([value] if isinstance(value, str) else _strings(value))
        return [s for s in found if s]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def bind_parameters(declared: Any, supplied: Any, scope: Scope) -> BoundParameters:
    """Fill ``scope.parameters`` (a dict) and return what the deployment echoes."""
    if declared is None:
        declared = {}
    if not isinstance(declared, dict):
        raise invalid("The template 'parameters' must be an object")
    supplied = _supplied(supplied)
    known = {name.lower() for name in declared}
    unknown = [name for name in supplied if name.lower() not in known]
    if unknown:
        raise TemplateError(
            f"The template parameters '{', '.join(unknown)}' in the parameters file are not valid; they "
            "are not present in the original template and can therefore not be provided at deployment "
            f"time. The only supported parameters for this template are '{', '.join(declared)}'."
        )
    given = {name.lower(): value for name, value in supplied.items()}
    bound = BoundParameters()
    values: dict[str, Any] = scope.parameters  # type: ignore[assignment]
    for name, spec in declared.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("type"), str):
            raise invalid(f"The template parameter '{name}' must be an object with a 'type'")
        kind = spec["type"].lower()
        if kind not in TYPE_NAMES:
            raise invalid(
                f"The template parameter '{name}' has an invalid type '{spec['type']}': use one of "
                f"{', '.join(TYPE_NAMES.values())}"
            )
        if name.lower() in given:
            value = given[name.lower()]
        elif "defaultValue" in spec:
            value = evaluate_value(spec["defaultValue"], scope)
        else:
            raise invalid(
                f"The value for the template parameter '{name}' is not provided. Please see "
                "https://aka.ms/arm-deploy/#parameter-file for usage details"
            )
        value = _coerce(name, kind, value)
        _check_constraints(name, spec, value)
        values[name.lower()] = value
        shown: dict[str, Any] = {"type": TYPE_NAMES[kind]}
        if kind not in SECURE_TYPES:
            shown["value"] = value
        bound.echo[name] = shown
    bound.values = values
    return bound


def _supplied(supplied: Any) -> dict[str, Any]:
    if supplied is None:
        return {}
    if not isinstance(supplied, dict):
        raise TemplateError('The deployment \'parameters\' must be an object of {"name": {"value": ...}}.')
    out: dict[str, Any] = {}
    for name, entry in supplied.items():
        if isinstance(entry, dict) and "reference" in entry:
            raise TemplateError(
                f"The parameter '{name}' is a Key Vault reference, which the Azure Stack emulator does not "
                "resolve; pass its value inline."
            )
        if not isinstance(entry, dict) or "value" not in entry:
            raise TemplateError(f"The deployment parameter '{name}' must be an object with a 'value'.")
        out[name] = entry["value"]
    return out


_PYTHON_TYPES: Mapping[str, tuple[type, ...]] = {
    "string": (str,),
    "securestring": (str,),
    "int": (int,),
    "bool": (bool,),
    "object": (dict,),
    "secureobject": (dict,),
    "array": (list,),
}
_JTOKEN = {str: "String", int: "Integer", bool: "Boolean", dict: "Object", list: "Array", float: "Float"}


def _coerce(name: str, kind: str, value: Any) -> Any:
    # ARM reads "3" for an int and "true" for a bool (parameter files written as strings).
    if kind == "int" and isinstance(value, str) and value.lstrip("-").isdigit():
        value = int(value)
    if kind == "bool" and isinstance(value, str) and value.lower() in ("true", "false"):
        value = value.lower() == "true"
    wanted = _PYTHON_TYPES[kind]
    ok = isinstance(value, wanted) and not (kind == "int" and isinstance(value, bool))
    if not ok:
        actual = _JTOKEN.get(type(value), type(value).__name__)
        raise invalid(
            f"Template parameter JToken type is not valid. Expected '{TYPE_NAMES[kind]}'. Actual '{actual}'. "
            f"Please see https://aka.ms/arm-deploy/#parameter-file for usage details (parameter '{name}')"
        )
    return value


def _check_constraints(name: str, spec: Mapping[str, Any], value: Any) -> None:
    allowed = spec.get("allowedValues")
    if isinstance(allowed, list) and not _is_allowed(value, allowed):
        listed = ",".join(str(a) for a in allowed)
        shown = "(secure value)" if spec["type"].lower() in SECURE_TYPES else value
        raise invalid(
            f"The provided value for the template parameter '{name}' is not valid. The value '{shown}' is "
            f"not part of the allowed value(s): '{listed}'"
        )
    for key, ok in (
        ("minValue", lambda limit: not isinstance(value, int) or value >= limit),
        ("maxValue", lambda limit: not isinstance(value, int) or value <= limit),
        ("minLength", lambda limit: not hasattr(value, "__len__") or len(value) >= limit),
        ("maxLength", lambda limit: not hasattr(value, "__len__") or len(value) <= limit),
    ):
        if key in spec and not ok(spec[key]):
            raise invalid(
                f"The provided value for the template parameter '{name}' is not valid: it does not meet "
                f"'{key}' {spec[key]}"
            )


def _is_allowed(value: Any, allowed: list[Any]) -> bool:
    if isinstance(value, list):
        return all(_is_allowed(v, allowed) for v in value)
    return any(
        value == a or (isinstance(value, str) and isinstance(a, str) and value.lower() == a.lower())
        for a in allowed
    )
