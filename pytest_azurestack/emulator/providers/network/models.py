"""Microsoft.Network state: virtual networks, subnets, NICs, public IPs and NSGs (no HTTP).

Resources live in the emulator ``Store`` in the newest shape this provider emulates (2018-11-01):
``{id, name, type, location, tags, etag, properties{...}}`` (public IPs also ``sku``). Child
resources (subnets, NIC ip configurations, security rules) are kept inline in their parent, as
ARM returns them. Back-references that only mirror other resources (a subnet's
``ipConfigurations``, a public IP's ``ipConfiguration``, an NSG's ``networkInterfaces`` and
``subnets``) are not stored: ``expand`` derives them at read time, so they can never go stale
when another provider (compute, a resource group delete) changes the store.

The compute provider attaches a NIC to a VM by setting ``properties.virtualMachine = {"id": ...}``
on the stored NIC; such a NIC cannot be deleted (``NicInUse``) and a PUT of the NIC keeps it.

Every write returns the stored dict in a non-terminal state (``Updating`` / ``Deleting``); the
``finish_*`` methods are the long-running operation's completion callbacks.
"""

from __future__ import annotations

import copy
import random
import uuid
from collections.abc import Iterator
from typing import Any

from pytest_azurestack.emulator.arm.errors import ArmError, resource_not_found
from pytest_azurestack.emulator.arm.ids import parse_resource_id, same_id
from pytest_azurestack.emulator.arm.lro import Change
from pytest_azurestack.emulator.arm.store import Store
from pytest_azurestack.emulator.providers.network import addressing
from pytest_azurestack.emulator.providers.network import errors as err
from pytest_azurestack.emulator.providers.network.validation import (
    bad_request,
    check_name,
    get,
    get_choice,
    get_list,
    get_object,
    get_reference,
    get_tags,
    join,
    missing,
    require_location,
)

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

# Every NSG gets these six rules (name, direction, priority, source, destination, access, description).
_DEFAULT_RULES = (
    (
        "AllowVnetInBound",
        "Inbound",
        65000,
        "VirtualNetwork",
        "VirtualNetwork",
        "Allow",
        "Allow inbound traffic from all VMs in VNET",
    ),
    (
        "AllowAzureLoadBalancerInBound",
        "Inbound",
        65001,
        "AzureLoadBalancer",
        "*",
        "Allow",
        "Allow inbound traffic from azure load balancer",
    ),
    ("DenyAllInBound", "Inbound", 65500, "*", "*", "Deny", "Deny all inbound traffic"),
    (
        "AllowVnetOutBound",
        "Outbound",
        65000,
        "VirtualNetwork",
        "VirtualNetwork",
        "Allow",
        "Allow outbound traffic from all VMs to all VMs in VNET",
    ),
    (
        "AllowInternetOutBound",
        "Outbound",
        65001,
        "*",
        "Internet",
        "Allow",
        "Allow outbound traffic from all VMs to Internet",
    ),
    ("DenyAllOutBound", "Outbound", 65500, "*", "*", "Deny", "Deny all outbound traffic"),
)


def new_etag() -> str:
    return f'W/"{uuid.uuid4()}"'


def _set_state(resource: dict[str, Any], state: str) -> None:
    resource.setdefault("properties", {})["provisioningState"] = state


def _by_name(items: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    return next((item for item in items if str(item.get("name", "")).lower() == name.lower()), None)


class NetworkModel:
    """All Microsoft.Network state operations over one ``Store``."""

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
        child = _by_name(parent["properties"].get(collection, []), parsed.name)
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
        subnet = _by_name(vnet["properties"].get("subnets", []), parsed.name)
        return (vnet, subnet) if subnet is not None else None

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

    # --- references ----------------------------------------------------------------------------
    def _referenced(self, ref: str, full_type: str, by: str, location: str | None) -> dict[str, Any]:
        """The top-level resource ``ref`` names, or 400 InvalidResourceReference."""
        try:
            parsed = parse_resource_id(ref)
        except ValueError:
            raise err.invalid_reference(ref, by) from None
        target = self.store.get(ref) if parsed.full_type.lower() == full_type.lower() else None
        if target is None or (location is not None and not _same_location(target["location"], location)):
            raise err.invalid_reference(ref, by)
        return target

    def _referenced_subnet(self, ref: str, by: str, location: str) -> tuple[dict[str, Any], dict[str, Any]]:
        found = self.find_subnet(ref)
        if found is None or not _same_location(found[0]["location"], location):
            raise err.invalid_reference(ref, by)
        return found

    # --- prefixes ------------------------------------------------------------------------------
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

    # --- virtual networks and subnets ----------------------------------------------------------
    def put_virtual_network(self, vnet_id: str, body: dict[str, Any]) -> Change:
        """Create or replace a virtual network (with its inline subnets)."""
        existing = self.store.get(vnet_id)
        parsed = parse_resource_id(vnet_id)
        check_name(parsed.name, "virtual network")
        location = require_location(body, existing)
        tags = get_tags(body)
        props = get_object(body, "properties", "")
        space = get_object(props, "addressSpace", "properties", required=True)
        prefixes = get_list(space, "addressPrefixes", str, "properties.addressSpace", required=True) or []
        if not prefixes:
            raise missing(
                "properties.addressSpace.addressPrefixes", "Give at least one prefix, e.g. 10.0.0.0/16."
            )
        networks = [self._prefix(p, vnet_id) for p in prefixes]
        dhcp = get_object(props, "dhcpOptions", "properties")
        dns_servers = get_list(dhcp, "dnsServers", str, "properties.dhcpOptions") or []
        for index, server in enumerate(dns_servers):
            if not addressing.is_ipv4(server):
                raise bad_request(
                    f"properties.dhcpOptions.dnsServers[{index}]", f"'{server}' is not an IP address."
                )
        ddos = get(props, "enableDdosProtection", bool, "properties")
        vm_protection = get(props, "enableVmProtection", bool, "properties")

        old_subnets: list[dict[str, Any]] = existing["properties"].get("subnets", []) if existing else []
        subnets: list[dict[str, Any]] = []
        vnet_name = existing["name"] if existing else parsed.name
        for index, sub_body in enumerate(get_list(props, "subnets", dict, "properties") or []):
            path = f"properties.subnets[{index}]"
            name = get(sub_body, "name", str, path, required=True)
            if _by_name(subnets, name):
                raise bad_request(join(path, "name"), f"the subnet name '{name}' appears twice.")
            subnet_id = f"{existing['id'] if existing else vnet_id}/subnets/{name}"
            subnet = self._build_subnet(subnet_id, name, sub_body, path, location)
            self._check_subnet_range(subnet, networks, vnet_name, subnets)
            self._check_in_use_subnet_change(_by_name(old_subnets, name), subnet)
            subnets.append(subnet)
        # Real ARM treats a PUT without a subnet as deleting it: refuse that while it is in use.
        for old in old_subnets:
            if not _by_name(subnets, old["name"]):
                self._ensure_subnet_unused(old)

        etag = new_etag()
        for subnet in subnets:
            subnet["etag"] = etag
        properties: dict[str, Any] = {
            "provisioningState": UPDATING,
            "resourceGuid": existing["properties"]["resourceGuid"] if existing else str(uuid.uuid4()),
            "addressSpace": {"addressPrefixes": list(prefixes)},
            "dhcpOptions": {"dnsServers": list(dns_servers)},
            "subnets": subnets,
            "virtualNetworkPeerings": [],
            "enableDdosProtection": bool(ddos),
            "enableVmProtection": bool(vm_protection),
        }
        vnet = {
            "name": vnet_name,
            "id": existing["id"] if existing else vnet_id,
            "etag": etag,
            "type": VNETS,
            "location": location,
            "tags": tags,
            "properties": properties,
        }
        return self._put_change(self.store.put(vnet["id"], vnet), existing is None)

    def _build_subnet(
        self, subnet_id: str, name: str, body: dict[str, Any], path: str, location: str
    ) -> dict[str, Any]:
        check_name(name, "subnet")
        props = get_object(body, "properties", path)
        ppath = join(path, "properties")
        prefix = get(props, "addressPrefix", str, ppath)
        prefixes = get_list(props, "addressPrefixes", str, ppath)
        if prefix is None and not prefixes:
            raise missing(join(ppath, "addressPrefix"), "Give the subnet's range, e.g. 10.0.0.0/24.")
        for p in [prefix] if prefix is not None else (prefixes or []):
            self._prefix(p, subnet_id)
        properties: dict[str, Any] = {"provisioningState": UPDATING}
        properties["addressPrefix"] = prefix if prefix is not None else (prefixes or [""])[0]
        if prefixes:
            properties["addressPrefixes"] = list(prefixes)
        nsg = get_reference(props, "networkSecurityGroup", ppath)
        if nsg is not None:
            properties["networkSecurityGroup"] = {
                "id": self._referenced(nsg, NSGS, subnet_id, location)["id"]
            }
        route_table = get_reference(props, "routeTable", ppath)
        if route_table is not None:
            # Route tables are not emulated, so no reference to one can resolve.
            raise err.invalid_reference(route_table, subnet_id)
        endpoints = get_list(props, "serviceEndpoints", dict, ppath)
        if endpoints:
            properties["serviceEndpoints"] = [
                {
                    "service": get(
                        e, "service", str, join(join(ppath, "serviceEndpoints"), i), required=True
                    ),
                    "locations": [location],
                    "provisioningState": SUCCEEDED,
                }
                for i, e in enumerate(endpoints)
            ]
        properties["delegations"] = []
        return {"name": name, "id": subnet_id, "etag": "", "type": SUBNETS, "properties": properties}

    def _check_subnet_range(
        self,
        subnet: dict[str, Any],
        vnet_networks: list[addressing.IPv4Network],
        vnet_name: str,
        siblings: list[dict[str, Any]],
    ) -> None:
        others = [
            (s["name"], n)
            for s in siblings
            if s["name"].lower() != subnet["name"].lower()
            for n in self._subnet_networks(s)
        ]
        for network in self._subnet_networks(subnet):
            if not addressing.within_any(network, vnet_networks):
                raise err.subnet_outside_vnet(subnet["name"], vnet_name)
            if addressing.first_overlap(network, others) is not None:
                raise err.subnets_overlap(subnet["name"], vnet_name)

    def _ensure_subnet_unused(self, subnet: dict[str, Any]) -> None:
        users = self.users_of_subnet(subnet["id"])
        if users:
            raise err.subnet_in_use(subnet["name"], users[0])

    def _check_in_use_subnet_change(self, old: dict[str, Any] | None, new: dict[str, Any]) -> None:
        """An in-use subnet may change, but every NIC address in it must stay inside its range."""
        if old is None or self._subnet_prefixes(old) == self._subnet_prefixes(new):
            return
        networks = self._subnet_networks(new)
        subscription = parse_resource_id(old["id"]).subscription
        for _, ipc in self.ip_configurations(subscription):
            p = ipc["properties"]
            if same_id(p.get("subnet", {}).get("id"), old["id"]) and not any(
                addressing.is_usable(n, p.get("privateIPAddress", "")) for n in networks
            ):
                raise ArmError(
                    400,
                    "InUseSubnetCannotBeUpdated",
                    f"Subnet {old['name']} is in use by {ipc['id']} "
                    f"with address {p.get('privateIPAddress')}, "
                    f"which the new prefix {', '.join(self._subnet_prefixes(new))} does not contain. "
                    "Move or delete that IP configuration first.",
                )

    def put_subnet(self, subnet_id: str, body: dict[str, Any]) -> Change:
        """Create or replace one subnet of an existing virtual network."""
        parsed = parse_resource_id(subnet_id)
        vnet = self.get(parsed.parent or "", VNETS)
        subnets: list[dict[str, Any]] = vnet["properties"].setdefault("subnets", [])
        old = _by_name(subnets, parsed.name)
        name = old["name"] if old else parsed.name
        full_id = old["id"] if old else f"{vnet['id']}/subnets/{name}"
        subnet = self._build_subnet(full_id, name, body, "", vnet["location"])
        networks = [addressing.parse_prefix(p) for p in vnet["properties"]["addressSpace"]["addressPrefixes"]]
        self._check_subnet_range(subnet, networks, vnet["name"], subnets)
        self._check_in_use_subnet_change(old, subnet)
        self._save_child(vnet, subnets, old, subnet)
        return self._child_change(subnet, old is None)

    def delete_virtual_network(self, vnet_id: str) -> Change | None:
        """Mark for deletion (None when absent); 400 while any subnet is in use."""
        vnet = self._existing(vnet_id, VNETS)
        if vnet is None:
            return None
        for subnet in vnet["properties"].get("subnets", []):
            self._ensure_subnet_unused(subnet)
        _set_state(vnet, DELETING)
        return self._delete_change(vnet)

    def delete_subnet(self, subnet_id: str) -> Change | None:
        found = self.find_subnet(subnet_id)
        if found is None:
            parsed = parse_resource_id(subnet_id)
            self.get(parsed.parent or "", VNETS)  # 404 for the missing parent
            return None
        self._ensure_subnet_unused(found[1])
        _set_state(found[1], DELETING)
        return self._child_delete_change(found[1])

    # --- network security groups ---------------------------------------------------------------
    def put_network_security_group(self, nsg_id: str, body: dict[str, Any]) -> Change:
        existing = self.store.get(nsg_id)
        parsed = parse_resource_id(nsg_id)
        check_name(parsed.name, "network security group")
        location = require_location(body, existing)
        tags = get_tags(body)
        props = get_object(body, "properties", "")
        full_id = existing["id"] if existing else nsg_id
        rules: list[dict[str, Any]] = []
        for index, rule_body in enumerate(get_list(props, "securityRules", dict, "properties") or []):
            path = f"properties.securityRules[{index}]"
            name = get(rule_body, "name", str, path, required=True)
            if _by_name(rules, name):
                raise bad_request(join(path, "name"), f"the security rule name '{name}' appears twice.")
            rule = self._build_rule(f"{full_id}/securityRules/{name}", name, rule_body, path)
            self._check_rule_conflict(rule, rules)
            rules.append(rule)
        etag = new_etag()
        defaults = (
            existing["properties"]["defaultSecurityRules"] if existing else self._default_rules(full_id)
        )
        for rule in [*rules, *defaults]:
            rule["etag"] = etag
        nsg = {
            "name": existing["name"] if existing else parsed.name,
            "id": full_id,
            "etag": etag,
            "type": NSGS,
            "location": location,
            "tags": tags,
            "properties": {
                "provisioningState": UPDATING,
                "resourceGuid": existing["properties"]["resourceGuid"] if existing else str(uuid.uuid4()),
                "securityRules": rules,
                "defaultSecurityRules": defaults,
            },
        }
        return self._put_change(self.store.put(full_id, nsg), existing is None)

    @staticmethod
    def _default_rules(nsg_id: str) -> list[dict[str, Any]]:
        return [
            {
                "name": name,
                "id": f"{nsg_id}/defaultSecurityRules/{name}",
                "etag": "",
                "type": DEFAULT_RULES,
                "properties": {
                    "provisioningState": UPDATING,
                    "description": description,
                    "protocol": "*",
                    "sourcePortRange": "*",
                    "destinationPortRange": "*",
                    "sourceAddressPrefix": source,
                    "destinationAddressPrefix": destination,
                    "access": access,
                    "priority": priority,
                    "direction": direction,
                    "sourcePortRanges": [],
                    "destinationPortRanges": [],
                    "sourceAddressPrefixes": [],
                    "destinationAddressPrefixes": [],
                },
            }
            for name, direction, priority, source, destination, access, description in _DEFAULT_RULES
        ]

    def _build_rule(self, rule_id: str, name: str, body: dict[str, Any], path: str) -> dict[str, Any]:
        check_name(name, "security rule")
        ppath = join(path, "properties")
        props = get_object(body, "properties", path, required=True)
        protocol = get_choice(props, "protocol", ("Tcp", "Udp", "Icmp", "*"), ppath, required=True)
        access = get_choice(props, "access", ("Allow", "Deny"), ppath, required=True)
        direction = get_choice(props, "direction", ("Inbound", "Outbound"), ppath, required=True)
        priority = get(props, "priority", int, ppath, required=True)
        if not 100 <= priority <= 4096:
            raise ArmError(
                400,
                "SecurityRuleInvalidPriority",
                f"Security rule has invalid Priority. Value provided: {priority} Allowed range 100-4096.",
            )
        description = get(props, "description", str, ppath)
        properties: dict[str, Any] = {"provisioningState": UPDATING}
        if description is not None:
            properties["description"] = description
        properties["protocol"] = protocol
        plural: dict[str, list[str]] = {}
        for single, many in (
            ("sourcePortRange", "sourcePortRanges"),
            ("destinationPortRange", "destinationPortRanges"),
            ("sourceAddressPrefix", "sourceAddressPrefixes"),
            ("destinationAddressPrefix", "destinationAddressPrefixes"),
        ):
            one = get(props, single, str, ppath)
            several = get_list(props, many, str, ppath) or []
            if one is None and not several:
                raise missing(join(ppath, single), f"Give {single} (or {many}).")
            if one is not None and several:
                raise bad_request(join(ppath, many), f"give either '{single}' or '{many}', not both.")
            if "Port" in single:
                for value in [one] if one is not None else several:
                    _check_port_range(value)
            if one is not None:
                properties[single] = one
            plural[many] = list(several)
        properties.update(access=access, priority=priority, direction=direction)
        properties.update(plural)
        return {"name": name, "id": rule_id, "etag": "", "type": RULES, "properties": properties}

    @staticmethod
    def _check_rule_conflict(rule: dict[str, Any], others: list[dict[str, Any]]) -> None:
        p = rule["properties"]
        for other in others:
            o = other["properties"]
            if other["name"].lower() != rule["name"].lower() and (o["priority"], o["direction"]) == (
                p["priority"],
                p["direction"],
            ):
                raise ArmError(
                    400,
                    "SecurityRuleConflict",
                    f"Security rule {rule['name']} conflicts with rule {other['name']}. "
                    "Rules cannot have the same Priority and Direction. To learn more, see aka.ms/nsgrules.",
                )

    def put_security_rule(self, rule_id: str, body: dict[str, Any]) -> Change:
        parsed = parse_resource_id(rule_id)
        nsg = self.get(parsed.parent or "", NSGS)
        rules: list[dict[str, Any]] = nsg["properties"].setdefault("securityRules", [])
        old = _by_name(rules, parsed.name)
        name = old["name"] if old else parsed.name
        rule = self._build_rule(f"{nsg['id']}/securityRules/{name}", name, body, "")
        self._check_rule_conflict(rule, rules)
        self._save_child(nsg, rules, old, rule)
        return self._child_change(rule, old is None)

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

    def delete_network_security_group(self, nsg_id: str) -> Change | None:
        nsg = self._existing(nsg_id, NSGS)
        if nsg is None:
            return None
        nics, subnets = self.users_of_nsg(nsg["id"])
        if nics or subnets:
            raise err.nsg_in_use(nsg["id"], [*nics, *subnets])
        _set_state(nsg, DELETING)
        return self._delete_change(nsg)

    def delete_security_rule(self, rule_id: str) -> Change | None:
        parsed = parse_resource_id(rule_id)
        nsg = self.get(parsed.parent or "", NSGS)
        rule = _by_name(nsg["properties"].get("securityRules", []), parsed.name)
        if rule is None:
            return None
        _set_state(rule, DELETING)
        return self._child_delete_change(rule)

    # --- public IP addresses -------------------------------------------------------------------
    def put_public_ip(self, pip_id: str, body: dict[str, Any]) -> Change:
        existing = self.store.get(pip_id)
        parsed = parse_resource_id(pip_id)
        check_name(parsed.name, "public IP address")
        location = require_location(body, existing)
        tags = get_tags(body)
        sku_body = get_object(body, "sku", "")
        sku = get_choice(sku_body, "name", ("Basic", "Standard"), "sku") or "Basic"
        props = get_object(body, "properties", "")
        method = (
            get_choice(props, "publicIPAllocationMethod", ("Dynamic", "Static"), "properties") or "Dynamic"
        )
        if sku == "Standard" and method != "Static":
            raise ArmError(
                400,
                "StandardSkuPublicIPAddressesMustBeStatic",
                f"Standard sku publicIp {pip_id} must be configured with Static allocation; "
                "set properties.publicIPAllocationMethod to Static.",
            )
        version = get_choice(props, "publicIPAddressVersion", ("IPv4", "IPv6"), "properties") or "IPv4"
        if version != "IPv4":
            raise bad_request(
                "properties.publicIPAddressVersion",
                "this Azure Stack stamp only offers IPv4 public addresses.",
            )
        idle = get(props, "idleTimeoutInMinutes", int, "properties")
        idle = 4 if idle is None else idle
        if not 4 <= idle <= 30:
            raise ArmError(
                400,
                "PublicIPIdleTimeoutIsOutOfRange",
                f"The idle timeout of public IP address {pip_id} is {idle} minutes; use 4 to 30.",
            )
        dns_body = get_object(props, "dnsSettings", "properties")
        label = get(dns_body, "domainNameLabel", str, "properties.dnsSettings")
        dns: dict[str, Any] | None = None
        if label is not None:
            _check_dns_label(label)
            dns = {"domainNameLabel": label, "fqdn": f"{label}.{location}.cloudapp.azurestack.external"}
            reverse = get(dns_body, "reverseFqdn", str, "properties.dnsSettings")
            if reverse:
                dns["reverseFqdn"] = reverse

        old_props = existing["properties"] if existing else {}
        address = old_props.get("ipAddress")
        associated = existing is not None and self.user_of_public_ip(existing["id"]) is not None
        if method == "Static" and address is None:
            address = self._allocate_public_address()
        if method == "Dynamic" and not associated:
            address = None  # a Dynamic address exists only while something uses it
        properties: dict[str, Any] = {
            "provisioningState": UPDATING,
            "resourceGuid": old_props.get("resourceGuid") or str(uuid.uuid4()),
        }
        if address is not None:
            properties["ipAddress"] = address
        properties.update(
            publicIPAddressVersion=version,
            publicIPAllocationMethod=method,
            idleTimeoutInMinutes=idle,
            ipTags=[],
        )
        if dns is not None:
            properties["dnsSettings"] = dns
        pip = {
            "name": existing["name"] if existing else parsed.name,
            "id": existing["id"] if existing else pip_id,
            "etag": new_etag(),
            "type": PUBLIC_IPS,
            "location": location,
            "tags": tags,
            "sku": {"name": sku},
            "properties": properties,
        }
        return self._put_change(self.store.put(pip["id"], pip), existing is None)

    def _allocate_public_address(self) -> str:
        used = {
            str(r["properties"]["ipAddress"])
            for r in self.store
            if str(r.get("type", "")).lower() == PUBLIC_IPS.lower() and r["properties"].get("ipAddress")
        }
        address = addressing.next_public_address(used)
        if address is None:
            raise err.public_pool_exhausted()
        return address

    def delete_public_ip(self, pip_id: str) -> Change | None:
        pip = self._existing(pip_id, PUBLIC_IPS)
        if pip is None:
            return None
        user = self.user_of_public_ip(pip["id"])
        if user is not None:
            raise err.public_ip_in_use(pip["id"], user)
        _set_state(pip, DELETING)
        return self._delete_change(pip)

    # --- network interfaces --------------------------------------------------------------------
    def put_network_interface(self, nic_id: str, body: dict[str, Any]) -> Change:
        """Create or replace a NIC: check every reference, then allocate its addresses."""
        existing = self.store.get(nic_id)
        parsed = parse_resource_id(nic_id)
        check_name(parsed.name, "network interface")
        location = require_location(body, existing)
        tags = get_tags(body)
        full_id = existing["id"] if existing else nic_id
        props = get_object(body, "properties", "", required=True)
        configs_body = get_list(props, "ipConfigurations", dict, "properties", required=True) or []
        if not configs_body:
            raise missing(
                "properties.ipConfigurations", "A network interface needs at least one IP configuration."
            )
        nsg_ref = get_reference(props, "networkSecurityGroup", "properties")
        nsg = self._referenced(nsg_ref, NSGS, full_id, location) if nsg_ref else None
        forwarding = bool(get(props, "enableIPForwarding", bool, "properties"))
        accelerated = bool(get(props, "enableAcceleratedNetworking", bool, "properties"))
        dns_body = get_object(props, "dnsSettings", "properties")
        dns_servers = get_list(dns_body, "dnsServers", str, "properties.dnsSettings") or []
        for index, server in enumerate(dns_servers):
            if not addressing.is_ipv4(server):
                raise bad_request(
                    f"properties.dnsSettings.dnsServers[{index}]", f"'{server}' is not an IP address."
                )
        dns_label = get(dns_body, "internalDnsNameLabel", str, "properties.dnsSettings")

        old_props = existing["properties"] if existing else {}
        old_configs: list[dict[str, Any]] = old_props.get("ipConfigurations", [])
        configs: list[dict[str, Any]] = []
        pending: list[tuple[dict[str, Any], addressing.IPv4Network | None]] = []
        vnet_ids: set[str] = set()
        new_pips: dict[str, dict[str, Any]] = {}
        # Addresses other NICs hold; this NIC's own are re-decided below.
        taken = self._private_addresses_in_use(parsed.subscription, exclude_nic=full_id)
        for index, config_body in enumerate(configs_body):
            path = f"properties.ipConfigurations[{index}]"
            config, network, pip = self._build_ip_config(
                full_id, config_body, path, location, _names(configs), taken
            )
            vnet_ids.add(config["properties"]["subnet"]["id"].lower().rsplit("/subnets/", 1)[0])
            configs.append(config)
            pending.append((config, network))
            if pip is not None:
                if pip["id"].lower() in new_pips:
                    raise err.public_ip_taken(pip["id"], new_pips[pip["id"].lower()]["id"], config["id"])
                new_pips[pip["id"].lower()] = config
        if len(vnet_ids) > 1:
            raise ArmError(
                400,
                "IpConfigurationsOnSameNicCannotUseDifferentVnets",
                f"IP configurations of network interface {full_id} reference subnets of different virtual "
                "networks; all must be in one virtual network.",
            )
        self._choose_primary(full_id, configs)
        self._assign_private_addresses(pending, old_configs, taken)

        # All checks passed: from here on, change state.
        etag = new_etag()
        for config in configs:
            config["etag"] = etag
        self._reassociate_public_ips(old_configs, configs)
        properties: dict[str, Any] = {
            "provisioningState": UPDATING,
            "resourceGuid": old_props.get("resourceGuid") or str(uuid.uuid4()),
            "ipConfigurations": configs,
            "dnsSettings": {
                "dnsServers": list(dns_servers),
                "appliedDnsServers": [],
                **({"internalDnsNameLabel": dns_label} if dns_label else {}),
                "internalDomainNameSuffix": (old_props.get("dnsSettings") or {}).get(
                    "internalDomainNameSuffix"
                )
                or f"{uuid.uuid4().hex}.{location}.internal.cloudapp.azurestack.external",
            },
            "macAddress": old_props.get("macAddress") or self._new_mac(parsed.subscription),
            "enableAcceleratedNetworking": accelerated,
            "enableIPForwarding": forwarding,
        }
        if nsg is not None:
            properties["networkSecurityGroup"] = {"id": nsg["id"]}
        # Set by the compute provider, never by the client: keep them across a PUT.
        for owned in ("primary", "virtualMachine"):
            if owned in old_props:
                properties[owned] = old_props[owned]
        properties["hostedWorkloads"] = []
        properties["tapConfigurations"] = []
        nic = {
            "name": existing["name"] if existing else parsed.name,
            "id": full_id,
            "etag": etag,
            "type": NICS,
            "location": location,
            "tags": tags,
            "properties": properties,
        }
        return self._put_change(self.store.put(full_id, nic), existing is None)

    def _build_ip_config(
        self,
        nic_id: str,
        body: dict[str, Any],
        path: str,
        location: str,
        seen: set[str],
        taken: Taken,
    ) -> tuple[dict[str, Any], addressing.IPv4Network | None, dict[str, Any] | None]:
        """(config, subnet network for a Dynamic address or None, referenced public IP)."""
        name = get(body, "name", str, path, required=True)
        check_name(name, "IP configuration")
        if name.lower() in seen:
            raise bad_request(join(path, "name"), f"the IP configuration name '{name}' appears twice.")
        config_id = f"{nic_id}/ipConfigurations/{name}"
        ppath = join(path, "properties")
        props = get_object(body, "properties", path, required=True)
        subnet_ref = get_reference(props, "subnet", ppath)
        if subnet_ref is None:
            raise missing(join(ppath, "subnet"), 'Reference the subnet as {"id": "<subnet id>"}.')
        _, subnet = self._referenced_subnet(subnet_ref, nic_id, location)
        version = get_choice(props, "privateIPAddressVersion", ("IPv4", "IPv6"), ppath) or "IPv4"
        if version != "IPv4":
            raise bad_request(join(ppath, "privateIPAddressVersion"), "only IPv4 is offered on this stamp.")
        address = get(props, "privateIPAddress", str, ppath)
        method = get_choice(props, "privateIPAllocationMethod", ("Dynamic", "Static"), ppath) or "Dynamic"
        primary = get(props, "primary", bool, ppath)
        pip_ref = get_reference(props, "publicIPAddress", ppath)
        pip = self._referenced(pip_ref, PUBLIC_IPS, nic_id, location) if pip_ref else None
        if pip is not None:
            user = self.user_of_public_ip(pip["id"])
            if user is not None and not user.lower().startswith(nic_id.lower() + "/"):
                raise err.public_ip_taken(pip["id"], user, config_id)
        networks = self._subnet_networks(subnet)
        network: addressing.IPv4Network | None = networks[0]
        if method == "Static":
            if address is None:
                raise missing(join(ppath, "privateIPAddress"), "A Static allocation needs the address.")
            if not any(addressing.contains(n, address) for n in networks):
                raise err.private_ip_not_in_subnet(address, ", ".join(self._subnet_prefixes(subnet)))
            if not any(addressing.is_usable(n, address) for n in networks):
                raise err.private_ip_reserved(address, subnet["id"])
            key = (subnet["id"].lower(), address)
            if key in taken:
                raise err.private_ip_in_use(address, taken[key], config_id)
            taken[key] = config_id
            network = None
        properties: dict[str, Any] = {
            "provisioningState": UPDATING,
            "privateIPAddress": address if method == "Static" else "",
            "privateIPAllocationMethod": method,
            "subnet": {"id": subnet["id"]},
            "primary": bool(primary),
            "privateIPAddressVersion": "IPv4",
        }
        if pip is not None:
            properties["publicIPAddress"] = {"id": pip["id"]}
        config = {"name": name, "id": config_id, "etag": "", "type": IP_CONFIGS, "properties": properties}
        seen.add(name.lower())
        return config, network, pip

    @staticmethod
    def _choose_primary(nic_id: str, configs: list[dict[str, Any]]) -> None:
        if len(configs) == 1:
            configs[0]["properties"]["primary"] = True
            return
        primaries = [c for c in configs if c["properties"]["primary"]]
        if len(primaries) != 1:
            raise ArmError(
                400,
                "NetworkInterfaceMustHaveOnePrimaryIpConfiguration",
                f"Network interface {nic_id} has {len(configs)} IP configurations and "
                f"{len(primaries)} of them marked primary; mark exactly one with properties.primary = true.",
            )

    def _private_addresses_in_use(self, subscription: str, exclude_nic: str) -> Taken:
        """(subnet id, address) -> ip configuration id, over every NIC but ``exclude_nic``.

        Keyed by subnet: different virtual networks may reuse the same ranges.
        """
        taken: Taken = {}
        for nic, ipc in self.ip_configurations(subscription):
            if same_id(nic["id"], exclude_nic):
                continue
            address = ipc["properties"].get("privateIPAddress")
            if address:
                taken[(ipc["properties"]["subnet"]["id"].lower(), address)] = ipc["id"]
        return taken

    def _assign_private_addresses(
        self,
        pending: list[tuple[dict[str, Any], addressing.IPv4Network | None]],
        old_configs: list[dict[str, Any]],
        taken: Taken,
    ) -> None:
        """Dynamic configs keep their old address (same subnet) or get the subnet's next free one."""
        for config, network in pending:
            if network is None:
                continue
            props = config["properties"]
            old = _by_name(old_configs, config["name"])
            kept = old["properties"].get("privateIPAddress") if old else None
            subnet_id = props["subnet"]["id"]
            same_subnet = old is not None and same_id(old["properties"]["subnet"]["id"], subnet_id)
            subnet = self.find_subnet(subnet_id)
            assert subnet is not None  # checked by _build_ip_config
            networks = self._subnet_networks(subnet[1])
            used = {address for (sid, address) in taken if sid == subnet_id.lower()}
            if (
                same_subnet
                and kept
                and kept not in used
                and any(addressing.is_usable(n, kept) for n in networks)
            ):
                address: str | None = kept
            else:
                address = addressing.next_free(networks, used)
            if address is None:
                raise err.subnet_full(subnet_id, ", ".join(self._subnet_prefixes(subnet[1])))
            props["privateIPAddress"] = address
            taken[(subnet_id.lower(), address)] = config["id"]

    def _reassociate_public_ips(
        self, old_configs: list[dict[str, Any]], configs: list[dict[str, Any]]
    ) -> None:
        """Give newly used Dynamic public IPs an address; take it back from ones no longer used."""
        before = {(c["properties"].get("publicIPAddress") or {}).get("id", "").lower() for c in old_configs}
        after = {(c["properties"].get("publicIPAddress") or {}).get("id", "").lower() for c in configs}
        for pip_id in after - before - {""}:
            pip = self.store.get(pip_id)
            if pip is not None and not pip["properties"].get("ipAddress"):
                pip["properties"]["ipAddress"] = self._allocate_public_address()
                pip["etag"] = new_etag()
        for pip_id in before - after - {""}:
            self._release_public_ip(pip_id)

    def _release_public_ip(self, pip_id: str) -> None:
        pip = self.store.get(pip_id)
        dynamic = pip is not None and pip["properties"].get("publicIPAllocationMethod") == "Dynamic"
        if pip is not None and dynamic and pip["properties"].pop("ipAddress", None) is not None:
            pip["etag"] = new_etag()

    def _new_mac(self, subscription: str) -> str:
        used = {str(nic["properties"].get("macAddress")) for nic in self.store.list(subscription, NICS)}
        return addressing.new_mac_address(used, self.rng)

    def delete_network_interface(self, nic_id: str) -> Change | None:
        nic = self._existing(nic_id, NICS)
        if nic is None:
            return None
        vm = (nic["properties"].get("virtualMachine") or {}).get("id")
        if vm:
            raise err.nic_in_use(nic["id"], vm)
        _set_state(nic, DELETING)
        return self._delete_change(nic)

    # --- shared --------------------------------------------------------------------------------
    def _existing(self, resource_id: str, full_type: str) -> dict[str, Any] | None:
        resource = self.store.get(resource_id)
        if resource is None or str(resource.get("type", "")).lower() != full_type.lower():
            return None
        return resource

    def check_if_match(self, resource: dict[str, Any] | None, if_match: str | None) -> None:
        """Honour ``If-Match`` (``*`` or the current etag) on writes."""
        if not if_match or if_match.strip() == "*":
            if if_match and resource is None:
                raise err.precondition_failed("a resource that does not exist")
            return
        if resource is None or resource.get("etag") != if_match.strip():
            raise err.precondition_failed(resource["id"] if resource else "a resource that does not exist")

    # --- the operations writes start --------------------------------------------------------------
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

    # --- completion callbacks (run by the LRO manager) ---------------------------------------------
    def finish_put(self, resource_id: str) -> None:
        """The resource (and its inline children) reach ``Succeeded``."""
        resource = self.store.get(resource_id)
        if resource is None:
            return
        _set_state(resource, SUCCEEDED)
        props = resource["properties"]
        for key in ("subnets", "ipConfigurations", "securityRules", "defaultSecurityRules"):
            for child in props.get(key, []):
                _set_state(child, SUCCEEDED)

    def finish_child_put(self, child_id: str) -> None:
        try:
            _, child = self.get_child(child_id)
        except ArmError:
            return  # deleted meanwhile
        _set_state(child, SUCCEEDED)

    def fail_child(self, child_id: str, status: str) -> None:
        try:
            _, child = self.get_child(child_id)
        except ArmError:
            return
        _set_state(child, status)

    def finish_delete(self, resource_id: str) -> None:
        resource = self.store.get(resource_id)
        if resource is None:
            return
        if str(resource.get("type", "")).lower() == NICS.lower():
            for config in resource["properties"].get("ipConfigurations", []):
                pip = (config["properties"].get("publicIPAddress") or {}).get("id")
                if pip:
                    self._release_public_ip(pip)
        self.store.delete(resource_id)

    def finish_child_delete(self, child_id: str) -> None:
        try:
            parent, child = self.get_child(child_id)
        except ArmError:
            return
        collection = parse_resource_id(child_id).types[-1]
        parent["properties"][collection].remove(child)
        parent["etag"] = new_etag()


def _names(items: list[dict[str, Any]]) -> set[str]:
    return {str(i["name"]).lower() for i in items}


def _same_location(a: str, b: str) -> bool:
    return a.replace(" ", "").lower() == b.replace(" ", "").lower()


def _check_port_range(value: str) -> None:
    if value == "*":
        return
    parts = value.split("-")
    ok = 1 <= len(parts) <= 2 and all(p.isdigit() and 0 <= int(p) <= 65535 for p in parts)
    if ok and len(parts) == 2:
        ok = int(parts[0]) <= int(parts[1])
    if not ok:
        raise ArmError(
            400,
            "SecurityRuleInvalidPortRange",
            f"Security rule has invalid Port range. Value provided: {value}. Value should be an integer OR "
            "integer range with '-' delimiter. Valid range 0-65535.",
        )


def _check_dns_label(label: str) -> None:
    ok = 3 <= len(label) <= 63 and label[0].isalpha() and label[-1].isalnum()
    ok = ok and label == label.lower() and all(c.isalnum() or c == "-" for c in label)
    if not ok:
        raise ArmError(
            400,
            "InvalidDomainNameLabel",
            f"The domain name label {label} is invalid. It must conform to the following regular expression: "
            "^[a-z][a-z0-9-]{1,61}[a-z0-9]$.",
        )
