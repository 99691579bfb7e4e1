"""What crosses between the pytest-xdist controller and its workers, written once.

Controller to worker: ``workerinput``, filled per worker in ``pytest_configure_node``. Worker to
controller: ``workeroutput``, filled at the worker's session finish and read in the controller's
``pytest_testnodedown``. Both are plain dicts that execnet serializes, so values are plain data.
Without pytest-xdist (or in the controller) nothing is sent and nothing arrives.
"""

from __future__ import annotations

from typing import Any

import pytest


def is_worker(config: pytest.Config) -> bool:
    """True in a pytest-xdist worker process."""
    return hasattr(config, "workerinput")


def tell_worker(node: Any, key: str, value: Any) -> None:
    """Controller, in ``pytest_configure_node``: give the worker ``value`` under ``key``."""
    node.workerinput[key] = value


def from_controller(config: pytest.Config, key: str, default: Any = None) -> Any:
    """Worker: what the controller gave under ``key`` (``default`` outside a worker)."""
    workerinput = getattr(config, "workerinput", None)
    return default if workerinput is None else workerinput.get(key, default)


def send(config: pytest.Config, key: str, value: Any) -> None:
    """Worker, at session finish: hand ``value`` to the controller; a no-op elsewhere."""
    if is_worker(config):
        config.workeroutput[key] = value  # type: ignore[attr-defined]


def receive(node: Any, key: str, default: Any = None) -> Any:
    """Controller, in ``pytest_testnodedown``: what the finished worker sent under ``key``."""
    output = getattr(node, "workeroutput", None) or {}
    return output.get(key, default)
