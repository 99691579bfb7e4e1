"""``azurestack-sweep``: list, and with ``--yes`` delete, the resource groups this tool left on a
stamp (a killed run, a kept group, a failed cleanup).

Only groups tagged ``azurestack-run=<run id>`` are ever considered: a group without that tag is
never touched, whatever is asked. Select them by run id (``--run-id``, repeatable), by age
(``--older-than 2h``: the run id says when its run started), or ``--all`` of this tool's. A dry
run is the default: it prints what it would delete. It reads the six standard variables, like a
run, and talks to the stamp at the api-versions the stamp serves: the newest hybrid profile whose
resource-group API the stamp accepts, with every request pinned to that profile's versions, so
any installed SDK release works.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from azure.core.exceptions import AzureError, HttpResponseError, ResourceNotFoundError

from . import masking, sdk
from .arm_faults import fault_line
from .clients import ClientContext
from .conformance.support import unsupported_reason
from .credentials import LiveTarget, connect
from .errors import AzureStackError, one_line
from .options import run_started
from .profiles import HYBRID_PROFILES, RESOURCES, Profile
from .resources import RUN_TAG
from .timeouts import DEFAULT_OPERATION_TIMEOUT, DEFAULT_REQUEST_TIMEOUT
from .transport import AzureStackTransport

if TYPE_CHECKING:
    from azure.mgmt.resource.resources import ResourceManagementClient

COMMAND = "azurestack-sweep"
_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def command_for(run_id: str) -> str:
    """The line a report prints for what a run left behind."""
    return f"{COMMAND} --run-id {run_id} --yes"


def parse_age(text: str) -> timedelta:
    """``90s``, ``30m``, ``2h``, ``7d``; ValueError otherwise."""
    match = _AGE.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not an age such as 90s, 30m, 2h or 7d")
    return timedelta(**{_UNITS[match.group(2).lower()]: float(match.group(1))})


@dataclass(frozen=True)
class ToolGroup:
    """A resource group carrying this tool's run tag."""

    name: str
    run_id: str

    def age(self, now: datetime) -> timedelta | None:
        started = run_started(self.run_id)
        return None if started is None else now - started


@dataclass(frozen=True)
class Selection:
    run_ids: frozenset[str] = frozenset()
    older_than: timedelta | None = None
    everything: bool = False

    def picks(self, group: ToolGroup, now: datetime) -> bool:
        if self.everything:
            return True
        if group.run_id in self.run_ids:
            return True
        if self.older_than is not None:
            age = group.age(now)
            return age is not None and age >= self.older_than
        return False


def tool_groups(client: ResourceManagementClient) -> list[ToolGroup]:
    """Every group with this tool's run tag (lists all and filters here: not every stamp honours a
    tag ``$filter``)."""
    found = []
    for group in client.resource_groups.list():
        run_id = (group.tags or {}).get(RUN_TAG)
        if run_id is not None and group.name:
            found.append(ToolGroup(group.name, run_id))
    return sorted(found, key=lambda g: (g.run_id, g.name))


def _client(live: LiveTarget, profile: Profile, ca_bundle: Path | None, timeouts: tuple[float, float]) -> Any:
    # Pinned: whatever SDK release is installed, every request goes at the profile's versions.
    transport = AzureStackTransport(
        profile=profile,
        guard=False,
        pin=True,
        ca_bundle=ca_bundle,
        principal=live.env.client_id,
        request_timeout=timeouts[0],
        operation_timeout=timeouts[1],
    )
    context = ClientContext(live.cloud, live.credential, live.env.subscription_id, profile, transport)
    return context.client(sdk.client_class("resource"))


def served_client(
    live: LiveTarget,
    ca_bundle: Path | None,
    timeouts: tuple[float, float] = (DEFAULT_REQUEST_TIMEOUT, DEFAULT_OPERATION_TIMEOUT),
    profiles: Sequence[Profile] = HYBRID_PROFILES,
) -> tuple[ResourceManagementClient, list[ToolGroup]]:
    """A resource client at the newest profile whose resource-group API the stamp serves, and the
    tool's groups it listed. Raises ``AzureStackError`` when the stamp serves none of them."""
    refusals = []
    for profile in profiles:  # newest first
        client = _client(live, profile, ca_bundle, timeouts)
        try:
            return client, tool_groups(client)
        except HttpResponseError as exc:
            reason = unsupported_reason(exc)
            client.close()
            if reason is None:
                raise
            refusals.append(f"{profile.name} (Resources {profile.api_version(RESOURCES, 'resourceGroups')})")
    raise AzureStackError(
        f"the stamp serves the resource-group API of none of {', '.join(refusals)}",
        "check ARM_ENDPOINT: this is not an Azure Stack Hub build this tool knows",
    )


def delete_groups(
    client: ResourceManagementClient,
    names: Iterable[str],
    on_deleted: Callable[[str], None],
    on_failed: Callable[[str, str], None],
) -> None:
    """Start every delete, then wait for each (they run in parallel on the server)."""
    pollers = []
    for name in names:
        try:
            pollers.append((name, client.resource_groups.begin_delete(name)))
        except ResourceNotFoundError:
            on_deleted(name)
        except (AzureError, AzureStackError) as exc:
            on_failed(name, fault_line(exc) or one_line(exc, 300))
    for name, poller in pollers:
        try:
            poller.result()
        except ResourceNotFoundError:
            pass
        except (AzureError, AzureStackError) as exc:
            on_failed(name, fault_line(exc) or one_line(exc, 300))
            continue
        on_deleted(name)


def _age(age: timedelta) -> str:
    hours = age.total_seconds() / 3600
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.1f} h"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=COMMAND,
        description="List (and with --yes delete) the resource groups pytest-azurestack runs left on a "
        f"stamp: only groups tagged {RUN_TAG}=<run id>. Reads the six standard AZURE_*/ARM_ENDPOINT "
        "variables. A dry run unless --yes.",
    )
    parser.add_argument("--run-id", action="append", default=[], help="a run's id (repeatable)")
    parser.add_argument(
        "--older-than", metavar="AGE", help="runs that started at least AGE ago: 90s, 30m, 2h, 7d"
    )
    parser.add_argument("--all", action="store_true", help="every group of this tool")
    parser.add_argument("--yes", action="store_true", help="delete them (default: only print what would go)")
    parser.add_argument(
        "--ca-bundle", type=Path, help="PEM of the stamp's root CA [env: AZURESTACK_CA_BUNDLE]"
    )
    parser.add_argument("--request-timeout", type=float, default=DEFAULT_REQUEST_TIMEOUT, help="seconds")
    parser.add_argument(
        "--operation-timeout", type=float, default=DEFAULT_OPERATION_TIMEOUT / 60, help="minutes per delete"
    )
    return parser


def main(argv: Sequence[str] | None = None, now: datetime | None = None) -> int:
    import os

    parser = _parser()
    args = parser.parse_args(argv)
    try:
        older = parse_age(args.older_than) if args.older_than else None
    except ValueError as exc:
        parser.error(f"--older-than: {exc}")
    if not (args.run_id or older or args.all):
        parser.error("say which groups: --run-id ID, --older-than AGE or --all")
    selection = Selection(frozenset(args.run_id), older, args.all)
    bundle = args.ca_bundle or (
        Path(os.environ["AZURESTACK_CA_BUNDLE"]) if os.environ.get("AZURESTACK_CA_BUNDLE") else None
    )
    moment = now or datetime.now(timezone.utc)
    masking.register_environment()  # its lines are masked like a run's reports
    try:
        live = connect(bundle)
        client, groups = served_client(live, bundle, (args.request_timeout, args.operation_timeout * 60))
    except (AzureStackError, AzureError) as exc:
        print(f"{COMMAND}: {masking.mask(fault_line(exc) or one_line(exc, 300))}", file=sys.stderr)
        return 2
    chosen = [g for g in groups if selection.picks(g, moment)]
    others = len(groups) - len(chosen)
    verb = "deleting" if args.yes else "would delete"
    for group in chosen:
        age = group.age(moment)
        when = f", started {_age(age)} ago" if age is not None else ""
        print(f"{verb} resource group {group.name} ({RUN_TAG}={group.run_id}{when})")
    print(
        f"{len(chosen)} of this tool's {len(groups)} resource group(s) selected"
        + (f"; {others} other(s) not selected" if others else "")
        + ("" if args.yes or not chosen else "; add --yes to delete them")
    )
    if not args.yes or not chosen:
        client.close()
        return 0
    deleted: list[str] = []
    failed: list[str] = []
    try:
        delete_groups(
            client,
            [g.name for g in chosen],
            on_deleted=deleted.append,
            on_failed=lambda name, why: failed.append(f"{name}: {why}"),
        )
    except KeyboardInterrupt:
        left = [g.name for g in chosen if g.name not in deleted]
        print(f"{COMMAND}: interrupted; {len(left)} group(s) may be left: {', '.join(left)}", file=sys.stderr)
        print(f"run `{COMMAND} {' '.join(sys.argv[1:]) or '--all --yes'}` again to finish", file=sys.stderr)
        return 130
    finally:
        client.close()
    for name in deleted:
        print(f"deleted resource group {name}")
    for line in failed:
        print(f"FAILED to delete resource group {masking.mask(line)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
