"""The hook a suite implements to tell the preflight what it needs of the stamp."""

from __future__ import annotations

import pytest

from ..profiles import Profile
from .model import ProfileNeeds


@pytest.hookspec(firstresult=True)
def pytest_azurestack_profile_needs(config: pytest.Config, profile: Profile) -> ProfileNeeds | None:
    """The images and VM sizes the suite's tests use under ``profile`` (None: nothing to check).

    Called in the controller at session start, before collection: implement it in the suite's
    ``conftest.py`` (an initial conftest, so it is loaded by then) or a plugin.
    """
