"""Run prerequisites first: a stable topological order of conformance tests within each profile.

The edges are ``requires=`` and ``after=`` (ordering only); among tests free to run, the earliest
collected goes first, so the order is otherwise the collection order.

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
    """The indices of one profile's tests, ``requires=`` and ``after=`` ids first, otherwise in
    collection order."""
    by_id = {specs[i].id: i for i in indices}
    sorter: TopologicalSorter[int] = TopologicalSorter()
    for i in indices:
        sorter.add(i, *(by_id[r] for r in specs[i].predecessors if r in by_id))
    try:
        sorter.prepare()
    except CycleError as exc:
        # graphlib lists the cycle backwards (each node is a predecessor of the one before it).
        cycle = " -> ".join(specs[i].id for i in reversed(exc.args[1]))
        raise ConformanceError(
            f"conformance prerequisites form a cycle (requires= and after=): {cycle}",
            "remove one of these ids from the requires= or after= of the test that names it",
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


def check_marks(
    items: Sequence[pytest.Item],
    specs: dict[int, ConformanceSpec],
    narrowed: bool,
) -> None:
    """One mark per id (description, title, requires=, after=), and every named id collected.

    Runs on every collected test, before any exclusion: a variant of an id excluded under this
    profile still defines it. ``narrowed``: the user picked node ids (``path::test``), so named
    ids may legitimately be missing; ``requires=`` ones are then reported as not run.
    """
    described: dict[str, ConformanceSpec] = {}
    where: dict[str, int] = {}
    for i, spec in specs.items():
        first = described.setdefault(spec.id, spec)
        where.setdefault(spec.id, i)
        if first != spec:
            raise ConformanceError(
                f"conformance id {spec.id} has two different marks ({items[where[spec.id]].nodeid} and "
                f"{items[i].nodeid})",
                "give each test its own id; variants of one id (managed_disks / unmanaged_disks) need "
                "the same description, title=, requires= and after=",
            )
    if narrowed:
        return
    for i, spec in specs.items():
        for name, verb, ids in (
            ("requires", "requires", spec.requires),
            ("after", "runs after (after=)", spec.after),
        ):
            for rid in ids:
                if rid not in described:
                    raise ConformanceError(
                        f"{items[i].nodeid}: {spec.id} {verb} {rid}, which no collected test has",
                        f"fix the id in {name}= (or add the test that has it)",
                    )


def check_unique(
    items: Sequence[pytest.Item],
    specs: dict[int, ConformanceSpec],
    profiles: dict[int, str],
) -> None:
    """One test per id and profile, among the tests that will run.

    Runs after the capability exclusion, so an id may have a ``managed_disks`` and an
    ``unmanaged_disks`` variant: only one of them is left under any profile.
    """
    seen: dict[tuple[str, str], int] = {}
    for i, spec in specs.items():
        key = (spec.id, profiles[i])
        if key in seen:
            raise ConformanceError(
                f"conformance id {spec.id} is used by two tests: {items[seen[key]].nodeid} and "
                f"{items[i].nodeid}",
                "give each test its own id (or mark variants managed_disks / unmanaged_disks)",
            )
        seen[key] = i
