"""Public IP addresses: SKU and allocation rules, the stamp's public address pool."""

from __future__ import annotations

import uuid
from typing import Any

from pytest_azurestack.emulator.arm.errors import ArmError
from pytest_azurestack.emulator.arm.lro import Change
from pytest_azurestack.emulator.providers.network import addressing
from pytest_azurestack.emulator.providers.network import errors as err
from pytest_azurestack.emulator.providers.network import validation as v
from pytest_azurestack.emulator.providers.network.base import (
    DELETING,
    PUBLIC_IPS,
    UPDATING,
    NetworkBase,
    new_etag,
    set_state,
)


class PublicIps(NetworkBase):
    def put_public_ip(self, pip_id: str, body: dict[str, Any]) -> Change:
        target = self._put_target(pip_id, body, "public IP address")
        existing, location, tags = target.existing, target.location, target.tags
        sku_body = v.get_object(body, "sku", "")
        sku = v.get_choice(sku_body, "name", ("Basic", "Standard"), "sku") or "Basic"
        props = v.get_object(body, "properties", "")
        method = (
            v.get_choice(props, "publicIPAllocationMethod", ("Dynamic", "Static"), "properties") or "Dynamic"
        )
        if sku == "Standard" and method != "Static":
            raise ArmError(
                400,
                "StandardSkuPublicIPAddressesMustBeStatic",
                f"Standard sku publicIp {pip_id} must be configured with Static allocation; "
                "set properties.publicIPAllocationMethod to Static.",
            )
        version = v.get_choice(props, "publicIPAddressVersion", ("IPv4", "IPv6"), "properties") or "IPv4"
        if version != "IPv4":
            raise v.bad_request(
                "properties.publicIPAddressVersion",
                "this Azure Stack stamp only offers IPv4 public addresses.",
            )
        idle = v.get(props, "idleTimeoutInMinutes", int, "properties")
        idle = 4 if idle is None else idle
        if not 4 <= idle <= 30:
            raise ArmError(
                400,
                "PublicIPIdleTimeoutIsOutOfRange",
                f"The idle timeout of public IP address {pip_id} is {idle} minutes; use 4 to 30.",
            )
        dns_body = v.get_object(props, "dnsSettings", "properties")
        label = v.get(dns_body, "domainNameLabel", str, "properties.dnsSettings")
        dns: dict[str, Any] | None = None
        if label is not None:
            _check_dns_label(label)
            dns = {"domainNameLabel": label, "fqdn": f"{label}.{location}.cloudapp.azurestack.external"}
            reverse = v.get(dns_body, "reverseFqdn", str, "properties.dnsSettings")
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
        pip: dict[str, Any] = {
            "name": target.name,
            "id": target.id,
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

    def _release_public_ip(self, pip_id: str) -> None:
        pip = self.store.get(pip_id)
        dynamic = pip is not None and pip["properties"].get("publicIPAllocationMethod") == "Dynamic"
        if pip is not None and dynamic and pip["properties"].pop("ipAddress", None) is not None:
            pip["etag"] = new_etag()

    def delete_public_ip(self, pip_id: str) -> Change | None:
        pip = self._existing(pip_id, PUBLIC_IPS)
        if pip is None:
            return None
        user = self.user_of_public_ip(pip["id"])
        if user is not None:
            raise err.public_ip_in_use(pip["id"], user)
        set_state(pip, DELETING)
        return self._delete_change(pip)


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
