"""pytest-azurestack: hooks, options and fixture wiring only; the logic lives in small modules."""

from __future__ import annotations

import pytest

from .options import SETTINGS_KEY, add_options, resolve_settings


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.stash[SETTINGS_KEY] = resolve_settings(config)
