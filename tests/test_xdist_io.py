"""The controller/worker round trip, on stand-ins for xdist's config and node objects."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from pytest_azurestack import xdist_io


def test_a_worker_sends_and_the_controller_receives() -> None:
    worker: Any = SimpleNamespace(workerinput={}, workeroutput={})
    xdist_io.send(worker, "lines", ["a"])
    assert xdist_io.is_worker(worker)
    assert xdist_io.receive(SimpleNamespace(workeroutput=worker.workeroutput), "lines") == ["a"]


def test_outside_a_worker_nothing_is_sent_and_nothing_arrives() -> None:
    controller: Any = SimpleNamespace()
    xdist_io.send(controller, "lines", ["a"])  # no workeroutput to fill: a no-op
    assert not xdist_io.is_worker(controller)
    assert xdist_io.receive(SimpleNamespace(), "lines", []) == []
    assert xdist_io.from_controller(controller, "flag", False) is False


def test_the_controller_tells_a_worker() -> None:
    node: Any = SimpleNamespace(workerinput={})
    xdist_io.tell_worker(node, "flag", True)
    assert xdist_io.from_controller(SimpleNamespace(workerinput=node.workerinput), "flag") is True
