"""Which parts of the package may import which: the verdicts are neutral ground."""

from __future__ import annotations

import subprocess
import sys

import pytest

PACKAGE = "pytest_azurestack"


def _imported_by(module: str) -> set[str]:
    """The package's modules a fresh interpreter has loaded after importing ``module``."""
    code = f"import sys, {module}; print(' '.join(m for m in sys.modules if m.startswith('{PACKAGE}')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.split())


@pytest.mark.parametrize(
    "module",
    [
        "pytest_azurestack.conformance.plugin",
        "pytest_azurestack.conformance.prerequisites",
        "pytest_azurestack.conformance.distribution",
    ],
)
def test_conformance_does_not_import_report(module: str) -> None:
    assert not {m for m in _imported_by(module) if m.startswith("pytest_azurestack.report")}


def test_verdicts_stand_alone() -> None:
    assert _imported_by("pytest_azurestack.verdicts") == {"pytest_azurestack", "pytest_azurestack.verdicts"}


def test_the_template_engine_knows_nothing_of_the_emulator_around_it() -> None:
    """emulator/templates imports only itself (the package's __init__ loads the whole emulator,
    so this reads the sources rather than sys.modules)."""
    import ast
    from pathlib import Path

    import pytest_azurestack.emulator.templates as templates

    foreign = []
    for source in Path(templates.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            if module and module.startswith(PACKAGE) and not module.startswith(templates.__name__):
                foreign.append(f"{source.name}: {module}")
    assert not foreign
