"""Where a test's cassette belongs, read from its pytest item: profile, module, name and group."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ..options import SETTINGS_KEY
from ..xdist_io import is_worker
from .config import record_command
from .names import cassette_test_name
from .publish import Group

PROFILE_PARAM = "azurestack_profile"


def profile_name(profile: Any) -> str:
    return str(getattr(profile, "name", profile))


def module_and_test(item: pytest.Item, profile: str) -> tuple[str, str]:
    """(suite module, ``[Class.]test[ids]``) of ``item``: the last two parts of its cassette path."""
    callspec = getattr(item, "callspec", None)
    cls = getattr(item, "cls", None)
    test = cassette_test_name(
        getattr(item, "originalname", item.name),
        cls.__name__ if cls is not None else None,
        callspec.id if callspec is not None else None,
        profile,
    )
    return item.path.stem, test


def group_of(item: pytest.Item) -> Group | None:
    """(profile, module) of a test with a profile, from its parameters (set before any fixture)."""
    callspec = getattr(item, "callspec", None)
    profile = callspec.params.get(PROFILE_PARAM) if callspec is not None else None
    return None if profile is None else (profile_name(profile), item.path.stem)


def rerecord_command(item: pytest.Item, profile: str) -> str:
    """The command that re-records ``item``'s module under ``profile``, pasteable where pytest ran."""
    config = item.config
    return record_command(
        item.path,
        profile,
        cassette_dir=config.stash[SETTINGS_KEY].cassette_dir,
        default_cassette_dir=Path(config.rootpath, "cassettes"),
        start=config.invocation_params.dir,
    )


def expected_groups(session: pytest.Session) -> dict[Group, set[str]]:
    """The node ids of each group this process was to run.

    Under pytest-xdist a worker is sure to run only the conformance tests of its profiles (the
    conformance plugin keeps them together); other tests may have gone to another worker.
    """
    worker = is_worker(session.config)
    expected: dict[Group, set[str]] = {}
    for item in session.items:
        group = group_of(item)
        if group is not None and (not worker or item.get_closest_marker("conformance") is not None):
            expected.setdefault(group, set()).add(item.nodeid)
    return expected
