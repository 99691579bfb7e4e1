"""The secret scan: each kind of secret is found, placeholders are not, and committed cassettes are clean."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from pytest_azurestack.recording.scan import find_values, main, scan_paths, scan_text

ROOT = Path(__file__).resolve().parent.parent
REAL = "6f3b6a0e-1d0e-4c2e-9d34-5e2b1f0c8a11"
ZERO = "00000000-0000-0000-0000-000000000000"


def _cassette(
    request_body: object = None, uri: str = "", response_body: object = None, **headers: str
) -> str:
    interaction: dict[str, Any] = {
        "request": {
            "method": "PUT",
            "uri": uri or f"https://h/subscriptions/{ZERO}/x",
            "body": None,
            "headers": {},
        },
        "response": {"status": {"code": 200}, "headers": {k: [v] for k, v in headers.items()}, "body": {}},
    }
    if request_body is not None:
        interaction["request"]["body"] = json.dumps(request_body)
    if response_body is not None:
        interaction["response"]["body"]["string"] = json.dumps(response_body)
    return yaml.safe_dump({"version": 1, "interactions": [interaction]})


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (_cassette(Authorization="Bearer eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ4In0.c2ln"), "JWT"),
        (_cassette(Authorization="Bearer 0123456789abcdefghijklmnop"), "bearer token"),
        (_cassette({"properties": {"osProfile": {"adminPassword": "Az1!x"}}}), "admin password"),
        (_cassette(response_body={"access_token": "abc"}), "access token"),
        (_cassette(uri="https://h/t/oauth2/token?client_secret=abc"), "client secret"),
        (_cassette("grant_type=x&client_secret=s3cr3t"), "client secret"),
        (_cassette(uri=f"https://h/subscriptions/{REAL}/resourceGroups/x"), "subscription id"),
        (_cassette(response_body={"tenantId": REAL}), "tenant id"),
        (_cassette(response_body={"subscriptionId": REAL.upper()}), "subscription id"),
        (_cassette(uri=f"https://h/{REAL}/oauth2/v2.0/token"), "tenant id"),
        (_cassette({"key": "-----BEGIN RSA PRIVATE KEY-----\nMII"}), "private key"),
        (
            _cassette({"cs": "DefaultEndpointsProtocol=https;AccountKey=c2VjcmV0c2VjcmV0c2VjcmV0"}),
            "storage account key",
        ),
    ],
)
def test_each_kind_of_secret_is_found(text: str, kind: str) -> None:
    findings = scan_text(text, Path("c.yaml"))
    assert kind in [f.kind for f in findings], findings
    assert all("..." in f.preview for f in findings)  # a finding never prints the whole secret


def test_placeholders_and_zero_ids_are_clean() -> None:
    text = _cassette(
        {"properties": {"osProfile": {"adminPassword": "REDACTED"}}, "tags": {"run": "recordedrun0"}},
        response_body={"tenantId": ZERO, "vmId": REAL, "access_token": "REDACTED"},
        Location=f"https://management.local.azurestack.external/subscriptions/{ZERO}/operations/{REAL}",
        WWW_Authenticate='Bearer authorization_uri="https://login/x", error="invalid_token"',
    )
    assert scan_text(text, Path("c.yaml")) == []


def test_cli_and_run_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "p" / "m").mkdir(parents=True)
    clean, dirty = tmp_path / "p" / "m" / "a.yaml", tmp_path / "p" / "m" / "b.yaml"
    clean.write_text(_cassette())
    assert main([str(tmp_path)]) == 0 and "no secrets in 1 cassette file(s)" in capsys.readouterr().out
    dirty.write_text(_cassette(response_body={"tenantId": REAL}))
    assert main([str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"{dirty}: tenant id: 6f3b6a..." in out and REAL not in out
    assert main([str(tmp_path / "nope")]) == 2
    assert [f.kind for f in find_values([tmp_path], [("tenant id", REAL.upper()), ("unset", "")])] == [
        "the run's tenant id"
    ]


def _committed_cassettes() -> list[Path]:
    root = ROOT / "cassettes"
    return sorted(root.rglob("*.yaml")) if root.is_dir() else []


@pytest.mark.parametrize("path", _committed_cassettes(), ids=lambda p: str(p.relative_to(ROOT / "cassettes")))
def test_committed_cassette_has_no_secrets(path: Path) -> None:
    count, findings = scan_paths([path])
    assert count == 1 and not findings, "\n".join(map(str, findings))
