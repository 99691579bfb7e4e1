"""Keep each profile's conformance tests on one pytest-xdist worker, in collection order.

xdist's ``loadgroup`` mode groups tests by the ``@<group>`` suffix its workers append to node ids
for ``xdist_group`` marks. With pytest >= 9.2 (structured node ids) and pytest-xdist 3.8 that
suffix is silently lost (pytest-dev/pytest-xdist#1386), so the scheduler here also derives the
group from the profile in the test's parameter id, which the controller can always see.
"""

from __future__ import annotations

from typing import Any

import pytest
from xdist.scheduler import LoadGroupScheduling

from ..profiles import ALL_PROFILES
from ..verdicts import GROUP_PREFIX

# Longest first: no profile name may shadow a longer one that contains it.
_PROFILE_NAMES = sorted((p.name for p in ALL_PROFILES), key=len, reverse=True)


def group_name(profile: str) -> str:
    return GROUP_PREFIX + profile


def profile_in_nodeid(nodeid: str) -> str | None:
    """The profile named in a node id's parameter part (``test_x[2020-09-01-hybrid]``), or None."""
    start, end = nodeid.find("["), nodeid.rfind("]")
    if start < 0 or end < start:
        return None
    params = f"-{nodeid[start + 1 : end]}-"
    return next((name for name in _PROFILE_NAMES if f"-{name}-" in params), None)


class ProfileGroupScheduling(LoadGroupScheduling):
    """``loadgroup`` whose groups are also the profiles named in the node ids."""

    def __init__(self, config: pytest.Config, log: Any = None) -> None:
        super().__init__(config, log)

    def _split_scope(self, nodeid: str) -> str:
        scope = super()._split_scope(nodeid)
        if scope != nodeid:  # xdist's own "@group" suffix worked
            return scope
        profile = profile_in_nodeid(nodeid)
        return group_name(profile) if profile else nodeid

    def mark_completed(self, nodeid: str) -> bool:
        """Take ``nodeid`` out of the work given back after a crash, so no new worker reruns it."""
        for work_unit in self.workqueue.values():
            if nodeid in work_unit:
                work_unit[nodeid] = True
                return True
        return False
