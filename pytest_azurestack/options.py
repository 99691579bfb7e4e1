"""Command-line, ini and environment options, resolved once (at configure) into a frozen ``Settings``.

Precedence: command line > environment variable > ini file > default. Every bad value is a
``pytest.UsageError`` with one line naming the option and the accepted values.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

import pytest

from .ca_bundle import problem as ca_bundle_problem
from .profiles import ALL_PROFILES, Profile, UnknownProfileError, get_profile
from .recording.sanitize import RUN_ID_PLACEHOLDER
from .timeouts import DEFAULT_OPERATION_TIMEOUT, DEFAULT_REQUEST_TIMEOUT

Target = Literal["playback", "emulator", "live"]
RecordMode = Literal["none", "once", "new_episodes", "all", "rewrite"]
Keep = Literal["never", "on-failure", "always"]

TARGETS: tuple[Target, ...] = ("playback", "emulator", "live")
RECORD_MODES: tuple[RecordMode, ...] = ("none", "once", "new_episodes", "all", "rewrite")
KEEP_CHOICES: tuple[Keep, ...] = ("never", "on-failure", "always")
DEFAULT_LOCATION = "local"
AUTO = "auto"  # --azurestack-profile auto: the profiles the stamp serves


@dataclass(frozen=True)
class Option:
    """One option: its flag, ini key (``dest``: the flag without dashes, in underscores),
    environment variable and help text. ``ini_aliases``: older ini keys still read."""

    dest: str
    flag: str
    env: str | None
    help: str
    choices: tuple[str, ...] | None = None
    kind: Literal["string", "list", "bool", "path"] = "string"
    default: str | None = None
    ini_aliases: tuple[str, ...] = ()

    @property
    def ini(self) -> str:
        return self.dest


OPTIONS: tuple[Option, ...] = (
    Option(
        "azurestack_target",
        "--azurestack-target",
        "AZURESTACK_TARGET",
        "where requests go: playback (cassettes, no network; default), emulator (the embedded stamp "
        "on loopback HTTPS) or live (a real stamp from the six standard AZURE_*/ARM_ENDPOINT "
        "variables; AZURE_TEST_RUN_LIVE=true also selects it)",
        choices=TARGETS,
        default="playback",
    ),
    Option(
        "azurestack_profile",
        "--azurestack-profile",
        "AZURESTACK_PROFILES",
        "API version profile to run under; repeatable (env: comma-separated). Accepts "
        "2020-09-01-hybrid or v2020_09_01_hybrid, or auto: the hybrid profiles the stamp serves, read "
        "from its provider documents (in playback: those with cassettes). Default: every hybrid profile "
        "(with cassettes, in playback); latest only when named, since its versions are whatever the "
        "installed SDK sends",
        kind="list",
        ini_aliases=("azurestack_profiles",),
    ),
    Option(
        "azurestack_record_mode",
        "--azurestack-record-mode",
        "AZURESTACK_RECORD_MODE",
        "what a run against the emulator or a stamp records (a live run never replays). Cassettes "
        "are published per profile and suite module at the end, only if none of that group's tests "
        "failed; otherwise the old ones stay and this run's go to <cassette dir>/.unpublished/. "
        "none (default): write nothing; once: record only tests without a cassette; all and "
        "new_episodes: re-record every selected test, keeping its recorded name seeds; rewrite: "
        "re-record from scratch with new seeds",
        choices=RECORD_MODES,
        default="none",
    ),
    Option(
        "azurestack_ca_bundle",
        "--azurestack-ca-bundle",
        "AZURESTACK_CA_BUNDLE",
        "PEM file of the CA(s) that signed the stamp's certificate (an ASDK's private root CA); "
        "used for every HTTPS call of the run. certifi's bundle is never modified",
        kind="path",
    ),
    Option(
        "azurestack_keep",
        "--azurestack-keep",
        "AZURESTACK_KEEP",
        "keep the resources a run creates: never (default), on-failure or always",
        choices=KEEP_CHOICES,
        default="never",
    ),
    Option(
        "azurestack_location",
        "--azurestack-location",
        "AZURE_RESOURCE_LOCATION",
        f"location (region) to create resources in; default {DEFAULT_LOCATION!r}",
        default=DEFAULT_LOCATION,
    ),
    Option(
        "azurestack_cassette_dir",
        "--azurestack-cassette-dir",
        "AZURESTACK_CASSETTE_DIR",
        "root of the cassettes: <dir>/<profile>/<suite module>/<test>.yaml; default <rootdir>/cassettes",
        kind="path",
    ),
    Option(
        "azurestack_pin_api_versions",
        "--azurestack-pin-api-versions",
        "AZURESTACK_PIN_API_VERSIONS",
        "opt in: rewrite each request's api-version to the profile's (for single-API SDKs that "
        "cannot target a profile); the report lists every pinned request",
        kind="bool",
    ),
    Option(
        "azurestack_no_api_version_guard",
        "--azurestack-no-api-version-guard",
        "AZURESTACK_NO_API_VERSION_GUARD",
        "turn off the guard that fails a test whose request uses an api-version outside its profile",
        kind="bool",
    ),
    Option(
        "azurestack_emulator_build",
        "--azurestack-emulator-build",
        "AZURESTACK_EMULATOR_BUILD",
        "Azure Stack Hub build the embedded emulator impersonates (decides which api-versions it "
        "serves): 2102 (default), 2008, 1904 or 1808",
        choices=("2102", "2008", "1904", "1808"),
        default="2102",
    ),
    Option(
        "azurestack_no_preflight",
        "--azurestack-no-preflight",
        "AZURESTACK_NO_PREFLIGHT",
        "skip the preflight (live and emulator targets): the checks, before anything is created, that "
        "the subscription is Enabled, the providers registered and serving each profile's api-versions, "
        "the images, VM sizes and quota there. The provider documents are still read, for the stamp facts",
        kind="bool",
    ),
    Option(
        "azurestack_report_json",
        "--azurestack-report-json",
        "AZURESTACK_REPORT_JSON",
        "write the conformance results (every test, profile, outcome, reason, duration) as JSON here",
        kind="path",
    ),
    Option(
        "azurestack_request_timeout",
        "--azurestack-request-timeout",
        "AZURESTACK_REQUEST_TIMEOUT",
        "seconds each request may take to connect and to answer (default 120); a request past it "
        "fails with one line naming it",
    ),
    Option(
        "azurestack_operation_timeout",
        "--azurestack-operation-timeout",
        "AZURESTACK_OPERATION_TIMEOUT",
        "minutes an operation may take, its retries and long-running-operation polls included "
        "(default 60); an operation past it fails with one line naming it",
    ),
    Option(
        "azurestack_publish_partial",
        "--azurestack-publish-partial",
        "AZURESTACK_PUBLISH_PARTIAL",
        "when recording, publish the groups that passed although the run failed (default: a failed "
        "run publishes nothing and keeps its recordings in <cassette dir>/.unpublished/)",
        kind="bool",
    ),
    Option(
        "azurestack_report_html",
        "--azurestack-report-html",
        "AZURESTACK_REPORT_HTML",
        "write the run as one self-contained HTML page here: stamp facts, the matrix coloured by "
        "verdict, every failure in full, a timeline of the operations",
        kind="path",
    ),
    Option(
        "azurestack_archive",
        "--azurestack-archive",
        "AZURESTACK_ARCHIVE",
        "write a .tar.gz to attach to a support case: the effective configuration (secrets masked), "
        "JSON, JUnit and HTML reports, and the scrubbed HTTP log of a live run",
        kind="path",
    ),
    Option(
        "azurestack_iterations",
        "--azurestack-iterations",
        "AZURESTACK_ITERATIONS",
        "soak: run the whole suite N times (fresh names on a live target), then report the pass "
        "rate, min/median/max/stddev per operation and profile, and every failure with its iteration",
        default="1",
    ),
)
# Set by a soak for each run it starts (metrics.soak): that run is iteration N of the soak.
SOAK_ITERATION_ENV = "AZURESTACK_SOAK_ITERATION"


@dataclass(frozen=True)
class Settings:
    """Everything a run decided from its options; stored in ``config.stash[SETTINGS_KEY]``.

    Resolved once, by ``resolve_settings`` at configure, in the controller and in every xdist
    worker alike. One field changes later, in one place: with the emulator target, ``ca_bundle``
    becomes the CA of the emulator the controller starts at session start, which does not exist
    before (``targets.trusting_emulator``).
    """

    target: Target
    profiles: tuple[Profile, ...]
    profiles_explicit: bool
    record_mode: RecordMode
    ca_bundle: Path | None
    keep: Keep
    location: str
    cassette_dir: Path
    pin_api_versions: bool
    api_version_guard: bool
    emulator_build: str
    report_json: Path | None
    run_id: str
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT  # seconds
    operation_timeout: float = DEFAULT_OPERATION_TIMEOUT  # seconds (the option is in minutes)
    publish_partial: bool = False
    preflight: bool = True
    profiles_auto: bool = False
    report_html: Path | None = None
    archive: Path | None = None
    iterations: int = 1
    iteration: int = 0  # this run's iteration of a soak (1..N); 0 when it is no soak's child

    @property
    def is_live(self) -> bool:
        """True when requests reach a server (the emulator or a stamp)."""
        return self.target != "playback"

    @property
    def recording(self) -> bool:
        return self.is_live and self.record_mode != "none"


SETTINGS_KEY = pytest.StashKey[Settings]()


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("azurestack", "Azure Stack Hub conformance (pytest-azurestack)")
    for opt in OPTIONS:
        env_note = f" [env: {opt.env}]" if opt.env else ""
        if opt.kind == "bool":
            group.addoption(
                opt.flag, dest=opt.dest, action="store_true", default=None, help=opt.help + env_note
            )
            parser.addini(opt.ini, opt.help, type="bool", default=None)
        elif opt.kind == "list":
            group.addoption(opt.flag, dest=opt.dest, action="append", default=None, help=opt.help + env_note)
            parser.addini(opt.ini, opt.help, type="linelist", default=[])
            for alias in opt.ini_aliases:
                parser.addini(alias, f"alias of {opt.ini}", type="linelist", default=[])
        else:
            group.addoption(
                opt.flag,
                dest=opt.dest,
                default=None,
                metavar=opt.dest.removeprefix("azurestack_").upper(),
                help=opt.help + env_note,
            )
            parser.addini(opt.ini, opt.help, default=None)


Source = Literal["flag", "env", "ini", "default"]


def raw_with_source(config: pytest.Config, opt: Option) -> tuple[str | list[str] | bool | None, Source]:
    """The option's value from the first source that sets it, and which source that was."""
    value = config.getoption(opt.dest, default=None)
    if value is not None:
        return value, "flag"
    if opt.env and os.environ.get(opt.env, "").strip():
        env_value = os.environ[opt.env].strip()
        if opt.kind == "list":
            return [v for v in (p.strip() for p in env_value.split(",")) if v], "env"
        if opt.kind == "bool":
            return env_value.lower() in ("1", "true", "yes", "on"), "env"
        return env_value, "env"
    for key in (opt.ini, *opt.ini_aliases):
        ini = config.getini(key)
        if ini not in (None, "", []):
            return ini, "ini"
    return None, "default"


def _raw(config: pytest.Config, opt: Option) -> str | list[str] | bool | None:
    """The option's value from the first source that sets it, or None."""
    return raw_with_source(config, opt)[0]


def _choice(config: pytest.Config, opt: Option) -> str:
    value = _raw(config, opt)
    if value is None:
        assert opt.default is not None
        return opt.default
    value = str(value).strip().lower()
    if opt.choices and value not in opt.choices:
        raise pytest.UsageError(
            f"{opt.flag}: {value!r} is not one of {', '.join(opt.choices)} "
            f"(set by the command line, ${opt.env} or the ini key {opt.ini})"
        )
    return value


def _option(dest: str) -> Option:
    return next(o for o in OPTIONS if o.dest == dest)


def _path(config: pytest.Config, dest: str) -> Path | None:
    value = _raw(config, _option(dest))
    if value in (None, ""):
        return None
    path = Path(str(value)).expanduser()
    return path if path.is_absolute() else Path(config.rootpath, path)


def _positive(config: pytest.Config, dest: str, default: float, unit: str) -> float:
    """A positive number of ``unit`` (seconds or minutes), or ``default``."""
    opt = _option(dest)
    value = _raw(config, opt)
    if value in (None, ""):
        return default
    try:
        number = float(str(value).strip())
    except ValueError:
        number = -1.0
    if not number > 0 or number == float("inf"):
        raise pytest.UsageError(
            f"{opt.flag}: {value!r} is not a positive number of {unit} "
            f"(set by the command line, ${opt.env} or the ini key {opt.ini})"
        )
    return number


def _target(config: pytest.Config) -> Target:
    opt = _option("azurestack_target")
    explicit = config.getoption(opt.dest, default=None) or os.environ.get(opt.env or "", "").strip()
    if not explicit and os.environ.get("AZURE_TEST_RUN_LIVE", "").strip().lower() in ("true", "1", "yes"):
        return "live"
    return _choice(config, opt)  # type: ignore[return-value]


def profiles_with_cassettes(cassette_dir: Path) -> tuple[Profile, ...]:
    """Profiles that have a cassette directory, in the canonical order."""
    if not cassette_dir.is_dir():
        return ()
    present = {p.name.lower() for p in cassette_dir.iterdir() if p.is_dir()}
    return tuple(p for p in ALL_PROFILES if p.name.lower() in present)


def resolve_settings(config: pytest.Config) -> Settings:
    """Read every option once; raise ``pytest.UsageError`` (one line) on any bad value."""
    target = _target(config)
    record_mode: RecordMode = _choice(config, _option("azurestack_record_mode"))  # type: ignore[assignment]
    if target == "playback" and record_mode != "none":
        raise pytest.UsageError(
            f"--azurestack-record-mode {record_mode} needs a server to record from: add "
            "--azurestack-target emulator (or live for a real stamp)"
        )
    cassette_dir = _path(config, "azurestack_cassette_dir") or Path(config.rootpath, "cassettes")
    profile_option = _option("azurestack_profile")
    names = _raw(config, profile_option)
    if isinstance(names, list) and any(not str(n).strip() for n in names):
        raise pytest.UsageError(
            f"{profile_option.flag}: the value is empty; give a profile name, one of "
            f"{', '.join(p.name for p in ALL_PROFILES)} (or leave the option out for the default)"
        )
    auto = isinstance(names, list) and any(str(n).strip().lower() == AUTO for n in names)
    if auto and len(names or []) > 1:  # type: ignore[arg-type]
        raise pytest.UsageError(
            f"{profile_option.flag}: auto chooses the profiles itself; give auto alone, or name the profiles"
        )
    try:
        # Profiles hold dicts (unhashable): de-duplicate by name, keeping the order given.
        given = {p.name: p for p in (get_profile(n) for n in (names or []) if not auto)}  # type: ignore[union-attr]
        profiles = tuple(given.values())
    except UnknownProfileError as exc:
        raise pytest.UsageError(f"--azurestack-profile: {exc}") from None
    explicit = bool(profiles)
    if not profiles:
        # latest is not a regression signal (it moves with the SDK): only when asked for.
        found = profiles_with_cassettes(cassette_dir) if target == "playback" else ALL_PROFILES
        profiles = tuple(p for p in found if p.hybrid)
    ca_bundle = _path(config, "azurestack_ca_bundle")
    bad_bundle = ca_bundle_problem(ca_bundle) if ca_bundle is not None else None
    if bad_bundle is not None:
        raise pytest.UsageError(bad_bundle)
    report_json = _path(config, "azurestack_report_json")
    if report_json is not None and report_json.is_dir():
        raise pytest.UsageError(
            f"--azurestack-report-json: {report_json} is a directory; give the path of the file to write, "
            f"e.g. {report_json / 'azurestack-results.json'}"
        )
    report_html = _path(config, "azurestack_report_html")
    archive = _path(config, "azurestack_archive")
    _check_outputs(report_html, archive)
    iterations = _iterations(config)
    if iterations > 1 and record_mode != "none":
        raise pytest.UsageError(
            f"--azurestack-iterations {iterations} with --azurestack-record-mode {record_mode}: a soak "
            "records nothing (every iteration would overwrite the last); drop one of the two"
        )
    iteration = os.environ.get(SOAK_ITERATION_ENV, "").strip()
    return Settings(
        target=target,
        profiles=profiles,
        profiles_explicit=explicit,
        record_mode=record_mode,
        ca_bundle=ca_bundle,
        keep=_choice(config, _option("azurestack_keep")),  # type: ignore[arg-type]
        location=str(_raw(config, _option("azurestack_location")) or DEFAULT_LOCATION),
        cassette_dir=cassette_dir,
        pin_api_versions=bool(_raw(config, _option("azurestack_pin_api_versions"))),
        api_version_guard=not bool(_raw(config, _option("azurestack_no_api_version_guard"))),
        emulator_build=_choice(config, _option("azurestack_emulator_build")),
        report_json=report_json,
        run_id=_run_id(target),
        request_timeout=_positive(config, "azurestack_request_timeout", DEFAULT_REQUEST_TIMEOUT, "seconds"),
        operation_timeout=60
        * _positive(config, "azurestack_operation_timeout", DEFAULT_OPERATION_TIMEOUT / 60, "minutes"),
        publish_partial=bool(_raw(config, _option("azurestack_publish_partial"))),
        preflight=not bool(_raw(config, _option("azurestack_no_preflight"))),
        profiles_auto=auto,
        report_html=report_html,
        archive=archive,
        iterations=iterations,
        iteration=int(iteration) if iteration.isdigit() else 0,
    )


def _check_outputs(report_html: Path | None, archive: Path | None) -> None:
    if report_html is not None and report_html.is_dir():
        raise pytest.UsageError(
            f"--azurestack-report-html: {report_html} is a directory; give the path of the file to write, "
            f"e.g. {report_html / 'azurestack-report.html'}"
        )
    if archive is not None and (archive.is_dir() or not archive.name.endswith((".tar.gz", ".tgz"))):
        raise pytest.UsageError(
            f"--azurestack-archive: {archive} is not a .tar.gz file name; give one such as "
            f"{(archive if archive.is_dir() else archive.parent) / 'azurestack-run.tar.gz'}"
        )


def _iterations(config: pytest.Config) -> int:
    opt = _option("azurestack_iterations")
    value = str(_raw(config, opt) or opt.default).strip()
    if not value.isdigit() or int(value) < 1:
        raise pytest.UsageError(
            f"{opt.flag}: {value!r} is not a whole number of iterations (1 or more; set by the command "
            f"line, ${opt.env} or the ini key {opt.ini})"
        )
    return int(value)


def _run_id(target: Target) -> str:
    """The run id: shared by xdist workers through ``AZURESTACK_RUN_ID`` (the controller exports it).

    Playback runs under the recorded run id, so replayed tags and names equal what tests send:
    recording scrubs the real run id to a placeholder, and a playback run creates nothing, so a run
    id of its own would mean nothing.
    """
    if target == "playback":
        return RUN_ID_PLACEHOLDER
    return os.environ.get("AZURESTACK_RUN_ID") or new_run_id()


def new_run_id(now: datetime | None = None) -> str:
    """``<UTC start, yyyymmddThhmmss>-<6 hex>``: the sweeper reads a run's age from its id."""
    started = now or datetime.now(timezone.utc)
    return f"{started:%Y%m%dt%H%M%S}-{uuid.uuid4().hex[:6]}"


def run_started(run_id: str) -> datetime | None:
    """When the run of ``run_id`` started (UTC), if its id says so (``new_run_id``'s form)."""
    try:
        return datetime.strptime(run_id[:15], "%Y%m%dt%H%M%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return None
