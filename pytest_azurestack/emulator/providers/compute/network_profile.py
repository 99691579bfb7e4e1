"""A VM's network profile: its NICs, checked and claimed through the Network provider's contract."""

from __future__ import annotations

from typing import Any

from pytest_azurestack.emulator.arm.errors import ArmError
from pytest_azurestack.emulator.arm.ids import same_id
from pytest_azurestack.emulator.providers import network
from pytest_azurestack.emulator.providers.compute import body as b
from pytest_azurestack.emulator.providers.compute.base import ComputeBase


class NetworkProfiles(ComputeBase):
    def _nics(self, props: dict[str, Any], vm_id: str, required: bool) -> list[dict[str, Any]]:
        profile = b.obj(props, "networkProfile", "networkProfile", required=required) or {}
        refs = b.objects(
            b.arr(profile, "networkInterfaces", "networkProfile.networkInterfaces") or [], "nics"
        )
        if not refs:
            raise b.invalid(
                "networkProfile.networkInterfaces",
                "Virtual machine must have at least one network interface: give "
                "networkProfile.networkInterfaces.",
            )
        out: list[dict[str, Any]] = []
        primaries = 0
        for index, ref in enumerate(refs):
            path = f"networkProfile.networkInterfaces[{index}]"
            nic_id = b.text(ref, "id", f"{path}.id", required=True) or ""
            nic = network.find_nic(self.store, nic_id)
            if nic is None:
                raise ArmError(404, "NotFound", f"Resource {nic_id} not found.", target=f"{path}.id")
            owner = nic.vm_id
            if owner and not same_id(owner, vm_id):
                raise ArmError(
                    400,
                    "NicInUse",
                    f"Network Interface {nic.id} is used by existing resource {owner}. In order to "
                    "use this "
                    "network interface, first delete that VM or remove this network interface from it.",
                )
            nic_props = b.obj(ref, "properties", f"{path}.properties") or {}
            primary = b.boolean(nic_props, "primary", f"{path}.properties.primary")
            if primary is None:
                primary = b.boolean(ref, "primary", f"{path}.primary")  # flattened form some clients send
            entry: dict[str, Any] = {"id": nic.id}
            if primary is not None:
                entry["properties"] = {"primary": primary}
                primaries += bool(primary)
            out.append(entry)
        if len(out) > 1 and primaries != 1:
            raise b.invalid(
                "networkProfile.networkInterfaces",
                "Virtual machine with multiple network interfaces must have exactly one marked primary.",
            )
        return out

    def _claim_nics(self, nics: list[dict[str, Any]], vm_id: str) -> None:
        """Each NIC learns its VM and whether it is the VM's primary NIC (a NIC-level property the
        Network provider shows but only Compute sets)."""
        for ref in nics:
            marked = (ref.get("properties") or {}).get("primary")
            primary = bool(marked) if marked is not None else len(nics) == 1
            network.attach_nic(self.store, ref["id"], vm_id, primary)

    def _release_nics(self, nic_ids: list[str], vm_id: str) -> None:
        for nic_id in nic_ids:
            network.detach_nic(self.store, nic_id, vm_id)
