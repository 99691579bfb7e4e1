"""The template functions the emulator evaluates, by lower-cased name.

Each takes the evaluated arguments and the ``Scope``; a wrong argument is ARM's InvalidTemplate
naming the function. ``uniqueString`` is deterministic (13 lower-case base32 characters, as ARM's
look) but not bit-equal to ARM's hash: templates compare it only with itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from collections.abc import Callable
from typing import Any

from pytest_azurestack.emulator.templates.errors import TemplateError
from pytest_azurestack.emulator.templates.evaluation import Scope

Function = Callable[[list[Any], Scope], Any]
FUNCTIONS: dict[str, Function] = {}
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)


def call_function(name: str, args: list[Any], scope: Scope) -> Any:
    function = FUNCTIONS.get(name)
    if function is None:
        raise TemplateError(
            f"The template function '{name}' is not valid (or not served by the Azure Stack emulator). "
            "Please see https://aka.ms/arm-template-expressions for usage details."
        )
    return function(args, scope)


def _function(name: str, min_args: int = 0, max_args: int | None = None) -> Callable[[Function], Function]:
    def register(impl: Function) -> Function:
        def checked(args: list[Any], scope: Scope) -> Any:
            if len(args) < min_args or (max_args is not None and len(args) > max_args):
                wanted = f"{min_args}" if min_args == max_args else f"{min_args} to {max_args or 'any'}"
                raise TemplateError(
                    f"Unable to evaluate template language function '{name}': it expects {wanted} "
                    f"argument(s), got {len(args)}."
                )
            return impl(args, scope)

        FUNCTIONS[name.lower()] = checked
        return impl

    return register


def _string(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise TemplateError(
            f"Unable to evaluate template language function '{name}': the argument '{value}' is not a string."
        )
    return value


def _integer(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TemplateError(
            f"Unable to evaluate template language function '{name}': the argument '{value}' is not an "
            "integer."
        )
    return value


def as_text(value: Any) -> str:
    """How ARM writes a value into a string: ``True``, ``3``, JSON for objects and arrays."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return "" if value is None else str(value)


# --- deployment -------------------------------------------------------------------------------
@_function("parameters", 1, 1)
def _parameters(args: list[Any], scope: Scope) -> Any:
    return scope.parameter(_string("parameters", args[0]))


@_function("variables", 1, 1)
def _variables(args: list[Any], scope: Scope) -> Any:
    return scope.variable(_string("variables", args[0]))


@_function("copyIndex", 0, 2)
def _copy_index(args: list[Any], scope: Scope) -> int:
    loop = args[0] if args and isinstance(args[0], str) else None
    offsets = args[1:] if loop is not None else args
    offset = _integer("copyIndex", offsets[0]) if offsets else 0
    return scope.copy_index(loop) + offset


@_function("resourceGroup", 0, 0)
def _resource_group(args: list[Any], scope: Scope) -> dict[str, Any]:
    return dict(scope.resource_group)


@_function("subscription", 0, 0)
def _subscription(args: list[Any], scope: Scope) -> dict[str, Any]:
    sub = scope.subscription_id
    return {
        "id": f"/subscriptions/{sub}",
        "subscriptionId": sub,
        "tenantId": scope.tenant_id,
        "displayName": "Azure Stack Emulator Subscription",
    }


@_function("deployment", 0, 0)
def _deployment(args: list[Any], scope: Scope) -> dict[str, Any]:
    return {"name": scope.deployment_name, "properties": {"templateLink": None}}


@_function("resourceId", 2)
def _resource_id(args: list[Any], scope: Scope) -> str:
    texts = [_string("resourceId", a) for a in args]
    at = next((i for i, t in enumerate(texts) if "/" in t and "." in t.split("/", 1)[0]), None)
    if at is None or at > 2:
        raise TemplateError(
            "Unable to evaluate template language function 'resourceId': the resource type "
            "('Namespace/type') must be the first, second or third argument."
        )
    before, full_type, names = texts[:at], texts[at], texts[at + 1 :]
    subscription = scope.subscription_id
    group = str(scope.resource_group.get("name", ""))
    if len(before) == 2:
        subscription, group = before
    elif len(before) == 1:
        if _GUID.match(before[0]) and not names:
            raise TemplateError(
                "Unable to evaluate template language function 'resourceId': no resource name."
            )
        group = before[0]
    namespace, *types = full_type.split("/")
    if not types or len(types) != len(names):
        raise TemplateError(
            f"Unable to evaluate template language function 'resourceId': the type '{full_type}' requires "
            f"{len(types)} resource name argument(s), got {len(names)}."
        )
    pairs = "".join(f"/{t}/{n}" for t, n in zip(types, names, strict=True))
    return f"/subscriptions/{subscription}/resourceGroups/{group}/providers/{namespace}{pairs}"


@_function("reference", 1, 3)
def _reference(args: list[Any], scope: Scope) -> Any:
    target = _string("reference", args[0])
    api_version = _string("reference", args[1]) if len(args) > 1 else None
    full = len(args) > 2 and str(args[2]).lower() == "full"
    if scope.reference is None:
        raise TemplateError(
            "The template function 'reference' is not expected at this location: it can be used only in "
            "resource properties and outputs. Please see https://aka.ms/arm-template-expressions."
        )
    return scope.reference(target, api_version, full)


# --- strings ----------------------------------------------------------------------------------
@_function("concat", 1)
def _concat(args: list[Any], scope: Scope) -> Any:
    if all(isinstance(a, list) for a in args):
        return [item for a in args for item in a]
    if any(isinstance(a, (list, dict)) for a in args):
        raise TemplateError(
            "Unable to evaluate template language function 'concat': mixes arrays and strings."
        )
    return "".join(as_text(a) for a in args)


_FORMAT_ITEM = re.compile(r"\{\{|\}\}|\{(\d+)(?::([^}]*))?\}")


@_function("format", 1)
def _format(args: list[Any], scope: Scope) -> str:
    template, values = _string("format", args[0]), args[1:]

    def item(match: re.Match[str]) -> str:
        if match.group(0) in ("{{", "}}"):
            return match.group(0)[0]
        at = int(match.group(1))
        if at >= len(values):
            raise TemplateError(
                f"Unable to evaluate template language function 'format': no argument {{{at}}}."
            )
        spec = match.group(2)
        value = values[at]
        if spec and isinstance(value, int) and spec.upper().startswith("D"):
            return str(value).zfill(int(spec[1:] or 0))
        return as_text(value)

    return _FORMAT_ITEM.sub(item, template)


@_function("toLower", 1, 1)
def _to_lower(args: list[Any], scope: Scope) -> str:
    return _string("toLower", args[0]).lower()


@_function("toUpper", 1, 1)
def _to_upper(args: list[Any], scope: Scope) -> str:
    return _string("toUpper", args[0]).upper()


@_function("string", 1, 1)
def _to_string(args: list[Any], scope: Scope) -> str:
    return as_text(args[0])


@_function("replace", 3, 3)
def _replace(args: list[Any], scope: Scope) -> str:
    return _string("replace", args[0]).replace(_string("replace", args[1]), _string("replace", args[2]))


@_function("substring", 2, 3)
def _substring(args: list[Any], scope: Scope) -> str:
    text, start = _string("substring", args[0]), _integer("substring", args[1])
    length = _integer("substring", args[2]) if len(args) > 2 else len(text) - start
    if start < 0 or length < 0 or start + length > len(text):
        raise TemplateError("Unable to evaluate template language function 'substring': out of range.")
    return text[start : start + length]


@_function("split", 2, 2)
def _split(args: list[Any], scope: Scope) -> list[str]:
    return _string("split", args[0]).split(_string("split", args[1]))


@_function("trim", 1, 1)
def _trim(args: list[Any], scope: Scope) -> str:
    return _string("trim", args[0]).strip()


@_function("uniqueString", 1)
def _unique_string(args: list[Any], scope: Scope) -> str:
    seed = "-".join(_string("uniqueString", a) for a in args).encode()
    digest = hashlib.sha256(seed).digest()[:8]
    return base64.b32encode(digest).decode().lower().rstrip("=")[:13]


@_function("guid", 1)
def _guid(args: list[Any], scope: Scope) -> str:
    seed = "-".join(_string("guid", a) for a in args)
    return str(uuid.uuid5(uuid.NAMESPACE_URL, seed))


@_function("base64", 1, 1)
def _base64(args: list[Any], scope: Scope) -> str:
    return base64.b64encode(_string("base64", args[0]).encode()).decode()


# --- values -----------------------------------------------------------------------------------
@_function("int", 1, 1)
def _int(args: list[Any], scope: Scope) -> int:
    try:
        return int(args[0])
    except (TypeError, ValueError):
        raise TemplateError(f"Unable to evaluate template language function 'int': '{args[0]}'.") from None


@_function("bool", 1, 1)
def _bool(args: list[Any], scope: Scope) -> bool:
    value = args[0]
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if isinstance(value, (bool, int)):
        return bool(value)
    raise TemplateError(f"Unable to evaluate template language function 'bool': '{value}'.")


@_function("true", 0, 0)
def _true(args: list[Any], scope: Scope) -> bool:
    return True


@_function("false", 0, 0)
def _false(args: list[Any], scope: Scope) -> bool:
    return False


@_function("null", 0, 0)
def _null(args: list[Any], scope: Scope) -> None:
    return None


@_function("length", 1, 1)
def _length(args: list[Any], scope: Scope) -> int:
    if isinstance(args[0], (str, list, dict)):
        return len(args[0])
    raise TemplateError(f"Unable to evaluate template language function 'length': '{args[0]}'.")


@_function("empty", 1, 1)
def _empty(args: list[Any], scope: Scope) -> bool:
    return args[0] is None or (isinstance(args[0], (str, list, dict)) and not args[0])


@_function("equals", 2, 2)
def _equals(args: list[Any], scope: Scope) -> bool:
    return bool(args[0] == args[1])


@_function("not", 1, 1)
def _not(args: list[Any], scope: Scope) -> bool:
    return not _as_bool("not", args[0])


@_function("and", 2)
def _and(args: list[Any], scope: Scope) -> bool:
    return all(_as_bool("and", a) for a in args)


@_function("or", 2)
def _or(args: list[Any], scope: Scope) -> bool:
    return any(_as_bool("or", a) for a in args)


def _as_bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TemplateError(
            f"Unable to evaluate template language function '{name}': '{value}' is not a boolean."
        )
    return value


@_function("add", 2, 2)
def _add(args: list[Any], scope: Scope) -> int:
    return _integer("add", args[0]) + _integer("add", args[1])


@_function("sub", 2, 2)
def _sub(args: list[Any], scope: Scope) -> int:
    return _integer("sub", args[0]) - _integer("sub", args[1])


@_function("mul", 2, 2)
def _mul(args: list[Any], scope: Scope) -> int:
    return _integer("mul", args[0]) * _integer("mul", args[1])


@_function("div", 2, 2)
def _div(args: list[Any], scope: Scope) -> int:
    divisor = _integer("div", args[1])
    if divisor == 0:
        raise TemplateError("Unable to evaluate template language function 'div': division by zero.")
    return int(_integer("div", args[0]) / divisor)


@_function("mod", 2, 2)
def _mod(args: list[Any], scope: Scope) -> int:
    divisor = _integer("mod", args[1])
    if divisor == 0:
        raise TemplateError("Unable to evaluate template language function 'mod': division by zero.")
    return _integer("mod", args[0]) % divisor


@_function("createArray", 0)
def _create_array(args: list[Any], scope: Scope) -> list[Any]:
    return list(args)


@_function("createObject", 0)
def _create_object(args: list[Any], scope: Scope) -> dict[str, Any]:
    if len(args) % 2:
        raise TemplateError(
            "Unable to evaluate template language function 'createObject': keys and values pair up."
        )
    return {_string("createObject", args[i]): args[i + 1] for i in range(0, len(args), 2)}


@_function("contains", 2, 2)
def _contains(args: list[Any], scope: Scope) -> bool:
    container, item = args
    if isinstance(container, dict):
        return any(k.lower() == str(item).lower() for k in container)
    if isinstance(container, (str, list)):
        return item in container
    raise TemplateError(f"Unable to evaluate template language function 'contains': '{container}'.")


@_function("first", 1, 1)
def _first(args: list[Any], scope: Scope) -> Any:
    return args[0][0] if args[0] else None


@_function("last", 1, 1)
def _last(args: list[Any], scope: Scope) -> Any:
    return args[0][-1] if args[0] else None
