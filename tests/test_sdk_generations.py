"""The SDK-upgrade gate with the SDK that is installed, whichever generation it is.

Every tox env of the SDK range runs this module (`tox -e sdk-sample,sdk-mid,sdk-first-single,
sdk-newest`): the expectations follow the generation the installed packages declare themselves
(``pytest_azurestack.sdk.generation``), never a hard-coded major version.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from azure.core.credentials import AccessToken
from azure.core.pipeline.transport import HttpTransport

from pytest_azurestack import sdk

GENERATIONS = {sdk.generation(sdk.client_class(kind)) for kind in sdk.PACKAGES}
MULTI_API = {"multi-api"} == GENERATIONS
SINGLE_API = sdk.generation(sdk.client_class("compute")) == "single-api"
COUNTS = re.compile(r"(\d+) (passed|failed|skipped|error)")


def _counts(output: str) -> dict[str, int]:
    last = [line for line in output.splitlines() if " in " in line and COUNTS.search(line)][-1]
    return {kind: int(n) for n, kind in COUNTS.findall(last)}


def _results(path: Path) -> list[dict[str, Any]]:
    return list(json.loads(path.read_text())["results"])


def test_the_plugin_loads_and_unrelated_tests_pass(pytester: pytest.Pytester) -> None:
    """Whatever SDK release is installed (resource 26 no longer exports ResourceManagementClient
    from azure.mgmt.resource), loading the plugin never breaks a run."""
    pytester.makepyfile("def test_unrelated(): assert True")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == 0, result.stdout.str()[-2000:]


def test_the_run_says_which_generation_is_installed(run_suite: Callable[..., Any], tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    run_suite("-q", "--azurestack-profile", "2020-09-01-hybrid", "--azurestack-report-json", str(report))
    installed = json.loads(report.read_text())["run"]["sdk"]
    for package in sdk.PACKAGES.values():
        assert installed[package.distribution]["version"] == sdk.version_of(package.distribution)
        assert installed[package.distribution]["generation"] in ("multi-api", "single-api")


@pytest.mark.skipif(
    not MULTI_API, reason="needs the multi-API generation (it replays the hybrid profiles unchanged)"
)
def test_multi_api_replays_every_hybrid_profile_green(run_suite: Callable[..., Any], tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    result = run_suite("-q", "-n", "2", "--azurestack-report-json", str(report))
    assert result.returncode == 0, result.stdout[-4000:]
    results = _results(report)
    assert {r["profile"] for r in results} == {
        "2020-09-01-hybrid",
        "2019-03-01-hybrid",
        "2018-03-01-hybrid",
        "2017-03-09-profile",
    }
    assert all(r["outcome"] == "passed" and not r["wire_changes"] for r in results)


def test_latest_follows_the_sdk_and_never_turns_the_run_red(
    run_suite: Callable[..., Any], tmp_path: Path
) -> None:
    """latest's versions are whatever the installed SDK sends: with the SDK that recorded the
    cassettes, the cloud's refusals; with any other, skipped as not comparable. Never red."""
    report = tmp_path / "r.json"
    result = run_suite("-q", "--azurestack-profile", "latest", "--azurestack-report-json", str(report))
    assert result.returncode == 0, result.stdout[-4000:]
    verdicts = {r["id"]: (r["outcome"], r["reason"]) for r in _results(report)}
    for r in _results(report):
        if r["wire_changes"]:  # the SDK moved since the recording: not comparable, said so
            assert r["outcome"] == "skipped" and "latest follows the installed SDK" in r["reason"], verdicts
        else:  # the same request as recorded (or none sent): the cloud's own verdict, or its prerequisite's
            assert r["outcome"] in ("not supported", "skipped", "not run"), verdicts


@pytest.mark.skipif(not SINGLE_API, reason="needs the single-API generation (tox -e sdk-newest)")
def test_single_api_every_operation_gets_its_own_guard_verdict(
    run_suite: Callable[..., Any], tmp_path: Path
) -> None:
    report = tmp_path / "r.json"
    result = run_suite(
        "-q", "--azurestack-profile", "2020-09-01-hybrid", "--azurestack-report-json", str(report)
    )
    assert result.returncode == 1
    assert (
        "profile 2020-09-01-hybrid requires 2020-06-01 for microsoft.compute/virtualMachines" in result.stdout
    )
    results = {r["id"]: r for r in _results(report)}
    # The replay goes on past each violation: an operation is "not run" only when the one it needs
    # could not go on (a request never recorded), never because an earlier one changed on the wire.
    for r in results.values():
        if r["outcome"] == "not run":
            blocker = re.search(r"AZS-[A-Z-]+", r["reason"])
            assert blocker and results[blocker[0]]["reason"].startswith("cassette miss:"), r
        else:
            assert r["outcome"] == "failed", r
    create = results["AZS-VM-CREATE-LINUX"]
    assert any(c["kind"] == "api-version" and c["recorded"] == "2020-06-01" for c in create["wire_changes"])
    assert create["recorded_with"]["azure-mgmt-compute"] != sdk.version_of("azure-mgmt-compute")
    assert "azurestack: wire changes" in result.stdout
    assert "cassettes recorded with: azure-mgmt-compute" in result.stdout


@pytest.mark.skipif(not SINGLE_API, reason="needs the single-API generation (tox -e sdk-newest)")
def test_single_api_with_pin_mode_passes_what_is_the_same_on_the_wire(
    run_suite: Callable[..., Any], tmp_path: Path
) -> None:
    report = tmp_path / "r.json"
    result = run_suite("-q", "--azurestack-pin-api-versions", "--azurestack-report-json", str(report))
    results = _results(report)
    passed = [r for r in results if r["outcome"] == "passed"]
    failed = [r for r in results if r["outcome"] == "failed"]
    # Bodies built from model objects serialize to the recorded wire: most operations pass.
    assert len(passed) > len(results) // 2, result.stdout[-4000:]
    assert all(r["pinned"] for r in passed)
    # What still differs is named, each change with recorded and sent, never a vague failure.
    for r in failed:
        # An operation group the release dropped (deployments left azure-mgmt-resource) is named too.
        if r["reason"].startswith("SdkLacksError: SDK lacks"):
            continue
        assert r["reason"].startswith(("wire changed:", "cassette miss:")), r
        assert r["wire_changes"], r


class _Capture(HttpTransport):  # type: ignore[misc]
    """Answers nothing: keeps the request the SDK built and stops there."""

    sent: Any = None

    def __enter__(self) -> _Capture:
        return self

    def __exit__(self, *args: Any) -> None: ...
    def open(self) -> None: ...
    def close(self) -> None: ...

    def send(self, request: Any, **kwargs: Any) -> Any:
        type(self).sent = request
        raise _Sent


class _Sent(Exception):
    pass


class _Credential:
    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("token", 2**31)


def _body_sent(parameters: Any) -> dict[str, Any]:
    client = sdk.client_class("compute")(
        _Credential(), "sub", base_url="https://arm.invalid", transport=_Capture()
    )
    with pytest.raises(_Sent):
        client.virtual_machines.begin_create_or_update("rg", "vm", parameters)
    body = _Capture.sent.body if _Capture.sent.body is not None else _Capture.sent.content
    return dict(json.loads(body))


VM_DICT = {"location": "local", "hardware_profile": {"vm_size": "Standard_A1"}}


def test_raw_dict_body_is_sent_unserialized_by_the_typespec_generation() -> None:
    """The regression the suite avoids by building bodies from model objects, kept in view: the
    TypeSpec-generated releases (compute 37 and later; compute 36 is still an AutoRest/msrest
    single-API release) send a dict as it is, snake_case keys and no "properties", which a stamp
    does not understand; msrest-based releases serialized it to the REST shape."""
    client = sdk.client_class("compute")(_Credential(), "sub", base_url="https://arm.invalid")
    msrest = hasattr(sdk.models_of(client.virtual_machines).VirtualMachine, "_attribute_map")
    sent = _body_sent(dict(VM_DICT))
    if msrest:
        assert sent == {"location": "local", "properties": {"hardwareProfile": {"vmSize": "Standard_A1"}}}
    else:
        assert sent == VM_DICT


def test_model_bodies_are_the_same_wire_in_every_generation() -> None:
    client = sdk.client_class("compute")(_Credential(), "sub", base_url="https://arm.invalid")
    models = sdk.request_models(client.virtual_machines)
    parameters = models.VirtualMachine(
        location="local", hardware_profile=models.HardwareProfile(vm_size="Standard_A1")
    )
    assert _body_sent(parameters) == {
        "location": "local",
        "properties": {"hardwareProfile": {"vmSize": "Standard_A1"}},
    }


def test_no_sdk_is_one_line_naming_the_extra(pytester: pytest.Pytester) -> None:
    """No management SDK: unrelated tests still run; a test that needs a client stops the run
    before it starts, with one line naming the extra (here azure-mgmt-* are hidden from imports)."""
    pytester.makeconftest(
        """
        import sys

        class HideManagementSdks:
            def find_spec(self, name, path=None, target=None):
                if name.startswith("azure.mgmt.") and not name.startswith("azure.mgmt.core"):
                    raise ModuleNotFoundError(f"No module named {name!r}")
                return None

        for loaded in [m for m in sys.modules if m.startswith("azure.mgmt.") and "mgmt.core" not in m]:
            del sys.modules[loaded]
        sys.meta_path.insert(0, HideManagementSdks())
        """
    )
    pytester.makepyfile(test_plain="def test_plain(): pass")
    assert pytester.runpytest_subprocess("-p", "no:cacheprovider", "test_plain.py").ret == 0
    pytester.makepyfile(test_vm="def test_vm(compute_client, network_client): pass")
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--azurestack-profile=latest", "test_vm.py"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR, result.stdout.str()
    errors = [line for line in result.stderr.lines if line.startswith("ERROR:")]
    assert len(errors) == 1, result.stderr.str()
    assert "azure-mgmt-compute" in errors[0] and "azure-mgmt-network" in errors[0]
    assert "pip install 'pytest-azurestack[sdk]'" in errors[0]
    assert "Traceback" not in result.stderr.str()
