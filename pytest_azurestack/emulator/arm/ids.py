"""Resource ids: build, parse and compare them the way ARM does (case-insensitively)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ResourceId:
    """A parsed id. ``types``/``names`` hold the type and name chain after the namespace."""

    subscription: str
    resource_group: str | None
    namespace: str | None
    types: tuple[str, ...]
    names: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.names[-1] if self.names else (self.resource_group or self.subscription)

    @property
    def full_type(self) -> str:
        """``Microsoft.Compute/virtualMachines/extensions``; resource groups give their own type."""
        if self.namespace:
            return "/".join((self.namespace, *self.types))
        if self.resource_group:
            return "Microsoft.Resources/resourceGroups"
        return "Microsoft.Resources/subscriptions"

    @property
    def parent(self) -> str | None:
        """The id of the parent resource (the group for a top-level resource)."""
        if len(self.names) > 1:
            pairs = list(zip(self.types[:-1], self.names[:-1], strict=True))
            base = resource_id(self.subscription, self.resource_group or "", self.namespace or "", *pairs[0])
            return base + "".join(f"/{t}/{n}" for t, n in pairs[1:])
        if self.names and self.resource_group:
            return group_id(self.subscription, self.resource_group)
        return None


def group_id(subscription: str, resource_group: str) -> str:
    return f"/subscriptions/{subscription}/resourceGroups/{resource_group}"


def resource_id(
    subscription: str,
    resource_group: str,
    namespace: str,
    type: str,
    name: str,
    *child_type_name_pairs: str,
) -> str:
    """``resource_id(s, g, "Microsoft.Network", "virtualNetworks", "v", "subnets", "s1")``."""
    if len(child_type_name_pairs) % 2:
        raise ValueError("child types and names must come in pairs")
    rid = f"{group_id(subscription, resource_group)}/providers/{namespace}/{type}/{name}"
    return rid + "".join("/" + part for part in child_type_name_pairs)


def parse_resource_id(rid: str) -> ResourceId:
    """Parse ``/subscriptions/s[/resourceGroups/g[/providers/ns/type/name[/type/name...]]]``.

    Raises ValueError for anything else, so handlers can turn it into a 400 naming the id.
    """
    parts = [p for p in rid.split("?", 1)[0].split("/") if p]
    if len(parts) < 2 or parts[0].lower() != "subscriptions":
        raise ValueError(f"'{rid}' is not a resource id: it must start with /subscriptions/{{id}}")
    subscription, rest = parts[1], parts[2:]
    group: str | None = None
    if rest and rest[0].lower() == "resourcegroups":
        if len(rest) < 2:
            raise ValueError(f"'{rid}' is not a resource id: resourceGroups needs a name")
        group, rest = rest[1], rest[2:]
    namespace: str | None = None
    if rest:
        if rest[0].lower() != "providers" or len(rest) < 4 or (len(rest) - 2) % 2:
            raise ValueError(
                f"'{rid}' is not a resource id: expected /providers/{{namespace}}/{{type}}/{{name}}"
            )
        namespace, chain = rest[1], rest[2:]
        return ResourceId(subscription, group, namespace, tuple(chain[0::2]), tuple(chain[1::2]))
    return ResourceId(subscription, group, None, (), ())


def same_id(a: str | None, b: str | None) -> bool:
    """ARM ids compare case-insensitively (and ignore a trailing slash)."""
    if a is None or b is None:
        return False
    return a.rstrip("/").lower() == b.rstrip("/").lower()
