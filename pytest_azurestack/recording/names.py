"""Stable names and recorded variables: what makes a replayed test send the same requests.

Resource names derive from a key (the test id, or a scenario key shared by several tests) and
an optional seed, so they are identical in record and playback. A value that must be random
on a real stamp (the seed itself) is created at record time, stored in the cassette next to the
interactions, and read back in playback. Secrets (a VM's admin password) are never stored: they
are fresh every run and scrubbed from the traffic instead.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ..errors import CassetteError

_SLUG_RE = re.compile(r"[^a-z0-9]+")
_FILENAME_RE = re.compile(r"[^A-Za-z0-9._\-\[\]]+")
MAX_FILENAME = 120
DIGEST_LENGTH = 8


def _slug(text: str) -> str:
    return _SLUG_RE.sub("-", text.lower()).strip("-")


class StableNames:
    """Deterministic, valid Azure resource names for one key (and seed).

    >>> names = StableNames("2020-09-01-hybrid/test_vm")
    >>> names.resource_group() == StableNames("2020-09-01-hybrid/test_vm").resource_group()
    True
    """

    def __init__(self, key: str, seed: str = "") -> None:
        self.key = key
        self.seed = seed

    def __repr__(self) -> str:
        return f"StableNames({self.key!r}, seed={self.seed!r})"

    def digest(self, kind: str, length: int = DIGEST_LENGTH) -> str:
        """Hex digest of (seed, key, kind): the unique part of every name."""
        return hashlib.sha256(f"{self.seed}\x00{self.key}\x00{kind}".encode()).hexdigest()[:length]

    def name(self, kind: str, max_length: int = 64) -> str:
        """``<kind>-<digest>``, for networks, NICs, VMs, disks; at most ``max_length`` characters.

        ``max_length=15`` gives a valid Windows computer name.
        """
        suffix = self.digest(kind)
        room = max_length - len(suffix) - 1
        if room < 1:
            raise ValueError(f"max_length {max_length} leaves no room for the kind and digest of a name")
        prefix = _slug(kind)[:room].rstrip("-") or "r"
        return f"{prefix}-{suffix}"

    def resource_group(self) -> str:
        """``azs-<readable key>-<digest>``: readable in a stamp's portal (who made it), at most 90."""
        readable = _slug(self.key)[:60].rstrip("-")
        return f"azs-{readable}-{self.digest('resource-group')}"

    def storage_account(self, kind: str = "storage") -> str:
        """3-24 lowercase letters and digits, unique on the stamp (account names are DNS names)."""
        return "azs" + self.digest("storage-account/" + kind, 16)


class RecordedVariables(Mapping[str, str]):
    """Values created at record time, stored in the cassette and replayed.

    Frozen (playback, or an existing cassette a record mode must not change): a missing value is
    a :class:`CassetteError` saying how to re-record.
    """

    def __init__(
        self,
        values: dict[str, str],
        *,
        frozen: bool,
        rerecord_hint: str = "",
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self._values = values
        self._frozen = frozen
        self._hint = rerecord_hint
        self._on_change = on_change

    def __getitem__(self, key: str) -> str:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def get_or_create(self, key: str, factory: Callable[[], Any]) -> str:
        """The recorded value of ``key``; when recording and absent, ``str(factory())``, stored."""
        if key in self._values:
            return self._values[key]
        if self._frozen:
            raise CassetteError(
                f"the cassette has no recorded variable {key!r} (it was recorded before the test used it)",
                self._hint or "re-record the test",
            )
        value = str(factory())
        self._values[key] = value
        if self._on_change is not None:
            self._on_change()
        return value


def _without_profile_id(callspec_id: str, profile_name: str) -> str:
    """The parameter id with the profile's part removed (ids are joined by "-")."""
    if not profile_name:
        return callspec_id
    if callspec_id == profile_name:
        return ""
    if callspec_id.startswith(profile_name + "-"):
        return callspec_id[len(profile_name) + 1 :]
    if callspec_id.endswith("-" + profile_name):
        return callspec_id[: -len(profile_name) - 1]
    return callspec_id.replace("-" + profile_name + "-", "-", 1)


def cassette_test_name(
    function_name: str, class_name: str | None, callspec_id: str | None, profile_name: str
) -> str:
    """``[Class.]function[non-profile ids]``, safe as a file name, readable, stable."""
    name = f"{class_name}.{function_name}" if class_name else function_name
    extra = _without_profile_id(callspec_id, profile_name) if callspec_id else ""
    if extra:
        name += f"[{extra}]"
    name = _FILENAME_RE.sub("_", name)
    if len(name) > MAX_FILENAME:  # long parameter ids: keep it readable and unique
        digest = hashlib.sha256(name.encode()).hexdigest()[:DIGEST_LENGTH]
        name = f"{name[: MAX_FILENAME - DIGEST_LENGTH - 1]}-{digest}"
    return name
