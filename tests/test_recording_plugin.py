"""Recording end to end: real SDK clients record against a loopback HTTPS "stamp", then replay.

The stamp is pytest-httpserver with a trustme CA: cloud metadata, an AAD-style token endpoint
and the resource-group part of Resource Manager, with a long-running delete (Azure-AsyncOperation
and Location, polled several times) and a paged list whose nextLink is absolute. The suite under
test runs in pytester with the plugin's own fixtures (``resource_client``, ``azurestack_names``).
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import socket
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from plugin_helpers import provider_document
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pytest_azurestack.recording.names import StableNames
from pytest_azurestack.recording.sanitize import FAKE_ARM_HOST, RUN_ID_PLACEHOLDER, ZERO_GUID
from pytest_azurestack.recording.scan import find_values, scan_paths

PROFILE = "2020-09-01-hybrid"
TENANT = str(uuid.uuid4())
CLIENT = str(uuid.uuid4())
SUBSCRIPTION = str(uuid.uuid4())
SECRET = "s3cr3t-" + uuid.uuid4().hex
RUN_ID = "run" + uuid.uuid4().hex[:9]
# A JWT-shaped token: the scan must find it if it ever reaches a cassette.
TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0LXByaW5jaXBhbCJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
POLLS = 3  # operation-status GETs before a delete completes: identical requests, in order

INNER_TEST = """
import os

import requests


def test_group_lifecycle(resource_client, azurestack_names, azurestack_run_tags, azurestack_location):
    name = azurestack_names.resource_group()
    if os.environ.get("ARM_ENDPOINT"):
        # Discovery and identity traffic during a recording: never written to the cassette.
        base, ca = os.environ["ARM_ENDPOINT"], os.environ["AZURESTACK_CA_BUNDLE"]
        requests.get(base + "/metadata/endpoints?api-version=2015-01-01", verify=ca, timeout=10)
        form = {"client_id": os.environ["AZURE_CLIENT_ID"],
                "client_secret": os.environ["AZURE_CLIENT_SECRET"]}
        token_url = f"{base}/{os.environ['AZURE_TENANT_ID']}/oauth2/v2.0/token"
        requests.post(token_url, data=form, verify=ca, timeout=10)
    tags = dict(azurestack_run_tags, tier=os.environ.get("INNER_TIER", "gold"))
    body = {"location": azurestack_location, "tags": tags}
    group = resource_client.resource_groups.create_or_update(name, body)
    assert group.name == name and group.tags == tags
    if os.environ.get("INNER_EXTRA"):
        assert not resource_client.resource_groups.check_existence("azs-extra-group")
    top = int(os.environ.get("INNER_TOP", "0")) or None
    assert name in [g.name for g in resource_client.resource_groups.list(top=top)]
    resource_client.resource_groups.begin_delete(name).result()
    assert not resource_client.resource_groups.check_existence(name)
    assert not os.environ.get("INNER_FAIL"), "failing on purpose"
"""


@dataclass
class FakeStamp:
    """Just enough of a stamp (ARM + AAD-style identity) for the resource-group calls."""

    server: HTTPServer
    ca_bundle: Path
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    operations: dict[str, int] = field(default_factory=dict)
    requests: int = 0

    @property
    def base(self) -> str:
        return self.server.url_for("").rstrip("/")

    @property
    def env(self) -> dict[str, str]:
        return {
            "ARM_ENDPOINT": self.base,
            "AZURE_TENANT_ID": TENANT,
            "AZURE_CLIENT_ID": CLIENT,
            "AZURE_CLIENT_SECRET": SECRET,
            "AZURE_SUBSCRIPTION_ID": SUBSCRIPTION,
            "AZURESTACK_CA_BUNDLE": str(self.ca_bundle),
            "AZURESTACK_RUN_ID": RUN_ID,
        }

    def secret_values(self) -> list[tuple[str, str]]:
        host = self.base.split("://", 1)[1]
        return [
            ("client secret", SECRET),
            ("tenant id", TENANT),
            ("client id", CLIENT),
            ("subscription id", SUBSCRIPTION),
            ("ARM host", host),
            ("run id", RUN_ID),
            ("token", TOKEN),
        ]

    def handle(self, request: Request) -> Response:
        self.requests += 1
        path = request.path
        if path == "/metadata/endpoints":
            return _json(
                {
                    "galleryEndpoint": self.base,
                    "graphEndpoint": self.base,
                    "portalEndpoint": self.base,
                    "authentication": {
                        "loginEndpoint": self.base + "/",
                        "audiences": [f"{self.base}/{uuid.uuid4()}"],
                    },
                }
            )
        if path.endswith("/.well-known/openid-configuration"):
            tenant_base = f"{self.base}/{TENANT}"
            return _json(
                {
                    "token_endpoint": tenant_base + "/oauth2/v2.0/token",
                    "authorization_endpoint": tenant_base + "/oauth2/v2.0/authorize",
                    "issuer": tenant_base + "/v2.0",
                }
            )
        if path.endswith("/oauth2/v2.0/token"):
            return _json({"access_token": TOKEN, "expires_in": 3600, "token_type": "Bearer"})
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return _json({"error": {"code": "AuthenticationFailed", "message": "no token"}}, 401)
        return self._arm(request)

    def _arm(self, request: Request) -> Response:
        prefix = f"/subscriptions/{SUBSCRIPTION}"
        path = request.path
        lower = path.lower()
        if lower == prefix.lower():  # the live target's check that the subscription is visible
            return _json({"id": prefix, "subscriptionId": SUBSCRIPTION, "state": "Enabled"})
        document = provider_document(SUBSCRIPTION, path.rsplit("/", 1)[-1])
        if lower.startswith(f"{prefix}/providers/".lower()) and lower.count("/") == 4 and document:
            return _json(document)  # the preflight's read of a provider document
        if lower == f"{prefix}/resourcegroups".lower():
            return self._list(request)
        match = re.fullmatch(rf"{prefix}/resourcegroups/([^/]+)".lower(), lower)
        if match:
            return self._group(request, match.group(1))
        match = re.fullmatch(
            rf"{prefix}/providers/Microsoft.Resources/(operations|operationresults)/(\w+)", path
        )
        if match:
            kind, op = match.groups()
            done = self.operations[op] >= POLLS
            if kind == "operations":
                self.operations[op] += 1
                return _json(
                    {"status": "Succeeded" if done else "InProgress"}, headers={"Retry-After-Ms": "5"}
                )
            return Response(status=204 if done else 202)
        return _json({"error": {"code": "NotFound", "message": path}}, 404)

    def _group(self, request: Request, name: str) -> Response:
        if request.method == "PUT":
            body = json.loads(request.get_data())
            self.groups[name] = {
                "id": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{name}",
                "name": name,
                "type": "Microsoft.Resources/resourceGroups",
                "location": body["location"],
                "tags": body.get("tags", {}),
                # Not real ARM: echoes who created it, so ids in bodies are exercised too.
                "properties": {"provisioningState": "Succeeded", "createdBy": f"{TENANT}/{CLIENT}"},
            }
            return _json(self.groups[name], 201, headers={"x-ms-request-id": str(uuid.uuid4())})
        if name not in self.groups:
            return _json({"error": {"code": "ResourceGroupNotFound", "message": name}}, 404)
        if request.method in ("GET", "HEAD"):
            return _json(self.groups[name]) if request.method == "GET" else Response(status=204)
        if request.method == "DELETE":
            del self.groups[name]
            op = uuid.uuid4().hex
            self.operations[op] = 0
            ops = f"{self.base}/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Resources"
            return Response(
                status=202,
                headers={
                    "Azure-AsyncOperation": f"{ops}/operations/{op}?api-version=2019-10-01",
                    "Location": f"{ops}/operationresults/{op}?api-version=2019-10-01",
                    "Retry-After-Ms": "5",
                },
            )
        return _json({"error": {"code": "MethodNotAllowed", "message": request.method}}, 405)

    def _list(self, request: Request) -> Response:
        groups = list(self.groups.values())
        if request.args.get("$skiptoken"):
            return _json({"value": groups[1:]})
        page: dict[str, Any] = {"value": groups[:1]}
        if len(groups) > 1:
            page["nextLink"] = f"{self.base}{request.path}?api-version=2019-10-01&$skiptoken=1"
        return _json(page)


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status, headers=headers or {}, content_type="application/json")


@pytest.fixture
def stamp(https_server: HTTPServer, tls: Any) -> FakeStamp:
    fake = FakeStamp(https_server, tls.ca_pem)
    https_server.expect_request(re.compile(".*")).respond_with_handler(fake.handle)
    # A second group, so that listing pages through an absolute nextLink.
    fake.groups["azs-other"] = {
        "id": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/azs-other",
        "name": "azs-other",
    }
    return fake


class Suite:
    """The pytester project and the two ways of running it."""

    def __init__(self, pytester: pytest.Pytester, stamp: FakeStamp, monkeypatch: pytest.MonkeyPatch) -> None:
        self.pytester = pytester
        self.stamp = stamp
        self.monkeypatch = monkeypatch
        pytester.makepyfile(test_inner=INNER_TEST)
        self.cassette = pytester.path / "cassettes" / PROFILE / "test_inner" / "test_group_lifecycle.yaml"

    def env(self, **inner: str) -> None:
        for name in (
            "INNER_TIER",
            "INNER_EXTRA",
            "INNER_TOP",
            "INNER_FAIL",
            "INNER_FAIL_SECOND",
            "INNER_EXIT",
        ):
            self.monkeypatch.delenv(name, raising=False)
        for name, value in inner.items():
            self.monkeypatch.setenv(name, value)

    def record(self, mode: str = "once", *args: str, **inner: str) -> pytest.RunResult:
        self.env(**inner)
        for name, value in self.stamp.env.items():
            self.monkeypatch.setenv(name, value)
        return self.pytester.runpytest(
            "--azurestack-target",
            "live",
            "--azurestack-record-mode",
            mode,
            "--azurestack-profile",
            PROFILE,
            *args,
        )

    def playback(self, *args: str, **inner: str) -> pytest.RunResult:
        self.env(**inner)
        for name in self.stamp.env:
            self.monkeypatch.delenv(name, raising=False)
        return self.pytester.runpytest("--azurestack-profile", PROFILE, *args)

    def data(self) -> dict[str, Any]:
        return yaml.safe_load(self.cassette.read_text())

    def uris(self) -> list[str]:
        return [i["request"]["uri"] for i in self.data()["interactions"]]


@pytest.fixture
def suite(
    pytester: pytest.Pytester, stamp: FakeStamp, monkeypatch: pytest.MonkeyPatch, clean_env: None
) -> Suite:
    return Suite(pytester, stamp, monkeypatch)


@pytest.fixture
def recorded(suite: Suite) -> Iterator[Suite]:
    suite.record().assert_outcomes(passed=1)
    yield suite


def test_recording_scrubs_every_secret_and_drops_identity_traffic(recorded: Suite) -> None:
    cassette = recorded.cassette
    assert cassette.is_file()
    assert find_values([cassette], recorded.stamp.secret_values()) == []
    count, findings = scan_paths([cassette.parent])
    assert count == 1 and findings == []
    text = cassette.read_text()
    assert FAKE_ARM_HOST in text and ZERO_GUID in text and RUN_ID_PLACEHOLDER in text
    uris = recorded.uris()
    assert not any("/metadata/" in u or "oauth2" in u for u in uris), uris
    assert all(u.startswith(f"https://{FAKE_ARM_HOST}/subscriptions/{ZERO_GUID}/") for u in uris), uris
    for interaction in recorded.data()["interactions"]:
        assert "Authorization" not in interaction["request"]["headers"]
        headers = {k.lower(): v for k, v in interaction["response"]["headers"].items()}
        assert "x-ms-request-id" not in headers
        for name in ("location", "azure-asyncoperation"):
            if name in headers:
                assert headers[name][0].startswith(f"https://{FAKE_ARM_HOST}/subscriptions/{ZERO_GUID}/")
        body = interaction["response"]["body"]["string"]
        if "content-length" in headers and interaction["request"]["method"] != "HEAD":
            assert int(headers["content-length"][0]) == len(body.encode())


def test_cassette_records_provenance_and_variables(recorded: Suite) -> None:
    """The plugin's own persister wrote it, whatever the vcrpy release: below 9.1 vcrpy ignores
    use_cassette(persister=...), and only its scrubbing check and this metadata would be missing
    (py310's tox env runs this on vcrpy 8.x, the floors env on 7.0)."""
    metadata = recorded.data()["metadata"]
    made = metadata["provenance"]
    assert made["target"] == "live" and made["profile"] == PROFILE and made["record_mode"] == "once"
    assert made["endpoint"] == f"https://{FAKE_ARM_HOST}"
    assert made["packages"]["azure-mgmt-resource"] and made["packages"]["azure-core"]
    assert made["packages"]["vcrpy"] == importlib.metadata.version("vcrpy")
    assert made["pytest_azurestack"] and re.match(r"\d{4}-\d\d-\d\dT", made["date"])
    assert made["test"].endswith(f"test_group_lifecycle[{PROFILE}]")
    # The resource group name is the stable name of the key and the recorded seed.
    seed = metadata["variables"]["names-seed"]
    name = StableNames(f"{PROFILE}/test_inner/test_group_lifecycle", seed).resource_group()
    assert any(f"/resourcegroups/{name}" in u.lower() for u in recorded.uris())


def test_playback_needs_no_network_and_never_sleeps(recorded: Suite, monkeypatch: pytest.MonkeyPatch) -> None:
    # The delete's operation status was polled POLLS times: identical requests, answered in order.
    polls = [u for u in recorded.uris() if "/operations/" in u]
    assert len(polls) == POLLS + 1 and len(set(polls)) == 1
    served = recorded.stamp.requests

    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("playback opened a connection")

    def no_sleep(seconds: float) -> None:
        raise AssertionError(f"playback slept {seconds}s")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(time, "sleep", no_sleep)
    result = recorded.playback()
    monkeypatch.undo()
    result.assert_outcomes(passed=1)
    assert recorded.stamp.requests == served


def test_missing_cassette_is_one_line_with_the_record_command(suite: Suite) -> None:
    result = suite.playback()
    result.assert_outcomes(errors=1)
    line = next(line for line in result.outlines if "CassetteError" in line)
    assert "no cassette for test_inner.py::test_group_lifecycle[2020-09-01-hybrid]" in line
    assert f"looked for cassettes/{PROFILE}/test_inner/test_group_lifecycle.yaml" in line
    # The whole module and profile, exactly as it can be pasted (no cassette dir: the default).
    command = line.split("record it with its module: ", 1)[1]
    assert command == (
        f"pytest test_inner.py --azurestack-target emulator --azurestack-profile {PROFILE} "
        "--azurestack-record-mode rewrite"
    )
    assert "Traceback" not in result.stdout.str()


def test_record_command_names_a_custom_cassette_dir_and_works_pasted(suite: Suite) -> None:
    result = suite.playback("--azurestack-cassette-dir", "recorded/here")
    result.assert_outcomes(errors=1)
    line = next(line for line in result.outlines if "CassetteError" in line)
    assert f"looked for recorded/here/{PROFILE}/test_inner/test_group_lifecycle.yaml" in line
    command = line.split("record it with its module: ", 1)[1]
    assert command.endswith("--azurestack-record-mode rewrite --azurestack-cassette-dir recorded/here")
    # Pasted against the stamp (emulator swapped for the live target), it records what was missing.
    words = command.split()
    assert words[:2] == ["pytest", "test_inner.py"]
    words[words.index("emulator")] = "live"
    suite.record("rewrite", *words[2:]).assert_outcomes(passed=1)
    recorded = suite.pytester.path / "recorded" / "here" / PROFILE / "test_inner"
    assert (recorded / "test_group_lifecycle.yaml").is_file()
    suite.playback("--azurestack-cassette-dir", "recorded/here").assert_outcomes(passed=1)


def test_changed_body_is_answered_and_reported_with_its_diff(recorded: Suite) -> None:
    """A request that differs from its recording only in its body gets the recorded answer, so the
    test goes on; the difference is reported in full and fails it."""
    result = recorded.playback(INNER_TIER="silver")
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "wire changed: PUT /subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/azs-" in out
    assert "body differs from the recording" in out
    assert '-  "tier": "gold"' in out and '+  "tier": "silver"' in out
    assert (
        f"to re-record: pytest test_inner.py --azurestack-target emulator --azurestack-profile {PROFILE} "
        "--azurestack-record-mode rewrite\n" in out
    )
    # The query is compared as a multiset: a new parameter is named, order never matters.
    result = recorded.playback(INNER_TOP="5")
    result.assert_outcomes(failed=1)
    assert "$top='5' sent but not recorded" in result.stdout.str()


def test_miss_shows_closest_request_and_diff(recorded: Suite) -> None:
    """A request with no recording of its method and path left is a miss: the closest one, the diff."""
    result = recorded.playback(INNER_EXTRA="1")
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert f"cassette miss: HEAD /subscriptions/{ZERO_GUID}/resourcegroups/azs-extra-group" in out
    assert "closest recorded request (#" in out
    assert "path differs:" in out
    assert (
        f"to re-record: pytest test_inner.py --azurestack-target emulator --azurestack-profile {PROFILE}"
        in (out)
    )


def test_failed_run_never_writes_or_overwrites(suite: Suite) -> None:
    suite.record(INNER_FAIL="1").assert_outcomes(failed=1)
    assert not suite.cassette.exists()
    suite.record().assert_outcomes(passed=1)
    before = suite.cassette.read_bytes()
    suite.record("rewrite", INNER_FAIL="1", INNER_TIER="bronze").assert_outcomes(failed=1)
    assert suite.cassette.read_bytes() == before
    assert sorted(p.name for p in suite.cassette.parent.iterdir()) == [suite.cassette.name]


def test_rewrite_drops_stale_interactions(suite: Suite) -> None:
    suite.record(INNER_EXTRA="1").assert_outcomes(passed=1)
    assert any("azs-extra-group" in u for u in suite.uris())
    seed = suite.data()["metadata"]["variables"]["names-seed"]
    suite.record("rewrite").assert_outcomes(passed=1)
    assert not any("azs-extra-group" in u for u in suite.uris())
    # A rewrite starts from scratch: a new seed, so new names on a real stamp.
    assert suite.data()["metadata"]["variables"]["names-seed"] != seed
    suite.playback().assert_outcomes(passed=1)
    suite.playback(INNER_EXTRA="1").assert_outcomes(failed=1)


def test_once_keeps_an_existing_cassette(recorded: Suite) -> None:
    before = recorded.cassette.read_bytes()
    recorded.record("once").assert_outcomes(passed=1)
    assert recorded.cassette.read_bytes() == before


def test_xdist_workers_write_their_own_cassettes(suite: Suite) -> None:
    suite.pytester.makepyfile(
        test_second="""
        def test_get_missing(resource_client):
            assert not resource_client.resource_groups.check_existence("azs-missing")
        """
    )
    suite.record("once", "-n", "2").assert_outcomes(passed=2)
    second = suite.pytester.path / "cassettes" / PROFILE / "test_second" / "test_get_missing.yaml"
    assert suite.cassette.is_file() and second.is_file()
    suite.playback("-n", "2").assert_outcomes(passed=2)


def test_records_against_the_embedded_emulator_and_replays(
    pytester: pytest.Pytester, clean_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        test_emu="""
        def test_group(resource_client, azurestack_names, azurestack_run_tags, azurestack_location):
            name = azurestack_names.resource_group()
            body = {"location": azurestack_location, "tags": azurestack_run_tags}
            assert resource_client.resource_groups.create_or_update(name, body).tags == azurestack_run_tags
            resource_client.resource_groups.begin_delete(name).result()
            assert not resource_client.resource_groups.check_existence(name)
        """
    )
    args = ("--azurestack-profile", PROFILE)
    pytester.runpytest(
        "--azurestack-target", "emulator", "--azurestack-record-mode", "once", *args
    ).assert_outcomes(passed=1)
    cassette = pytester.path / "cassettes" / PROFILE / "test_emu" / "test_group.yaml"
    assert scan_paths([cassette]) == (1, [])
    assert "127.0.0.1" not in cassette.read_text()
    monkeypatch.setattr(
        socket.socket, "connect", lambda *a, **k: (_ for _ in ()).throw(OSError("no network"))
    )
    pytester.runpytest(*args).assert_outcomes(passed=1)


GROUP_TESTS = """
import os

import pytest


def _probe(resource_client, name):
    assert not resource_client.resource_groups.check_existence(name)


def test_first(resource_client):
    _probe(resource_client, "azs-first-" + os.environ.get("INNER_TIER", "gold"))


def test_refused(resource_client):
    _probe(resource_client, "azs-refused")
    pytest.skip("not supported: refused on purpose")


def test_second(resource_client):
    _probe(resource_client, "azs-second")
    if os.environ.get("INNER_EXIT"):
        pytest.exit("stopping on purpose")
    assert not os.environ.get("INNER_FAIL_SECOND"), "failing on purpose"
"""


def _group_setup(suite: Suite) -> Path:
    suite.pytester.makepyfile(test_group=GROUP_TESTS)
    return suite.pytester.path / "cassettes" / PROFILE / "test_group"


def _summary(result: pytest.RunResult) -> list[str]:
    return [line for line in result.outlines if line.startswith("azurestack: ") and "cassette" in line]


def test_group_is_published_only_when_none_of_its_tests_failed(suite: Suite) -> None:
    group = _group_setup(suite)
    result = suite.record("rewrite", "test_group.py", INNER_TIER="gold")
    result.assert_outcomes(passed=2, skipped=1)
    # A skipped test does not block its group, and the refusal it recorded is published too.
    names = ["test_first.yaml", "test_refused.yaml", "test_second.yaml"]
    assert sorted(p.name for p in group.iterdir()) == names
    assert _summary(result) == [f"azurestack: wrote 3 cassette(s) of {PROFILE}/test_group"]
    before = {name: (group / name).read_bytes() for name in names}

    # The last test fails: the first one's new recording would not replay with the old others.
    result = suite.record("rewrite", "test_group.py", INNER_TIER="silver", INNER_FAIL_SECOND="1")
    result.assert_outcomes(passed=1, failed=1, skipped=1)
    assert {name: (group / name).read_bytes() for name in names} == before
    nodeid = f"test_group.py::test_second[{PROFILE}]"
    kept = f"cassettes/.unpublished/{PROFILE}/test_group"
    assert _summary(result) == [
        f"azurestack: cassettes of {PROFILE}/test_group left untouched: {nodeid} (call) failed; "
        f"this run's 2 recorded cassette(s) kept in {kept}"
    ]
    # Nothing recorded is lost: the passed and skipped tests' recordings are kept, unpublished.
    unpublished = suite.pytester.path / kept
    assert sorted(p.name for p in unpublished.iterdir()) == ["test_first.yaml", "test_refused.yaml"]
    assert "azs-first-silver" in (unpublished / "test_first.yaml").read_text()
    assert (suite.pytester.path / "cassettes" / ".unpublished" / ".gitignore").read_text() == "*\n"
    assert not list((suite.pytester.path / "cassettes").glob(".staging-*"))
    suite.playback("test_group.py", INNER_TIER="gold").assert_outcomes(passed=2, skipped=1)

    # The next complete recording publishes and drops the stale unpublished copy.
    suite.record("rewrite", "test_group.py", INNER_TIER="silver").assert_outcomes(passed=2, skipped=1)
    assert not unpublished.exists()
    suite.playback("test_group.py", INNER_TIER="silver").assert_outcomes(passed=2, skipped=1)


def test_group_with_a_test_left_unrun_is_not_published(suite: Suite) -> None:
    group = _group_setup(suite)
    result = suite.record("rewrite", "test_group.py", INNER_EXIT="1")
    assert not group.exists()
    assert _summary(result) == [
        f"azurestack: cassettes of {PROFILE}/test_group left untouched: 1 of its 3 selected test(s) "
        f"did not run here (the run stopped early); this run's 2 recorded cassette(s) kept in "
        f"cassettes/.unpublished/{PROFILE}/test_group"
    ]


def test_a_failed_run_publishes_nothing_under_xdist_either(suite: Suite) -> None:
    """The rule (issue 8, item 10): a run that failed publishes no group, its recordings are kept."""
    group = _group_setup(suite)
    result = suite.record("rewrite", "-n", "2", "--dist", "loadfile", INNER_FAIL_SECOND="1")
    result.assert_outcomes(passed=2, failed=1, skipped=1)
    assert not suite.cassette.exists() and not group.exists()
    lines = _summary(result)
    assert (
        f"azurestack: cassettes of {PROFILE}/test_inner left untouched: the run failed (1 test(s)); "
        "--azurestack-publish-partial publishes the groups that passed; this run's 1 recorded "
        f"cassette(s) kept in cassettes/.unpublished/{PROFILE}/test_inner"
    ) in lines
    assert not list((suite.pytester.path / "cassettes").glob(".staging-*"))


def test_groups_are_decided_apart_and_reported_under_xdist(suite: Suite) -> None:
    group = _group_setup(suite)
    # loadfile: these tests have no conformance mark, so nothing else keeps a module on one worker.
    result = suite.record(
        "rewrite", "-n", "2", "--dist", "loadfile", "--azurestack-publish-partial", INNER_FAIL_SECOND="1"
    )
    result.assert_outcomes(passed=2, failed=1, skipped=1)
    assert suite.cassette.is_file() and not group.exists()
    lines = _summary(result)
    assert f"azurestack: wrote 1 cassette(s) of {PROFILE}/test_inner" in lines
    assert any(
        line.startswith(f"azurestack: cassettes of {PROFILE}/test_group left untouched: ") for line in lines
    )
    assert len(lines) == 2


def test_new_episodes_rerecords_everything_and_keeps_variables(recorded: Suite) -> None:
    seed = recorded.data()["metadata"]["variables"]["names-seed"]
    served = recorded.stamp.requests
    interactions = len(recorded.uris())
    recorded.record("new_episodes").assert_outcomes(passed=1)
    # Nothing is replayed into a live run: every recorded request reached the server again.
    assert recorded.stamp.requests - served >= interactions
    assert recorded.data()["metadata"]["variables"]["names-seed"] == seed
    assert recorded.data()["metadata"]["provenance"]["record_mode"] == "new_episodes"
    # As with all: the new interactions replace the ones they match, the others are kept (the
    # previous delete's status polls, whose operation id differs); playback uses the new ones.
    assert len(recorded.uris()) > interactions
    recorded.playback().assert_outcomes(passed=1)
