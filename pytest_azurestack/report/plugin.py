"""Report hooks: gather conformance verdicts, print the matrix, write the JSON report.

Verdicts are gathered from ``pytest_runtest_logreport``, which runs in the process that prints
(the pytest-xdist controller, or the only process). Deselected tests never produce a report, so
workers send their exclusions back through ``workeroutput``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

from ..conformance.marks import EXCLUSIONS_KEY, profile_name_of, spec_of
from ..metrics.soak import HTTP_LOG_ENV as SOAK_HTTP_LOG_ENV
from ..options import SETTINGS_KEY
from ..preflight.facts import FACTS_KEY
from ..verdicts import NO_PROFILE
from ..xdist_io import from_controller, is_worker, receive, send, tell_worker
from . import archive, configuration, html_report, http_log, json_report, wire_summary
from .matrix import render
from .results import Results, as_exclusion

# Loaded with this plugin wherever it is registered (-p, import_plugin, entry point).
pytest_plugins = ("pytest_azurestack.conformance.plugin",)

EXCLUDED_KEY = pytest.StashKey[list[dict[str, Any]]]()
WORKER_OUTPUT = "azurestack_excluded"


@pytest.hookimpl(tryfirst=True)  # before junitxml's: an archive brings its own JUnit file
def pytest_configure(config: pytest.Config) -> None:
    config.stash[EXCLUDED_KEY] = []
    settings = config.stash.get(SETTINGS_KEY, None)
    if is_worker(config):
        given = from_controller(config, http_log.WORKER_INPUT)
        if given:
            config.stash[http_log.HTTP_LOG_DIR_KEY] = Path(given)
        return
    collector = ReportCollector(config)
    config.pluginmanager.register(collector, "azurestack-report-collector")
    soak_log = os.environ.get(SOAK_HTTP_LOG_ENV, "")
    if settings is not None and settings.iteration and soak_log:
        # An iteration of a soak: the soak writes the archive; this run adds its HTTP log to it.
        config.stash[http_log.HTTP_LOG_DIR_KEY] = Path(soak_log)
    elif settings is not None and settings.archive is not None and not config.option.collectonly:
        collector.start_archive(settings.is_live)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """Controller: a new xdist worker logs its HTTP exchanges where the archive collects them."""
    directory = node.config.stash.get(http_log.HTTP_LOG_DIR_KEY, None)
    if directory is not None:
        tell_worker(node, http_log.WORKER_INPUT, str(directory))


def deselection_reason(item: pytest.Item) -> str:
    """Why ``item`` was deselected: this plugin's reason, else the -m / -k expression."""
    config = item.config
    own = config.stash.get(EXCLUSIONS_KEY, {}).get(item.nodeid)
    if own:
        return own
    markexpr = config.getoption("markexpr", default="") or ""
    keywordexpr = config.getoption("keyword", default="") or ""
    given = [f"-m {markexpr!r}"] * bool(markexpr) + [f"-k {keywordexpr!r}"] * bool(keywordexpr)
    return " and ".join(given) if given else "deselected (--deselect or a plugin)"


def pytest_deselected(items: list[pytest.Item]) -> None:
    for item in items:
        try:
            spec = spec_of(item)
        except Exception:  # malformed marks are reported by the conformance plugin
            continue
        if spec is not None:
            item.config.stash[EXCLUDED_KEY].append(
                as_exclusion(
                    item,
                    spec.id,
                    spec.title,
                    profile_name_of(item) or NO_PROFILE,
                    deselection_reason(item),
                    spec.description,
                )
            )


def pytest_sessionfinish(session: pytest.Session) -> None:
    # The controller never collects: a worker sends it what was deselected here.
    send(session.config, WORKER_OUTPUT, session.config.stash[EXCLUDED_KEY])


class ReportCollector:
    """Controller side (or the only process): results, the JSON file and the matrix."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.results = Results()
        self.started = json_report.now()
        self.json_written: str | None = None
        self.html_written: str | None = None
        self.archive_written: str | None = None
        self.scratch: Path | None = None  # the archive's working directory (HTTP log, JUnit)
        self.junit: Path | None = None

    def start_archive(self, live: bool) -> None:
        """An archive needs a JUnit file (pytest's own, or one made for it) and, live, the HTTP log."""
        self.scratch = Path(tempfile.mkdtemp(prefix="azurestack-archive-"))
        given = getattr(self.config.option, "xmlpath", None)
        if not given and hasattr(self.config.option, "xmlpath"):
            self.config.option.xmlpath = str(self.scratch / "junit.xml")
        self.junit = (
            Path(self.config.option.xmlpath) if getattr(self.config.option, "xmlpath", None) else None
        )
        if live:
            (self.scratch / "http").mkdir()
            self.config.stash[http_log.HTTP_LOG_DIR_KEY] = self.scratch / "http"

    def pytest_unconfigure(self) -> None:
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.results.add_report(report)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """A pytest-xdist worker finished: add the exclusions it saw at collection."""
        self.results.extend_excluded(receive(node, WORKER_OUTPUT, []))

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        excluded: list[dict[str, Any]] = self.config.stash[EXCLUDED_KEY]
        self.results.extend_excluded(excluded)
        settings = self.config.stash.get(SETTINGS_KEY, None)
        if settings is None or not len(self.results):
            return
        if settings.report_json is None and settings.report_html is None and self.scratch is None:
            return
        run = json_report.run_metadata(
            settings,
            self.started,
            json_report.now(),
            int(session.exitstatus),  # as the core plugin left it (a failed cleanup fails the run)
            list(self.config.invocation_params.args),
        )
        document = json_report.build(self.results, run)
        stamp = self.config.stash.get(FACTS_KEY, None)
        if stamp is not None:  # what was validated (preflight.facts): live, emulator or as recorded
            document["stamp"] = stamp
        if settings.report_json is not None:
            json_report.write(settings.report_json, document)
            self.json_written = str(settings.report_json)
        if settings.report_html is not None and not settings.iteration:  # a soak writes its own
            html_report.write(settings.report_html, document)
            self.html_written = str(settings.report_html)
        if settings.archive is not None and self.scratch is not None:
            self.write_archive(settings.archive, document, settings.run_id)

    def write_archive(self, path: Path, document: dict[str, Any], run_id: str) -> None:
        assert self.scratch is not None
        members = {
            "configuration.json": archive.as_json(configuration.effective(self.config)),
            "results.json": archive.as_json(document),
            "report.html": html_report.render(document).encode("utf-8"),
        }
        if self.junit is not None and self.junit.is_file():
            members["junit.xml"] = self.junit.read_bytes()
        if (self.scratch / "http").is_dir():
            members["http-log.json"] = archive.as_json(http_log.collect(self.scratch / "http"))
        archive.write(path, members, folder=f"azurestack-run-{run_id}")
        self.archive_written = str(path)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not len(self.results) or self.config.option.collectonly:
            return
        width = max(self.config.get_terminal_writer().fullwidth, 80)
        terminalreporter.write_sep("=", "Azure Stack conformance matrix")
        for line in render(self.results, width=width):
            for n, (text, markup) in enumerate(line, start=1):
                terminalreporter.write(text.rstrip() if n == len(line) else text, **markup)
            terminalreporter.line("")
        changed = wire_summary.render(self.results)
        if changed:
            terminalreporter.section(wire_summary.TITLE)
            for text_line in changed:
                terminalreporter.write_line(text_line)
        if self.json_written:
            terminalreporter.line(f"conformance results written to {self.json_written}")
        if self.html_written:
            terminalreporter.line(f"HTML report written to {self.html_written}")
        if self.archive_written:
            terminalreporter.line(f"run archive written to {self.archive_written}")
