"""Timestamps as Resource Manager writes them: seven fractional digits and ``+00:00``.

Real bodies read ``2024-12-02T06:47:00.0060204+00:00`` (operation start and end times, a disk's
``timeCreated``, instance-view status times). Python's clock has microseconds, so the seventh
digit is always 0.
"""

from __future__ import annotations

from datetime import datetime, timezone


def arm_timestamp(moment: datetime | None = None) -> str:
    moment = (moment or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}0+00:00"
