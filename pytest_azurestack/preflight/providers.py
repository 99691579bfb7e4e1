"""Resource providers: registered, and serving the api-versions each profile pins.

Read from the stamp's own provider documents (``GET /subscriptions/{sub}/providers/{namespace}``:
``registrationState`` and, per resource type, ``apiVersions``), never from what a build is
supposed to serve: an operator's stamp may lag its build or have a provider missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..profiles import COMPUTE, HYBRID_PROFILES, NETWORK, RESOURCES, STAMP_BUILDS, STORAGE, Profile
from .arm import ArmReader
from .model import Problem

NAMESPACES = ("Microsoft.Resources", "Microsoft.Storage", "Microsoft.Network", "Microsoft.Compute")
# The resource types the suite's operations use, per provider (lower-case namespace).
SUITE_TYPES: Mapping[str, tuple[str, ...]] = {
    RESOURCES: ("resourceGroups",),
    STORAGE: ("storageAccounts",),
    NETWORK: ("virtualNetworks", "networkInterfaces"),
    COMPUTE: ("virtualMachines", "disks"),
}
# Microsoft.Resources 2016-02-01 is the oldest hybrid profile's: every Azure Stack Hub build serves it.
PROVIDERS_API_VERSION = min(p.api_version(RESOURCES, "providers") or "9" for p in HYBRID_PROFILES)
REGISTERED = "Registered"

ProviderVersions = Mapping[str, Mapping[str, list[str]]]


def read(reader: ArmReader) -> tuple[dict[str, dict[str, list[str]]], dict[str, str], list[Problem]]:
    """(namespace -> type -> versions, namespace -> registrationState, problems) for the suite's providers."""
    versions: dict[str, dict[str, list[str]]] = {}
    registration: dict[str, str] = {}
    problems: list[Problem] = []
    for namespace in NAMESPACES:
        answer = reader.get(reader.subscription_path(f"/providers/{namespace}"), PROVIDERS_API_VERSION)
        if not answer.ok:
            problems.append(
                Problem(
                    "providers",
                    f"the stamp does not serve resource provider {namespace} (GET its provider document: "
                    f"{answer.detail})",
                    "the suite needs Resources, Storage, Network and Compute: check the stamp's health "
                    "in the administrator portal",
                )
            )
            continue
        body = answer.body if isinstance(answer.body, dict) else {}
        registration[namespace] = str(body.get("registrationState") or "")
        types: dict[str, list[str]] = {}
        for entry in body.get("resourceTypes") or []:
            if isinstance(entry, dict) and entry.get("resourceType"):
                types[str(entry["resourceType"])] = [str(v) for v in entry.get("apiVersions") or []]
        versions[namespace] = types
    return versions, registration, problems


def registration_problems(registration: Mapping[str, str], subscription_id: str) -> list[Problem]:
    return [
        Problem(
            "providers",
            f"resource provider {namespace} is {state or 'in no registration state'} in subscription "
            f"{subscription_id}",
            f"register it: POST /subscriptions/{subscription_id}/providers/{namespace}/register?api-version="
            f"{PROVIDERS_API_VERSION} (or the user portal: Subscription > Resource providers)",
        )
        for namespace, state in registration.items()
        if state != REGISTERED
    ]


def served_versions(versions: ProviderVersions, provider: str, resource_type: str) -> list[str]:
    """The versions the stamp lists for provider/type ([] when it lists none)."""
    return _served(versions, provider, resource_type) or []


def _served(versions: ProviderVersions, provider: str, resource_type: str) -> list[str] | None:
    """The versions the stamp lists for provider/type (case-insensitive), None if it lacks the type."""
    namespace = next((n for n in versions if n.lower() == provider.lower()), None)
    if namespace is None:
        return None
    return next((v for t, v in versions[namespace].items() if t.lower() == resource_type.lower()), None)


def canonical(provider: str) -> str:
    return next((n for n in NAMESPACES if n.lower() == provider), provider)


def lacks(profile: Profile, versions: ProviderVersions) -> list[str]:
    """What ``profile`` pins that the stamp does not serve, as ``Microsoft.Compute/disks 2019-07-01``."""
    missing: list[str] = []
    for provider, types in SUITE_TYPES.items():
        for resource_type in types:
            pinned = profile.api_version(provider, resource_type)
            if pinned is None:
                continue  # the profile has no such API (2017-03-09-profile's managed disks)
            served = _served(versions, provider, resource_type)
            if served is None or pinned not in served:
                missing.append(f"{canonical(provider)}/{resource_type} {pinned}")
    return missing


def served_profiles(
    versions: ProviderVersions, candidates: Iterable[Profile] = HYBRID_PROFILES
) -> list[Profile]:
    return [p for p in candidates if p.hybrid and not lacks(p, versions)]


def indicated_build(versions: ProviderVersions) -> str:
    """The Azure Stack Hub build the versions indicate (profiles.STAMP_BUILDS: the newest hybrid
    profile served decides), as text: ``1808``, ``1904 to 2008``, ``2102 or later``."""
    served = served_profiles(versions)
    if not served:
        return "older than 1808, or not an Azure Stack Hub stamp (it serves no hybrid profile)"
    newest = served[0]
    builds = sorted((b for b, p in STAMP_BUILDS.items() if p is newest), key=int)
    if newest is HYBRID_PROFILES[0]:
        return f"{builds[-1]} or later"
    return builds[0] if len(builds) == 1 else f"{builds[0]} to {builds[-1]}"


def api_version_for(versions: ProviderVersions, provider: str, resource_type: str) -> str | None:
    """An api-version the stamp lists for provider/type: a hybrid profile's pin if one is listed
    (newest first: known shapes), else the newest listed; None when the stamp lists the type nowhere."""
    served = _served(versions, provider, resource_type)
    if not served:
        return None
    for profile in HYBRID_PROFILES:
        pinned = profile.api_version(provider.lower(), resource_type)
        if pinned in served:
            return pinned
    return max(served)
