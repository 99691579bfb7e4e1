"""From a template to the resources it deploys: copy loops expanded, conditions applied, ids,
and the dependencies between them (``dependsOn`` by name, ``type/name`` or id, a copy loop's
name, a nested resource's parent, and the resources ``reference()`` reads).

Names, types, api-versions, conditions and ``dependsOn`` are evaluated here; a resource's body
is evaluated only when it is deployed (``PlannedResource.body``), so ``reference()`` reads the
state its dependencies left.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from pytest_azurestack.emulator.templates import expressions as ex
from pytest_azurestack.emulator.templates.errors import TemplateError, invalid
from pytest_azurestack.emulator.templates.evaluation import (
    Reference,
    Scope,
    evaluate_count,
    evaluate_node,
    evaluate_value,
)

# Keys of a template resource that are the template's, not the resource provider's.
TEMPLATE_KEYS = frozenset(
    {
        "type",
        "name",
        "apiversion",
        "dependson",
        "copy",
        "condition",
        "comments",
        "resources",
        "scope",
        "metadata",
    }
)
TEMPLATE_SECTIONS = frozenset(
    {
        "$schema",
        "contentversion",
        "apiprofile",
        "parameters",
        "variables",
        "functions",
        "resources",
        "outputs",
        "metadata",
    }
)


@dataclass
class PlannedResource:
    id: str
    full_type: str  # Microsoft.Network/virtualNetworks/subnets
    name: str  # vnet/subnet, as the template names it
    api_version: str
    raw: dict[str, Any] = field(repr=False)
    scope: Scope = field(repr=False)
    loop: str | None = None
    depends_on: list[str] = field(default_factory=list)  # keys of other planned resources
    parent: str | None = None  # key of the enclosing resource of a nested one

    @property
    def key(self) -> str:
        return self.id.lower()

    @property
    def namespace(self) -> str:
        return self.full_type.split("/", 1)[0]

    @property
    def resource_type(self) -> str:
        return self.full_type.split("/", 1)[1]

    def body(self, reference: Reference) -> dict[str, Any]:
        """What the deployment sends the resource provider, evaluated now."""
        scope = replace(self.scope, reference=reference)
        return {k: evaluate_value(v, scope) for k, v in self.raw.items() if k.lower() not in TEMPLATE_KEYS}


@dataclass
class Plan:
    resources: list[PlannedResource]

    def by_key(self) -> dict[str, PlannedResource]:
        return {r.key: r for r in self.resources}

    def ready(self, succeeded: set[str], started: set[str]) -> list[PlannedResource]:
        """Resources not yet started whose dependencies have all succeeded, in template order."""
        return [
            r for r in self.resources if r.key not in started and all(d in succeeded for d in r.depends_on)
        ]


def check_sections(template: Any) -> dict[str, Any]:
    if not isinstance(template, dict):
        raise TemplateError(
            "The request content was invalid: the 'template' must be a JSON object.", "InvalidRequestContent"
        )
    unknown = [k for k in template if k.lower() not in TEMPLATE_SECTIONS]
    if unknown:
        raise invalid(f"The template has unknown top-level properties '{', '.join(unknown)}'")
    if not isinstance(template.get("resources"), list):
        raise invalid("The template must have a 'resources' array")
    for section in ("variables", "outputs"):
        if template.get(section) is not None and not isinstance(template[section], dict):
            raise invalid(f"The template '{section}' must be an object")
    if template.get("functions"):
        raise TemplateError(
            "User-defined template functions are not served by the Azure Stack emulator; inline them.",
            "InvalidTemplate",
        )
    return template


def plan_template(template: dict[str, Any], scope: Scope) -> Plan:
    """Expand and order ``template``'s resources; raise ``TemplateError`` as ARM's validation does."""
    planner = _Planner(scope)
    planner.expand(template["resources"], None, scope)
    planner.link()
    return Plan(planner.planned)


@dataclass
class _Pending:
    resource: PlannedResource
    depends_raw: list[Any]


class _Planner:
    def __init__(self, scope: Scope) -> None:
        self.root = scope
        self.planned: list[PlannedResource] = []
        self.pending: list[_Pending] = []
        self.skipped: list[tuple[str, str]] = []  # (id, name) of resources whose condition is false
        self.loops: dict[str, list[str]] = {}  # loop name (lower) -> keys

    # --- expansion ---------------------------------------------------------------------------
    def expand(self, resources: list[Any], parent: PlannedResource | None, scope: Scope) -> None:
        for raw in resources:
            if not isinstance(raw, dict):
                raise invalid("Each template resource must be an object")
            for key in ("type", "name", "apiVersion"):
                if not any(k.lower() == key.lower() for k in raw):
                    raise invalid(f"The template resource '{raw.get('name', '?')}' must have a '{key}'")
            copy = _get(raw, "copy")
            if copy is None:
                self._instance(raw, parent, scope, None)
                continue
            if not isinstance(copy, dict) or not isinstance(copy.get("name"), str):
                raise invalid(
                    f"The copy of template resource '{raw.get('name')}' must be an object with a 'name'"
                )
            loop = copy["name"]
            self.loops.setdefault(loop.lower(), [])
            for index in range(evaluate_count(copy.get("count"), scope, loop)):
                self._instance(raw, parent, scope.in_loop(loop, index, resource_loop=True), loop)

    def _instance(
        self, raw: dict[str, Any], parent: PlannedResource | None, scope: Scope, loop: str | None
    ) -> None:
        full_type = _text(evaluate_value(_get(raw, "type"), scope), "type")
        name = _text(evaluate_value(_get(raw, "name"), scope), "name")
        api_version = _text(evaluate_value(_get(raw, "apiVersion"), scope), "apiVersion")
        if (
            parent is not None and "/" not in full_type
        ):  # a nested resource names itself relative to its parent
            full_type, name = f"{parent.full_type}/{full_type}", f"{parent.name}/{name}"
        rid = self._resource_id(full_type, name)
        condition = _get(raw, "condition")
        if condition is not None and evaluate_value(condition, scope) is not True:
            self.skipped.append((rid, name))
            return
        resource = PlannedResource(rid, full_type, name, api_version, raw, scope, loop)
        if parent is not None:
            resource.parent = parent.key
        if any(r.key == resource.key for r in self.planned):
            raise invalid(f"The resource '{rid}' is defined multiple times in the template")
        self.planned.append(resource)
        if loop:
            self.loops[loop.lower()].append(resource.key)
        depends = _get(raw, "dependsOn") or []
        if not isinstance(depends, list):
            raise invalid(f"The 'dependsOn' of template resource '{name}' must be an array")
        self.pending.append(_Pending(resource, [evaluate_value(d, scope) for d in depends]))
        children = _get(raw, "resources")
        if children:
            if not isinstance(children, list):
                raise invalid(f"The 'resources' of template resource '{name}' must be an array")
            self.expand(children, resource, scope)

    def _resource_id(self, full_type: str, name: str) -> str:
        namespace, _, rest = full_type.partition("/")
        types = [t for t in rest.split("/") if t]
        names = [n for n in name.split("/") if n]
        if not namespace or not types or len(types) != len(names):
            raise invalid(
                f"The template resource '{name}' for type '{full_type}' has incorrect segment lengths. A "
                "nested resource type must have identical number of segments as its resource name"
            )
        sub, group_name = self.root.subscription_id, self.root.resource_group["name"]
        group = f"/subscriptions/{sub}/resourceGroups/{group_name}"
        pairs = "".join(f"/{t}/{n}" for t, n in zip(types, names, strict=True))
        return f"{group}/providers/{namespace}{pairs}"

    # --- dependencies ------------------------------------------------------------------------
    def link(self) -> None:
        for pending in self.pending:
            resource = pending.resource
            found: list[str] = [resource.parent] if resource.parent else []
            for entry in pending.depends_raw:
                found.extend(self._resolve(_text(entry, "dependsOn"), strict=True))
            for target in _referenced(resource.raw, resource.scope):
                found.extend(self._resolve(target, strict=False))
            resource.depends_on = list(dict.fromkeys(k for k in found if k != resource.key))
        self._check_cycles()

    def _resolve(self, entry: str, strict: bool) -> list[str]:
        lowered = entry.lower().rstrip("/")
        if lowered.startswith("/subscriptions/"):
            keys = [r.key for r in self.planned if r.key == lowered]
            skipped = any(rid.lower() == lowered for rid, _ in self.skipped)
        elif "/" in lowered:
            suffix = _provider_suffix(lowered)
            keys = [r.key for r in self.planned if suffix and r.key.endswith(suffix)]
            skipped = any(suffix and rid.lower().endswith(suffix) for rid, _ in self.skipped)
        elif lowered in self.loops:
            return list(self.loops[lowered])
        else:
            keys = [
                r.key for r in self.planned if lowered in (r.name.lower(), r.name.lower().rsplit("/", 1)[-1])
            ]
            skipped = any(lowered == name.lower() for _, name in self.skipped)
        if not keys and strict and not skipped:
            raise invalid(f"The resource '{entry}' is not defined in the template")
        return keys

    def _check_cycles(self) -> None:
        by_key = {r.key: r for r in self.planned}
        state: dict[str, int] = {}  # 1 visiting, 2 done

        def visit(key: str) -> None:
            if state.get(key) == 2:
                return
            if state.get(key) == 1:
                raise invalid(f"Circular dependency detected on resource: '{by_key[key].id}'")
            state[key] = 1
            for dep in by_key[key].depends_on:
                visit(dep)
            state[key] = 2

        for resource in self.planned:
            visit(resource.key)


def _provider_suffix(entry: str) -> str | None:
    """``microsoft.network/virtualnetworks/v`` -> ``/providers/microsoft.network/virtualnetworks/v``."""
    parts = entry.split("/")
    if len(parts) < 3 or len(parts) % 2 == 0:
        return None
    return "/providers/" + "/".join(parts)


def _referenced(raw: dict[str, Any], scope: Scope) -> list[str]:
    """The targets of ``reference(...)`` in a resource's body that evaluate before deployment."""
    targets: list[str] = []
    stack: list[Any] = [v for k, v in raw.items() if k.lower() not in TEMPLATE_KEYS]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif ex.is_expression(value):
            for call in ex.calls(ex.parse(value[1:-1])):
                if call.name == "reference" and call.args:
                    try:
                        target = evaluate_node(call.args[0], scope)
                    except TemplateError:
                        continue
                    if isinstance(target, str):
                        targets.append(target)
    return targets


def _get(raw: dict[str, Any], key: str) -> Any:
    for k, v in raw.items():
        if k.lower() == key.lower():
            return v
    return None


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise invalid(f"The template resource '{what}' must be a non-empty string, not '{value}'")
    return value
