"""The cassette file: vcrpy can load what it writes; writes are deferred, checked and atomic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import vcr
from vcr.persisters.filesystem import CassetteNotFoundError
from vcr.request import Request
from vcr.serializers import yamlserializer

from pytest_azurestack.errors import CassetteError
from pytest_azurestack.recording import persister
from pytest_azurestack.recording.persister import CassetteFile, provenance, read_metadata

RESPONSE = {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": b'{"a": 1}'}}


def _file(path: Path, **kwargs: object) -> CassetteFile:
    made = provenance(target="emulator", endpoint="https://x", profile="p", record_mode="once", test="t::t")
    return CassetteFile(path, fresh=False, provenance=made, **kwargs)  # type: ignore[arg-type]


def _save(store: CassetteFile) -> None:
    request = Request("GET", "https://x/subscriptions/0?api-version=1", None, {})
    store.variables["seed"] = "abc"
    store.save_cassette(str(store.path), {"requests": [request], "responses": [RESPONSE]}, yamlserializer)


def test_save_is_held_until_commit_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "p" / "m" / "t.yaml"
    store = _file(path)
    _save(store)
    assert not path.exists()
    assert store.commit() == path and store.commit() is None
    metadata = read_metadata(path)
    assert metadata["variables"] == {"seed": "abc"}
    made = metadata["provenance"]
    assert made["target"] == "emulator" and made["emulator"]["build"] is None and made["date"]
    assert "vcrpy" in made["packages"]
    # Our loader and plain vcrpy both read the file back.
    again = _file(path)
    requests, responses = again.load_cassette(str(path), yamlserializer)
    assert requests[0].uri.endswith("api-version=1") and responses[0]["body"]["string"] == b'{"a": 1}'
    assert again.variables == {"seed": "abc"}
    with vcr.VCR(record_mode="none").use_cassette(str(path)) as cassette:
        assert len(cassette) == 1


def test_fresh_ignores_the_file_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    store = _file(path)
    _save(store)
    store.commit()
    fresh = CassetteFile(path, fresh=True, provenance={})
    with pytest.raises(CassetteNotFoundError):
        fresh.load_cassette(str(path), yamlserializer)


def test_a_leaked_value_is_never_written(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("old")
    store = _file(path, forbidden=[("subscription id", "https://X/SUBSCRIPTIONS")])
    _save(store)
    with pytest.raises(CassetteError, match="still contains the run's subscription id"):
        store.commit()
    assert path.read_text() == "old"


def test_a_damaged_cassette_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("interactions: [\n")
    with pytest.raises(CassetteError) as info:
        _file(path).load_cassette(str(path), yamlserializer)
    assert "\n" not in str(info.value) and "re-record it" in str(info.value)


def test_atomic_write_leaves_the_old_file_when_writing_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("old")

    def broken(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(persister.os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        persister.write_atomic(path, "new")
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["t.yaml"]


def _committed(tmp_path: Path) -> Path:
    store = _file(tmp_path / "t.yaml")
    _save(store)
    path = store.commit()
    assert path is not None
    return path


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (lambda t: t.replace("- application/json", "- null", 1), "request header 'Accept' holds a value"),
        (lambda t: t.replace("code: 200", "code: null"), "interaction #1 response has no status code"),
        (
            lambda t: t.replace("interactions:", "interactions: 3\nunused:"),
            "'interactions' is int, not a list",
        ),
    ],
    ids=["null-header", "no-status", "not-a-list"],
)
def test_a_cassette_that_parses_but_is_malformed_is_one_line(
    tmp_path: Path, damage: Any, problem: str
) -> None:
    path = _committed(tmp_path)
    text = path.read_text()
    path.write_text(
        damage(text.replace("headers: {}", "headers:\n      Accept:\n      - application/json", 1))
    )
    with pytest.raises(CassetteError) as caught:
        _file(path, rerecord="pytest suites/x.py --azurestack-target emulator").load_cassette(
            str(path), yamlserializer
        )
    message = str(caught.value)
    assert message.startswith(f"cassette {path} is malformed: ") and problem in message, message
    assert message.endswith(
        "re-record it (cassettes are never edited by hand): pytest suites/x.py --azurestack-target emulator"
    )
    assert "\n" not in message


def test_an_empty_cassette_in_playback_is_damaged_not_missing(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("\n")
    with pytest.raises(CassetteError, match=r"cassette .*t\.yaml is empty; it was truncated; re-record it"):
        _file(path, required=True).load_cassette(str(path), yamlserializer)
    with pytest.raises(CassetteNotFoundError):  # recording: an empty file is nothing to keep
        _file(path).load_cassette(str(path), yamlserializer)
