"""One place that keeps the run's secrets out of everything pytest and the plugin write.

A process-wide registry holds the secret values the run knows of: the client secret and the
certificate's password and key (from the environment), every bearer token and every secret JSON
field a request or response carried (an admin password, a storage key: the transport registers
them as they pass), and anything a suite registers itself (``register_secret``). JWTs are masked
whether registered or not.

The hooks (``MaskingHooks``, registered by the core plugin) apply it where pytest and the plugin
write: every test and collection report, rewritten in place before any reporter sees it (the
traceback's source lines and crash message, ``-l``'s locals and the SDK frame's arguments such as
``parameters``, captured output and logs, user properties, so the terminal, ``--junitxml`` and the
JSON report alike), and every log record when it is made (live logs, ``--log-file``). Under
pytest-xdist each worker masks its own reports before they are sent.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Generator, Mapping
from pathlib import Path
from typing import Any

import pytest

from .recording.sanitize import JWT_RE, SECRET_KEYS

MASK = "***"
# Shorter values would be masked inside unrelated words (and are no secret worth the name).
MIN_SECRET_LENGTH = 6
_BEARER = re.compile(r"(\bBearer\s+)[A-Za-z0-9\-._~+/]{16,}=*")
_KEY_BLOCK = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----(.*?)-----END [A-Z ]*PRIVATE KEY-----", re.DOTALL)


class SecretRegistry:
    """The secret values of this process; ``mask(text)`` replaces each with ``***``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def register(self, value: object) -> None:
        if not isinstance(value, str):
            return
        value = value.strip()
        if len(value) < MIN_SECRET_LENGTH or value == MASK:
            return
        with self._lock:
            if value in self._values:
                return
            self._values.add(value)
            # Longest first, so a value containing another is masked whole.
            ordered = sorted(self._values, key=len, reverse=True)
            self._pattern = re.compile("|".join(map(re.escape, ordered)))

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, value: object) -> bool:
        return value in self._values

    def mask(self, text: str) -> str:
        pattern = self._pattern
        if pattern is not None:
            text = pattern.sub(MASK, text)
        if "eyJ" in text:
            text = JWT_RE.sub(MASK, text)
        if "Bearer" in text:
            text = _BEARER.sub(rf"\g<1>{MASK}", text)
        return text

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._pattern = None


SECRETS = SecretRegistry()


def register_secret(value: object) -> None:
    """Keep ``value`` out of every report, log and traceback of this run (a suite's own secrets)."""
    SECRETS.register(value)


def mask(text: str) -> str:
    return SECRETS.mask(text)


def register_environment(environ: Mapping[str, str] | None = None) -> None:
    """The service principal's secret, its certificate's password and private key."""
    env = os.environ if environ is None else environ
    for name in ("AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PASSWORD"):
        SECRETS.register(env.get(name, ""))
    path = env.get("AZURE_CLIENT_CERTIFICATE_PATH", "").strip()
    if path:
        try:
            text = Path(path).expanduser().read_text(encoding="ascii", errors="replace")
        except OSError:
            return  # the credential reports an unreadable certificate itself
        for block in _KEY_BLOCK.findall(text):
            SECRETS.register("".join(block.split()))
            for line in block.split():
                SECRETS.register(line)  # a key as printed: one base64 line at a time


def register_json_secrets(body: object) -> None:
    """Every value of a secret JSON field (``adminPassword``, a storage key...) in ``body``."""
    if isinstance(body, bytes | bytearray):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            return
    if isinstance(body, str):
        if not body.lstrip().startswith(("{", "[")):
            return
        try:
            body = json.loads(body)
        except ValueError:
            return
    _walk_json(body)


def _walk_json(data: object) -> None:
    if isinstance(data, dict):
        if "keyName" in data:  # a storage account key: {"keyName": "key1", "value": "<secret>"}
            SECRETS.register(data.get("value"))
        for key, value in data.items():
            if isinstance(key, str) and key.lower() in SECRET_KEYS:
                SECRETS.register(value)
            elif isinstance(value, dict | list):
                _walk_json(value)
    elif isinstance(data, list):
        for item in data:
            _walk_json(item)


def register_authorization(headers: Mapping[str, str]) -> None:
    value = headers.get("Authorization") or headers.get("authorization") or ""
    if value.lower().startswith("bearer "):
        SECRETS.register(value[7:])


# --- applying it to what pytest writes ----------------------------------------------------------


def _mask_value(value: Any, masker: Callable[[str], str], depth: int = 0) -> Any:
    """``value`` with every string masked; pytest's repr dataclasses are changed in place."""
    if depth > 12:
        return value
    if isinstance(value, str):
        return masker(value)
    if isinstance(value, list):
        value[:] = [_mask_value(v, masker, depth + 1) for v in value]
        return value
    if isinstance(value, tuple):
        return tuple(_mask_value(v, masker, depth + 1) for v in value)
    if isinstance(value, dict):
        for key in list(value):
            value[key] = _mask_value(value[key], masker, depth + 1)
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            current = getattr(value, f.name)
            masked = _mask_value(current, masker, depth + 1)
            if masked is not current:
                object.__setattr__(value, f.name, masked)  # some of pytest's are frozen
        return value
    return value


def mask_report(
    report: pytest.TestReport | pytest.CollectReport, masker: Callable[[str], str] = mask
) -> None:
    """Mask ``report`` in place: its longrepr (any ``--tb`` style, ``-l``), sections, properties."""
    longrepr = report.longrepr
    if isinstance(longrepr, str):
        report.longrepr = masker(longrepr)
    elif isinstance(longrepr, tuple):  # a skip: (path, line, reason)
        report.longrepr = _mask_value(longrepr, masker)
    elif longrepr is not None:
        _mask_value(longrepr, masker)
        # Belt and braces: a repr class this walk does not know still prints masked.
        text = str(longrepr)
        if masker(text) != text:
            report.longrepr = masker(text)
    report.sections = [(title, masker(content)) for title, content in report.sections]
    if isinstance(report, pytest.TestReport):
        report.user_properties = [
            (name, _mask_value(value, masker)) for name, value in report.user_properties
        ]


class _MaskingRecordFactory:
    """Wraps the logging record factory: a record's message is masked when it is made."""

    def __init__(self, previous: Callable[..., logging.LogRecord]) -> None:
        self.previous = previous

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a bad format string is logging's to report
            return record
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        return record


def install_log_masking() -> Callable[[], None]:
    """Mask every log record of the process; returns the undo."""
    previous = logging.getLogRecordFactory()
    factory = _MaskingRecordFactory(previous)
    logging.setLogRecordFactory(factory)

    def undo() -> None:
        if logging.getLogRecordFactory() is factory:
            logging.setLogRecordFactory(previous)

    return undo


class MaskingHooks:
    """Registered by the core plugin: every report is masked before anything reads it."""

    def __init__(self) -> None:
        self._undo_logging = install_log_masking()

    # Outermost (tryfirst): every other plugin's change to the report is made before this runs.
    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_makereport(self) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        mask_report(report)
        return report

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_make_collect_report(self) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
        report = yield
        mask_report(report)
        return report

    def close(self) -> None:
        self._undo_logging()
