"""The preflight's findings as plain data: they cross from the xdist controller to its workers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pytest

NOT_SUPPORTED_BY_STAMP = "not supported by this stamp"


@dataclass(frozen=True)
class Problem:
    """Something the stamp lacks that stops the run: what (one line) and how to fix it."""

    check: str  # the check family: identity, subscription, providers, marketplace, quota
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"{self.problem}; {self.fix}"


@dataclass(frozen=True)
class ProfileNeeds:
    """What a suite needs of the stamp under one profile (the ``pytest_azurestack_profile_needs`` hook).

    ``images``: marketplace images as (publisher, offer, sku); ``vm_sizes``: one size per VM the
    profile's tests hold at the same time (their cores count against the quota).
    """

    images: tuple[tuple[str, str, str], ...] = ()
    vm_sizes: tuple[str, ...] = ()


@dataclass
class PreflightReport:
    """What discovery and the checks found.

    ``provider_versions``: namespace -> resource type -> api-versions, as the stamp's provider
    documents list them (empty when they could not be read: ``discovery_error`` says why).
    ``unsupported``: profile -> the pinned versions the stamp lacks. ``checked``: the preflight's
    checks ran (False with ``--azurestack-no-preflight``: discovery only). ``passed``: one line per
    check that passed, for the summary. ``auto``: the header line of ``--azurestack-profile auto``.
    """

    checked: bool = False
    provider_versions: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    registration: dict[str, str] = field(default_factory=dict)
    discovery_error: str = ""
    unsupported: dict[str, list[str]] = field(default_factory=dict)
    chosen: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)
    auto: str = ""

    @property
    def discovered(self) -> bool:
        return bool(self.provider_versions)

    def reason(self, profile: str) -> str | None:
        """The "not supported by this stamp" reason of ``profile``, or None if the stamp serves it."""
        lacks = self.unsupported.get(profile)
        if lacks is None:
            return None
        return f"{NOT_SUPPORTED_BY_STAMP}: it lacks {', '.join(lacks)}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PreflightReport:
        fields = dict(data)
        fields["problems"] = [Problem(**p) for p in fields.get("problems", [])]
        return cls(**fields)


PREFLIGHT_KEY = pytest.StashKey[PreflightReport]()
