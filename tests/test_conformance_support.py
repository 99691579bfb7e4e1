"""Refusals by the cloud (unsupported api-version or type) become "not supported by this cloud".

The errors are real ``HttpResponseError``s raised the way the generated management clients raise
them, from real responses of a loopback server.
"""

from __future__ import annotations

import json
import re

import pytest
from azure.core import PipelineClient
from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest
from azure.mgmt.core.exceptions import ARMErrorFormat
from plugin_helpers import ISOLATED
from pytest_httpserver import HTTPServer

from pytest_azurestack.conformance.support import unsupported_reason

NIC_REFUSAL = (
    "No registered resource provider found for location 'local' and API version '2023-11-01' for type "
    "'networkInterfaces'. The supported api-versions are '2017-10-01, 2018-11-01'."
)


def arm_error(
    httpserver: HTTPServer, status: int, code: str, message: str, *, error_format: bool = True
) -> HttpResponseError:
    httpserver.expect_oneshot_request("/r").respond_with_data(
        json.dumps({"error": {"code": code, "message": message}}),
        status=status,
        content_type="application/json",
    )
    client: PipelineClient = PipelineClient(base_url=httpserver.url_for("/"))
    response = client.send_request(HttpRequest("PUT", httpserver.url_for("/r")))
    if error_format:
        return HttpResponseError(response=response, error_format=ARMErrorFormat)
    return HttpResponseError(response=response)


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "NoRegisteredProviderFound"),
        (400, "InvalidApiVersionParameter"),
        (404, "InvalidResourceType"),
        (400, "InvalidResourceNamespace"),
        (400, "UnsupportedApiVersion"),
        (400, "InvalidApiVersion"),
    ],
)
def test_refusals_are_not_supported(httpserver: HTTPServer, status: int, code: str) -> None:
    exc = arm_error(httpserver, status, code, NIC_REFUSAL)
    assert unsupported_reason(exc) == f"not supported by this cloud: {code}: {NIC_REFUSAL}"


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "InvalidParameter"),  # a bad request body is our bug, not the cloud's limit
        (400, "SkuNotSupported"),  # a typo'd sku: the suite's mistake, not an api-version refusal
        (400, "OperationNotSupported"),  # no blanket *NotSupported
        (404, "ApiVersionNotSupported"),
        (404, "ResourceNotFound"),
        (409, "OperationNotAllowed"),
        (500, "NoRegisteredProviderFound"),  # a server error is a failure whatever it says
        (503, "ServiceUnavailable"),
    ],
)
def test_other_errors_stay_failures(httpserver: HTTPServer, status: int, code: str) -> None:
    assert unsupported_reason(arm_error(httpserver, status, code, "nope")) is None


def test_error_body_is_read_without_an_error_format(httpserver: HTTPServer) -> None:
    exc = arm_error(
        httpserver,
        400,
        "InvalidApiVersionParameter",
        "The api-version '2025-04-01' is invalid.",
        error_format=False,
    )
    assert unsupported_reason(exc) == (
        "not supported by this cloud: InvalidApiVersionParameter: The api-version '2025-04-01' is invalid."
    )


def test_a_wrapped_refusal_is_found(httpserver: HTTPServer) -> None:
    refusal = arm_error(httpserver, 400, "NoRegisteredProviderFound", NIC_REFUSAL)
    try:
        try:
            raise refusal
        except HttpResponseError as exc:
            raise RuntimeError("creating the network interface failed") from exc
    except RuntimeError as wrapped:
        assert (
            unsupported_reason(wrapped)
            == f"not supported by this cloud: NoRegisteredProviderFound: {NIC_REFUSAL}"
        )


def test_a_refusal_merely_being_handled_is_not_the_cause(httpserver: HTTPServer) -> None:
    """An error raised inside ``except`` (implicit ``__context__``) is the test's own failure."""
    refusal = arm_error(httpserver, 400, "NoRegisteredProviderFound", NIC_REFUSAL)
    try:
        try:
            raise refusal
        except HttpResponseError:
            raise AssertionError("the fallback path broke")  # noqa: B904 - the point of the test
    except AssertionError as failure:
        assert failure.__context__ is refusal
        assert unsupported_reason(failure) is None


def test_unrelated_exceptions_are_not_classified() -> None:
    assert unsupported_reason(ValueError("x")) is None
    assert unsupported_reason(HttpResponseError(message="no response at all")) is None


SUITE = """
import json
import pytest
from azure.core import PipelineClient
from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest
from azure.mgmt.core.exceptions import ARMErrorFormat
from pytest_azurestack.errors import CassetteError

URL = {url!r}
RG = ("AZS-RG-CREATE",)

def call(path):
    response = PipelineClient(base_url=URL).send_request(HttpRequest("PUT", URL + path))
    if response.status_code >= 400:
        raise HttpResponseError(response=response, error_format=ARMErrorFormat)

def refused(profile):
    return profile == "latest"

@pytest.fixture
def resource_group():
    call("/refuse")

@pytest.fixture
def cassette(azurestack_profile):
    if refused(azurestack_profile):  # what playback does when nothing was recorded
        raise CassetteError("no cassette for this test", "record it")

@pytest.fixture
def cleanup(azurestack_profile):
    yield
    if refused(azurestack_profile):
        raise RuntimeError("deleting what was never created failed")

@pytest.mark.conformance("AZS-RG-CREATE", "The group is created.")
def test_rg(azurestack_profile):
    call("/refuse" if refused(azurestack_profile) else "/ok")

@pytest.mark.conformance("AZS-NIC-CREATE", "The NIC is created.", requires=RG)
def test_nic(azurestack_profile):
    call("/ok")  # runs under the refused profile, and passes

@pytest.mark.conformance("AZS-VM-CREATE", "The VM is created.", requires=RG)
def test_vm(azurestack_profile):
    assert not refused(azurestack_profile), "the VM has no resource group"

@pytest.mark.conformance("AZS-VM-GET", "The VM reads back.", requires=("AZS-VM-CREATE",))
def test_get(azurestack_profile):
    pytest.fail("no VM to read", pytrace=False) if refused(azurestack_profile) else None

@pytest.mark.conformance("AZS-DISK-CREATE", "The disk is created.", requires=RG)
def test_disk(azurestack_profile, cassette):
    pass

@pytest.mark.conformance("AZS-TYPE", "Its own refusal.", requires=RG)
def test_type(azurestack_profile):
    call("/type" if refused(azurestack_profile) else "/ok")

@pytest.mark.conformance("AZS-CLEANUP", "Cleaning up after a refusal.", requires=RG)
def test_cleanup(azurestack_profile, cleanup):
    pass

@pytest.mark.conformance("AZS-FIXTURE", "A refusing fixture.")
def test_fixture(azurestack_profile, resource_group):
    pass

@pytest.mark.conformance("AZS-BUG", "A real bad request.")
def test_bug(azurestack_profile):
    call("/bad")

@pytest.mark.conformance("AZS-SKU", "A typo'd sku.")
def test_sku(azurestack_profile):
    call("/sku")
"""

TYPE_REFUSAL = "The resource type 'virtualMachines' could not be found in the namespace 'Microsoft.Compute'."


def refusal_server(httpserver: HTTPServer) -> None:
    def error(code: str, message: str, status: int = 400) -> tuple[str, int]:
        return json.dumps({"error": {"code": code, "message": message}}), status

    for path, (body, status) in {
        "/refuse": error("NoRegisteredProviderFound", NIC_REFUSAL),
        "/type": error("InvalidResourceType", TYPE_REFUSAL, 404),
        "/bad": error("InvalidParameter", "bad body"),
        "/sku": error("SkuNotSupported", "The requested size Standard_A11 is not available."),
    }.items():
        httpserver.expect_request(path).respond_with_data(
            body, status=status, content_type="application/json"
        )
    httpserver.expect_request("/ok").respond_with_json({"name": "x"}, status=200)


def cells(result: pytest.RunResult, cid: str) -> tuple[str, str]:
    """The (2020-09-01-hybrid, latest) cells of a matrix row."""
    row = next(ln for ln in result.outlines if ln.startswith(cid + " "))
    found = re.findall(r"(passed\*? \S+|failed \S+|not supported|not run|excluded|-)(?:\s|$)", row)
    assert len(found) == 2, row
    return found[0].split()[0] if found[0][0] != "n" else found[0], found[1].split()[0] if found[1][
        0
    ] != "n" else found[1]


def test_refusal_is_not_supported_in_the_run_and_the_matrix(
    pytester: pytest.Pytester, httpserver: HTTPServer
) -> None:
    refusal_server(httpserver)
    pytester.makeconftest(
        """
        def pytest_generate_tests(metafunc):
            if "azurestack_profile" in metafunc.fixturenames:
                metafunc.parametrize("azurestack_profile", ["2020-09-01-hybrid", "latest"])
        """
    )
    pytester.makepyfile(test_suite=SUITE.format(url=httpserver.url_for("")))
    result = pytester.runpytest(*ISOLATED, "-rs", "--junitxml=junit.xml", "-p", "no:xdist")
    # pytest's own summary: skips whose reason carries the server's message.
    result.stdout.fnmatch_lines(
        [
            "SKIPPED [[]1] test_suite.py:*: not supported by this cloud: NoRegisteredProviderFound: "
            "No registered resource provider found for location 'local'*",
        ]
    )
    result.stdout.fnmatch_lines(
        ["SKIPPED *: not supported by this cloud: NoRegisteredProviderFound: *(prerequisite AZS-RG-CREATE)"]
    )
    assert cells(result, "AZS-RG-CREATE") == ("passed", "not supported")
    # A test whose prerequisite was refused still runs: a pass is a pass ...
    assert cells(result, "AZS-NIC-CREATE") == ("passed", "passed")
    # ... any other failure of the test itself (an assertion, pytest.fail, a broken cleanup, also
    # down a chain of such tests) inherits the refusal: never "failed", never "not run" ...
    for cid in ("AZS-VM-CREATE", "AZS-VM-GET", "AZS-CLEANUP"):
        assert cells(result, cid) == ("passed", "not supported"), cid
    result.stdout.fnmatch_lines(
        ["3 tests [[]latest] not supported, as AZS-RG-CREATE was refused: AZS-VM-CREATE,", "*AZS-CLEANUP"]
    )
    # ... but the plugin's own findings (a missing cassette, a guard violation) are never hidden as
    # an inherited refusal: they say the client or the recordings changed, whatever the cloud refused.
    assert cells(result, "AZS-DISK-CREATE") == ("passed", "failed")
    result.stdout.fnmatch_lines(["*CassetteError: no cassette for this test; record it*"])
    # ... and its own refusal is its verdict, with its own server message.
    assert cells(result, "AZS-TYPE") == ("passed", "not supported")
    result.stdout.fnmatch_lines(["AZS-TYPE [[]latest] not supported by this cloud: InvalidResourceType: *"])
    assert cells(result, "AZS-FIXTURE") == ("not supported", "not supported")  # a refusing fixture
    # The suite's own mistakes are failures, even when the code ends in NotSupported.
    assert cells(result, "AZS-BUG") == ("failed", "failed")
    assert cells(result, "AZS-SKU") == ("failed", "failed")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    # The category survives into JUnit as a property, next to the conformance id.
    junit = pytester.path.joinpath("junit.xml").read_text()
    assert '<property name="azurestack_outcome" value="not supported" />' in junit
    assert '<property name="conformance_id" value="AZS-FIXTURE" />' in junit


def test_the_inherited_verdict_names_the_root_refusal(
    pytester: pytest.Pytester, httpserver: HTTPServer
) -> None:
    refusal_server(httpserver)
    pytester.makeconftest(
        """
        def pytest_generate_tests(metafunc):
            if "azurestack_profile" in metafunc.fixturenames:
                metafunc.parametrize("azurestack_profile", ["latest"])
        """
    )
    pytester.makepyfile(test_suite=SUITE.format(url=httpserver.url_for("")))
    result = pytester.runpytest(*ISOLATED, "-rs", "-p", "no:xdist", "-k", "rg or vm or get")
    result.assert_outcomes(skipped=3, deselected=7)
    lines = [ln for ln in result.outlines if ln.startswith("SKIPPED")]
    assert len(lines) == 3
    # AZS-VM-GET inherits through AZS-VM-CREATE: the root refusal, not a chain of prerequisites.
    assert sum(ln.endswith(": " + NIC_REFUSAL + " (prerequisite AZS-RG-CREATE)") for ln in lines) == 2, lines


def test_the_plugins_findings_are_never_taken_for_an_inherited_refusal() -> None:
    """A guard violation or a cassette miss under a refused prerequisite stays a failure: it says
    the client or the recordings changed, whatever the cloud refused (conformance._classified)."""
    from vcr.errors import CannotOverwriteExistingCassetteException

    from pytest_azurestack.conformance.support import is_plugin_failure
    from pytest_azurestack.errors import ApiVersionError, CassetteError

    guard = ApiVersionError("api-version guard: GET /x sent api-version=2026-04-01", "pin it")
    assert is_plugin_failure(guard)
    assert is_plugin_failure(CassetteError("no cassette", "record it"))
    miss = CannotOverwriteExistingCassetteException.__new__(CannotOverwriteExistingCassetteException)
    try:
        raise RuntimeError("the SDK wrapped it") from miss
    except RuntimeError as wrapped:
        assert is_plugin_failure(wrapped)
    assert not is_plugin_failure(AssertionError("the VM has no resource group"))
