"""``azurestack-emulator``: run the stamp in a box in the foreground until SIGINT/SIGTERM.

When it accepts connections it prints (and writes to ``--env-file``) shell ``export`` lines for
the variables Microsoft's Azure Stack Python instructions use, so ``source``-ing that file is all
a client needs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pytest_azurestack import profiles
from pytest_azurestack.emulator.config import ALL_PROVIDERS, SUBSCRIPTION_STATES, EmulatorConfig
from pytest_azurestack.emulator.server import EmulatorInfo, EmulatorServer


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="azurestack-emulator",
        description="An Azure Stack Hub Resource Manager emulator on loopback HTTPS.",
    )
    p.add_argument("--port", type=int, default=0, help="TCP port (default 0: any free port)")
    p.add_argument("--host", default="127.0.0.1", help="loopback address to bind (127.0.0.1, localhost, ::1)")
    p.add_argument("--env-file", type=Path, help="write shell export lines for the client here when ready")
    p.add_argument(
        "--build", default="2102", choices=list(profiles.STAMP_BUILDS), help="Azure Stack Hub build"
    )
    p.add_argument("--location", default="local", help="the stamp's region (default: local)")
    p.add_argument("--data-dir", type=Path, help="persist state here across restarts (default: memory only)")
    p.add_argument(
        "--work-dir", type=Path, help="where to write the CA bundle (default: a temporary directory)"
    )
    p.add_argument("--lro-polls", type=int, default=1, help="polls an operation stays InProgress (default 1)")
    p.add_argument(
        "--lro-seconds", type=float, help="seconds an operation stays InProgress (instead of polls)"
    )
    p.add_argument(
        "--retry-after",
        type=_seconds,
        default=1,
        help="Retry-After seconds on operations (default 1; a fraction such as 0.01 makes fast tests)",
    )
    p.add_argument(
        "--realistic",
        action="store_true",
        help="Retry-After as the real service sends it and real-looking operation durations "
        "(default: fast, for tools people wait on)",
    )
    p.add_argument(
        "--quota",
        action="append",
        default=[],
        type=_quota,
        metavar="NAME=LIMIT",
        help="a compute quota limit (cores, virtualMachines, standardDSv2Family...); repeatable",
    )
    p.add_argument("--page-size", type=int, default=2, help="items per list page (default 2)")
    p.add_argument(
        "--providers",
        default=",".join(ALL_PROVIDERS),
        help=f"comma-separated resource providers to serve (default: {','.join(ALL_PROVIDERS)})",
    )
    p.add_argument(
        "--subscription-state",
        default="Enabled",
        choices=list(SUBSCRIPTION_STATES),
        help="the subscription's state (Disabled: Resource Manager refuses writes); default Enabled",
    )
    p.add_argument(
        "--images",
        type=_images,
        help="JSON file: the marketplace, a list of {publisher, offer, sku, version, os_type, size_gb} "
        "(default: the two images of Microsoft's VM sample)",
    )
    p.add_argument("--identity", choices=["adfs", "aad"], default="adfs", help="identity provider flavour")
    p.add_argument("--client-id", help="service principal id (default: random per start)")
    p.add_argument("--client-secret", help="service principal secret (default: random per start)")
    p.add_argument("--subscription-id", help="subscription id (default: random, or the one in --data-dir)")
    p.add_argument(
        "--log-level", default="warning", choices=["critical", "error", "warning", "info", "debug"]
    )
    return p


def _seconds(text: str) -> float:
    """Whole seconds stay ints, so the header reads ``1`` as ARM's does, not ``1.0``."""
    value = float(text)
    return int(value) if value.is_integer() else value


def _images(text: str) -> list[Any]:
    try:
        data = json.loads(Path(text).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise argparse.ArgumentTypeError(f"cannot read images from {text}: {exc}") from None
    if not isinstance(data, list):
        raise argparse.ArgumentTypeError(f"{text} must hold a JSON list of images")
    return data


def _quota(text: str) -> tuple[str, int]:
    name, sep, limit = text.partition("=")
    if not sep or not limit.strip().isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=LIMIT (for example cores=20)")
    return name.strip(), int(limit)


def write_env_file(path: Path, text: str) -> None:
    """Atomically, readable by the owner only (it holds the client secret)."""
    path = path.expanduser().resolve()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def env_file_problem(path: Path) -> str | None:
    """Why ``path`` cannot take the env file (checked before serving), or None."""
    parent = path.expanduser().resolve().parent
    if not parent.is_dir():
        return f"--env-file directory {parent} does not exist; create it or choose another path"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"--env-file directory {parent} is not writable; choose another path"
    if path.expanduser().resolve().is_dir():
        return f"--env-file {path} is a directory; give a file path"
    return None


def config_from(args: argparse.Namespace) -> EmulatorConfig:
    return EmulatorConfig(
        host=args.host,
        port=args.port,
        build=args.build,
        location=args.location,
        identity=args.identity,
        client_id=args.client_id,
        client_secret=args.client_secret,
        subscription_id=args.subscription_id,
        page_size=args.page_size,
        lro_polls=args.lro_polls,
        lro_seconds=args.lro_seconds,
        retry_after=args.retry_after,
        realistic=args.realistic,
        quotas=dict(args.quota),
        work_dir=args.work_dir,
        data_dir=args.data_dir,
        log_level=args.log_level,
        providers=tuple(p.strip() for p in args.providers.split(",") if p.strip()),
        subscription_state=args.subscription_state,
        images=args.images,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.env_file is not None:
        problem = env_file_problem(args.env_file)
        if problem:
            print(f"azurestack-emulator: {problem}", file=sys.stderr)
            return 2
    try:
        server = EmulatorServer(config_from(args))
    except (ValueError, RuntimeError, OSError) as exc:
        print(f"azurestack-emulator: {exc}", file=sys.stderr)
        return 2

    def ready(info: EmulatorInfo) -> None:
        lines = info.export_lines()
        if args.env_file:
            write_env_file(args.env_file, lines)
        sys.stdout.write(lines)
        sys.stdout.write(
            f"# Azure Stack emulator (build {args.build}) ready at {info.arm_endpoint}; Ctrl-C stops it\n"
        )
        sys.stdout.flush()

    try:
        server.serve_forever(on_ready=ready)
    except OSError as exc:
        print(
            f"azurestack-emulator: cannot serve on {args.host}:{args.port} ({exc}); choose another --port",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
