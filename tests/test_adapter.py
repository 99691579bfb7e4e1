"""The adapter to vcrpy's and azure-core's private API: everything it uses is there, in a release
it was checked against.

A failure here after an upgrade names the private that moved: fix recording/adapter.py (the one
module that touches them), check it against the new release, and raise ``CHECKED``.
"""

from __future__ import annotations

from importlib.metadata import version

import pytest
from packaging.version import Version

from pytest_azurestack.recording import adapter


def test_every_private_the_adapter_uses_is_there() -> None:
    gone = adapter.missing()
    assert not gone, f"the installed vcrpy/azure-core lack what recording/adapter.py uses: {', '.join(gone)}"


@pytest.mark.parametrize("package", sorted(adapter.CHECKED))
def test_installed_release_is_one_the_adapter_was_checked_against(package: str) -> None:
    oldest, newest = (Version(v) for v in adapter.CHECKED[package])
    installed = Version(version(package))
    # Patch releases of the newest checked minor are trusted; a newer minor is checked first.
    assert oldest <= installed and installed.release[:2] <= newest.release[:2], (
        f"recording/adapter.py was checked against {package} {oldest} to {newest}; {installed} is "
        f"outside that: check every private it uses against {installed}, then extend adapter.CHECKED"
    )
