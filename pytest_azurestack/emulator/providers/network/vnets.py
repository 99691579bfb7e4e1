"""Virtual networks and their subnets: address spaces, subnet ranges, subnets in use."""

from __future__ import annotations

import uuid
from typing import Any

from pytest_azurestack.emulator.arm.errors import ArmError
from pytest_azurestack.emulator.arm.ids import parse_resource_id, same_id
from pytest_azurestack.emulator.arm.lro import Change
from pytest_azurestack.emulator.providers.network import addressing
from pytest_azurestack.emulator.providers.network import errors as err
from pytest_azurestack.emulator.providers.network import validation as v
from pytest_azurestack.emulator.providers.network.base import (
    DELETING,
    NSGS,
    SUBNETS,
    SUCCEEDED,
    UPDATING,
    VNETS,
    NetworkBase,
    by_name,
    new_etag,
    set_state,
)


class VirtualNetworks(NetworkBase):
    def put_virtual_network(self, vnet_id: str, body: dict[str, Any]) -> Change:
        """Create or replace a virtual network (with its inline subnets)."""
        target = self._put_target(vnet_id, body, "virtual network")
        existing, location, tags = target.existing, target.location, target.tags
        props = v.get_object(body, "properties", "")
        space = v.get_object(props, "addressSpace", "properties", required=True)
        prefixes = v.get_list(space, "addressPrefixes", str, "properties.addressSpace", required=True) or []
        if not prefixes:
            raise v.missing(
                "properties.addressSpace.addressPrefixes", "Give at least one prefix, e.g. 10.0.0.0/16."
            )
        networks = [self._prefix(p, vnet_id) for p in prefixes]
        dhcp = v.get_object(props, "dhcpOptions", "properties")
        dns_servers = v.get_dns_servers(dhcp, "properties.dhcpOptions")
        ddos = v.get(props, "enableDdosProtection", bool, "properties")
        vm_protection = v.get(props, "enableVmProtection", bool, "properties")

        old_subnets: list[dict[str, Any]] = existing["properties"].get("subnets", []) if existing else []
        subnets: list[dict[str, Any]] = []
        vnet_name = target.name
        for index, sub_body in enumerate(v.get_list(props, "subnets", dict, "properties") or []):
            path = f"properties.subnets[{index}]"
            name = v.get(sub_body, "name", str, path, required=True)
            if by_name(subnets, name):
                raise v.bad_request(v.join(path, "name"), f"the subnet name '{name}' appears twice.")
            subnet_id = f"{target.id}/subnets/{name}"
            subnet = self._build_subnet(subnet_id, name, sub_body, path, location)
            self._check_subnet_range(subnet, networks, vnet_name, subnets)
            self._check_in_use_subnet_change(by_name(old_subnets, name), subnet)
            subnets.append(subnet)
        # Real ARM treats a PUT without a subnet as deleting it: refuse that while it is in use.
        for old in old_subnets:
            if not by_name(subnets, old["name"]):
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
        vnet: dict[str, Any] = {
            "name": vnet_name,
            "id": target.id,
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
        v.check_name(name, "subnet")
        props = v.get_object(body, "properties", path)
        ppath = v.join(path, "properties")
        prefix = v.get(props, "addressPrefix", str, ppath)
        prefixes = v.get_list(props, "addressPrefixes", str, ppath)
        if prefix is None and not prefixes:
            raise v.missing(v.join(ppath, "addressPrefix"), "Give the subnet's range, e.g. 10.0.0.0/24.")
        for p in [prefix] if prefix is not None else (prefixes or []):
            self._prefix(p, subnet_id)
        properties: dict[str, Any] = {"provisioningState": UPDATING}
        properties["addressPrefix"] = prefix if prefix is not None else (prefixes or [""])[0]
        if prefixes:
            properties["addressPrefixes"] = list(prefixes)
        nsg = v.get_reference(props, "networkSecurityGroup", ppath)
        if nsg is not None:
            properties["networkSecurityGroup"] = {
                "id": self._referenced(nsg, NSGS, subnet_id, location)["id"]
            }
        route_table = v.get_reference(props, "routeTable", ppath)
        if route_table is not None:
            # Route tables are not emulated, so no reference to one can resolve.
            raise err.invalid_reference(route_table, subnet_id)
        endpoints = v.get_list(props, "serviceEndpoints", dict, ppath)
        if endpoints:
            properties["serviceEndpoints"] = [
                {
                    "service": v.get(
                        e, "service", str, v.join(v.join(ppath, "serviceEndpoints"), i), required=True
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
        vnet, subnets, old, name = self._child_slot(subnet_id, VNETS, "subnets")
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
        set_state(vnet, DELETING)
        return self._delete_change(vnet)

    def delete_subnet(self, subnet_id: str) -> Change | None:
        found = self.find_subnet(subnet_id)
        if found is None:
            parsed = parse_resource_id(subnet_id)
            self.get(parsed.parent or "", VNETS)  # 404 for the missing parent
            return None
        self._ensure_subnet_unused(found[1])
        set_state(found[1], DELETING)
        return self._child_delete_change(found[1])
