"""The checked-in conformance manifest: every id, its title, what it proves, its prerequisites and order.

Like Kubernetes' conformance list, the manifest makes any change to the suite's ids visible in
review: ``tests/test_manifest.py`` fails with a precise diff (added / removed / changed) when
the suite and the manifest disagree. After reviewing the change, regenerate it with::

    python -m pytest_azurestack.conformance --write-manifest suites/

The suite is collected in a fresh interpreter (``pytest --collect-only``), so collecting from
inside a running pytest session cannot clash with the modules that session already imported.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
import tempfile
from collections.abc import Generator, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from .marks import ConformanceError, ConformanceSpec, spec_of
from .ordering import dependency_order

MANIFEST_NAME = "conformance-manifest.yaml"
REGENERATE = "python -m pytest_azurestack.conformance --write-manifest {suite}"
HEADER = """\
# The conformance tests of this suite: a stable id, a short title, what each test proves, which
# ids must pass before it (requires) and which it merely runs after, whatever their outcome
# (after; listed only when there are any), in the same profile. tests/test_manifest.py fails when
# the suite and this file disagree. Review the change, then regenerate this file with:
#   {command}
"""
FIELDS = ("title", "description", "requires", "after")
UNORDERED = ("requires", "after")  # compared as sets: their order in the mark means nothing


def default_manifest(suite: Path) -> Path:
    """``<suite dir>/conformance-manifest.yaml``."""
    return (suite if suite.is_dir() else suite.parent) / MANIFEST_NAME


# --- reading and writing ------------------------------------------------------------------------


def load(path: Path) -> dict[str, ConformanceSpec]:
    """The manifest at ``path``; a missing or malformed file is a one-line ``ConformanceError``."""
    if not path.is_file():
        raise ConformanceError(
            f"conformance manifest {path} does not exist",
            f"generate it with: {REGENERATE.format(suite=path.parent)}",
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        entries = data.get("tests") or []
        specs = [
            ConformanceSpec(
                id=str(e["id"]),
                title=str(e.get("title") or ""),
                description=" ".join(str(e["description"]).split()),
                requires=tuple(str(r) for r in e.get("requires") or ()),
                after=tuple(str(r) for r in e.get("after") or ()),
            )
            for e in entries
        ]
    except (yaml.YAMLError, AttributeError, KeyError, TypeError) as exc:
        raise ConformanceError(
            f"conformance manifest {path} is malformed ({type(exc).__name__}: {exc})".replace("\n", " "),
            f"regenerate it with: {REGENERATE.format(suite=path.parent)}",
        ) from None
    return {s.id: s for s in specs}


def dump(specs: Iterable[ConformanceSpec], suite: Path) -> str:
    """The manifest text, prerequisites before the tests that need them (else in suite order)."""
    listed = list(specs)
    listed = [listed[i] for i in dependency_order(list(range(len(listed))), dict(enumerate(listed)))]
    entries = [_entry(s) for s in listed]
    body = yaml.safe_dump({"tests": entries}, sort_keys=False, allow_unicode=True, width=100)
    return HEADER.format(command=REGENERATE.format(suite=suite)) + body


def _entry(spec: ConformanceSpec) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": spec.id,
        "title": spec.title,
        "description": spec.description,
        "requires": list(spec.requires),
    }
    if spec.after:  # rare: an empty list on every other entry would only be noise
        entry["after"] = list(spec.after)
    return entry


def write(specs: Iterable[ConformanceSpec], path: Path, suite: Path) -> None:
    path.write_text(dump(specs, suite), encoding="utf-8")


# --- comparing ----------------------------------------------------------------------------------


@dataclass
class ManifestDiff:
    added: list[ConformanceSpec] = field(default_factory=list)  # in the suite, not in the manifest
    removed: list[ConformanceSpec] = field(default_factory=list)  # in the manifest, not in the suite
    changed: list[tuple[str, str, Any, Any]] = field(default_factory=list)  # (id, field, manifest, suite)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def lines(self) -> list[str]:
        out = [f"added {s.id}: {s.description!r} (in the suite, not in the manifest)" for s in self.added]
        out += [
            f"removed {s.id}: {s.description!r} (in the manifest, not in the suite)" for s in self.removed
        ]
        out += [f"changed {cid} {name}: {old!r} -> {new!r}" for cid, name, old, new in self.changed]
        return out


def diff(manifest: Mapping[str, ConformanceSpec], suite: Mapping[str, ConformanceSpec]) -> ManifestDiff:
    result = ManifestDiff(
        added=[s for cid, s in suite.items() if cid not in manifest],
        removed=[s for cid, s in manifest.items() if cid not in suite],
    )
    for cid, new in suite.items():
        old = manifest.get(cid)
        if old is None:
            continue
        for name in FIELDS:
            before, after = getattr(old, name), getattr(new, name)
            if name in UNORDERED:
                before, after = sorted(before), sorted(after)
            if before != after:
                result.changed.append((cid, name, before, after))
    return result


# --- collecting the suite -----------------------------------------------------------------------


class _SpecCollector:
    """A pytest plugin that records every conformance spec before anything is deselected."""

    def __init__(self) -> None:
        self.specs: dict[str, ConformanceSpec] = {}

    @pytest.hookimpl(wrapper=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> Generator[None, None, None]:
        for item in items:
            spec = spec_of(item)
            if spec is None:
                continue
            seen = self.specs.setdefault(spec.id, spec)
            if seen != spec:
                raise pytest.UsageError(f"conformance: id {spec.id} has two different marks ({item.nodeid})")
        return (yield)


def collect_in_process(args: Sequence[str]) -> tuple[dict[str, ConformanceSpec], int, str]:
    """Collect with ``pytest --collect-only`` here: (specs, exit code, pytest's output)."""
    collector = _SpecCollector()
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        code = pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", *args], plugins=[collector])
    return collector.specs, int(code), output.getvalue()


def collect(paths: Sequence[Path | str], pytest_args: Sequence[str] = ()) -> dict[str, ConformanceSpec]:
    """Every conformance spec under ``paths``, in collection order, from a fresh interpreter."""
    with tempfile.TemporaryDirectory(prefix="azurestack-manifest-") as tmp:
        out = Path(tmp, "specs.json")
        cmd = [sys.executable, "-m", "pytest_azurestack.conformance", "--collect-json", str(out)]
        cmd += [*map(str, paths), *(["--", *pytest_args] if pytest_args else [])]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0 or not out.is_file():
            raise ConformanceError(
                f"collecting {' '.join(map(str, paths))} failed: {_gist(proc.stdout + proc.stderr)}",
                f"run pytest --collect-only {' '.join(map(str, paths))} to see the whole error",
            )
        data = json.loads(out.read_text(encoding="utf-8"))
    return {
        d["id"]: ConformanceSpec(
            d["id"], d["description"], d["title"], tuple(d["requires"]), tuple(d.get("after", ()))
        )
        for d in data
    }


def _gist(output: str) -> str:
    """The lines of pytest's output that say what broke (``ERROR ...`` and the ``E`` detail)."""
    lines = output.splitlines()
    errors = [ln.strip() for ln in lines if ln.startswith("ERROR")]
    details = [" ".join(ln[1:].split()) for ln in lines if ln.startswith("E ")]
    gist = "; ".join(dict.fromkeys(errors[:3] + details[-1:]))
    return gist or " | ".join(ln.strip() for ln in lines[-4:] if ln.strip())


def specs_to_json(specs: Iterable[ConformanceSpec]) -> str:
    return json.dumps([asdict(s) for s in specs], indent=1)


# --- the check the project's tests use ----------------------------------------------------------


def check(suite: Path, manifest: Path | None = None, pytest_args: Sequence[str] = ()) -> ManifestDiff:
    """Compare the suite's conformance marks with its manifest."""
    manifest = manifest or default_manifest(suite)
    expected = load(manifest)
    return diff(expected, collect([suite], pytest_args))


def assert_manifest_matches(
    suite: Path, manifest: Path | None = None, pytest_args: Sequence[str] = ()
) -> None:
    """Fail the calling test with the precise diff when the suite and its manifest disagree."""
    manifest = manifest or default_manifest(suite)
    try:
        found = check(suite, manifest, pytest_args)
    except ConformanceError as exc:
        problem = str(exc)
    else:
        problem = ""
    if problem:  # failed outside the except block: no "during handling" chain in the report
        pytest.fail(problem, pytrace=False)
    if found:
        detail = "\n".join("  " + line for line in found.lines())
        pytest.fail(
            f"the suite {suite} and its manifest {manifest} disagree:\n{detail}\n"
            f"if the change is intended, regenerate the manifest: {REGENERATE.format(suite=suite)}",
            pytrace=False,
        )
