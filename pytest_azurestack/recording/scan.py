"""Secret scan of cassettes: ``python -m pytest_azurestack.recording.scan DIR [DIR ...]``.

Finds what must never be committed: JWTs, bearer tokens, client secrets, admin passwords,
storage keys, private keys, and real (non-zero) subscription or tenant ids. Every string of a
cassette is scanned, JSON bodies also as data, so quoting and escaping cannot hide a value.
:func:`find_values` is the stronger check after a recording: the run's own secret values.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..environment import ZERO_GUID
from .sanitize import REDACTED

GUID = r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}"
CASSETTE_SUFFIXES = (".yaml", ".yml", ".json")
PLACEHOLDERS = frozenset({"", REDACTED.lower(), "sanitized", "none", "null"})

TEXT_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("JWT", re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")),
    ("bearer token", re.compile(r"\bBearer\s+(?!REDACTED)[A-Za-z0-9\-._~+/]{20,}=*")),
    ("private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("client secret", re.compile(r"\bclient_secret=(?!REDACTED\b)[^&\s\"']+")),
    ("storage account key", re.compile(r"\bAccountKey=(?!REDACTED\b)[A-Za-z0-9+/=]{20,}")),
    ("subscription id", re.compile(rf"/subscriptions/(?!{ZERO_GUID})({GUID})", re.IGNORECASE)),
    ("tenant id", re.compile(rf"/(?!{ZERO_GUID})({GUID})/oauth2", re.IGNORECASE)),
)
# JSON keys (lower case) whose value must be a placeholder.
SECRET_JSON_KEYS = {
    "adminpassword": "admin password",
    "password": "password",
    "client_secret": "client secret",
    "clientsecret": "client secret",
    "access_token": "access token",
    "refresh_token": "refresh token",
    "id_token": "id token",
}
ID_JSON_KEYS = {"subscriptionid": "subscription id", "tenantid": "tenant id"}
GUID_RE = re.compile(rf"^{GUID}$")


@dataclass(frozen=True)
class Finding:
    path: Path
    kind: str
    preview: str

    def __str__(self) -> str:
        return f"{self.path}: {self.kind}: {self.preview}"


def _mask(value: str) -> str:
    """Enough to find it in the file, not enough to use it."""
    return value[:6] + "..." if len(value) > 6 else "..."


def _strings(data: Any) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(data, list):
        for item in data:
            yield from _strings(item)


def _json_findings(data: Any) -> Iterator[tuple[str, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            lower = str(key).lower()
            if lower in SECRET_JSON_KEYS and isinstance(value, str) and value.lower() not in PLACEHOLDERS:
                yield SECRET_JSON_KEYS[lower], value
            elif (
                lower in ID_JSON_KEYS
                and isinstance(value, str)
                and GUID_RE.match(value)
                and value.lower() != ZERO_GUID
            ):
                yield ID_JSON_KEYS[lower], value
            else:
                yield from _json_findings(value)
    elif isinstance(data, list):
        for item in data:
            yield from _json_findings(item)


def scan_text(text: str, path: Path) -> list[Finding]:
    """Findings in one cassette's text (YAML or JSON; anything else is scanned as plain text)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        data = text
    findings: list[Finding] = []
    seen: set[tuple[str, str]] = set()

    def add(kind: str, value: str) -> None:
        if (kind, value) not in seen:
            seen.add((kind, value))
            findings.append(Finding(path, kind, _mask(value)))

    for string in _strings(data):
        for kind, pattern in TEXT_RULES:
            for match in pattern.finditer(string):
                add(kind, match.group(match.lastindex or 0))
        if string.lstrip()[:1] in ("{", "["):
            try:
                body = json.loads(string)
            except ValueError:
                continue
            for kind, value in _json_findings(body):
                add(kind, value)
    for kind, value in _json_findings(data):
        add(kind, value)
    return findings


def cassette_files(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in CASSETTE_SUFFIXES and p.is_file())
        elif path.is_file():
            files.append(path)
        else:
            raise FileNotFoundError(f"{path} does not exist")
    return files


def scan_paths(paths: Iterable[Path]) -> tuple[int, list[Finding]]:
    """(number of files scanned, findings) for files and directories (recursively)."""
    files = cassette_files(paths)
    findings: list[Finding] = []
    for path in files:
        findings += scan_text(path.read_text(encoding="utf-8", errors="replace"), path)
    return len(files), findings


def find_values(paths: Iterable[Path], values: Iterable[tuple[str, str]]) -> list[Finding]:
    """Where any of the run's actual values ((what, value) pairs) appears, case-insensitively."""
    wanted = [(what, value.lower()) for what, value in values if value]
    findings = []
    for path in cassette_files(paths):
        text = path.read_text(encoding="utf-8", errors="replace").lower()
        findings += [
            Finding(path, f"the run's {what}", "(value withheld)") for what, v in wanted if v in text
        ]
    return findings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pytest_azurestack.recording.scan",
        description="Scan cassettes for secrets; exit 1 if any is found.",
    )
    parser.add_argument("paths", nargs="+", type=Path, help="cassette files or directories")
    options = parser.parse_args(argv)
    try:
        count, findings = scan_paths(options.paths)
    except FileNotFoundError as exc:
        print(f"scan: {exc}; give a cassette directory such as cassettes/", file=sys.stderr)
        return 2
    for finding in findings:
        print(finding)
    if findings:
        print(
            f"{len(findings)} secret(s) in {count} cassette file(s); re-record them (scrubbing missed these)"
        )
        return 1
    print(f"no secrets in {count} cassette file(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
