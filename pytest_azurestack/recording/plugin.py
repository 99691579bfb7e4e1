"""Recording fixtures and hooks (stub: the cassette is not active yet)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture
def azurestack_cassette() -> Iterator[None]:
    yield None
