"""Routes served by the Microsoft.Compute provider."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []
