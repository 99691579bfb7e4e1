"""What a handler may use of the running stamp: its state, operations, settings and api-versions.

Handlers see this through ``ArmRequest.context`` and nothing else of the emulator, so the ARM
core and the providers never reach up into the application that composes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from pytest_azurestack.emulator.arm.lro import LroManager
    from pytest_azurestack.emulator.arm.routing import Route
    from pytest_azurestack.emulator.arm.store import Store
    from pytest_azurestack.emulator.arm.versions import VersionTable


class Settings(Protocol):
    """The settings the core reads (``EmulatorConfig`` has them); providers may read more."""

    location: str
    subscription_id: str | None
    subscription_state: str
    page_size: int


@dataclass(frozen=True)
class ArmContext:
    """``routes``: every endpoint the stamp serves (live), for the provider listing."""

    store: Store
    lro: LroManager
    config: Settings
    versions: VersionTable
    routes: Sequence[Route]
