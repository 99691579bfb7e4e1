"""Every option: shown in --help, settable from the command line, the environment and the ini file."""

from __future__ import annotations

import json
import ssl
from pathlib import Path
from typing import Any

import pytest
import trustme

from pytest_azurestack.options import OPTIONS
from pytest_azurestack.recording.sanitize import RUN_ID_PLACEHOLDER

pytestmark = pytest.mark.usefixtures("clean_env")

# Dumps the resolved Settings at configure time; --collect-only keeps live targets from connecting.
DUMP_CONFTEST = """
import json, os
from pytest_azurestack.options import SETTINGS_KEY

def pytest_configure(config):
    s = config.stash[SETTINGS_KEY]
    with open(os.path.join(str(config.rootpath), "settings.json"), "w") as f:
        json.dump({
            "target": s.target, "profiles": [p.name for p in s.profiles], "record_mode": s.record_mode,
            "ca_bundle": str(s.ca_bundle) if s.ca_bundle else None, "keep": s.keep, "location": s.location,
            "cassette_dir": str(s.cassette_dir), "pin_api_versions": s.pin_api_versions,
            "api_version_guard": s.api_version_guard, "emulator_build": s.emulator_build,
            "report_json": str(s.report_json) if s.report_json else None, "run_id": s.run_id,
        }, f)
"""


def _settings(pytester: pytest.Pytester, *args: str, ini: str = "") -> dict[str, Any]:
    pytester.makeconftest(DUMP_CONFTEST)
    if ini:
        pytester.makeini("[pytest]\n" + ini)
    result = pytester.runpytest("--collect-only", "-q", *args)
    assert result.ret in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED), result.stderr.str()
    return json.loads((pytester.path / "settings.json").read_text())  # type: ignore[no-any-return]


def test_help_shows_the_group_every_flag_env_and_ini_key(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    out = result.stdout.str()
    assert "Azure Stack Hub conformance (pytest-azurestack):" in out
    for opt in OPTIONS:
        assert opt.flag in out
        if opt.env:
            assert f"[env: {opt.env}]" in " ".join(out.split())
        assert f"  {opt.dest} (" in out  # listed among the ini keys


def test_every_ini_key_is_its_flag_in_underscores() -> None:
    for opt in OPTIONS:
        assert opt.ini == opt.flag.removeprefix("--").replace("-", "_"), opt.flag


def test_plural_profile_ini_key_still_read(pytester: pytest.Pytester) -> None:
    ini = "azurestack_profiles =\n    latest\n"
    assert _settings(pytester, ini=ini)["profiles"] == ["latest"]
    both = ini + "azurestack_profile = 2019-03-01-hybrid\n"
    assert _settings(pytester, ini=both)["profiles"] == ["2019-03-01-hybrid"]  # the flag's own key wins


def test_defaults(pytester: pytest.Pytester) -> None:
    s = _settings(pytester)
    assert s == {
        **s,
        "target": "playback",
        "profiles": [],  # playback with no cassettes
        "record_mode": "none",
        "ca_bundle": None,
        "keep": "never",
        "location": "local",
        "cassette_dir": str(pytester.path / "cassettes"),
        "pin_api_versions": False,
        "api_version_guard": True,
        "emulator_build": "2102",
        "report_json": None,
    }
    assert len(s["run_id"]) == 12


def test_precedence_cli_over_env_over_ini(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    ini = "azurestack_keep = always\nazurestack_location = from-ini\n"
    assert _settings(pytester, ini=ini)["keep"] == "always"
    monkeypatch.setenv("AZURESTACK_KEEP", "on-failure")
    monkeypatch.setenv("AZURE_RESOURCE_LOCATION", "from-env")
    s = _settings(pytester, ini=ini)
    assert (s["keep"], s["location"]) == ("on-failure", "from-env")
    s = _settings(pytester, "--azurestack-keep", "never", "--azurestack-location", "from-cli", ini=ini)
    assert (s["keep"], s["location"]) == ("never", "from-cli")


@pytest.mark.parametrize(
    ("args", "env", "ini", "field", "expected"),
    [
        (("--azurestack-target", "emulator"), {}, "", "target", "emulator"),
        ((), {"AZURESTACK_TARGET": "LIVE"}, "", "target", "live"),
        ((), {}, "azurestack_target = emulator", "target", "emulator"),
        ((), {"AZURE_TEST_RUN_LIVE": "true"}, "", "target", "live"),
        (("--azurestack-target", "playback"), {"AZURE_TEST_RUN_LIVE": "true"}, "", "target", "playback"),
        (
            ("--azurestack-target", "emulator", "--azurestack-record-mode", "rewrite"),
            {},
            "",
            "record_mode",
            "rewrite",
        ),
        (
            (),
            {"AZURESTACK_TARGET": "live", "AZURESTACK_RECORD_MODE": "new_episodes"},
            "",
            "record_mode",
            "new_episodes",
        ),
        (("--azurestack-pin-api-versions",), {}, "", "pin_api_versions", True),
        ((), {"AZURESTACK_PIN_API_VERSIONS": "1"}, "", "pin_api_versions", True),
        ((), {}, "azurestack_pin_api_versions = true", "pin_api_versions", True),
        (("--azurestack-no-api-version-guard",), {}, "", "api_version_guard", False),
        ((), {"AZURESTACK_NO_API_VERSION_GUARD": "yes"}, "", "api_version_guard", False),
        (("--azurestack-emulator-build", "1808"), {}, "", "emulator_build", "1808"),
        ((), {"AZURESTACK_EMULATOR_BUILD": "2008"}, "", "emulator_build", "2008"),
    ],
)
def test_each_source(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    env: dict[str, str],
    ini: str,
    field: str,
    expected: object,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert _settings(pytester, *args, ini=ini)[field] == expected


def test_paths_are_relative_to_rootdir(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    trustme.CA().cert_pem.write_to_path(str(pytester.path / "ca.pem"))
    monkeypatch.setenv("AZURESTACK_REPORT_JSON", "out/report.json")
    s = _settings(pytester, "--azurestack-cassette-dir", "recorded", "--azurestack-ca-bundle", "ca.pem")
    assert Path(s["cassette_dir"]) == pytester.path / "recorded"
    assert Path(s["ca_bundle"]) == pytester.path / "ca.pem"
    assert Path(s["report_json"]) == pytester.path / "out" / "report.json"


def test_run_id_is_shared_through_the_environment(pytester: pytest.Pytester, monkeypatch) -> None:
    monkeypatch.setenv("AZURESTACK_RUN_ID", "sharedrun123")
    assert _settings(pytester, "--azurestack-target", "emulator")["run_id"] == "sharedrun123"


def test_playback_runs_under_the_recorded_run_id_from_the_start(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Resolved once: what a conftest sees at configure is what the run uses.
    assert _settings(pytester)["run_id"] == RUN_ID_PLACEHOLDER
    monkeypatch.setenv("AZURESTACK_RUN_ID", "sharedrun123")
    assert _settings(pytester)["run_id"] == RUN_ID_PLACEHOLDER


def test_profiles_from_cli_env_and_ini(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    args = ("--azurestack-profile", "v2019_03_01_hybrid", "--azurestack-profile", "latest")
    assert _settings(pytester, *args)["profiles"] == ["2019-03-01-hybrid", "latest"]
    ini = "azurestack_profile =\n    2018-03-01-hybrid\n    2017-03-09-profile\n"
    assert _settings(pytester, ini=ini)["profiles"] == ["2018-03-01-hybrid", "2017-03-09-profile"]
    monkeypatch.setenv("AZURESTACK_PROFILES", "V2020_09_01_HYBRID, 2020-09-01-hybrid")
    assert _settings(pytester, ini=ini)["profiles"] == ["2020-09-01-hybrid"]


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (
            ("--azurestack-target", "cloud"),
            {},
            "ERROR: --azurestack-target: 'cloud' is not one of playback, "
            "emulator, live (set by the command line, $AZURESTACK_TARGET or the ini key azurestack_target)",
        ),
        (
            (),
            {"AZURESTACK_KEEP": "sometimes"},
            "ERROR: --azurestack-keep: 'sometimes' is not one of never, on-failure, always*",
        ),
        (
            ("--azurestack-emulator-build", "1901"),
            {},
            "ERROR: --azurestack-emulator-build: '1901' is not one of*",
        ),
        (
            ("--azurestack-record-mode", "always"),
            {"AZURESTACK_TARGET": "live"},
            "ERROR: --azurestack-record-mode: 'always' is not one of none, once, new_episodes, all, rewrite*",
        ),
        (
            ("--azurestack-record-mode", "once"),
            {},
            "ERROR: --azurestack-record-mode once needs a server to record "
            "from: add --azurestack-target emulator (or live for a real stamp)",
        ),
        (
            ("--azurestack-ca-bundle", "missing.pem"),
            {},
            "ERROR: --azurestack-ca-bundle: */missing.pem is not a "
            "file; give the path of the stamp's root CA certificate in PEM form",
        ),
        (
            (),
            {"AZURESTACK_PROFILES": "hybrid"},
            "ERROR: --azurestack-profile: unknown API version profile "
            "'hybrid'; known profiles: 2020-09-01-hybrid, *, latest",
        ),
        (
            ("--azurestack-profile", ""),
            {},
            "ERROR: --azurestack-profile: the value is empty; give a profile name, one of "
            "2020-09-01-hybrid, *, latest (or leave the option out for the default)",
        ),
        (
            ("--azurestack-profile", "latest", "--azurestack-profile", " "),
            {},
            "ERROR: --azurestack-profile: the value is empty;*",
        ),
    ],
)
def test_bad_values_are_one_line(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    env: dict[str, str],
    message: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = pytester.runpytest("--collect-only", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])
    assert "Traceback" not in result.stderr.str()


def _der_and_broken_bundles(root: Path) -> None:
    ca = trustme.CA()
    pem = ca.cert_pem.bytes()
    der = ssl.PEM_cert_to_DER_cert(pem.decode())
    (root / "root.cer").write_bytes(der)  # what an ASDK's certificate export gives by default
    (root / "broken.pem").write_bytes(pem[:60] + b"\n-----END CERTIFICATE-----\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--azurestack-ca-bundle", "root.cer"),
            "ERROR: --azurestack-ca-bundle: */root.cer is not a PEM certificate bundle (no '-----BEGIN "
            "CERTIFICATE-----' line); a DER .cer export converts with: openssl x509 -inform der -in root.cer "
            "-out root.pem",
        ),
        (
            ("--azurestack-ca-bundle", "broken.pem"),
            "ERROR: --azurestack-ca-bundle: */broken.pem holds no certificate that parses (*); export the "
            "stamp's root CA again",
        ),
        (
            ("--azurestack-report-json", "."),
            "ERROR: --azurestack-report-json: * is a directory; give the path of the file to write, e.g. "
            "*/azurestack-results.json",
        ),
    ],
    ids=["der-ca", "broken-pem", "report-json-directory"],
)
def test_bad_paths_are_one_line_before_the_run(
    pytester: pytest.Pytester, args: tuple[str, ...], message: str
) -> None:
    _der_and_broken_bundles(pytester.path)
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])
    assert len([line for line in result.stderr.lines if line.strip()]) == 1
