"""The api-version guard, pin mode and no-sleep playback, on real SDK clients over loopback HTTPS."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import vcr
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.profiles import KnownProfiles
from pytest_httpserver import HTTPServer
from vcr.errors import CannotOverwriteExistingCassetteException

from pytest_azurestack import sdk
from pytest_azurestack.clients import ClientContext
from pytest_azurestack.cloud import Cloud
from pytest_azurestack.credentials import PlaybackCredential
from pytest_azurestack.errors import ApiVersionError, CassetteError
from pytest_azurestack.profiles import LATEST, V2017_03_09_PROFILE, V2020_09_01_HYBRID, Profile
from pytest_azurestack.recording.replay import Replayer
from pytest_azurestack.transport import (
    AzureStackTransport,
    api_version_of,
    profile_versions,
    with_api_version,
)

SUB = "00000000-0000-0000-0000-000000000000"
VM_PATH = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm"
VM_BODY = {"name": "vm", "location": "local", "properties": {"provisioningState": "Succeeded"}}


def _context(
    server: HTTPServer, tls: Any, profile: Profile, polling_interval: float = 0.01, **transport: Any
) -> ClientContext:
    cloud = Cloud(server.url_for("").rstrip("/"), server.url_for("/"), ("https://aud",), is_adfs=True)
    return ClientContext(
        cloud,
        PlaybackCredential(),
        SUB,
        profile,  # type: ignore[arg-type]
        AzureStackTransport(profile=profile, ca_bundle=tls.ca_pem, **transport),
        polling_interval=polling_interval,
    )


def test_url_helpers() -> None:
    url = "https://h/s?$expand=instanceView&api-version=2024-11-01&x=1"
    assert api_version_of(url) == "2024-11-01"
    assert (
        with_api_version(url, "2020-06-01") == "https://h/s?$expand=instanceView&api-version=2020-06-01&x=1"
    )
    assert api_version_of("https://h/s?x-api-version=1") is None


def test_follow_up_urls_accept_any_version_of_the_profile_for_the_provider() -> None:
    # An operation started on a disk (2019-07-01) is polled at the compute operations URL with that version.
    op = f"/subscriptions/{SUB}/providers/Microsoft.Compute/locations/local/operations/abc"
    _, _, required, accepted = profile_versions(V2020_09_01_HYBRID, op)  # type: ignore[misc]
    assert required == "2020-06-01" and {"2020-06-01", "2019-07-01"} <= accepted
    subnet = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s"
    assert profile_versions(V2020_09_01_HYBRID, subnet)[3] == {"2018-11-01"}  # type: ignore[index]
    assert profile_versions(V2020_09_01_HYBRID, "/metadata/endpoints") is None
    assert (
        profile_versions(V2020_09_01_HYBRID, f"/subscriptions/{SUB}/providers/Microsoft.KeyVault/vaults")
        is None
    )


def test_in_profile_requests_pass(https_server: HTTPServer, tls: Any) -> None:
    https_server.expect_request(VM_PATH).respond_with_json(VM_BODY)
    client = _context(https_server, tls, V2020_09_01_HYBRID).client(ComputeManagementClient)
    assert client.virtual_machines.get("rg", "vm").name == "vm"


def test_guard_fires_on_a_client_built_for_another_profile(https_server: HTTPServer, tls: Any) -> None:
    context = _context(https_server, tls, V2020_09_01_HYBRID)
    client = context.client(ComputeManagementClient, profile=KnownProfiles.latest)
    with pytest.raises(ApiVersionError) as info:
        client.virtual_machines.get("rg", "vm")
    assert str(info.value).startswith(
        f"api-version guard: GET {VM_PATH} sent api-version={LATEST.api_version('microsoft.compute')}, "
        "profile 2020-09-01-hybrid requires 2020-06-01 for microsoft.compute/virtualMachines;"
    )
    assert https_server.log == []  # refused before it left: nothing out of profile reaches the stamp
    assert context.transport.violations == [info.value]


def test_guard_fires_on_a_per_call_api_version(https_server: HTTPServer, tls: Any) -> None:
    client = _context(https_server, tls, V2020_09_01_HYBRID).client(ComputeManagementClient)
    with pytest.raises(
        ApiVersionError, match="sent api-version=2021-03-01, profile 2020-09-01-hybrid requires"
    ):
        client.virtual_machines.get("rg", "vm", api_version="2021-03-01")


def test_guard_names_a_type_the_profile_lacks(https_server: HTTPServer, tls: Any) -> None:
    context = _context(https_server, tls, V2017_03_09_PROFILE)
    client = context.client(ComputeManagementClient, profile=KnownProfiles.v2020_09_01_hybrid)
    with pytest.raises(
        ApiVersionError, match=r"profile 2017-03-09-profile has no API for microsoft\.compute/disks"
    ):
        client.disks.get("rg", "d")


def test_guard_is_not_retried_by_azure_core(https_server: HTTPServer, tls: Any) -> None:
    context = _context(https_server, tls, V2020_09_01_HYBRID)
    client = context.client(ComputeManagementClient, profile=KnownProfiles.latest)
    with pytest.raises(ApiVersionError):
        client.virtual_machines.get("rg", "vm")
    assert len(context.transport.violations) == 1


def test_guard_off(https_server: HTTPServer, tls: Any) -> None:
    https_server.expect_request(VM_PATH).respond_with_json(VM_BODY)
    context = _context(https_server, tls, V2020_09_01_HYBRID, guard=False)
    client = context.client(ComputeManagementClient, profile=KnownProfiles.latest)
    assert client.virtual_machines.get("rg", "vm").name == "vm"


def test_pin_mode_rewrites_and_records(https_server: HTTPServer, tls: Any) -> None:
    https_server.expect_request(VM_PATH).respond_with_json(VM_BODY)
    context = _context(https_server, tls, V2020_09_01_HYBRID, pin=True)
    client = context.client(ComputeManagementClient, profile=KnownProfiles.latest)
    assert client.virtual_machines.get("rg", "vm").name == "vm"
    (pinned,) = context.transport.pinned
    assert (pinned.method, pinned.path, pinned.pinned) == ("GET", VM_PATH, "2020-06-01")
    assert pinned.sent == LATEST.api_version("microsoft.compute")
    ((request, _),) = https_server.log
    assert request.args["api-version"] == "2020-06-01"


def _lro_server(server: HTTPServer) -> None:
    """A DELETE answered 202 with a monitor URL, which says 'not yet' once with Retry-After: 30."""
    rg = f"/subscriptions/{SUB}/resourcegroups/rg"
    monitor = server.url_for("/monitor")
    server.expect_ordered_request(rg, method="DELETE").respond_with_data(
        "", status=202, headers={"Location": monitor, "Retry-After": "30"}
    )
    server.expect_ordered_request("/monitor").respond_with_data("", status=202, headers={"Retry-After": "30"})
    server.expect_ordered_request("/monitor").respond_with_data("", status=200)


def _no_sleep(seconds: float) -> None:
    raise AssertionError(f"slept {seconds}s")


def test_playback_never_sleeps(
    https_server: HTTPServer, tls: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Record the operation (Retry-After: 30 twice) with vcrpy, then replay it with sleep forbidden."""
    _lro_server(https_server)
    cassette_path = str(tmp_path / "lro.yaml")
    recorder = vcr.VCR(record_mode="once")
    live = _context(https_server, tls, V2020_09_01_HYBRID, polling_interval=0)
    with recorder.use_cassette(cassette_path):
        monkeypatch.setattr(time, "sleep", lambda seconds: None)  # recording may wait; skip it anyway
        live.client(ResourceManagementClient).resource_groups.begin_delete("rg").result()
    https_server.clear()  # nothing serves now: replay must come from the cassette alone
    monkeypatch.setattr(time, "sleep", _no_sleep)
    with vcr.VCR(record_mode="none").use_cassette(cassette_path) as cassette:
        replay = _context(https_server, tls, V2020_09_01_HYBRID, replay=Replayer(cassette))
        replay.client(ResourceManagementClient).resource_groups.begin_delete("rg").result()
        assert cassette.all_played
    assert https_server.log == []


def test_playback_miss_is_vcrpys_miss(https_server: HTTPServer, tls: Any, tmp_path: Path) -> None:
    https_server.expect_request(VM_PATH).respond_with_json(VM_BODY)
    cassette_path = str(tmp_path / "vm.yaml")
    with vcr.VCR(record_mode="once").use_cassette(cassette_path):
        _context(https_server, tls, V2020_09_01_HYBRID).client(ComputeManagementClient).virtual_machines.get(
            "rg", "vm"
        )
    with vcr.VCR(record_mode="none").use_cassette(cassette_path) as cassette:
        client = _context(https_server, tls, V2020_09_01_HYBRID, replay=Replayer(cassette)).client(
            ComputeManagementClient
        )
        assert client.virtual_machines.get("rg", "vm").name == "vm"  # replayed in memory
        with pytest.raises(CannotOverwriteExistingCassetteException):
            client.virtual_machines.get("rg", "other")
    assert len(https_server.log) == 1  # only the recording reached the server


def test_playback_without_a_cassette_refuses_to_send(https_server: HTTPServer, tls: Any) -> None:
    client = _context(https_server, tls, V2020_09_01_HYBRID, replay=Replayer(None)).client(
        ComputeManagementClient
    )
    with pytest.raises(CassetteError, match="no cassette active"):
        client.virtual_machines.get("rg", "vm")
    assert https_server.log == []


def test_live_sleeps_as_the_server_asks(
    https_server: HTTPServer, tls: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The counterpart of the test above: the same operation live does wait, so the patch is effective.
    _lro_server(https_server)
    monkeypatch.setattr(time, "sleep", _no_sleep)
    client = _context(https_server, tls, V2020_09_01_HYBRID).client(ResourceManagementClient)
    with pytest.raises(AssertionError, match="slept 30"):
        client.resource_groups.begin_delete("rg").result()


@pytest.mark.single_api
@pytest.mark.skipif(
    sdk.is_multi_api(ComputeManagementClient),
    reason="needs the single-API generation of azure-mgmt-compute (tox -e sdk-first-single, sdk-newest)",
)
def test_guard_catches_the_single_api_generation(https_server: HTTPServer, tls: Any) -> None:
    """The single-API generation silently ignores a client-level api_version; the guard catches it."""
    context = _context(https_server, tls, V2020_09_01_HYBRID)
    client = context.client(ComputeManagementClient, api_version="2020-06-01")
    with pytest.raises(ApiVersionError, match="profile 2020-09-01-hybrid requires 2020-06-01"):
        client.virtual_machines.get("rg", "vm")
    # Pin mode makes the same client usable against the stamp.
    https_server.expect_request(VM_PATH).respond_with_json(VM_BODY)
    pinned = _context(https_server, tls, V2020_09_01_HYBRID, pin=True)
    assert pinned.client(ComputeManagementClient).virtual_machines.get("rg", "vm").name == "vm"
    assert pinned.transport.pinned


GUARD_TEST = """
from azure.mgmt.compute import ComputeManagementClient
from azure.profiles import KnownProfiles

def test_vm(_azurestack_clients):
    client = _azurestack_clients.client(ComputeManagementClient, profile=KnownProfiles.latest)
    client.virtual_machines.get("rg", "vm")

def test_swallowed(_azurestack_clients):
    client = _azurestack_clients.client(ComputeManagementClient, profile=KnownProfiles.latest)
    try:
        client.virtual_machines.get("rg", "vm")
    except Exception:
        pass
"""


def test_guard_report_is_one_line(pytester: pytest.Pytester, fake_stamp: Any) -> None:
    pytester.makepyfile(GUARD_TEST)
    result = pytester.runpytest("--azurestack-profile", "2020-09-01-hybrid")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "*_ test_vm[[]2020-09-01-hybrid[]] _*",
            "ApiVersionError: api-version guard: GET /subscriptions/*/virtualMachines/vm sent api-version=*, "
            "profile 2020-09-01-hybrid requires 2020-06-01 for microsoft.compute/virtualMachines; *",
            "*_ test_swallowed[[]2020-09-01-hybrid[]] _*",
            "ApiVersionError: api-version guard: *",
        ]
    )
    assert "Traceback" not in result.stdout.str() and "azure/core" not in result.stdout.str()


PIN_TEST = """
from azure.mgmt.compute import ComputeManagementClient
from azure.profiles import KnownProfiles

def test_vm_{n}(_azurestack_clients):
    client = _azurestack_clients.client(ComputeManagementClient, profile=KnownProfiles.latest)
    assert client.virtual_machines.get("rg", "vm").name == "vm"
"""


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["one-process", "xdist"])
def test_pinned_requests_are_listed_in_the_summary(
    pytester: pytest.Pytester, fake_stamp: Any, workers: tuple[str, ...]
) -> None:
    fake_stamp.server.expect_request(fake_stamp.arm_path(VM_PATH.split(SUB, 1)[1])).respond_with_json(VM_BODY)
    pytester.makepyfile(PIN_TEST.format(n=1) + PIN_TEST.format(n=2).split("\n", 3)[3])
    result = pytester.runpytest(
        "--azurestack-profile", "2020-09-01-hybrid", "--azurestack-pin-api-versions", *workers
    )
    result.assert_outcomes(passed=2)
    path = fake_stamp.arm_path("/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm")
    result.stdout.fnmatch_lines(
        [
            "*azurestack: pinned api-versions*",
            "2 request(s) rewritten to the profile's api-version:",
            f"  GET {path}: api-version {LATEST.api_version('microsoft.compute')} -> 2020-06-01 (x2)",
        ]
    )
