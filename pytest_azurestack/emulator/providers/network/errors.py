"""The Network resource provider's error answers (codes and wording as the real service uses)."""

from __future__ import annotations

from pytest_azurestack.emulator.arm.errors import ArmError


def child_not_found(kind: str, name: str, parent_id: str) -> ArmError:
    return ArmError(404, "NotFound", f"Resource {parent_id}/{kind}/{name} not found.")


def invalid_reference(referenced: str, by: str) -> ArmError:
    return ArmError(
        400,
        "InvalidResourceReference",
        f"Resource {referenced} referenced by resource {by} was not found. Please make sure that the "
        "referenced resource exists, and that both resources are in the same region.",
    )


def prefix_format(prefix: str, owner: str) -> ArmError:
    return ArmError(
        400,
        "InvalidAddressPrefixFormat",
        f"Address prefix {prefix} of resource {owner} is not formatted correctly. "
        "It should follow CIDR notation, for example 10.0.0.0/24.",
    )


def cidr_notation(prefix: str, owner: str, expected: str) -> ArmError:
    return ArmError(
        400,
        "InvalidCIDRNotation",
        f"The address prefix {prefix} in resource {owner} has an invalid CIDR notation. "
        f"For the given prefix length, the address prefix should be {expected}.",
    )


def subnet_outside_vnet(subnet: str, vnet: str) -> ArmError:
    return ArmError(
        400,
        "NetcfgSubnetRangeOutsideVnet",
        f"Subnet '{subnet}' is not valid because its IP address range is outside the IP address range "
        f"of virtual network '{vnet}'.",
    )


def subnets_overlap(subnet: str, vnet: str) -> ArmError:
    return ArmError(
        400,
        "NetcfgSubnetRangesOverlap",
        f"Subnet '{subnet}' is not valid because its IP address range overlaps with that of an existing "
        f"subnet in virtual network '{vnet}'.",
    )


def subnet_in_use(subnet_name: str, user: str) -> ArmError:
    return ArmError(
        400,
        "InUseSubnetCannotBeDeleted",
        f"Subnet {subnet_name} is in use by {user} and cannot be deleted. In order to delete the subnet, "
        "delete all the resources within the subnet. See aka.ms/deletesubnet.",
    )


def nic_in_use(nic_id: str, user: str) -> ArmError:
    return ArmError(
        400,
        "NicInUse",
        f"Network Interface {nic_id} is used by existing resource {user}. In order to delete the network "
        "interface, it must be dissociated from the resource. To learn more, see aka.ms/deletenic.",
    )


def public_ip_in_use(pip_id: str, user: str) -> ArmError:
    return ArmError(
        400,
        "PublicIPAddressCannotBeDeleted",
        f"Public IP address {pip_id} can not be deleted since it is still allocated to resource {user}. "
        "In order to delete the public IP, disassociate/detach the Public IP address from the resource. "
        "To learn how to do this, see aka.ms/deletepublicip.",
    )


def public_ip_taken(pip_id: str, user: str, by: str) -> ArmError:
    return ArmError(
        400,
        "PublicIPAddressInUse",
        f"Resource {by} is referencing public IP address {pip_id} that is already allocated to "
        f"resource {user}.",
    )


def nsg_in_use(nsg_id: str, users: list[str]) -> ArmError:
    return ArmError(
        400,
        "InUseNetworkSecurityGroupCannotBeDeleted",
        f"Network security group {nsg_id} cannot be deleted because it is in use by the following "
        f"resources: {', '.join(users)}. In order to delete the Network security group, remove the "
        "association with the resource(s). To learn how to do this, see aka.ms/deletensg.",
    )


def subnet_full(subnet_id: str, prefix: str) -> ArmError:
    return ArmError(
        400,
        "SubnetIsFull",
        f"Subnet {subnet_id} with address prefix {prefix} does not have enough capacity for 1 IP addresses.",
    )


def private_ip_not_in_subnet(address: str, prefix: str) -> ArmError:
    return ArmError(
        400,
        "PrivateIPAddressNotInSubnet",
        f"Private static IP address {address} does not belong to the range of subnet prefix {prefix}.",
    )


def private_ip_reserved(address: str, subnet_id: str) -> ArmError:
    return ArmError(
        400,
        "PrivateIPAddressIsReserved",
        f"IP address {address} is reserved for use by Azure in subnet {subnet_id}; the first four "
        "addresses and the last address of a subnet cannot be assigned.",
    )


def private_ip_in_use(address: str, user: str, by: str) -> ArmError:
    return ArmError(
        400,
        "PrivateIPAddressInUse",
        f"IP configuration {by} is using the private IP address {address} which is already allocated to "
        f"resource {user}.",
    )


def public_pool_exhausted() -> ArmError:
    return ArmError(
        400,
        "PublicIPCountLimitReached",
        "The emulator's public IP address pool is exhausted; delete unused public IP addresses.",
    )


def precondition_failed(resource_id: str) -> ArmError:
    return ArmError(
        412,
        "PreconditionFailed",
        f"The etag in the If-Match header does not match the current etag of {resource_id}; "
        "GET the resource again and retry with its etag.",
    )
