"""Which versioned model class of the multi-API SDK reads each recorded response, and how a
body that does not fit it is found.

``model_for(method, path, api_version, status)`` maps a recorded request to the model the SDK's
own operation deserializes its answer with (``azure.mgmt.compute.v2020_06_01.models.VirtualMachine``
for a VM GET at 2020-06-01), ``None`` for answers no model reads (errors, empty bodies, the
status bodies of long-running operations, which azure-core's poller reads by key), or raises
``LookupError`` for a path this table does not know, so a new endpoint cannot slip past.

``misfits(model_class, body)`` deserializes the body as the SDK does, serializes the model back
and compares: a field the model does not have (msrest drops it, or keeps it in
``additional_properties``) or a value that comes back different (a string for an int, a
malformed date, the wrong case in a key) is a misfit.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# namespace (lower) -> the package whose v<version> subpackages hold its models
PACKAGES = {
    "microsoft.compute": "azure.mgmt.compute",
    "microsoft.network": "azure.mgmt.network",
    "microsoft.storage": "azure.mgmt.storage",
    "microsoft.resources": "azure.mgmt.resource.resources",
    "subscriptions": "azure.mgmt.resource.subscriptions",
}

# (namespace, resource type chain, addressed) -> model. "addressed" is "one" (a named resource),
# "all" (the collection) or an action/child path segment.
RESOURCE_MODELS: dict[tuple[str, str, str], str] = {
    ("microsoft.compute", "virtualmachines", "one"): "VirtualMachine",
    ("microsoft.compute", "virtualmachines", "all"): "VirtualMachineListResult",
    ("microsoft.compute", "virtualmachines", "instanceview"): "VirtualMachineInstanceView",
    ("microsoft.compute", "disks", "one"): "Disk",
    ("microsoft.compute", "disks", "all"): "DiskList",
    ("microsoft.compute", "locations/vmsizes", "all"): "VirtualMachineSizeListResult",
    ("microsoft.compute", "locations/usages", "all"): "ListUsagesResult",
    ("microsoft.network", "virtualnetworks", "one"): "VirtualNetwork",
    ("microsoft.network", "virtualnetworks", "all"): "VirtualNetworkListResult",
    ("microsoft.network", "virtualnetworks/subnets", "one"): "Subnet",
    ("microsoft.network", "virtualnetworks/subnets", "all"): "SubnetListResult",
    ("microsoft.network", "networkinterfaces", "one"): "NetworkInterface",
    ("microsoft.network", "networkinterfaces", "all"): "NetworkInterfaceListResult",
    ("microsoft.network", "publicipaddresses", "one"): "PublicIPAddress",
    ("microsoft.network", "publicipaddresses", "all"): "PublicIPAddressListResult",
    ("microsoft.network", "networksecuritygroups", "one"): "NetworkSecurityGroup",
    ("microsoft.network", "networksecuritygroups", "all"): "NetworkSecurityGroupListResult",
    ("microsoft.storage", "storageaccounts", "one"): "StorageAccount",
    ("microsoft.storage", "storageaccounts", "all"): "StorageAccountListResult",
    ("microsoft.storage", "storageaccounts", "listkeys"): "StorageAccountListKeysResult",
    # A storage account create's monitor URL answers the account at the end.
    ("microsoft.storage", "locations/asyncoperations", "one"): "StorageAccount",
    ("microsoft.resources", "deployments", "one"): "DeploymentExtended",
    ("microsoft.resources", "deployments", "all"): "DeploymentListResult",
    ("microsoft.resources", "deployments", "validate"): "DeploymentValidateResult",
}
# Long-running operation status bodies: read by azure-core's poller (status, error), not a model.
# Compute's disks poll locations/DiskOperations, whose status body carries the disk in properties.output.
STATUS_TYPES = {
    "locations/operations",
    "deployments/operationstatuses",
    "locations/operationresults",
    "locations/diskoperations",
}
_SUB = r"/subscriptions/[^/]+"
_GROUP = _SUB + r"/resourcegroups/[^/]+"
PLAIN_PATHS: list[tuple[str, str, str]] = [  # (regex on the lower-cased path, namespace, model)
    (_GROUP + r"/?", "microsoft.resources", "ResourceGroup"),
    (_SUB + r"/resourcegroups/?", "microsoft.resources", "ResourceGroupListResult"),
    (_GROUP + r"/resources/?", "microsoft.resources", "ResourceListResult"),
    (_SUB + r"/resources/?", "microsoft.resources", "ResourceListResult"),
    (_SUB + r"/providers/?", "microsoft.resources", "ProviderListResult"),
    (_SUB + r"/providers/[^/]+/?", "microsoft.resources", "Provider"),
    (_GROUP + r"/deployments/[^/]+/operations/?", "microsoft.resources", "DeploymentOperationsListResult"),
    (_GROUP + r"/deployments/[^/]+/operations/[^/]+", "microsoft.resources", "DeploymentOperation"),
    (_SUB + r"/?", "subscriptions", "Subscription"),
    (_SUB + r"/locations/?", "subscriptions", "LocationListResult"),
]


@dataclass(frozen=True)
class Target:
    package: str
    api_version: str
    model: str

    @property
    def module(self) -> str:
        return f"{self.package}.v{self.api_version.replace('-', '_')}.models"

    def model_class(self) -> type:
        return getattr(importlib.import_module(self.module), self.model)  # type: ignore[no-any-return]


def model_for(method: str, path: str, api_version: str, status: int, has_body: bool) -> Target | None:
    if status >= 300 or not has_body or method in ("DELETE", "HEAD"):
        return None
    lowered = path.lower().rstrip("/")
    for pattern, namespace, model in PLAIN_PATHS:
        if re.fullmatch(pattern, lowered):
            return Target(PACKAGES[namespace], api_version, model)
    parts = lowered.split("/")
    if "providers" not in parts:
        raise LookupError(f"no SDK model is mapped for {method} {path}")
    at = len(parts) - 1 - parts[::-1].index("providers")
    namespace, chain = parts[at + 1], parts[at + 2 :]
    if len(chain) % 2 == 0:  # a named resource: .../virtualMachines/vm
        key = (namespace, "/".join(chain[0::2]), "one")
    else:  # a collection (.../subnets), else an action or view of a named one (.../vm/instanceView)
        key = (namespace, "/".join(chain[0::2]), "all")
        if key not in RESOURCE_MODELS:
            key = (namespace, "/".join(chain[:-1][0::2]), chain[-1])
    if key[1] in STATUS_TYPES:
        return None
    model = RESOURCE_MODELS.get(key)
    if model is None or namespace not in PACKAGES:
        raise LookupError(f"no SDK model is mapped for {method} {path} {key}")
    return Target(PACKAGES[namespace], api_version, model)


def misfits(model_class: Any, body: Any) -> list[str]:
    """Every field of ``body`` the model does not read as it was written, as ``path: problem``."""
    try:
        model = model_class.deserialize(body)
    except Exception as exc:  # msrest refuses a value it cannot convert (a string for a bool)
        return [f"$: the SDK cannot read it: {exc}"]
    problems = list(_extra_properties(model, "$"))
    back = model.serialize(keep_readonly=True)
    problems += _diff(body, back, "$")
    return problems


def _extra_properties(model: Any, path: str) -> list[str]:
    found: list[str] = []
    extra = getattr(model, "additional_properties", None)
    if extra:
        found += [
            f"{path}.{key}: not in the model (kept in additional_properties)"
            for key, value in extra.items()
            if not real_beyond_model(key, value)
        ]
    for name in getattr(model, "_attribute_map", {}):
        value = getattr(model, name, None)
        values = value if isinstance(value, list) else value.values() if isinstance(value, dict) else [value]
        for item in values:
            if hasattr(item, "_attribute_map"):
                found += _extra_properties(item, f"{path}.{name}")
    return found


def real_beyond_model(key: str, value: Any) -> bool:
    """A field the real service sends though the SDK's model has none, so the SDK ignores it:
    a Network child resource's ``type`` (``.../networkInterfaces/ipConfigurations``), which real
    recordings carry from 2017-10-01 and the models define only from 2020-07-01."""
    return (
        key == "type"
        and isinstance(value, str)
        and value.lower().startswith("microsoft.network/")
        and value.count("/") > 1
    )


def _diff(sent: Any, back: Any, path: str) -> list[str]:
    if isinstance(sent, dict):
        if not isinstance(back, dict):
            return [f"{path}: an object where the model has {type(back).__name__}"]
        problems: list[str] = []
        for key, value in sent.items():
            if value is None or (key not in back and real_beyond_model(key, value)):
                continue
            if key not in back:
                problems.append(f"{path}.{key}: not in the model (the SDK drops it)")
            else:
                problems += _diff(value, back[key], f"{path}.{key}")
        return problems
    if isinstance(sent, list):
        if not isinstance(back, list) or len(back) != len(sent):
            return [f"{path}: an array the model reads as {back!r}"]
        return [
            p for i, (a, b) in enumerate(zip(sent, back, strict=True)) for p in _diff(a, b, f"{path}[{i}]")
        ]
    if (sent == back and type(sent) is type(back)) or _same_instant(sent, back) or _same_number(sent, back):
        return []
    return [f"{path}: {sent!r} reads back as {back!r}"]


def _same_number(a: Any, b: Any) -> bool:
    return (
        not isinstance(a, (bool, str))
        and not isinstance(b, (bool, str))
        and isinstance(a, (int, float))
        and a == b
    )


def _same_instant(a: Any, b: Any) -> bool:
    """Two ISO 8601 texts of the same instant (the serializer writes its own precision)."""
    if not (isinstance(a, str) and isinstance(b, str)):
        return False
    parsed = [_instant(a), _instant(b)]
    return None not in parsed and parsed[0] == parsed[1]


_ISO = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$")


def _instant(text: str) -> datetime | None:
    match = _ISO.match(text)
    if not match:
        return None
    whole, fraction, zone = match.groups()
    micros = (fraction or "").ljust(6, "0")[:6]
    offset = "+00:00" if zone in (None, "Z") else zone
    return datetime.fromisoformat(f"{whole}.{micros}{offset}")
