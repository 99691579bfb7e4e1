"""The management SDKs the team brings: found where they are used, never at plugin load.

The plugin does not depend on any ``azure-mgmt-*`` release: a team installs the versions it is
about to ship (or ``pytest-azurestack[sdk]``, the versions the cassettes were recorded with), and
every supported release, from the sample's generation to the newest, must load the plugin. So
client classes are imported lazily, from module paths every supported release has
(``azure.mgmt.resource.resources``: resource 26 no longer exports ``ResourceManagementClient``
from ``azure.mgmt.resource``), and a missing SDK is one line naming the extra.

Which generation a package is comes from the package itself (a multi-API client class carries
``LATEST_PROFILE`` and takes ``profile=``), never from a hard-coded major version.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal

from .errors import ConfigurationError
from .packages import installed_versions

Generation = Literal["multi-api", "single-api"]
SDK_EXTRA = "pytest-azurestack[sdk]"


@dataclass(frozen=True)
class SdkPackage:
    """One management SDK: its distribution, the module its client lives in, the client's name."""

    distribution: str
    module: str
    client: str


PACKAGES: dict[str, SdkPackage] = {
    "resource": SdkPackage(
        "azure-mgmt-resource", "azure.mgmt.resource.resources", "ResourceManagementClient"
    ),
    "compute": SdkPackage("azure-mgmt-compute", "azure.mgmt.compute", "ComputeManagementClient"),
    "network": SdkPackage("azure-mgmt-network", "azure.mgmt.network", "NetworkManagementClient"),
    "storage": SdkPackage("azure-mgmt-storage", "azure.mgmt.storage", "StorageManagementClient"),
}


class SdkMissingError(ConfigurationError):
    """A management SDK the run needs is not installed (or cannot be imported)."""


def _missing(package: SdkPackage, exc: BaseException) -> SdkMissingError:
    installed = version_of(package.distribution)
    problem = (
        f"{package.distribution} {installed} is installed but {package.module}.{package.client} cannot be "
        f"imported ({type(exc).__name__}: {exc})"
        if installed
        else f"{package.distribution} is not installed"
    )
    return SdkMissingError(
        problem,
        f"pip install '{SDK_EXTRA}' (the SDK versions the cassettes were recorded with) or install the "
        "azure-mgmt-* versions under test",
    )


@functools.cache
def client_class(kind: str) -> type[Any]:
    """The management client class for ``kind`` (resource, compute, network, storage)."""
    package = PACKAGES[kind]
    try:
        module = importlib.import_module(package.module)
        return getattr(module, package.client)
    except (ImportError, AttributeError) as exc:
        # ImportError covers what a release needs but does not declare (compute 20 imports six).
        raise _missing(package, exc) from None


# The plugin's client fixtures and the SDK each needs.
CLIENT_FIXTURES = {
    "resource_client": "resource",
    "compute_client": "compute",
    "network_client": "network",
    "storage_client": "storage",
}


def missing_for(fixture_names: Iterable[str]) -> SdkMissingError | None:
    """One error naming every SDK the given fixtures need that cannot be loaded, or None."""
    kinds = sorted({CLIENT_FIXTURES[n] for n in fixture_names if n in CLIENT_FIXTURES})
    errors = []
    for kind in kinds:
        try:
            client_class(kind)
        except SdkMissingError as exc:
            errors.append(exc)
    if not errors:
        return None
    return SdkMissingError("; ".join(e.problem for e in errors), errors[0].fix)


class SdkLacksError(ConfigurationError):
    """The installed SDK release has no client for an operation group the test uses."""


def operation_group(client: Any, kind: str, name: str, moved_to: str) -> Any:
    """``client.<name>`` (``resource_client.deployments``), or one line naming the installed release
    that lacks it and the package that ships it now: an SDK upgrade that drops an operation
    group is a finding of the gate, not an AttributeError."""
    group = getattr(client, name, None)
    if group is not None:
        return group
    package = PACKAGES[kind]
    raise SdkLacksError(
        f"SDK lacks {name}: {package.distribution} {version_of(package.distribution)} has no {name} "
        f"operations ({moved_to} ships them)",
        f"install {moved_to} beside it, or test this operation with the SDK versions the cassettes "
        f"were recorded with (pip install '{SDK_EXTRA}')",
    )


def is_multi_api(client: type[Any]) -> bool:
    """True for the multi-API generation: the client class knows API version profiles."""
    return hasattr(client, "LATEST_PROFILE")


def generation(client: type[Any]) -> Generation:
    return "multi-api" if is_multi_api(client) else "single-api"


def version_of(distribution: str) -> str | None:
    return installed_versions((distribution,)).get(distribution)


def installed() -> dict[str, dict[str, str]]:
    """distribution -> {version, generation} for every management SDK that loads."""
    found = {}
    for kind, package in PACKAGES.items():
        version = version_of(package.distribution)
        if version is None:
            continue
        try:
            found[package.distribution] = {"version": version, "generation": generation(client_class(kind))}
        except SdkMissingError:
            found[package.distribution] = {"version": version, "generation": "cannot be imported"}
    return found


def models_of(operations: Any) -> ModuleType:
    """The models module that goes with an operation group (``client.virtual_machines``).

    The multi-API generation has one models module per api-version, and the profile picked it.
    """
    models = getattr(operations, "models", None)
    if isinstance(models, ModuleType):
        return models
    module = type(operations).__module__
    package = module.split(".operations", 1)[0] if ".operations" in module else module.rsplit(".", 1)[0]
    return importlib.import_module(f"{package}.models")


class RequestModels:
    """Request bodies as model objects with exactly the fields given, in any SDK generation.

    ``request_models(client.virtual_networks).VirtualNetwork(location=..., address_space=...)``.
    A model object serializes to the same wire in every generation; a raw dict does not (the
    single-API generation sends it as it is, keys unconverted). And exactly the fields given: a
    multi-API (msrest) constructor fills client-side defaults (``enable_ddos_protection=False``,
    ``supports_https_traffic_only=False``) that a dict body, as Microsoft's sample sends, never
    carries; those are set to None, which serializes to nothing.
    """

    def __init__(self, models: ModuleType) -> None:
        self.module = models

    def __getattr__(self, name: str) -> Any:
        model_class = getattr(self.module, name)

        def build(**fields: Any) -> Any:
            return model_class(**_unset_defaults(model_class, fields), **fields)

        build.__name__ = name
        return build


def _unset_defaults(model_class: type[Any], given: dict[str, Any]) -> dict[str, None]:
    if not hasattr(model_class, "_attribute_map"):  # not msrest: the constructor sets only what it is given
        return {}
    parameters = inspect.signature(model_class.__init__).parameters.values()
    return {
        p.name: None
        for p in parameters
        if p.kind is inspect.Parameter.KEYWORD_ONLY
        and p.name not in given
        and p.default not in (None, p.empty)
    }


def request_models(operations: Any) -> RequestModels:
    """``RequestModels`` for the models of an operation group (see ``models_of``)."""
    return RequestModels(models_of(operations))
