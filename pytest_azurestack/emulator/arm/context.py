"""What a handler may use of the running stamp: its state, operations, settings and api-versions.

Handlers see this through ``ArmRequest.context`` and nothing else of the emulator, so the ARM
core and the providers never reach up into the application that composes them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from pytest_azurestack.emulator.arm.lro import LroManager
    from pytest_azurestack.emulator.arm.request import ArmResponse
    from pytest_azurestack.emulator.arm.routing import Route
    from pytest_azurestack.emulator.arm.store import Store
    from pytest_azurestack.emulator.arm.versions import VersionTable


class Settings(Protocol):
    """The settings the core reads (``EmulatorConfig`` has them); providers may read more."""

    location: str
    subscription_id: str | None
    subscription_state: str
    page_size: int


# (method, path, query, headers, body, base_url) -> the answer, as a client would get it.
InnerDispatch = Callable[[str, str, Mapping[str, str], Mapping[str, str], bytes, str], "ArmResponse"]


@dataclass(frozen=True)
class ArmContext:
    """``routes``: every endpoint the stamp serves (live), for the provider listing.

    ``dispatch``: Resource Manager calling its own providers (a template deployment's resources),
    through the same routing, api-version checks, faults and handlers as a client's request,
    already authenticated.
    """

    store: Store
    lro: LroManager
    config: Settings
    versions: VersionTable
    routes: Sequence[Route]
    dispatch: InnerDispatch | None = None
