"""Run id tags, resource groups per test, and the end-of-run sweeper.

Everything a run creates carries ``azurestack-run=<run id>``; a test's resource group also carries
``azurestack-test=<test id>``. Teardown deletes what the test made; the sweeper then deletes every
group of this run that is still there (a crashed teardown, Ctrl-C, a killed worker). A delete that
fails is returned as a ``CleanupFailure`` for the report, never swallowed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, cast

from azure.core.exceptions import AzureError, ResourceNotFoundError

from .arm_faults import fault_line
from .errors import AzureStackError, one_line

if TYPE_CHECKING:  # the team's SDK release, imported where used (sdk.py)
    from azure.mgmt.resource.resources import ResourceManagementClient

RUN_TAG = "azurestack-run"
TEST_TAG = "azurestack-test"
MAX_TAG_VALUE = 256  # ARM's limit on a tag value


@dataclass(frozen=True)
class CleanupFailure:
    """A resource group that could not be deleted, and why (one line)."""

    name: str
    reason: str
    test_id: str = ""

    def __str__(self) -> str:
        if not self.name:
            return self.reason
        where = f" (from {self.test_id})" if self.test_id else ""
        return f"resource group {self.name}{where} was not deleted: {self.reason}"


def _why(exc: BaseException) -> str:
    """One line: the ARM fault (status, code, request id) when it is one."""
    return fault_line(exc) or one_line(exc, 300)


def keep_reason(keep: str, failed: int) -> str | None:
    """Why a test that deletes what the run made must not (``failed``: tests failed so far), or None."""
    if not should_keep(keep, failed=bool(failed)):
        return None
    why = "" if keep == "always" else f", {failed} test(s) failed"
    return f"kept: --azurestack-keep {keep}{why}; this test would delete what the run keeps"


def should_keep(keep: str, failed: bool) -> bool:
    """--azurestack-keep's decision, for a test's group at teardown and for the sweeper: keep what
    was made (``failed``: the test failed, or for the sweeper any test of the run did)."""
    return keep == "always" or (keep == "on-failure" and failed)


def run_tags(run_id: str) -> dict[str, str]:
    return {RUN_TAG: run_id}


def group_tags(run_id: str, test_id: str) -> dict[str, str]:
    # Keep the end of a long id: it holds the test name and its profile.
    return {RUN_TAG: run_id, TEST_TAG: test_id[-MAX_TAG_VALUE:]}


class ResourceGroup(Protocol):
    """A resource group as the SDK returns it. The multi-API SDK has one ``ResourceGroup`` model class
    per api-version (none a subclass of another), so the fixture promises what they all have."""

    @property
    def id(self) -> str | None: ...
    @property
    def name(self) -> str | None: ...
    @property
    def location(self) -> str: ...
    @property
    def tags(self) -> dict[str, str] | None: ...


def create_resource_group(
    resource_client: ResourceManagementClient, name: str, location: str, tags: dict[str, str]
) -> ResourceGroup:
    group = resource_client.resource_groups.create_or_update(name, {"location": location, "tags": tags})
    return cast(ResourceGroup, group)


def delete_resource_group(
    resource_client: ResourceManagementClient, name: str, test_id: str = ""
) -> CleanupFailure | None:
    """Delete ``name`` and wait for it to be gone; a group already gone counts as deleted."""
    try:
        resource_client.resource_groups.begin_delete(name).result()
    except ResourceNotFoundError:
        return None
    except (AzureError, AzureStackError) as exc:
        return CleanupFailure(name, _why(exc), test_id)
    return None


def sweep(
    resource_client: ResourceManagementClient,
    run_id: str,
    on_deleted: Callable[[str], None] | None = None,
    on_listed: Callable[[list[str]], None] | None = None,
) -> list[CleanupFailure]:
    """Delete every resource group tagged with ``run_id``. Lists all groups and filters here, since not
    every stamp honours a tag ``$filter``. ``on_listed``: the groups found, before any delete."""
    try:
        groups = [
            g.name for g in resource_client.resource_groups.list() if (g.tags or {}).get(RUN_TAG) == run_id
        ]
    except (AzureError, AzureStackError) as exc:
        reason = f"cannot list resource groups to sweep run {run_id}: {_why(exc)}"
        return [CleanupFailure("", reason)]
    if on_listed is not None:
        on_listed(groups)
    failures: list[CleanupFailure] = []
    pollers = []
    for name in groups:  # start every delete first: they run in parallel on the server
        try:
            pollers.append((name, resource_client.resource_groups.begin_delete(name)))
        except ResourceNotFoundError:
            continue
        except (AzureError, AzureStackError) as exc:
            failures.append(CleanupFailure(name, _why(exc)))
    for name, poller in pollers:
        try:
            poller.result()
        except ResourceNotFoundError:
            pass
        except (AzureError, AzureStackError) as exc:
            failures.append(CleanupFailure(name, _why(exc)))
            continue
        if on_deleted is not None:
            on_deleted(name)
    return failures
