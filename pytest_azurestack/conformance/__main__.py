"""Manage the conformance manifest of a suite.

    python -m pytest_azurestack.conformance --write-manifest suites/   # regenerate it after review
    python -m pytest_azurestack.conformance --check suites/            # exit 1 and print the diff

The manifest is ``<suite>/conformance-manifest.yaml`` unless ``--manifest PATH`` says otherwise.
Extra pytest arguments for collecting the suite go after ``--``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import manifest
from .marks import ConformanceError


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    pytest_args: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, pytest_args = argv[:cut], argv[cut + 1 :]
    parser = argparse.ArgumentParser(prog="python -m pytest_azurestack.conformance", description=__doc__)
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write-manifest", metavar="SUITE", type=Path, help="(re)generate the manifest")
    action.add_argument("--check", metavar="SUITE", type=Path, help="compare the suite with its manifest")
    action.add_argument("--collect-json", metavar="OUT", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--manifest", type=Path, help="manifest path (default: SUITE/" + manifest.MANIFEST_NAME + ")"
    )
    parser.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.collect_json is not None:  # internal: the fresh interpreter behind manifest.collect()
        specs, code, output = manifest.collect_in_process([*args.paths, *pytest_args])
        if code not in (0, 5):  # 5: nothing collected, which is a valid (empty) suite
            sys.stderr.write(output)
            return code
        args.collect_json.write_text(manifest.specs_to_json(specs.values()), encoding="utf-8")
        return 0

    suite: Path = args.write_manifest or args.check
    if not suite.exists():
        print(
            f"error: the suite {suite} does not exist; give the directory of the conformance tests",
            file=sys.stderr,
        )
        return 2
    target = args.manifest or manifest.default_manifest(suite)
    try:
        if args.write_manifest is not None:
            specs = manifest.collect([suite], pytest_args)
            manifest.write(specs.values(), target, suite)
            print(f"wrote {len(specs)} conformance ids to {target}")
            return 0
        found = manifest.check(suite, target, pytest_args)
    except ConformanceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if found:
        print(f"{suite} and {target} disagree:")
        for line in found.lines():
            print("  " + line)
        print(f"if the change is intended: {manifest.REGENERATE.format(suite=suite)}")
        return 1
    print(f"{target} matches {suite}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
