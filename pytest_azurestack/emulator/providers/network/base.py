"""What every Microsoft.Network resource shares: types, states, etags, lookups and references.

Resources live in the emulator ``Store`` in the newest shape this provider emulates (2018-11-01):
``{id, name, type, location, tags, etag, properties{...}}`` (public IPs also ``sku``). Child
resources (subnets, NIC ip configurations, security rules) are kept inline in their parent, as
ARM returns them. Back-references that only mirror other resources (a subnet's
``ipConfigurations``, a public IP's ``ipConfiguration``, an NSG's ``networkInterfaces`` and
``subnets``) are not stored: ``expand`` derives them at read time, so they can never go stale
when another provider (compute, a resource group delete) changes the store.

Every write returns a ``Change`` with the stored dict in a non-terminal state (``Updating`` /
``Deleting``); its completion moves it (and its inline children) to ``Succeeded`` or away.
"""

from __future__ import annotations

import copy
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pytest_azurestack.emulator.arm.errors import ArmError, resource_not_found
from pytest_azurestack.emulator.arm.ids import parse_resource_id, same_id
from pytest_azurestack.emulator.arm.lro import Change
from pytest_azurestack.emulator.arm.store import Store
from pytest_azurestack.emulator.providers.network import addressing
from pytest_azurestack.emulator.providers.network import errors as err
from pytest_azurestack.emulator.providers.network import validation as v

NAMESPACE = "Microsoft.Network"
VNETS = "Microsoft.Network/virtualNetworks"
SUBNETS = "Microsoft.Network/virtualNetworks/subnets"
NICS = "Microsoft.Network/networkInterfaces"
IP_CONFIGS = "Microsoft.Network/networkInterfaces/ipConfigurations"
PUBLIC_IPS = "Microsoft.Network/publicIPAddresses"
NSGS = "Microsoft.Network/networkSecurityGroups"
RULES = "Microsoft.Network/networkSecurityGroups/securityRules"
DEFAULT_RULES = "Microsoft.Network/networkSecurityGroups/defaultSecurityRules"

# (subnet id lower-cased, private address) -> the ip configuration holding it.
Taken = dict[tuple[str, str], str]

UPDATING = "Updating"
DELETING = "Deleting"
SUCCEEDED = "Succeeded"

# The child collections kept inline: parent type -> (collection property, child type).
CHILDREN = {
    VNETS.lower(): ("subnets", SUBNETS),
    NICS.lower(): ("ipConfigurations", IP_CONFIGS),
    NSGS.lower(): ("securityRules", RULES),
}


def new_etag() -> str:
    return f'W/"{uuid.uuid4()}"'


def set_state(resource: dict[str, Any], state: str) -> None:
    resource.setdefault("properties", {})["provisioningState"] = state


def by_name(items: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    return next((item for item in items if str(item.get("name", "")).lower() == name.lower()), None)


def same_location(a: str, b: str) -> bool:
    return a.replace(" ", "").lower() == b.replace(" ", "").lower()


@dataclass(frozen=True)
class PutTarget:
    """What a PUT of a top-level resource writes over: the stored resource (if any), the id and
    name it keeps (their case as first created), and the body's checked location and tags."""

    existing: dict[str, Any] | None
    id: str
    name: str
    subscription: str
    location: str
    tags: dict[str, str]


class NetworkBase:
    """Reads, references and the operation lifecycle shared by every Network resource's rules."""

    def __init__(self, store: Store, rng: random.Random | None = None) -> None:
        self.store = store
        self.rng = rng or random.Random()

    # --- reads ---------------------------------------------------------------------------------
    def get(self, resource_id: str, full_type: str) -> dict[str, Any]:
        """The stored resource, or 404 ResourceNotFound."""
        resource = self.store.get(resource_id)
        if resource is None or str(resource.get("type", "")).lower() != full_type.lower():
            parsed = parse_resource_id(resource_id)
            raise resource_not_found(full_type, parsed.name, parsed.resource_group)
        return resource

    def get_child(self, child_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """(parent, child) for a subnet / ip configuration / security rule id, or 404."""
        parsed = parse_resource_id(child_id)
        parent_id = parsed.parent or ""
        parent_type = "/".join((parsed.namespace or "", parsed.types[0]))
        parent = self.get(parent_id, parent_type)
        collection = parsed.types[-1]
        child = by_name(parent["properties"].get(collection, []), parsed.name)
        if child is None:
            raise err.child_not_found(collection, parsed.name, parent["id"])
        return parent, child

    def find_subnet(self, subnet_id: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        try:
            parsed = parse_resource_id(subnet_id)
        except ValueError:
            return None
        if parsed.full_type.lower() != SUBNETS.lower():
            return None
        vnet = self.store.get(parsed.parent or "")
        if vnet is None or str(vnet.get("type", "")).lower() != VNETS.lower():
            return None
        subnet = by_name(vnet["properties"].get("subnets", []), parsed.name)
        return (vnet, subnet) if subnet is not None else None

    def _existing(self, resource_id: str, full_type: str) -> dict[str, Any] | None:
        resource = self.store.get(resource_id)
        if resource is None or str(resource.get("type", "")).lower() != full_type.lower():
            return None
        return resource

    def list_resources(
        self, subscription: str, full_type: str, resource_group: str | None = None
    ) -> list[dict[str, Any]]:
        return self.store.list(subscription, full_type, resource_group)

    def ip_configurations(self, subscription: str) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        """Every (NIC, ip configuration) of the subscription."""
        for nic in self.store.list(subscription, NICS):
            for ipc in nic.get("properties", {}).get("ipConfigurations", []):
                yield nic, ipc

    def users_of_subnet(self, subnet_id: str) -> list[str]:
        subscription = parse_resource_id(subnet_id).subscription
        return [
            ipc["id"]
            for _, ipc in self.ip_configurations(subscription)
            if same_id(ipc.get("properties", {}).get("subnet", {}).get("id"), subnet_id)
        ]

    def user_of_public_ip(self, pip_id: str) -> str | None:
        subscription = parse_resource_id(pip_id).subscription
        for _, ipc in self.ip_configurations(subscription):
            if same_id((ipc.get("properties", {}).get("publicIPAddress") or {}).get("id"), pip_id):
                return str(ipc["id"])
        return None

    def users_of_nsg(self, nsg_id: str) -> tuple[list[str], list[str]]:
        """(NIC ids, subnet ids) associated with the NSG."""
        subscription = parse_resource_id(nsg_id).subscription
        nics = [
            nic["id"]
            for nic in self.store.list(subscription, NICS)
            if same_id((nic["properties"].get("networkSecurityGroup") or {}).get("id"), nsg_id)
        ]
        subnets = [
            subnet["id"]
            for vnet in self.store.list(subscription, VNETS)
            for subnet in vnet["properties"].get("subnets", [])
            if same_id((subnet["properties"].get("networkSecurityGroup") or {}).get("id"), nsg_id)
        ]
        return nics, subnets

    def expand(self, resource: dict[str, Any]) -> dict[str, Any]:
        """A deep copy of ``resource`` (top-level or child) with its derived back-references."""
        out = copy.deepcopy(resource)
        kind = str(out.get("type", "")).lower()
        props = out.setdefault("properties", {})
        if kind == VNETS.lower():
            for subnet in props.get("subnets", []):
                self._expand_subnet(subnet)
        elif kind == SUBNETS.lower():
            self._expand_subnet(out)
        elif kind == PUBLIC_IPS.lower():
            user = self.user_of_public_ip(out["id"])
            if user:
                props["ipConfiguration"] = {"id": user}
        elif kind == NSGS.lower():
            nics, subnets = self.users_of_nsg(out["id"])
            if nics:
                props["networkInterfaces"] = [{"id": n} for n in nics]
            if subnets:
                props["subnets"] = [{"id": s} for s in subnets]
        return out

    def _expand_subnet(self, subnet: dict[str, Any]) -> None:
        users = self.users_of_subnet(subnet["id"])
        if users:
            subnet["properties"]["ipConfigurations"] = [{"id": u} for u in users]

    # --- references and prefixes ---------------------------------------------------------------
    def _referenced(self, ref: str, full_type: str, by: str, location: str | None) -> dict[str, Any]:
        """The top-level resource ``ref`` names, or 400 InvalidResourceReference."""
        try:
            parsed = parse_resource_id(ref)
        except ValueError:
            raise err.invalid_reference(ref, by) from None
        target = self.store.get(ref) if parsed.full_type.lower() == full_type.lower() else None
        if target is None or (location is not None and not same_location(target["location"], location)):
            raise err.invalid_reference(ref, by)
        return target

    def _referenced_subnet(self, ref: str, by: str, location: str) -> tuple[dict[str, Any], dict[str, Any]]:
        found = self.find_subnet(ref)
        if found is None or not same_location(found[0]["location"], location):
            raise err.invalid_reference(ref, by)
        return found

    @staticmethod
    def _prefix(prefix: str, owner: str) -> addressing.IPv4Network:
        try:
            return addressing.parse_prefix(prefix)
        except addressing.PrefixHostBitsError as exc:
            raise err.cidr_notation(prefix, owner, exc.expected) from None
        except addressing.PrefixFormatError:
            raise err.prefix_format(prefix, owner) from None

    @staticmethod
    def _subnet_prefixes(subnet: dict[str, Any]) -> list[str]:
        props = subnet["properties"]
        return list(props.get("addressPrefixes") or [props["addressPrefix"]])

    def _subnet_networks(self, subnet: dict[str, Any]) -> list[addressing.IPv4Network]:
        return [addressing.parse_prefix(p) for p in self._subnet_prefixes(subnet)]

    # --- writes --------------------------------------------------------------------------------
    def check_if_match(self, resource: dict[str, Any] | None, if_match: str | None) -> None:
        """Honour ``If-Match`` (``*`` or the current etag) on writes."""
        if not if_match or if_match.strip() == "*":
            if if_match and resource is None:
                raise err.precondition_failed("a resource that does not exist")
            return
        if resource is None or resource.get("etag") != if_match.strip():
            raise err.precondition_failed(resource["id"] if resource else "a resource that does not exist")

    def _put_target(self, resource_id: str, body: dict[str, Any], what: str) -> PutTarget:
        """The checks every top-level PUT starts with: the name, the location, the tags."""
        existing = self.store.get(resource_id)
        parsed = parse_resource_id(resource_id)
        v.check_name(parsed.name, what)
        location = v.require_location(body, existing)
        tags = v.get_tags(body)
        return PutTarget(
            existing,
            existing["id"] if existing else resource_id,
            existing["name"] if existing else parsed.name,
            parsed.subscription,
            location,
            tags,
        )

    def _child_slot(
        self, child_id: str, parent_type: str, collection: str
    ) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any] | None, str]:
        """For a PUT of an inline child: (parent or 404, its collection, the child it replaces or
        None, the name to store: the existing child's, else the URL's)."""
        parsed = parse_resource_id(child_id)
        parent = self.get(parsed.parent or "", parent_type)
        children: list[dict[str, Any]] = parent["properties"].setdefault(collection, [])
        old = by_name(children, parsed.name)
        return parent, children, old, old["name"] if old else parsed.name

    def _save_child(
        self,
        parent: dict[str, Any],
        children: list[dict[str, Any]],
        old: dict[str, Any] | None,
        child: dict[str, Any],
    ) -> None:
        """Put ``child`` in place of ``old`` (or append it); parent and child share a fresh etag."""
        etag = new_etag()
        child["etag"] = etag
        parent["etag"] = etag
        if old is not None:
            children[children.index(old)] = child
        else:
            children.append(child)
        self.store.put(parent["id"], parent)

    # --- the operations writes start, and how they end -------------------------------------------
    def _put_change(self, resource: dict[str, Any], created: bool) -> Change:
        rid = resource["id"]
        return Change(resource, created, complete=lambda: self.finish_put(rid))

    def _delete_change(self, resource: dict[str, Any]) -> Change:
        rid = resource["id"]
        return Change(resource, kind="delete", complete=lambda: self.finish_delete(rid))

    def _child_change(self, child: dict[str, Any], created: bool) -> Change:
        cid = child["id"]
        return Change(
            child,
            created,
            complete=lambda: self.finish_child_put(cid),
            on_failure=lambda status: self.fail_child(cid, status),
        )

    def _child_delete_change(self, child: dict[str, Any]) -> Change:
        cid = child["id"]
        return Change(
            child,
            kind="delete",
            complete=lambda: self.finish_child_delete(cid),
            on_failure=lambda status: self.fail_child(cid, status),
        )

    def finish_put(self, resource_id: str) -> None:
        """The resource (and its inline children) reach ``Succeeded``."""
        resource = self.store.get(resource_id)
        if resource is None:
            return
        set_state(resource, SUCCEEDED)
        props = resource["properties"]
        for key in ("subnets", "ipConfigurations", "securityRules", "defaultSecurityRules"):
            for child in props.get(key, []):
                set_state(child, SUCCEEDED)

    def finish_child_put(self, child_id: str) -> None:
        try:
            _, child = self.get_child(child_id)
        except ArmError:
            return  # deleted meanwhile
        set_state(child, SUCCEEDED)

    def fail_child(self, child_id: str, status: str) -> None:
        try:
            _, child = self.get_child(child_id)
        except ArmError:
            return
        set_state(child, status)

    def finish_delete(self, resource_id: str) -> None:
        resource = self.store.get(resource_id)
        if resource is not None:
            self.store.delete(resource_id)

    def finish_child_delete(self, child_id: str) -> None:
        try:
            parent, child = self.get_child(child_id)
        except ArmError:
            return
        collection = parse_resource_id(child_id).types[-1]
        parent["properties"][collection].remove(child)
        parent["etag"] = new_etag()
