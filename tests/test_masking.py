"""No secret of a run in anything pytest or the plugin writes: terminal (every --tb style, -l),
JUnit, the JSON report, captured and live logs, log files (issue 8, item 1)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from azure.core.rest import HttpRequest

from pytest_azurestack import masking
from pytest_azurestack.masking import MASK, SECRETS, SecretRegistry, mask_report
from pytest_azurestack.transport import AzureStackTransport

SECRET = "Az1!PlaybackAdminPassw0rdX"
CLIENT_SECRET = "client-secret-from-the-environment-42"

# A test whose every channel carries the secrets: an SDK-style frame argument, a local, a print, a
# log record, the assertion message and a user property.
LEAKY = f"""
import logging
import pytest
from pytest_azurestack.masking import register_secret

register_secret({SECRET!r})

def create(parameters):
    raise RuntimeError("the service refused " + str(parameters))

def test_vm_create(record_property):
    parameters = {{"osProfile": {{"adminPassword": {SECRET!r}}}}}
    print("sending", parameters)
    logging.getLogger("azure").warning("body %s", parameters)
    record_property("sent", str(parameters))
    record_property("secret", {CLIENT_SECRET!r})
    create(parameters)
"""


def _run(pytester: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, str]:
    pytester.makepyfile(test_leaky=LEAKY)
    junit, report, log = (pytester.path / n for n in ("junit.xml", "results.json", "run.log"))
    result = pytester.runpytest_subprocess(
        "-p",
        "no:cacheprovider",
        "--junitxml",
        str(junit),
        "--log-file",
        str(log),
        "--log-cli-level",
        "WARNING",
        *args,
    )
    written = "".join(p.read_text() for p in (junit, report, log) if p.exists())
    return result, "\n".join(result.outlines + result.errlines) + written


@pytest.mark.parametrize("tb", ["auto", "long", "short", "line", "native", "no"])
def test_no_secret_in_any_traceback_style_junit_or_log(
    pytester: pytest.Pytester, clean_env: None, monkeypatch: pytest.MonkeyPatch, tb: str
) -> None:
    monkeypatch.setenv("AZURE_CLIENT_SECRET", CLIENT_SECRET)
    result, everything = _run(pytester, f"--tb={tb}", "-l", "-rA")
    result.assert_outcomes(failed=1)
    assert SECRET not in everything
    assert CLIENT_SECRET not in everything
    assert MASK in everything


def test_the_scan_sees_the_secret_when_masking_is_off(pytester: pytest.Pytester, clean_env: None) -> None:
    """The test above can fail: without the masking hooks the secret is everywhere."""
    result, everything = _run(pytester, "--tb=long", "-l", "-p", "no:azurestack-masking")
    result.assert_outcomes(failed=1)
    assert SECRET in everything


def test_registry_masks_longest_first_and_ignores_short_values() -> None:
    registry = SecretRegistry()
    registry.register("abc")  # too short to be worth masking inside other words
    registry.register("secret-value")
    registry.register("secret-value-longer")
    assert registry.mask("abc secret-value-longer secret-value") == "abc *** ***"
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    assert registry.mask(f"token {jwt}") == "token ***"  # JWTs whether registered or not


def test_the_transport_registers_what_a_request_carries() -> None:
    request = HttpRequest(
        "PUT",
        "https://127.0.0.1/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm",
        json={"properties": {"osProfile": {"adminPassword": "Wire-Passw0rd-987"}}},
        headers={"Authorization": "Bearer opaque-token-value-1234567890"},
    )
    AzureStackTransport._register_secrets(request)
    assert "Wire-Passw0rd-987" in SECRETS
    assert "opaque-token-value-1234567890" in SECRETS


def test_certificate_key_lines_are_registered(tmp_path: Path) -> None:
    pem = tmp_path / "sp.pem"
    key_line = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7"
    pem.write_text(f"-----BEGIN PRIVATE KEY-----\n{key_line}\n-----END PRIVATE KEY-----\n")
    masking.register_environment({"AZURE_CLIENT_CERTIFICATE_PATH": str(pem)})
    assert masking.mask(f"key {key_line}") == "key ***"


def test_log_records_are_masked_when_made(caplog: pytest.LogCaptureFixture) -> None:
    masking.register_secret("log-secret-value-123")
    undo = masking.install_log_masking()
    try:
        with caplog.at_level(logging.INFO):
            logging.getLogger("x").info("value %s", "log-secret-value-123")
    finally:
        undo()
    assert caplog.messages == ["value ***"]


def test_mask_report_rewrites_a_string_longrepr_and_sections() -> None:
    report = pytest.TestReport("t", ("t.py", 1, "t"), {}, "failed", "boom hidden-value-000", "call")
    report.sections.append(("Captured stdout call", "printed hidden-value-000"))
    mask_report(report, SecretRegistry().mask)  # an empty registry changes nothing
    assert "hidden-value-000" in str(report.longrepr)
    registry = SecretRegistry()
    registry.register("hidden-value-000")
    mask_report(report, registry.mask)
    assert report.longrepr == "boom ***"
    assert report.sections == [("Captured stdout call", "printed ***")]
