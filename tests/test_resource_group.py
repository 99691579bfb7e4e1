"""The resource_group fixture and the sweeper, live against a loopback stamp (and playback names)."""

from __future__ import annotations

import json
import os
import re
import time
from typing import Any

import pytest
from werkzeug import Request, Response

from pytest_azurestack.resources import RUN_TAG, TEST_TAG, group_tags

RUN_ID = "testrun0001"
GROUP_URI = re.compile(r"/subscriptions/[^/]+/resourcegroups/[^/]+$", re.IGNORECASE)

TESTS = """
import pytest

def test_ok(resource_group, azurestack_profile):
    assert resource_group.location == "local"
    assert resource_group.tags["azurestack-run"] == "testrun0001"

def test_fails(resource_group):
    pytest.fail("on purpose")
"""


class Groups:
    """An ARM resource-group endpoint that remembers what was asked of it."""

    def __init__(self, delete_status: int = 200) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.delete_status = delete_status

    def __call__(self, request: Request) -> Response:
        name = request.path.rsplit("/", 1)[1]
        body = json.loads(request.get_data() or b"{}")
        self.calls.append((request.method, name, body))
        if request.method == "PUT":
            group = {
                "id": request.path,
                "name": name,
                "location": body["location"],
                "tags": body.get("tags", {}),
                "properties": {"provisioningState": "Succeeded"},
            }
            return Response(json.dumps(group), 201, content_type="application/json")
        if self.delete_status != 200:
            error = {"error": {"code": "Conflict", "message": "the group holds a locked resource"}}
            return Response(json.dumps(error), self.delete_status, content_type="application/json")
        return Response("", 200)

    def methods(self) -> list[str]:
        return [method for method, _, _ in self.calls]


def _restore_stamp(stamp: Any) -> None:
    """fake_stamp's discovery, token, subscription and listing answers, after clear_all_handlers."""
    server, base = stamp.server, stamp.arm_endpoint
    server.expect_request("/metadata/endpoints").respond_with_json(
        {"authentication": {"loginEndpoint": f"{base}/adfs/", "audiences": [stamp.audience]}}
    )
    server.expect_request("/adfs/.well-known/openid-configuration").respond_with_json(
        {
            "token_endpoint": f"{base}/adfs/oauth2/v2.0/token",
            "issuer": f"{base}/adfs",
            "authorization_endpoint": f"{base}/adfs/oauth2/v2.0/authorize",
        }
    )
    server.expect_request("/adfs/oauth2/v2.0/token", method="POST").respond_with_json(
        {"access_token": "tok", "expires_in": 3600, "token_type": "Bearer"}
    )
    server.expect_request(stamp.arm_path(""), method="GET").respond_with_json({"id": stamp.arm_path("")})
    server.expect_request(stamp.arm_path("/resourcegroups"), method="GET").respond_with_handler(
        lambda request: Response(
            json.dumps({"value": stamp.resource_groups}), content_type="application/json"
        )
    )


@pytest.fixture
def groups(fake_stamp: Any, monkeypatch: pytest.MonkeyPatch) -> Groups:
    monkeypatch.setenv("AZURESTACK_RUN_ID", RUN_ID)
    handler = Groups()
    fake_stamp.server.expect_request(GROUP_URI).respond_with_handler(handler)
    return handler


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    pytester.makepyfile(test_groups=TESTS)
    return pytester.runpytest("--azurestack-profile", "2020-09-01-hybrid", "-W", "always", *args)


def test_created_tagged_and_deleted(pytester: pytest.Pytester, groups: Groups) -> None:
    result = _run(pytester, "-k", "test_ok")
    result.assert_outcomes(passed=1)
    assert groups.methods() == ["PUT", "DELETE"]
    _, name, body = groups.calls[0]
    assert body["location"] == "local"
    assert body["tags"] == {RUN_TAG: RUN_ID, TEST_TAG: "test_groups.py::test_ok[2020-09-01-hybrid]"}
    assert groups.calls[1][1] == name


def test_deleted_on_failure_too(pytester: pytest.Pytester, groups: Groups) -> None:
    _run(pytester, "-k", "test_fails").assert_outcomes(failed=1)
    assert groups.methods() == ["PUT", "DELETE"]


def test_each_test_gets_its_own_group(pytester: pytest.Pytester, groups: Groups) -> None:
    _run(pytester).assert_outcomes(passed=1, failed=1)
    created = [name for method, name, _ in groups.calls if method == "PUT"]
    assert len(set(created)) == 2


@pytest.mark.parametrize(
    ("keep", "deleted"), [("always", []), ("on-failure", ["test_ok"]), ("never", ["test_ok", "test_fails"])]
)
def test_keep(pytester: pytest.Pytester, groups: Groups, keep: str, deleted: list[str]) -> None:
    result = _run(pytester, "--azurestack-keep", keep)
    result.assert_outcomes(passed=1, failed=1)
    puts = {
        body["tags"][TEST_TAG].split("::")[1].split("[")[0]: name
        for m, name, body in groups.calls
        if m == "PUT"
    }
    deletes = [name for method, name, _ in groups.calls if method == "DELETE"]
    assert deletes == [puts[test] for test in deleted]
    kept = sorted(set(puts) - set(deleted))
    for test in kept:
        result.stdout.fnmatch_lines([f"kept resource group {puts[test]} (--azurestack-keep {keep})"])


def test_failed_delete_is_reported_and_fails_the_run(pytester: pytest.Pytester, groups: Groups) -> None:
    groups.delete_status = 409
    result = _run(pytester, "-k", "test_ok")
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*AzureStackCleanupWarning: resource group * (from test_groups.py::test_ok*) was not deleted*",
            "*azurestack: cleanup*",
            "FAILED resource group * (from test_groups.py::test_ok[[]*[]]) was not deleted: ARM fault: "
            "DELETE /subscriptions/*: HTTP 409: Conflict: the group holds a locked resource",
            f"the run fails: delete what is left with `azurestack-sweep --run-id {RUN_ID} --yes`*",
        ]
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # what the run left costs the stamp's quota


def test_the_run_id_is_in_the_header_and_junit(pytester: pytest.Pytester, groups: Groups) -> None:
    result = _run(pytester, "-k", "test_ok", "--junitxml", "junit.xml")
    result.stdout.fnmatch_lines(
        [f"azurestack: run id {RUN_ID} (target live; *tagged azurestack-run={RUN_ID}*azurestack-sweep*"]
    )
    junit = (pytester.path / "junit.xml").read_text()
    assert f'<property name="azurestack_run_id" value="{RUN_ID}"' in junit


def test_an_interrupted_sweep_says_what_is_left(
    pytester: pytest.Pytester, fake_stamp: Any, groups: Groups
) -> None:
    """A second SIGTERM while the sweeper deletes: no traceback, the list of what is left, the command."""
    fake_stamp.resource_groups.append(
        {"id": "x", "name": "left-behind", "location": "local", "tags": {RUN_TAG: RUN_ID}}
    )
    slow = groups.__call__

    def slow_delete(request: Request) -> Response:
        if request.method == "DELETE":
            time.sleep(3)
        return slow(request)

    fake_stamp.server.clear_all_handlers()
    fake_stamp.server.expect_request(GROUP_URI).respond_with_handler(slow_delete)
    _restore_stamp(fake_stamp)
    pytester.makeconftest(
        """
        import os, signal, threading
        import pytest

        @pytest.hookimpl(tryfirst=True)
        def pytest_sessionfinish(session):
            threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGTERM)).start()
        """
    )
    pytester.makepyfile("def test_nothing(azurestack_profile): pass")
    result = pytester.runpytest_subprocess(
        "--azurestack-profile", "2020-09-01-hybrid", "--azurestack-no-preflight", "-p", "no:cacheprovider"
    )
    result.stdout.fnmatch_lines(
        [
            "FAILED the sweep was interrupted; left on the stamp: left-behind",
            f"the run fails: delete what is left with `azurestack-sweep --run-id {RUN_ID} --yes`*",
        ]
    )
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    assert result.ret == pytest.ExitCode.INTERRUPTED


KEEPING = """
import pytest

def test_fails(azurestack_profile):
    pytest.fail("on purpose")

def test_deletes_the_lab(azurestack_may_delete, azurestack_profile):
    raise AssertionError("a kept run must not get here")
"""


@pytest.mark.parametrize(("keep", "deletes"), [("on-failure", False), ("always", False), ("never", True)])
def test_keep_means_the_suites_own_delete_tests_keep_too(
    pytester: pytest.Pytester, groups: Groups, keep: str, deletes: bool
) -> None:
    pytester.makepyfile(KEEPING)
    result = pytester.runpytest("--azurestack-profile", "2020-09-01-hybrid", "--azurestack-keep", keep, "-rs")
    if deletes:
        result.assert_outcomes(failed=2)
    else:
        result.assert_outcomes(failed=1, skipped=1)
        result.stdout.fnmatch_lines(
            [f"*kept: --azurestack-keep {keep}*this test would delete what the run keeps"]
        )


def test_sweeper_deletes_what_this_run_left(
    pytester: pytest.Pytester, fake_stamp: Any, groups: Groups
) -> None:
    fake_stamp.resource_groups.extend(
        [
            {"id": "x", "name": "left-behind", "location": "local", "tags": {RUN_TAG: RUN_ID}},
            {"id": "y", "name": "other-run", "location": "local", "tags": {RUN_TAG: "another"}},
            {"id": "z", "name": "not-ours", "location": "local"},
        ]
    )
    pytester.makepyfile("def test_nothing(azurestack_profile): pass")
    result = pytester.runpytest("--azurestack-profile", "2020-09-01-hybrid")
    result.assert_outcomes(passed=1)
    assert [(m, n) for m, n, _ in groups.calls] == [("DELETE", "left-behind")]
    result.stdout.fnmatch_lines(["swept resource group left-behind (left behind by a test of this run)"])


def test_tags_keep_the_end_of_a_long_test_id() -> None:
    tags = group_tags("r", "x" * 300 + "::test_vm[latest]")
    assert len(tags[TEST_TAG]) == 256 and tags[TEST_TAG].endswith("::test_vm[latest]")


def test_group_is_named_by_the_recorders_stable_names(pytester: pytest.Pytester, groups: Groups) -> None:
    pytester.makepyfile(
        test_named="""
        def test_named(resource_group, azurestack_names):
            assert resource_group.name == azurestack_names.resource_group()
        """
    )
    result = pytester.runpytest("--azurestack-profile", "2020-09-01-hybrid")
    result.assert_outcomes(passed=1)
    assert [m for m, _, _ in groups.calls] == ["PUT", "DELETE"]
    assert re.fullmatch(r"azs-.*named.*", groups.calls[0][1])


def test_sigterm_still_cleans_up(pytester: pytest.Pytester, groups: Groups, fake_stamp: Any) -> None:
    """A CI job cancelled with SIGTERM unwinds like Ctrl-C: teardown deletes, then the sweeper runs."""
    pytester.makepyfile(
        """
        import os, signal

        def test_killed(resource_group):
            os.kill(os.getpid(), signal.SIGTERM)
        """
    )
    fake_stamp.resource_groups.append(
        {"id": "x", "name": "orphan", "location": "local", "tags": {RUN_TAG: RUN_ID}}
    )
    result = pytester.runpytest_subprocess(
        "--azurestack-profile", "2020-09-01-hybrid", "-p", "no:cacheprovider"
    )
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*KeyboardInterrupt*signal 15*"])
    assert groups.methods() == ["PUT", "DELETE", "DELETE"]  # the test's group, then the sweeper's find
    assert groups.calls[2][1] == "orphan"


EMULATOR_TESTS = """
import os

CREATED = []

def test_create(resource_group, resource_client, azurestack_settings, azurestack_credential):
    assert os.environ["AZURESTACK_RUN_ID"] == azurestack_settings.run_id
    assert resource_group.tags["azurestack-run"] == azurestack_settings.run_id
    assert resource_client.resource_groups.get(resource_group.name).location == "local"
    assert azurestack_credential.principal == os.environ["AZURE_CLIENT_ID"]
    CREATED.append(resource_group.name)

def test_deleted_after_teardown(resource_client):
    names = {g.name for g in resource_client.resource_groups.list()}
    assert CREATED and not names & set(CREATED)
"""


@pytest.mark.parametrize("workers", [(), ("-n", "2", "--dist", "loadfile")], ids=["one-process", "xdist"])
def test_emulator_target_runs_the_live_path(
    pytester: pytest.Pytester, clean_env: None, workers: tuple[str, ...]
) -> None:
    """The plugin starts the emulator once, exports the standard variables, and the same live code
    path (discovery, service principal, profile-bound clients, resource groups) runs against it."""
    pytester.makepyfile(test_emu=EMULATOR_TESTS)
    result = pytester.runpytest(
        "--azurestack-target",
        "emulator",
        "--azurestack-profile",
        "2020-09-01-hybrid",
        *workers,
    )
    result.assert_outcomes(passed=2)
    assert "ARM_ENDPOINT" not in os.environ and "AZURESTACK_RUN_ID" not in os.environ  # restored


@pytest.mark.parametrize(
    ("keep", "test_body", "swept"),
    [
        ("always", "pass", False),
        ("on-failure", "assert False", False),
        ("on-failure", "pass", True),
        ("never", "assert False", True),
    ],
)
def test_sweeper_honours_keep(
    pytester: pytest.Pytester, fake_stamp: Any, groups: Groups, keep: str, test_body: str, swept: bool
) -> None:
    """--azurestack-keep covers what the tests left behind too, not only the resource_group fixture."""
    fake_stamp.resource_groups.append(
        {"id": "x", "name": "left-behind", "location": "local", "tags": {RUN_TAG: RUN_ID}}
    )
    pytester.makepyfile(f"def test_one(azurestack_profile):\n    {test_body}\n")
    result = pytester.runpytest("--azurestack-profile", "2020-09-01-hybrid", "--azurestack-keep", keep)
    deletes = [n for m, n, _ in groups.calls if m == "DELETE"]
    assert deletes == (["left-behind"] if swept else [])
    if not swept:
        result.stdout.fnmatch_lines(
            [f"kept every resource group tagged {RUN_TAG}={RUN_ID} (--azurestack-keep {keep}*"]
        )


def test_a_second_sigterm_during_teardown_leaves_no_traceback_and_names_what_is_left(
    pytester: pytest.Pytester, fake_stamp: Any, groups: Groups
) -> None:
    """Ctrl-C, then Ctrl-C again while the test's group is being deleted: the sweep still runs,
    and (interrupted in turn) lists what is left with the sweeper command."""
    handler = groups.__call__

    def slow_and_listed(request: Request) -> Response:
        if request.method == "PUT":
            name = request.path.rsplit("/", 1)[1]
            fake_stamp.resource_groups.append(
                {"id": "x", "name": name, "location": "local", "tags": {RUN_TAG: RUN_ID}}
            )
        if request.method == "DELETE":
            time.sleep(2)
        return handler(request)

    fake_stamp.server.clear_all_handlers()
    fake_stamp.server.expect_request(GROUP_URI).respond_with_handler(slow_and_listed)
    _restore_stamp(fake_stamp)
    pytester.makepyfile(
        """
        import os, signal, threading

        def test_killed(resource_group):
            for delay in (0.8, 3.0):  # during the teardown's delete, then during the sweep's
                threading.Timer(delay, os.kill, (os.getpid(), signal.SIGTERM)).start()
            os.kill(os.getpid(), signal.SIGTERM)
        """
    )
    result = pytester.runpytest_subprocess(
        "--azurestack-profile", "2020-09-01-hybrid", "--azurestack-no-preflight", "-p", "no:cacheprovider"
    )
    result.stdout.fnmatch_lines(
        [
            "FAILED the sweep was interrupted; left on the stamp: azs-2020-09-01-hybrid-test-*",
            f"the run fails: delete what is left with `azurestack-sweep --run-id {RUN_ID} --yes`*",
        ]
    )
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    assert result.ret == pytest.ExitCode.INTERRUPTED
