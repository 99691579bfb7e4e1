"""Per-api-version response shapes of the Network provider.

The store holds the newest shape (2018-11-01); an answer at an older version leaves out what that
version's REST specification does not define (azure-rest-api-specs, Microsoft.Network stable
2015-06-15 / 2017-10-01 / 2018-11-01). So a 2015-06-15 client never sees ``sku``,
``privateIPAddressVersion`` or ``hostedWorkloads``, and a NIC has ``enableAcceleratedNetworking``
only from 2018-11-01. Child resources carry a ``type`` from 2018-11-01, a NIC's ipConfigurations
already from 2017-10-01, as real recordings at those versions show.
"""

from __future__ import annotations

from typing import Any

V2015 = "2015-06-15"
V2017 = "2017-10-01"
V2018 = "2018-11-01"
VERSIONS = (V2015, V2017, V2018)


def _grow(base: set[str], *additions: set[str]) -> dict[str, frozenset[str]]:
    """Cumulative property sets: each version has the previous one's plus its additions."""
    out: dict[str, frozenset[str]] = {}
    current = set(base)
    for version, added in zip(VERSIONS, (set(), *additions), strict=True):
        current |= added
        out[version] = frozenset(current)
    return out


_PROPERTIES: dict[str, dict[str, frozenset[str]]] = {
    "microsoft.network/virtualnetworks": _grow(
        {"addressSpace", "dhcpOptions", "subnets", "resourceGuid", "provisioningState"},
        {"virtualNetworkPeerings", "enableDdosProtection", "enableVmProtection"},
        {"ddosProtectionPlan"},
    ),
    "microsoft.network/virtualnetworks/subnets": _grow(
        {"addressPrefix", "networkSecurityGroup", "routeTable", "ipConfigurations", "provisioningState"},
        {"serviceEndpoints", "resourceNavigationLinks"},
        {
            "addressPrefixes",
            "serviceEndpointPolicies",
            "interfaceEndpoints",
            "ipConfigurationProfiles",
            "serviceAssociationLinks",
            "delegations",
            "purpose",
        },
    ),
    "microsoft.network/networkinterfaces": _grow(
        {
            "virtualMachine",
            "networkSecurityGroup",
            "ipConfigurations",
            "dnsSettings",
            "macAddress",
            "primary",
            "enableIPForwarding",
            "resourceGuid",
            "provisioningState",
        },
        set(),
        # Real 2017-10-01 NIC bodies carry no enableAcceleratedNetworking (2019-03-01-hybrid
        # recordings); 2018-11-01 ones do.
        {"enableAcceleratedNetworking", "interfaceEndpoint", "tapConfigurations", "hostedWorkloads"},
    ),
    "microsoft.network/networkinterfaces/ipconfigurations": _grow(
        {
            "loadBalancerBackendAddressPools",
            "loadBalancerInboundNatRules",
            "privateIPAddress",
            "privateIPAllocationMethod",
            "subnet",
            "primary",
            "publicIPAddress",
            "provisioningState",
        },
        {"applicationGatewayBackendAddressPools", "privateIPAddressVersion", "applicationSecurityGroups"},
        {"virtualNetworkTaps"},
    ),
    "microsoft.network/publicipaddresses": _grow(
        {
            "publicIPAllocationMethod",
            "ipConfiguration",
            "dnsSettings",
            "ipAddress",
            "idleTimeoutInMinutes",
            "resourceGuid",
            "provisioningState",
        },
        {"publicIPAddressVersion"},
        {"ddosSettings", "ipTags", "publicIPPrefix"},
    ),
    "microsoft.network/networksecuritygroups": _grow(
        {
            "securityRules",
            "defaultSecurityRules",
            "networkInterfaces",
            "subnets",
            "resourceGuid",
            "provisioningState",
        },
        set(),
        set(),
    ),
}
_RULE = _grow(
    {
        "description",
        "protocol",
        "sourcePortRange",
        "destinationPortRange",
        "sourceAddressPrefix",
        "destinationAddressPrefix",
        "access",
        "priority",
        "direction",
        "provisioningState",
    },
    {
        "sourceAddressPrefixes",
        "sourceApplicationSecurityGroups",
        "destinationAddressPrefixes",
        "destinationApplicationSecurityGroups",
        "sourcePortRanges",
        "destinationPortRanges",
    },
    set(),
)
_PROPERTIES["microsoft.network/networksecuritygroups/securityrules"] = _RULE
_PROPERTIES["microsoft.network/networksecuritygroups/defaultsecurityrules"] = _RULE

# Nested objects whose keys also changed between versions.
_NIC_DNS = _grow(
    {"dnsServers", "appliedDnsServers", "internalDnsNameLabel", "internalFqdn"},
    {"internalDomainNameSuffix"},
    set(),
)

# Inline child collections: property name -> nothing more needed, the child carries its own type.
_CHILD_LISTS = ("subnets", "ipConfigurations", "securityRules", "defaultSecurityRules")
_TOP_LEVEL_KEYS = ("name", "id", "etag", "type", "location", "tags", "sku", "properties")
_CHILD_KEYS = ("name", "id", "etag", "type", "properties")
# The first version whose child bodies carry ``type`` (default 2018-11-01).
_CHILD_TYPE_SINCE = {"microsoft.network/networkinterfaces/ipconfigurations": V2017}


def era(api_version: str) -> str:
    """The newest emulated shape not newer than ``api_version`` (ISO dates sort as strings)."""
    known = [v for v in VERSIONS if v <= api_version[:10]]
    return known[-1] if known else VERSIONS[0]


def render(resource: dict[str, Any], api_version: str) -> dict[str, Any]:
    """``resource`` (a top-level resource or a child) as a client of ``api_version`` sees it."""
    version = era(api_version)
    kind = str(resource.get("type", "")).lower()
    is_child = kind.count("/") > 1
    keys = _CHILD_KEYS if is_child else _TOP_LEVEL_KEYS
    out: dict[str, Any] = {}
    for key in keys:
        if key not in resource:
            continue
        if key == "type" and is_child and version < _CHILD_TYPE_SINCE.get(kind, V2018):
            continue
        if key == "sku" and version < V2017:
            continue
        if key == "properties":
            out[key] = _properties(kind, resource[key], version)
        else:
            out[key] = resource[key]
    return out


def _properties(kind: str, props: dict[str, Any], version: str) -> dict[str, Any]:
    allowed = _PROPERTIES.get(kind, {}).get(version)
    out: dict[str, Any] = {}
    for key, value in props.items():
        if allowed is not None and key not in allowed:
            continue
        if key in _CHILD_LISTS and isinstance(value, list) and value and "properties" in value[0]:
            value = [render(child, version) for child in value]
        elif key == "dnsSettings" and kind == "microsoft.network/networkinterfaces":
            value = {k: v for k, v in value.items() if k in _NIC_DNS[version]}
        out[key] = value
    return out
