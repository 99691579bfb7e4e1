"""Staged cassettes: nothing reaches a group's directory until the whole group may be published."""

from __future__ import annotations

from pathlib import Path

import pytest
from vcr.request import Request
from vcr.serializers import yamlserializer

from pytest_azurestack.errors import CassetteError
from pytest_azurestack.recording.persister import CassetteFile, provenance
from pytest_azurestack.recording.publish import CassettePublisher

GROUP = ("2020-09-01-hybrid", "test_vm")
RESPONSE = {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": b"{}"}}


def _store(root: Path, test: str, uri: str = "https://x/subscriptions/0", **kwargs: object) -> CassetteFile:
    made = provenance(
        target="emulator", endpoint="https://x", profile=GROUP[0], record_mode="rewrite", test=test
    )
    store = CassetteFile(root / GROUP[0] / GROUP[1] / f"{test}.yaml", fresh=True, provenance=made, **kwargs)  # type: ignore[arg-type]
    request = Request("GET", uri, None, {})
    store.save_cassette(str(store.path), {"requests": [request], "responses": [RESPONSE]}, yamlserializer)
    return store


def test_a_group_is_published_whole_at_finish(tmp_path: Path) -> None:
    publisher = CassettePublisher(tmp_path)
    first, second = _store(tmp_path, "test_a"), _store(tmp_path, "test_b")
    for store in (first, second):
        publisher.stage(GROUP, store)
        publisher.ran(GROUP, store.path.stem)
    assert not first.path.exists() and not second.path.exists()  # staged only
    [outcome] = publisher.finish({GROUP: {"test_a", "test_b"}})
    assert outcome.published and outcome.written == 2
    assert first.path.is_file() and second.path.is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [GROUP[0]]  # staging removed


def test_a_failed_group_leaves_its_cassettes_and_keeps_the_recordings(tmp_path: Path) -> None:
    old = tmp_path / GROUP[0] / GROUP[1] / "test_a.yaml"
    old.parent.mkdir(parents=True)
    old.write_text("old")
    publisher = CassettePublisher(tmp_path)
    publisher.stage(GROUP, _store(tmp_path, "test_a"))
    publisher.ran(GROUP, "test_a")
    publisher.failed(GROUP, "test_b", "teardown")
    publisher.failed(GROUP, "test_c", "call")
    [outcome] = publisher.finish({GROUP: {"test_a", "test_b", "test_c", "test_d"}})
    assert old.read_text() == "old"
    assert not outcome.published and outcome.kept == 1
    assert outcome.reason == (
        "test_b (teardown) failed and 1 more; "
        "3 of its 4 selected test(s) did not run here (the run stopped early)"
    )
    assert (tmp_path / ".unpublished" / GROUP[0] / GROUP[1] / "test_a.yaml").is_file()
    assert "left untouched" in outcome.line()


def test_a_secret_in_the_text_is_never_staged(tmp_path: Path) -> None:
    publisher = CassettePublisher(tmp_path)
    store = _store(
        tmp_path, "test_a", "https://x/subscriptions/topsecret", forbidden=[("secret", "topsecret")]
    )
    with pytest.raises(CassetteError, match="still contains the run's secret"):
        publisher.stage(GROUP, store)
    assert publisher.finish({}) == []
    assert not any(p.suffix == ".yaml" for p in tmp_path.rglob("*"))
