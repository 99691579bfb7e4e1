"""The six standard Azure Stack variables, read once and checked together.

A live run (emulator or stamp) is configured only through these, exactly as Microsoft's Azure Stack
Python instructions describe; the emulator target exports them for its own server.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import ConfigurationError

ZERO_GUID = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True)
class LiveEnvironment:
    """The service principal and stamp a live run uses."""

    tenant_id: str
    client_id: str
    subscription_id: str
    arm_endpoint: str
    client_secret: str | None = None
    certificate_path: str | None = None
    certificate_password: str | None = None

    def __repr__(self) -> str:  # never show the secret in a traceback or log
        return (
            f"LiveEnvironment(tenant_id={self.tenant_id!r}, client_id={self.client_id!r}, "
            f"subscription_id={self.subscription_id!r}, arm_endpoint={self.arm_endpoint!r})"
        )


def read_live_environment(environ: Mapping[str, str] | None = None) -> LiveEnvironment:
    """Read the variables; one ``ConfigurationError`` lists every missing one."""
    env = os.environ if environ is None else environ

    def get(name: str) -> str:
        return env.get(name, "").strip()

    missing = [
        name
        for name in ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_SUBSCRIPTION_ID", "ARM_ENDPOINT")
        if not get(name)
    ]
    # azure-identity's convention: a certificate path replaces the secret.
    if not get("AZURE_CLIENT_SECRET") and not get("AZURE_CLIENT_CERTIFICATE_PATH"):
        missing.append("AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH)")
    if missing:
        raise ConfigurationError(
            f"live target: missing environment variable(s) {', '.join(missing)}",
            "export them for the stamp's service principal (ARM_ENDPOINT is the stamp's Resource Manager "
            "URL), or run offline with --azurestack-target playback or against the built-in emulator with "
            "--azurestack-target emulator",
        )
    return LiveEnvironment(
        tenant_id=get("AZURE_TENANT_ID"),
        client_id=get("AZURE_CLIENT_ID"),
        subscription_id=get("AZURE_SUBSCRIPTION_ID"),
        arm_endpoint=get("ARM_ENDPOINT"),
        client_secret=get("AZURE_CLIENT_SECRET") or None,
        certificate_path=get("AZURE_CLIENT_CERTIFICATE_PATH") or None,
        certificate_password=get("AZURE_CLIENT_CERTIFICATE_PASSWORD") or None,
    )


class EnvironOverlay:
    """Sets process environment variables and puts every original value back on ``restore()``.

    The controller exports the run id and the emulator's variables here so xdist workers inherit
    them; restoring keeps in-process runs (pytester) from leaking into the caller.
    """

    def __init__(self) -> None:
        self._saved: dict[str, str | None] = {}

    def set(self, name: str, value: str) -> None:
        self._saved.setdefault(name, os.environ.get(name))
        os.environ[name] = value

    def restore(self) -> None:
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved.clear()
