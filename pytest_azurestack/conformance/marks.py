"""The conformance marker API and the markers that say what a test needs.

A conformance test carries a stable literal id, a one-sentence description of what it proves,
the ids that must have passed before it, and the ids it merely runs after, in the same profile::

    @pytest.mark.conformance(
        "AZS-VM-ATTACH-DISK",
        "Attaching an empty managed data disk at lun 12 shows it on the VM and sets its managedBy.",
        requires=("AZS-VM-CREATE-LINUX", "AZS-DISK-CREATE-EMPTY"),
        after=("AZS-VM-GET",),  # optional: ordering only
        title="attach data disk",  # optional; default: the test name without test_
    )

``requires=``: the test runs after these ids and only if they passed (else: "not run", or, when
one was refused by the cloud, it runs and a failure inherits that refusal). ``after=``: ordering
only, for state the tests share (the VM delete runs after every test that reads the VM); the
test runs after those ids if they are collected, whatever their outcome. Both name ids of the
suite; an unknown id, the test's own id or a cycle through either is a collection error.
    @pytest.mark.linux
    @pytest.mark.managed_disks
    def test_attach_data_disk(...): ...

``linux``, ``windows`` and ``slow`` only label tests (select with ``-m "not windows"``). A
profile-capability marker (``managed_disks``, ``unmanaged_disks``) also excludes the test under
profiles that lack (or have) the capability, with the reason shown in the matrix.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from ..errors import AzureStackError
from ..profiles import Profile, UnknownProfileError, get_profile

CONFORMANCE = "conformance"
ID_PATTERN = re.compile(r"^AZS(?:-[A-Z0-9]+)+$")
PROFILE_PARAM = "azurestack_profile"
# config.stash: nodeid -> why the conformance plugin deselected it (the report shows the reason).
EXCLUSIONS_KEY = pytest.StashKey[dict[str, str]]()


class ConformanceError(AzureStackError):
    """A malformed conformance mark, an unknown prerequisite or a prerequisite cycle."""


@dataclass(frozen=True)
class Capability:
    """A profile capability a marker can ask for."""

    marker: str
    help: str
    applies: Callable[[Profile], bool]
    missing: str  # why a profile is excluded; formatted with {profile}


CAPABILITIES: tuple[Capability, ...] = (
    Capability(
        "managed_disks",
        "needs managed disks (Microsoft.Compute/disks); excluded under profiles without them "
        "(2017-03-09-profile)",
        lambda p: p.has_managed_disks,
        "profile {profile} has no managed disks (Microsoft.Compute/disks)",
    ),
    Capability(
        "unmanaged_disks",
        "exercises unmanaged VHD disks in a storage account instead of managed disks; runs only "
        "under profiles without managed disks",
        lambda p: not p.has_managed_disks,
        "profile {profile} has managed disks; its disk tests use them instead of VHDs",
    ),
)

MARKERS: tuple[tuple[str, str], ...] = (
    (
        f"{CONFORMANCE}(id, description, *, requires=(), after=(), title=None)",
        "an Azure Stack conformance test: a stable id (AZS-...), one sentence saying what it proves, "
        "the ids that must have passed first in the same profile (else: not run), and the ids it "
        "only runs after (ordering, whatever their outcome)",
    ),
    ("linux", "exercises a Linux VM"),
    ("windows", "exercises a Windows VM"),
    ("slow", "takes minutes on a real stamp (creates or deletes a VM)"),
    *((c.marker, c.help) for c in CAPABILITIES),
)


def register_markers(config: pytest.Config) -> None:
    for name, help_text in MARKERS:
        config.addinivalue_line("markers", f"{name}: {help_text}")
    if not config.pluginmanager.hasplugin("xdist"):
        # Conformance items always get an xdist_group mark: keep --strict-markers happy without xdist.
        config.addinivalue_line(
            "markers", "xdist_group(name): tests of one group share a pytest-xdist worker"
        )


@dataclass(frozen=True)
class ConformanceSpec:
    """What a conformance mark says about its test."""

    id: str
    description: str
    title: str
    requires: tuple[str, ...] = ()
    after: tuple[str, ...] = ()  # ordering only: run after these ids, whatever their outcome

    @property
    def predecessors(self) -> tuple[str, ...]:
        """Every id this test runs after: ``requires`` then ``after``."""
        return self.requires + self.after


def default_title(item: pytest.Item) -> str:
    name = getattr(item, "originalname", None) or item.name.split("[", 1)[0]
    return name.removeprefix("test_").replace("_", " ").strip()


def spec_of(item: pytest.Item) -> ConformanceSpec | None:
    """The item's conformance spec, or None; a malformed mark raises ``ConformanceError``."""
    mark = item.get_closest_marker(CONFORMANCE)
    if mark is None:
        return None
    where = item.nodeid
    usage = (
        'use @pytest.mark.conformance("AZS-AREA-VERB", "One sentence.", requires=("AZS-...",), '
        'after=("AZS-...",))'
    )
    if len(mark.args) != 2 or not all(isinstance(a, str) for a in mark.args):
        raise ConformanceError(f"{where}: the conformance mark needs an id and a description", usage)
    unknown = set(mark.kwargs) - {"requires", "after", "title"}
    if unknown:
        raise ConformanceError(
            f"{where}: unknown conformance mark argument(s) {', '.join(sorted(unknown))}", usage
        )
    cid, description = mark.args[0].strip(), " ".join(mark.args[1].split())
    check_id(cid, where)
    if not description:
        raise ConformanceError(f"{where}: conformance id {cid} has an empty description", usage)
    requires = _ids(mark.kwargs.get("requires", ()), "requires", cid, where, usage)
    after = _ids(mark.kwargs.get("after", ()), "after", cid, where, usage)
    both = [rid for rid in after if rid in requires]
    if both:
        raise ConformanceError(
            f"{where}: {cid} names {', '.join(both)} in both requires= and after=",
            "keep it in requires= (which also orders)",
        )
    title = mark.kwargs.get("title") or default_title(item)
    return ConformanceSpec(cid, description, " ".join(str(title).split()), requires, after)


def _ids(value: object, name: str, cid: str, where: str, usage: str) -> tuple[str, ...]:
    """A requires=/after= value: a tuple (or list) of well-formed ids other than ``cid``."""
    if isinstance(value, str) or not isinstance(value, tuple | list):
        raise ConformanceError(f"{where}: {name}= of {cid} must be a tuple of ids", usage)
    if not all(isinstance(r, str) for r in value):
        raise ConformanceError(f"{where}: {name}= of {cid} must be a tuple of ids", usage)
    for rid in value:
        check_id(rid, where)
    if cid in value:
        raise ConformanceError(f"{where}: {cid} names itself in {name}=", f"remove it from {name}=")
    return tuple(dict.fromkeys(value))


def check_id(cid: str, where: str) -> None:
    if not ID_PATTERN.match(cid):
        raise ConformanceError(
            f"{where}: {cid!r} is not a conformance id",
            "ids are upper case words joined by dashes and start with AZS- (e.g. AZS-VM-ATTACH-DISK)",
        )


def profile_name_of(item: pytest.Item) -> str:
    """The name of the item's ``azurestack_profile`` parameter, or "" when it has none."""
    callspec = getattr(item, "callspec", None)
    if callspec is None or callspec.params.get(PROFILE_PARAM) is None:
        return ""  # not parametrized, or the core plugin's placeholder when no profile is available
    return str(callspec.params[PROFILE_PARAM])


def profile_of(item: pytest.Item) -> Profile | None:
    name = profile_name_of(item)
    if not name:
        return None
    try:
        return get_profile(name)
    except UnknownProfileError:
        return None


def capability_exclusion(item: pytest.Item) -> str | None:
    """Why the item's profile lacks a capability its markers ask for, or None."""
    profile = profile_of(item)
    if profile is None:
        return None
    for cap in CAPABILITIES:
        if item.get_closest_marker(cap.marker) is not None and not cap.applies(profile):
            return f"{cap.missing.format(profile=profile.name)} (marker {cap.marker})"
    return None
