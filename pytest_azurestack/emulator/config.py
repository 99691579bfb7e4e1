"""Everything that shapes one emulator run, as one frozen-ish dataclass."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pytest_azurestack import profiles
from pytest_azurestack.emulator.arm.faults import FaultRule
from pytest_azurestack.emulator.arm.lro import Transition
from pytest_azurestack.emulator.providers.compute import usages
from pytest_azurestack.emulator.providers.compute.images import ImageSpec

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
ALL_PROVIDERS = ("resources", "storage", "network", "compute")
# Azure Stack ADFS audiences look like this; the GUID is the stamp's, fixed so recordings are stable.
# What ARM's subscription resource reports (Microsoft.Resources SubscriptionState).
SUBSCRIPTION_STATES = ("Enabled", "Warned", "PastDue", "Disabled", "Deleted")
DEFAULT_AUDIENCE = "https://management.adfs.azurestack.local/5ba3e0a4-1b1d-4d8b-9b6e-0f4c4c1e6a71"


@dataclass
class EmulatorConfig:
    """Settings of one emulator.

    ``client_id``/``client_secret``/``subscription_id`` are random per start unless given.
    ``lro_polls``/``lro_seconds``: how long operations stay InProgress by default;
    ``transitions`` overrides per kind/type (see ``LroManager.set_transition``);
    ``retry_after``: the Retry-After header on operations, in seconds (0: azure-core then uses its
    own polling_interval; a fraction such as 0.01, which ARM never sends but azure-core accepts,
    makes clients that keep their default polling poll fast). ``page_size``: list page size
    (small so nextLink is exercised).
    ``realistic``: answer long-running operations with the real service's Retry-After (none on
    Compute's power actions) and real-looking durations (``arm/lro.py``: ``REALISTIC``) instead of
    the fast defaults. ``quotas``: compute quota limits by usage name (``cores``,
    ``virtualMachines``, ``standardDSv2Family``...) replacing the defaults of
    ``providers/compute/usages.py``.
    ``subscription_state``: what ``GET /subscriptions/{id}`` says (``Enabled``; ``Disabled`` makes
    Resource Manager refuse every write with ``ReadOnlyDisabledSubscription``, as a lapsed or
    suspended subscription does). ``images``: the marketplace (a list of ``ImageSpec`` or dicts of
    its fields; None: the two images of Microsoft's VM sample).
    ``providers``: which provider packages to mount. ``work_dir``: where the CA PEM is written
    (a temporary directory when None). ``data_dir``: persist state there (JSON) across restarts.
    """

    host: str = "127.0.0.1"
    port: int = 0
    build: str = "2102"
    location: str = "local"
    identity: str = "adfs"  # "adfs" (tenant "adfs") or "aad" (a tenant GUID)
    tenant_id: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    subscription_id: str | None = None
    audience: str = DEFAULT_AUDIENCE
    token_lifetime: int = 3600
    page_size: int = 2
    lro_polls: int = 1
    lro_seconds: float | None = None
    retry_after: float = 1
    realistic: bool = False
    quotas: dict[str, int] = field(default_factory=dict)
    transitions: dict[str, Transition] = field(default_factory=dict)
    faults: list[FaultRule] = field(default_factory=list)
    subscription_state: str = "Enabled"
    images: list[Any] | None = None
    providers: tuple[str, ...] = ALL_PROVIDERS
    work_dir: Path | None = None
    data_dir: Path | None = None
    log_level: str = "warning"

    def validate(self) -> None:
        """Raise ValueError naming the bad setting and what to use instead."""
        if self.host not in LOOPBACK_HOSTS:
            raise ValueError(f"emulator host {self.host!r} is not loopback; use 127.0.0.1, localhost or ::1")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"emulator port {self.port} is out of range; use 0 (any free port) to 65535")
        if self.build not in profiles.STAMP_BUILDS:
            raise ValueError(
                f"unknown Azure Stack build {self.build!r}; use one of {', '.join(profiles.STAMP_BUILDS)}"
            )
        if self.identity not in ("adfs", "aad"):
            raise ValueError(f"identity {self.identity!r} is unknown; use adfs or aad")
        if self.page_size < 1:
            raise ValueError("page_size must be at least 1")
        if self.lro_polls < 0 or (self.lro_seconds is not None and self.lro_seconds < 0):
            raise ValueError("lro_polls and lro_seconds must be >= 0")
        if self.retry_after < 0:
            raise ValueError("retry_after must be >= 0 seconds")
        usages.check_limits(self.quotas)
        if self.subscription_state not in SUBSCRIPTION_STATES:
            states = ", ".join(SUBSCRIPTION_STATES)
            raise ValueError(
                f"subscription state {self.subscription_state!r} is unknown; use one of {states}"
            )
        for image in self.images or ():
            if not hasattr(image, "publisher"):
                ImageSpec.from_dict(image)  # raises ValueError naming what the image lacks
        unknown = set(self.providers) - set(ALL_PROVIDERS)
        if unknown:
            raise ValueError(f"unknown providers {sorted(unknown)}; choose from {', '.join(ALL_PROVIDERS)}")

    def resolved(self, subscription_id: str | None = None) -> EmulatorConfig:
        """A copy with every random identity value filled in."""
        tenant = self.tenant_id or ("adfs" if self.identity == "adfs" else str(uuid.uuid4()))
        return replace(
            self,
            tenant_id=tenant,
            client_id=self.client_id or str(uuid.uuid4()),
            client_secret=self.client_secret or secrets.token_urlsafe(24),
            subscription_id=self.subscription_id or subscription_id or str(uuid.uuid4()),
            quotas=usages.check_limits(self.quotas),
        )
