"""The effective configuration of a run, for the archive: every option with its value and where
it came from (flag, env, ini, default), and the stamp variables with their secrets masked."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import pytest

from ..options import OPTIONS, raw_with_source

MASKED = "(set, masked)"
# The variables of Microsoft's Azure Stack Python instructions, and how each is shown: the ids are
# masked as cassettes scrub them (a support case does not need them; a leak of them is a finding).
SHOWN = (
    "ARM_ENDPOINT",
    "AZURE_RESOURCE_LOCATION",
    "AZURE_CLIENT_CERTIFICATE_PATH",
    "AZURE_TEST_RUN_LIVE",
    "AZURE_AUTHORITY_HOST",
)
MASKED_VARIABLES = (
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_SUBSCRIPTION_ID",
    "AZURE_CLIENT_CERTIFICATE_PASSWORD",
)
OPEN_TENANTS = frozenset({"adfs"})  # a disconnected stamp's tenant is a word, not an id


def _shown(name: str, value: str) -> str:
    if name in SHOWN or (name == "AZURE_TENANT_ID" and value.lower() in OPEN_TENANTS):
        return value
    return MASKED


def environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    env = os.environ if environ is None else environ
    return {
        name: _shown(name, env[name]) for name in (*SHOWN, *MASKED_VARIABLES) if env.get(name, "").strip()
    }


def effective(config: pytest.Config, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """{"options": [{option, ini, env, value, source}], "environment": {name: shown value}}."""
    options = []
    for opt in OPTIONS:
        value, source = raw_with_source(config, opt)
        options.append(
            {
                "option": opt.flag,
                "ini": opt.ini,
                "env": opt.env,
                "value": opt.default if value is None else value,
                "source": source,
            }
        )
    return {"options": options, "environment": environment(environ)}
