"""Which api-versions the emulated stamp serves, and ARM's refusal bodies for the rest."""

from __future__ import annotations

from pytest_azurestack import profiles
from pytest_azurestack.emulator.arm.errors import ArmError

# Microsoft.Resources types ARM serves itself: refused with InvalidApiVersionParameter.
_BUILTIN_TYPES = {
    "resourcegroups",
    "subscriptions",
    "providers",
    "locations",
    "resources",
    "tenants",
    "deployments",
}


class VersionTable:
    def __init__(self, build: str) -> None:
        self.build = build
        self.profiles = profiles.profiles_served_by(build)
        self.table = profiles.supported_versions(self.profiles)

    def served(self, provider: str, resource_type: str) -> set[str]:
        top = resource_type.split("/", 1)[0].lower()
        provider = provider.lower()
        found = self.table.get((provider, top))
        return set(found) if found is not None else set(self.table.get((provider, ""), set()))

    def served_by_provider(self, provider: str) -> set[str]:
        provider = provider.lower()
        return {v for (p, _), versions in self.table.items() if p == provider for v in versions}

    def check(self, provider: str, resource_type: str, api_version: str, location: str, whole: bool) -> None:
        """Raise ARM's 400 when the stamp does not serve ``api_version`` here."""
        served = self.served_by_provider(provider) if whole else self.served(provider, resource_type)
        if api_version in served:
            return
        listed = ", ".join(sorted(served, reverse=True))
        top = resource_type.split("/", 1)[0].lower()
        if provider.lower() == profiles.RESOURCES and top in _BUILTIN_TYPES:
            raise ArmError(
                400,
                "InvalidApiVersionParameter",
                f"The api-version '{api_version}' is invalid. The supported versions are '{listed}'.",
            )
        type_name = resource_type or provider
        raise ArmError(
            400,
            "NoRegisteredProviderFound",
            f"No registered resource provider found for location '{location}' and API version "
            f"'{api_version}' for type '{type_name}'. The supported api-versions are '{listed}'. "
            f"The supported locations are '{location}'.",
        )
