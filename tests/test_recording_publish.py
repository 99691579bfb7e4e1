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


# --- issue 8, items 10 and 11: one rule for a failed run, each group all or nothing ---------------


def _staged_group(root: Path, *tests: str) -> CassettePublisher:
    publisher = CassettePublisher(root)
    for test in tests:
        publisher.stage(GROUP, _store(root, test))
        publisher.ran(GROUP, test)
    return publisher


def test_a_failed_run_publishes_nothing_unless_partial_is_asked(tmp_path: Path) -> None:
    publisher = _staged_group(tmp_path, "test_a")
    [outcome] = publisher.finish({GROUP: {"test_a"}}, run_failed="the run failed (1 test(s))")
    assert not outcome.published
    assert outcome.reason.startswith("the run failed (1 test(s)); --azurestack-publish-partial")
    assert not (tmp_path / GROUP[0] / GROUP[1] / "test_a.yaml").exists()
    assert (tmp_path / ".unpublished" / GROUP[0] / GROUP[1] / "test_a.yaml").is_file()

    partial = _staged_group(tmp_path, "test_a")
    [published] = partial.finish({GROUP: {"test_a"}}, run_failed="the run failed (1 test(s))", partial=True)
    assert published.published and (tmp_path / GROUP[0] / GROUP[1] / "test_a.yaml").is_file()


def test_a_cassette_path_blocked_by_a_directory_keeps_the_whole_group(tmp_path: Path) -> None:
    group_dir = tmp_path / GROUP[0] / GROUP[1]
    group_dir.mkdir(parents=True)
    (group_dir / "test_a.yaml").write_text("old a")
    (group_dir / "test_b.yaml").mkdir()  # in the way of test_b's cassette
    publisher = _staged_group(tmp_path, "test_a", "test_b")
    [outcome] = publisher.finish({GROUP: {"test_a", "test_b"}})
    assert not outcome.published
    assert outcome.reason.startswith("cannot write it (a cassette path is not a file: ")
    assert (group_dir / "test_a.yaml").read_text() == "old a"  # not half old, half new
    kept = tmp_path / ".unpublished" / GROUP[0] / GROUP[1]
    assert sorted(p.name for p in kept.iterdir()) == ["test_a.yaml", "test_b.yaml"]
    assert "kept in" in outcome.line() and not list(tmp_path.glob(".staging-*"))


def test_a_destination_that_is_a_file_keeps_the_recordings(tmp_path: Path) -> None:
    publisher = _staged_group(tmp_path, "test_a")
    (tmp_path / GROUP[0]).write_text("a file where the profile's directory should be")
    [outcome] = publisher.finish({GROUP: {"test_a"}})
    assert not outcome.published and outcome.reason.startswith("cannot write it (")
    assert (tmp_path / ".unpublished" / GROUP[0] / GROUP[1] / "test_a.yaml").is_file()


def test_a_failure_part_way_leaves_the_old_group_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    group_dir = tmp_path / GROUP[0] / GROUP[1]
    group_dir.mkdir(parents=True)
    for name in ("test_a", "test_b"):
        (group_dir / f"{name}.yaml").write_text(f"old {name}")
    publisher = _staged_group(tmp_path, "test_a", "test_b")
    import shutil as shutil_module

    copy = shutil_module.copy2
    calls = []

    def fail_on_second(src: object, dst: object, **kwargs: object) -> object:
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(dst))
        return copy(src, dst, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(shutil_module, "copy2", fail_on_second)
    [outcome] = publisher.finish({GROUP: {"test_a", "test_b"}})
    monkeypatch.undo()
    assert not outcome.published and "No space left on device" in outcome.reason
    assert sorted(p.read_text() for p in group_dir.iterdir()) == ["old test_a", "old test_b"]
    assert [p.name for p in group_dir.parent.iterdir()] == [GROUP[1]]  # nothing left beside it


def test_the_kept_copy_when_unpublished_cannot_be_written(tmp_path: Path) -> None:
    publisher = _staged_group(tmp_path, "test_a")
    (tmp_path / ".unpublished").write_text("in the way")
    [outcome] = publisher.finish({GROUP: {"test_a"}}, run_failed="the run failed (1 test(s))")
    assert outcome.staging_kept and "still in" in outcome.kept_in
    staged = list(tmp_path.glob(".staging-*/**/test_a.yaml"))
    assert staged, "what could be kept nowhere else stays in the staging directory"


def test_a_worker_hands_its_groups_to_the_controller(tmp_path: Path) -> None:
    worker = _staged_group(tmp_path, "test_a")
    handed = worker.handoff({GROUP: {"test_a"}})
    controller = CassettePublisher(tmp_path)
    controller.adopt(handed)
    [outcome] = controller.finish({})
    assert outcome.published and (tmp_path / GROUP[0] / GROUP[1] / "test_a.yaml").is_file()
    assert not list(tmp_path.glob(".staging-*"))


def test_a_crashed_workers_recordings_are_kept_not_hidden(tmp_path: Path) -> None:
    crashed = _staged_group(tmp_path, "test_a")  # staged, never handed over
    controller = CassettePublisher(tmp_path)
    assert controller.finish({}) == []
    [outcome] = controller.rescue_orphans()
    assert outcome.reason == "recorded by a worker that did not finish (it crashed)"
    assert (tmp_path / ".unpublished" / GROUP[0] / GROUP[1] / "test_a.yaml").is_file()
    assert (
        not list(tmp_path.glob(".staging-*"))
        and not crashed.groups[GROUP].staged[tmp_path / GROUP[0] / GROUP[1] / "test_a.yaml"].exists()
    )
