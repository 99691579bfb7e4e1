"""Run prerequisites first: a stable topological order of conformance tests within each profile.

Only the relative order of one profile's conformance tests changes: they are re-dealt into the
slots they already occupied, so pytest's grouping (by module, class, fixture parameter) and every
other test stay where they were.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from graphlib import CycleError, TopologicalSorter

import pytest

from .marks import ConformanceError, ConformanceSpec


def dependency_order(indices: list[int], specs: dict[int, ConformanceSpec]) -> list[int]:
    """The indices of one profile's tests, prerequisites first, otherwise in collection order."""
    by_id = {specs[i].id: i for i in indices}
    sorter: TopologicalSorter[int] = TopologicalSorter()
    for i in indices:
        sorter.add(i, *(by_id[r] for r in specs[i].requires if r in by_id))
    try:
        sorter.prepare()
    except CycleError as exc:
        cycle = " -> ".join(specs[i].id for i in exc.args[1])
        raise ConformanceError(
            f"conformance prerequisites form a cycle: {cycle}",
            "remove one of these ids from the requires= of the test that names it",
        ) from None
    ready: list[int] = []
    order: list[int] = []
    while sorter.is_active():
        for i in sorter.get_ready():
            heapq.heappush(ready, i)
        i = heapq.heappop(ready)  # the earliest collected test that may run now
        order.append(i)
        sorter.done(i)
    return order


def order_items(
    items: Sequence[pytest.Item],
    specs: dict[int, ConformanceSpec],
    profiles: dict[int, str],
) -> list[pytest.Item]:
    """``items`` with each profile's conformance tests in dependency order.

    ``specs`` and ``profiles`` are keyed by index into ``items`` (only conformance tests).
    """
    groups: dict[str, list[int]] = {}
    for i in sorted(specs):
        groups.setdefault(profiles[i], []).append(i)
    result = list(items)
    for indices in groups.values():
        for slot, i in zip(indices, dependency_order(indices, specs), strict=True):
            result[slot] = items[i]
    return result


def check_ids(
    items: Sequence[pytest.Item],
    specs: dict[int, ConformanceSpec],
    profiles: dict[int, str],
    narrowed: bool,
) -> None:
    """One test per id and profile, one description per id, and every required id collected.

    ``narrowed``: the user picked node ids (``path::test``), so prerequisites may legitimately be
    missing; they are then reported as not run instead of failing collection.
    """
    seen: dict[tuple[str, str], int] = {}
    described: dict[str, ConformanceSpec] = {}
    for i, spec in specs.items():
        key = (spec.id, profiles[i])
        if key in seen:
            raise ConformanceError(
                f"conformance id {spec.id} is used by two tests: {items[seen[key]].nodeid} and "
                f"{items[i].nodeid}",
                "give each test its own id",
            )
        seen[key] = i
        first = described.setdefault(spec.id, spec)
        if first != spec:
            raise ConformanceError(
                f"conformance id {spec.id} has two different marks ({items[i].nodeid})",
                "one id, one description, one requires= list",
            )
    if narrowed:
        return
    for i, spec in specs.items():
        for rid in spec.requires:
            if rid not in described:
                raise ConformanceError(
                    f"{items[i].nodeid}: {spec.id} requires {rid}, which no collected test has",
                    "fix the id in requires= (or add the test that has it)",
                )
