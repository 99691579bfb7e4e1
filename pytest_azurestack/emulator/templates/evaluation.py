"""Evaluating template values: expressions, property copy loops, variables, the copy index.

``Scope`` is what an expression can see: the bound parameters, the variables (evaluated on
first use, in any order, a cycle refused), the deployment's resource group and subscription,
the copy loop being expanded, and ``reference()`` (the deployment's, at run time).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from pytest_azurestack.emulator.templates import expressions as ex
from pytest_azurestack.emulator.templates.errors import TemplateError

# (resource name or id, api-version or None, full) -> the resource's state (properties, or all of it)
Reference = Callable[[str, "str | None", bool], Any]


@dataclass
class Scope:
    subscription_id: str
    tenant_id: str
    resource_group: Mapping[str, Any]
    deployment_name: str
    parameters: Mapping[str, Any] = field(default_factory=dict)  # lower-cased names
    variables: Mapping[str, Any] = field(default_factory=dict)  # raw, lower-cased names
    reference: Reference | None = None
    copy_indexes: Mapping[str, int] = field(default_factory=dict)  # loop name (lower) -> index
    resource_loop: str | None = None  # the resource copy loop ``copyIndex()`` counts
    _variable_values: dict[str, Any] = field(default_factory=dict)
    _evaluating: set[str] = field(default_factory=set)

    def parameter(self, name: str) -> Any:
        key = name.lower()
        if key not in self.parameters:
            raise TemplateError(
                f"The template parameter '{name}' is not found. Please see "
                "https://aka.ms/arm-syntax-parameters for usage details."
            )
        return self.parameters[key]

    def variable(self, name: str) -> Any:
        key = name.lower()
        if key in self._variable_values:
            return self._variable_values[key]
        if key not in self.variables:
            raise TemplateError(
                f"The template variable '{name}' is not found. Please see "
                "https://aka.ms/arm-syntax-variables for usage details."
            )
        if key in self._evaluating:
            raise TemplateError(f"The template variable '{name}' refers to itself through other variables.")
        self._evaluating.add(key)
        try:
            value = evaluate_value(self.variables[key], self)
        finally:
            self._evaluating.discard(key)
        self._variable_values[key] = value
        return value

    def copy_index(self, loop: str | None) -> int:
        key = (loop or self.resource_loop or "").lower()
        if not key or key not in self.copy_indexes:
            where = f"the copy loop '{loop}'" if loop else "a copy loop"
            raise TemplateError(
                f"The template function 'copyIndex' is not expected at this location: it is used outside "
                f"{where}."
            )
        return self.copy_indexes[key]

    def in_loop(self, loop: str, index: int, resource_loop: bool = False) -> Scope:
        """The same scope inside iteration ``index`` of ``loop`` (variables already evaluated are kept)."""
        indexes = {**self.copy_indexes, loop.lower(): index}
        return replace(
            self,
            copy_indexes=indexes,
            resource_loop=loop if resource_loop else self.resource_loop,
            _evaluating=set(),
        )


def evaluate_value(value: Any, scope: Scope) -> Any:
    """``value`` with every expression in it evaluated (dict keys are left as written)."""
    if isinstance(value, str):
        if ex.is_expression(value):
            return evaluate_node(ex.parse(value[1:-1]), scope)
        return ex.unescape(value)
    if isinstance(value, list):
        return [evaluate_value(item, scope) for item in value]
    if isinstance(value, dict):
        out = {
            k: evaluate_value(v, scope) for k, v in value.items() if k != "copy" or not isinstance(v, list)
        }
        if isinstance(value.get("copy"), list):
            out.update(_property_copies(value["copy"], scope))
        return out
    return value


def _property_copies(loops: list[Any], scope: Scope) -> dict[str, list[Any]]:
    """A property ``copy``: ``[{"name": "dataDisks", "count": 2, "input": {...}}]``."""
    out: dict[str, list[Any]] = {}
    for loop in loops:
        if not isinstance(loop, dict) or not isinstance(loop.get("name"), str) or "input" not in loop:
            raise TemplateError("A property copy must be an object with 'name', 'count' and 'input'.")
        count = evaluate_count(loop.get("count"), scope, loop["name"])
        out[loop["name"]] = [
            evaluate_value(loop["input"], scope.in_loop(loop["name"], i)) for i in range(count)
        ]
    return out


def evaluate_count(raw: Any, scope: Scope, loop: str) -> int:
    count = evaluate_value(raw, scope)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0 or count > 800:
        raise TemplateError(
            f"The copy loop '{loop}' has an invalid count '{count}': it must be an integer from 0 to 800."
        )
    return count


def evaluate_node(node: ex.Node, scope: Scope) -> Any:
    from pytest_azurestack.emulator.templates.functions import call_function

    if isinstance(node, ex.Literal):
        return node.value
    if isinstance(node, ex.Call):
        if node.name == "if":  # only the branch taken is evaluated, as ARM does
            if len(node.args) != 3:
                raise TemplateError("The template function 'if' expects three arguments.")
            chosen = node.args[1] if _truth(evaluate_node(node.args[0], scope)) else node.args[2]
            return evaluate_node(chosen, scope)
        return call_function(node.name, [evaluate_node(a, scope) for a in node.args], scope)
    if isinstance(node, ex.Prop):
        return _property(evaluate_node(node.target, scope), node.name)
    index = evaluate_node(node.index, scope)
    target = evaluate_node(node.target, scope)
    if isinstance(target, list) and isinstance(index, int) and not isinstance(index, bool):
        if not -len(target) <= index < len(target):
            raise TemplateError(
                f"The language expression index '{index}' is out of bounds ({len(target)} items)."
            )
        return target[index]
    if isinstance(target, Mapping) and isinstance(index, str):
        return _property(target, index)
    raise TemplateError(f"The language expression cannot index a {type(target).__name__} with '{index}'.")


def _property(target: Any, name: str) -> Any:
    if not isinstance(target, Mapping):
        raise TemplateError(
            f"The language expression property '{name}' can't be evaluated: the value is a "
            f"{type(target).__name__}, not an object."
        )
    for key, value in target.items():
        if key.lower() == name.lower():
            return value
    available = ", ".join(target)
    raise TemplateError(
        f"The language expression property '{name}' doesn't exist, available properties are '{available}'."
    )


def _truth(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TemplateError(f"The template function 'if' expects a boolean condition, not '{value}'.")
    return value
