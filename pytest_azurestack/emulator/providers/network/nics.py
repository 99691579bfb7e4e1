"""Network interfaces: IP configurations, private addressing, public IP association, MACs.

A NIC's ``virtualMachine`` and ``primary`` belong to the compute provider, which sets them only
through ``attach_nic`` / ``detach_nic``; an attached NIC cannot be deleted (``NicInUse``) and a PUT
of the NIC keeps them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pytest_azurestack.emulator.arm.errors import ArmError
from pytest_azurestack.emulator.arm.ids import parse_resource_id, same_id
from pytest_azurestack.emulator.arm.lro import Change
from pytest_azurestack.emulator.arm.store import Store
from pytest_azurestack.emulator.providers.network import addressing
from pytest_azurestack.emulator.providers.network import errors as err
from pytest_azurestack.emulator.providers.network import validation as v
from pytest_azurestack.emulator.providers.network.base import (
    DELETING,
    IP_CONFIGS,
    NICS,
    NSGS,
    PUBLIC_IPS,
    UPDATING,
    Taken,
    by_name,
    new_etag,
    set_state,
)
from pytest_azurestack.emulator.providers.network.public_ips import PublicIps


@dataclass(frozen=True)
class _Settings:
    """The NIC-level settings of a PUT body, checked."""

    nsg_id: str | None
    forwarding: bool
    accelerated: bool
    dns_servers: list[str]
    dns_label: str | None


class NetworkInterfaces(PublicIps):
    def put_network_interface(self, nic_id: str, body: dict[str, Any]) -> Change:
        """Create or replace a NIC: check every reference, then allocate its addresses."""
        target = self._put_target(nic_id, body, "network interface")
        existing, location, tags = target.existing, target.location, target.tags
        full_id = target.id
        props = v.get_object(body, "properties", "", required=True)
        configs_body = v.get_list(props, "ipConfigurations", dict, "properties", required=True) or []
        if not configs_body:
            raise v.missing(
                "properties.ipConfigurations", "A network interface needs at least one IP configuration."
            )
        settings = self._nic_settings(props, full_id, location)
        old_props = existing["properties"] if existing else {}
        configs = self._ip_configurations(full_id, configs_body, old_props, location)

        # All checks passed: from here on, change state.
        etag = new_etag()
        for config in configs:
            config["etag"] = etag
        self._reassociate_public_ips(old_props.get("ipConfigurations", []), configs)
        nic = {
            "name": target.name,
            "id": full_id,
            "etag": etag,
            "type": NICS,
            "location": location,
            "tags": tags,
            "properties": self._nic_properties(settings, configs, old_props, location, target.subscription),
        }
        return self._put_change(self.store.put(full_id, nic), existing is None)

    def _nic_settings(self, props: dict[str, Any], nic_id: str, location: str) -> _Settings:
        nsg_ref = v.get_reference(props, "networkSecurityGroup", "properties")
        nsg = self._referenced(nsg_ref, NSGS, nic_id, location) if nsg_ref else None
        forwarding = bool(v.get(props, "enableIPForwarding", bool, "properties"))
        accelerated = bool(v.get(props, "enableAcceleratedNetworking", bool, "properties"))
        dns_body = v.get_object(props, "dnsSettings", "properties")
        dns_servers = v.get_dns_servers(dns_body, "properties.dnsSettings")
        dns_label = v.get(dns_body, "internalDnsNameLabel", str, "properties.dnsSettings")
        return _Settings(nsg["id"] if nsg else None, forwarding, accelerated, list(dns_servers), dns_label)

    def _ip_configurations(
        self, nic_id: str, configs_body: list[dict[str, Any]], old_props: dict[str, Any], location: str
    ) -> list[dict[str, Any]]:
        """The NIC's new ip configurations, checked, with their private addresses decided."""
        configs: list[dict[str, Any]] = []
        pending: list[tuple[dict[str, Any], addressing.IPv4Network | None]] = []
        vnet_ids: set[str] = set()
        new_pips: dict[str, dict[str, Any]] = {}
        # Addresses other NICs hold; this NIC's own are re-decided below.
        taken = self._private_addresses_in_use(parse_resource_id(nic_id).subscription, exclude_nic=nic_id)
        for index, config_body in enumerate(configs_body):
            path = f"properties.ipConfigurations[{index}]"
            config, network, pip = self._build_ip_config(
                nic_id, config_body, path, location, _names(configs), taken
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
                f"IP configurations of network interface {nic_id} reference subnets of different virtual "
                "networks; all must be in one virtual network.",
            )
        self._choose_primary(nic_id, configs)
        self._assign_private_addresses(pending, old_props.get("ipConfigurations", []), taken)
        return configs

    def _nic_properties(
        self,
        settings: _Settings,
        configs: list[dict[str, Any]],
        old_props: dict[str, Any],
        location: str,
        subscription: str,
    ) -> dict[str, Any]:
        """The stored properties: what the body set, what the NIC keeps from before."""
        old_suffix = (old_props.get("dnsSettings") or {}).get("internalDomainNameSuffix")
        properties: dict[str, Any] = {
            "provisioningState": UPDATING,
            "resourceGuid": old_props.get("resourceGuid") or str(uuid.uuid4()),
            "ipConfigurations": configs,
            "dnsSettings": {
                "dnsServers": list(settings.dns_servers),
                "appliedDnsServers": [],
                **({"internalDnsNameLabel": settings.dns_label} if settings.dns_label else {}),
                "internalDomainNameSuffix": old_suffix
                or f"{uuid.uuid4().hex}.{location}.internal.cloudapp.azurestack.external",
            },
            "macAddress": old_props.get("macAddress") or self._new_mac(subscription),
            "enableAcceleratedNetworking": settings.accelerated,
            "enableIPForwarding": settings.forwarding,
        }
        if settings.nsg_id is not None:
            properties["networkSecurityGroup"] = {"id": settings.nsg_id}
        # Set by the compute provider, never by the client: keep them across a PUT.
        for owned in ("primary", "virtualMachine"):
            if owned in old_props:
                properties[owned] = old_props[owned]
        properties["hostedWorkloads"] = []
        properties["tapConfigurations"] = []
        return properties

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
        name = v.get(body, "name", str, path, required=True)
        v.check_name(name, "IP configuration")
        if name.lower() in seen:
            raise v.bad_request(v.join(path, "name"), f"the IP configuration name '{name}' appears twice.")
        config_id = f"{nic_id}/ipConfigurations/{name}"
        ppath = v.join(path, "properties")
        props = v.get_object(body, "properties", path, required=True)
        subnet_ref = v.get_reference(props, "subnet", ppath)
        if subnet_ref is None:
            raise v.missing(v.join(ppath, "subnet"), 'Reference the subnet as {"id": "<subnet id>"}.')
        _, subnet = self._referenced_subnet(subnet_ref, nic_id, location)
        version = v.get_choice(props, "privateIPAddressVersion", ("IPv4", "IPv6"), ppath) or "IPv4"
        if version != "IPv4":
            raise v.bad_request(
                v.join(ppath, "privateIPAddressVersion"), "only IPv4 is offered on this stamp."
            )
        address = v.get(props, "privateIPAddress", str, ppath)
        method = v.get_choice(props, "privateIPAllocationMethod", ("Dynamic", "Static"), ppath) or "Dynamic"
        primary = v.get(props, "primary", bool, ppath)
        pip_ref = v.get_reference(props, "publicIPAddress", ppath)
        pip = self._referenced(pip_ref, PUBLIC_IPS, nic_id, location) if pip_ref else None
        if pip is not None:
            user = self.user_of_public_ip(pip["id"])
            if user is not None and not user.lower().startswith(nic_id.lower() + "/"):
                raise err.public_ip_taken(pip["id"], user, config_id)
        networks = self._subnet_networks(subnet)
        network: addressing.IPv4Network | None = networks[0]
        if method == "Static":
            if address is None:
                raise v.missing(v.join(ppath, "privateIPAddress"), "A Static allocation needs the address.")
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
            old = by_name(old_configs, config["name"])
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
        set_state(nic, DELETING)
        nic_id = nic["id"]
        return Change(nic, kind="delete", complete=lambda: self._finish_delete_nic(nic_id))

    def _finish_delete_nic(self, nic_id: str) -> None:
        """The NIC goes, and the Dynamic public IPs it used give their addresses back."""
        nic = self.store.get(nic_id)
        if nic is None:
            return
        for config in nic["properties"].get("ipConfigurations", []):
            pip = (config["properties"].get("publicIPAddress") or {}).get("id")
            if pip:
                self._release_public_ip(pip)
        self.finish_delete(nic_id)


def _names(items: list[dict[str, Any]]) -> set[str]:
    return {str(i["name"]).lower() for i in items}


# --- the contract the compute provider uses -------------------------------------------------------
@dataclass(frozen=True)
class NicUse:
    """A stored NIC as another provider sees it: its id (as created) and the VM it serves."""

    id: str
    vm_id: str | None


def find_nic(store: Store, nic_id: str) -> NicUse | None:
    nic = store.get(nic_id)
    if nic is None or str(nic.get("type", "")).lower() != NICS.lower():
        return None
    owner = ((nic.get("properties") or {}).get("virtualMachine") or {}).get("id")
    return NicUse(nic["id"], owner)


def attach_nic(store: Store, nic_id: str, vm_id: str, primary: bool) -> None:
    """The NIC learns its VM and whether it is that VM's primary NIC (shown by Network, set by Compute)."""
    nic = store.get(nic_id)
    if nic is not None:
        props = nic.setdefault("properties", {})
        props["virtualMachine"] = {"id": vm_id}
        props["primary"] = primary


def detach_nic(store: Store, nic_id: str, vm_id: str) -> None:
    """Forget the VM, if the NIC still serves ``vm_id``."""
    nic = store.get(nic_id)
    props = (nic.get("properties") or {}) if nic is not None else {}
    if same_id((props.get("virtualMachine") or {}).get("id"), vm_id):
        props.pop("virtualMachine", None)
        props.pop("primary", None)
