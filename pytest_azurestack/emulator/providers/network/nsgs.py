"""Network security groups and their security rules (the six default rules included)."""

from __future__ import annotations

import uuid
from typing import Any

from pytest_azurestack.emulator.arm.errors import ArmError
from pytest_azurestack.emulator.arm.ids import parse_resource_id
from pytest_azurestack.emulator.arm.lro import Change
from pytest_azurestack.emulator.providers.network import errors as err
from pytest_azurestack.emulator.providers.network import validation as v
from pytest_azurestack.emulator.providers.network.base import (
    DEFAULT_RULES,
    DELETING,
    NSGS,
    RULES,
    UPDATING,
    NetworkBase,
    by_name,
    new_etag,
    set_state,
)

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


class SecurityGroups(NetworkBase):
    def put_network_security_group(self, nsg_id: str, body: dict[str, Any]) -> Change:
        target = self._put_target(nsg_id, body, "network security group")
        existing, location, tags = target.existing, target.location, target.tags
        props = v.get_object(body, "properties", "")
        full_id = target.id
        rules: list[dict[str, Any]] = []
        for index, rule_body in enumerate(v.get_list(props, "securityRules", dict, "properties") or []):
            path = f"properties.securityRules[{index}]"
            name = v.get(rule_body, "name", str, path, required=True)
            if by_name(rules, name):
                raise v.bad_request(v.join(path, "name"), f"the security rule name '{name}' appears twice.")
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
            "name": target.name,
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
        v.check_name(name, "security rule")
        ppath = v.join(path, "properties")
        props = v.get_object(body, "properties", path, required=True)
        protocol = v.get_choice(props, "protocol", ("Tcp", "Udp", "Icmp", "*"), ppath, required=True)
        access = v.get_choice(props, "access", ("Allow", "Deny"), ppath, required=True)
        direction = v.get_choice(props, "direction", ("Inbound", "Outbound"), ppath, required=True)
        priority = v.get(props, "priority", int, ppath, required=True)
        if not 100 <= priority <= 4096:
            raise ArmError(
                400,
                "SecurityRuleInvalidPriority",
                f"Security rule has invalid Priority. Value provided: {priority} Allowed range 100-4096.",
            )
        description = v.get(props, "description", str, ppath)
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
            one = v.get(props, single, str, ppath)
            several = v.get_list(props, many, str, ppath) or []
            if one is None and not several:
                raise v.missing(v.join(ppath, single), f"Give {single} (or {many}).")
            if one is not None and several:
                raise v.bad_request(v.join(ppath, many), f"give either '{single}' or '{many}', not both.")
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
        nsg, rules, old, name = self._child_slot(rule_id, NSGS, "securityRules")
        rule = self._build_rule(f"{nsg['id']}/securityRules/{name}", name, body, "")
        self._check_rule_conflict(rule, rules)
        self._save_child(nsg, rules, old, rule)
        return self._child_change(rule, old is None)

    def delete_network_security_group(self, nsg_id: str) -> Change | None:
        nsg = self._existing(nsg_id, NSGS)
        if nsg is None:
            return None
        nics, subnets = self.users_of_nsg(nsg["id"])
        if nics or subnets:
            raise err.nsg_in_use(nsg["id"], [*nics, *subnets])
        set_state(nsg, DELETING)
        return self._delete_change(nsg)

    def delete_security_rule(self, rule_id: str) -> Change | None:
        parsed = parse_resource_id(rule_id)
        nsg = self.get(parsed.parent or "", NSGS)
        rule = by_name(nsg["properties"].get("securityRules", []), parsed.name)
        if rule is None:
            return None
        set_state(rule, DELETING)
        return self._child_delete_change(rule)


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
