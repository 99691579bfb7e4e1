"""API version profiles as data: (provider, resource type) -> api-version.

Sources: Azure/azure-rest-api-specs ``profile/<name>.json`` and ``azure.profiles.KnownProfiles``
(azure-common 1.1.28). ``latest`` here is what the last multi-API SDK generation (compute 35) sends
by default; it pins nothing (its versions are whatever the installed SDK sends, so the guard does
not apply to it), and an Azure Stack stamp refuses those versions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

COMPUTE = "microsoft.compute"
NETWORK = "microsoft.network"
STORAGE = "microsoft.storage"
RESOURCES = "microsoft.resources"

# Resource types whose api-version differs from their provider's default, per profile column.
DISK_TYPES = ("disks", "snapshots")


@dataclass(frozen=True)
class Profile:
    """One API version profile.

    ``versions`` maps a provider namespace (lower case) to its default api-version;
    ``overrides`` maps (provider, top-level resource type) to a different one.
    A version of ``None`` means the profile has no such API at all.
    """

    name: str
    sdk_name: str
    versions: Mapping[str, str]
    overrides: Mapping[tuple[str, str], str | None] = field(default_factory=dict)
    hybrid: bool = True

    def api_version(self, provider: str, resource_type: str = "") -> str | None:
        """The api-version this profile pins for ``provider``/``resource_type``.

        ``resource_type`` may be a nested type (``virtualMachines/extensions``,
        ``locations/operations``): the top-level segment decides. Unknown providers give None.
        """
        provider = provider.lower()
        top = resource_type.split("/", 1)[0].lower()
        if (provider, top) in self.overrides:
            return self.overrides[(provider, top)]
        return self.versions.get(provider)

    def supports(self, provider: str, resource_type: str = "") -> bool:
        return self.api_version(provider, resource_type) is not None

    @property
    def has_managed_disks(self) -> bool:
        return self.supports(COMPUTE, "disks")

    def __str__(self) -> str:
        return self.name


def _profile(
    name: str,
    *,
    compute: str,
    disks: str | None,
    network: str,
    storage: str,
    resources: str,
    subscriptions: str,
    hybrid: bool = True,
) -> Profile:
    overrides: dict[tuple[str, str], str | None] = {(COMPUTE, t): disks for t in DISK_TYPES}
    # Subscription-level Resources calls (GET /subscriptions/{id}, locations) have their own column.
    overrides[(RESOURCES, "subscriptions")] = subscriptions
    overrides[(RESOURCES, "locations")] = subscriptions
    return Profile(
        name=name,
        sdk_name="v" + name.replace("-", "_") if name[0].isdigit() else name,
        versions={COMPUTE: compute, NETWORK: network, STORAGE: storage, RESOURCES: resources},
        overrides=overrides,
        hybrid=hybrid,
    )


LATEST = _profile(
    "latest",
    compute="2024-11-01",
    disks="2025-01-02",
    network="2022-09-01",
    storage="2024-01-01",
    resources="2025-04-01",
    subscriptions="2022-12-01",
    hybrid=False,
)
V2020_09_01_HYBRID = _profile(
    "2020-09-01-hybrid",
    compute="2020-06-01",
    disks="2019-07-01",
    network="2018-11-01",
    storage="2019-06-01",
    resources="2019-10-01",
    subscriptions="2016-06-01",
)
V2019_03_01_HYBRID = _profile(
    "2019-03-01-hybrid",
    compute="2017-12-01",
    disks="2017-03-30",
    network="2017-10-01",
    storage="2017-10-01",
    resources="2018-05-01",
    subscriptions="2016-06-01",
)
V2018_03_01_HYBRID = _profile(
    "2018-03-01-hybrid",
    compute="2017-03-30",
    disks="2017-03-30",
    network="2017-10-01",
    storage="2016-01-01",
    resources="2018-02-01",
    subscriptions="2016-06-01",
)
V2017_03_09_PROFILE = _profile(
    "2017-03-09-profile",
    compute="2016-03-30",
    disks=None,  # no managed disks: VMs use unmanaged VHDs in a storage account
    network="2015-06-15",
    storage="2016-01-01",
    resources="2016-02-01",
    subscriptions="2016-06-01",
)

ALL_PROFILES: tuple[Profile, ...] = (
    V2020_09_01_HYBRID,
    V2019_03_01_HYBRID,
    V2018_03_01_HYBRID,
    V2017_03_09_PROFILE,
    LATEST,
)
HYBRID_PROFILES: tuple[Profile, ...] = tuple(p for p in ALL_PROFILES if p.hybrid)
_BY_NAME: dict[str, Profile] = {}
for _p in ALL_PROFILES:
    _BY_NAME[_p.name.lower()] = _p
    _BY_NAME[_p.sdk_name.lower()] = _p


class UnknownProfileError(ValueError):
    pass


def get_profile(name: str) -> Profile:
    """Look a profile up by either spelling: ``2020-09-01-hybrid`` or ``v2020_09_01_hybrid``."""
    try:
        return _BY_NAME[name.strip().lower()]
    except KeyError:
        known = ", ".join(p.name for p in ALL_PROFILES)
        raise UnknownProfileError(f"unknown API version profile {name!r}; known profiles: {known}") from None


# Azure Stack Hub builds and the newest profile each serves (Microsoft's Azure Stack Hub API
# version profile docs: 2102 and later 2020-09-01-hybrid, 1904 to 2008 2019-03-01-hybrid,
# 1808 2018-03-01-hybrid).
STAMP_BUILDS: Mapping[str, Profile] = {
    "2102": V2020_09_01_HYBRID,
    "2008": V2019_03_01_HYBRID,
    "1904": V2019_03_01_HYBRID,
    "1808": V2018_03_01_HYBRID,
}


def profiles_served_by(build: str) -> tuple[Profile, ...]:
    """The hybrid profiles a stamp of ``build`` serves: its own and every older one."""
    newest = STAMP_BUILDS.get(build)
    if newest is None:
        raise ValueError(f"unknown Azure Stack build {build!r}; known: {', '.join(STAMP_BUILDS)}")
    index = HYBRID_PROFILES.index(newest)
    return HYBRID_PROFILES[index:]


def supported_versions(profiles: Iterable[Profile]) -> dict[tuple[str, str], set[str]]:
    """(provider, top-level type) -> every api-version the given profiles use for it.

    The key ``(provider, "")`` holds the provider defaults.
    """
    table: dict[tuple[str, str], set[str]] = {}
    for profile in profiles:
        for provider, version in profile.versions.items():
            table.setdefault((provider, ""), set()).add(version)
        for key, override in profile.overrides.items():
            if override is not None:
                table.setdefault(key, set()).add(override)
    return table


_PROVIDER_SEGMENT = re.compile(r"/providers/(?P<ns>[^/]+)(?P<rest>(?:/[^/]+)*)", re.IGNORECASE)


def resource_type_of(path: str) -> tuple[str, str] | None:
    """(provider namespace lower-cased, resource type) of an ARM request path, or None.

    ``/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/vm/start``
    -> ``("microsoft.compute", "virtualMachines/start")`` (an action is the last type segment;
    ``Profile.api_version`` decides by the top-level type, so it gets ``virtualMachines``' version);
    ``/subscriptions/s/providers/Microsoft.Compute/locations/l/operations/id``
    -> ``("microsoft.compute", "locations/operations")``;
    ``/subscriptions/s/resourcegroups/g`` -> ``("microsoft.resources", "resourceGroups")``;
    ``/subscriptions/s/operationresults/id`` -> ``("microsoft.resources", "operationresults")``.
    Types alternate with names in the path: the odd segments after the namespace are types.
    """
    path = path.split("?", 1)[0].rstrip("/")
    matches = list(_PROVIDER_SEGMENT.finditer(path))
    if matches:
        last = matches[-1]
        segments = [s for s in last.group("rest").split("/") if s]
        if not segments:  # GET /subscriptions/s/providers/Microsoft.Compute: a registration read
            return RESOURCES, "providers"
        types = segments[0::2]
        return last.group("ns").lower(), "/".join(types)
    segments = [s for s in path.split("/") if s]
    if not segments or segments[0].lower() not in ("subscriptions", "providers", "tenants"):
        return None
    if segments[-1].lower() == "providers":
        return RESOURCES, "providers"
    if len(segments) >= 3 and segments[2].lower() == "resourcegroups":
        return RESOURCES, "resourceGroups"
    if len(segments) >= 3 and segments[2].lower() == "locations":
        return RESOURCES, "subscriptions"
    if len(segments) >= 3 and segments[2].lower() == "operationresults":
        # Resource Manager's own monitor URL (a resource group's delete answers 202 with only this
        # Location), polled at the Resources api-version of the request that started it.
        return RESOURCES, "operationresults"
    return RESOURCES, "subscriptions" if segments[0].lower() == "subscriptions" else "tenants"
