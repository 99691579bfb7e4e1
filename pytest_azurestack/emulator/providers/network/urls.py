"""Routes served by the Microsoft.Network provider."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []
