"""Refusals by the cloud (unsupported api-version or type) become "not supported by this cloud".

The errors are real ``HttpResponseError``s raised the way the generated management clients raise
them, from real responses of a loopback server.
"""

from __future__ import annotations

import json

import pytest
from azure.core import PipelineClient
from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest
from azure.mgmt.core.exceptions import ARMErrorFormat
from pytest_httpserver import HTTPServer

from pytest_azurestack.conformance.support import unsupported_reason

ISOLATED = ("-p", "no:azurestack", "-p", "pytest_azurestack.report.plugin", "-p", "no:cacheprovider")
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
        (400, "ApiVersionNotSupported"),
        (400, "OperationNotSupported"),
    ],
)
def test_refusals_are_not_supported(httpserver: HTTPServer, status: int, code: str) -> None:
    exc = arm_error(httpserver, status, code, NIC_REFUSAL)
    assert unsupported_reason(exc) == f"not supported by this cloud: {code}: {NIC_REFUSAL}"


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "InvalidParameter"),  # a bad request body is our bug, not the cloud's limit
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

URL = {url!r}

def call(path):
    response = PipelineClient(base_url=URL).send_request(HttpRequest("PUT", URL + path))
    if response.status_code >= 400:
        raise HttpResponseError(response=response, error_format=ARMErrorFormat)

@pytest.fixture
def resource_group():
    call("/refuse")

@pytest.mark.conformance("AZS-RG-CREATE", "The group is created.")
def test_rg(azurestack_profile):
    call("/ok" if azurestack_profile != "latest" else "/refuse")

@pytest.mark.conformance("AZS-NIC-CREATE", "The NIC is created.", requires=("AZS-RG-CREATE",))
def test_nic(azurestack_profile):
    call("/ok")

@pytest.mark.conformance("AZS-FIXTURE", "A refusing fixture.")
def test_fixture(azurestack_profile, resource_group):
    pass

@pytest.mark.conformance("AZS-BUG", "A real bad request.")
def test_bug(azurestack_profile):
    call("/bad")
"""


def test_refusal_is_not_supported_in_the_run_and_the_matrix(
    pytester: pytest.Pytester, httpserver: HTTPServer
) -> None:
    body = json.dumps({"error": {"code": "NoRegisteredProviderFound", "message": NIC_REFUSAL}})
    httpserver.expect_request("/refuse").respond_with_data(body, status=400, content_type="application/json")
    httpserver.expect_request("/ok").respond_with_json({"name": "x"}, status=200)
    bad = json.dumps({"error": {"code": "InvalidParameter", "message": "bad body"}})
    httpserver.expect_request("/bad").respond_with_data(bad, status=400, content_type="application/json")
    pytester.makeconftest(
        """
        def pytest_generate_tests(metafunc):
            if "azurestack_profile" in metafunc.fixturenames:
                metafunc.parametrize("azurestack_profile", ["2020-09-01-hybrid", "latest"])
        """
    )
    pytester.makepyfile(test_suite=SUITE.format(url=httpserver.url_for("")))
    result = pytester.runpytest(*ISOLATED, "-rs", "--junitxml=junit.xml")
    result.assert_outcomes(passed=2, failed=2, skipped=4)
    # pytest's own summary: skips whose reason carries the server's message.
    result.stdout.fnmatch_lines(
        [
            "SKIPPED [[]1] test_suite.py:*: not supported by this cloud: NoRegisteredProviderFound: "
            "No registered resource provider found for location 'local'*",
        ]
    )
    # A dependant of a refused operation is itself not supported, naming the refusal it inherits.
    result.stdout.fnmatch_lines(
        ["SKIPPED *not supported by this cloud: NoRegisteredProviderFound: *(prerequisite AZS-RG-CREATE)"]
    )
    # The matrix keeps the categories apart: not supported, failed.
    row = next(ln for ln in result.outlines if ln.startswith("AZS-RG-CREATE"))
    assert row.split()[-2:] == ["not", "supported"] and "passed" in row
    row = next(ln for ln in result.outlines if ln.startswith("AZS-NIC-CREATE"))
    assert "passed" in row and row.rstrip().endswith("not supported")
    assert "not run" not in row
    row = next(ln for ln in result.outlines if ln.startswith("AZS-FIXTURE"))
    assert row.count("not supported") == 2  # a refusal while setting up a fixture counts too
    row = next(ln for ln in result.outlines if ln.startswith("AZS-BUG"))
    assert row.count("failed") == 2
    # The category survives into JUnit as a property, next to the conformance id.
    junit = pytester.path.joinpath("junit.xml").read_text()
    assert '<property name="azurestack_outcome" value="not supported" />' in junit
    assert '<property name="conformance_id" value="AZS-FIXTURE" />' in junit
