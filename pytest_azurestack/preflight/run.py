"""One pass over the stamp: discovery always (live targets), the checks unless switched off.

Order matters only where a check needs what an earlier one found: a token before any request, the
subscription before its providers, the provider documents before the per-profile verdicts, and
only the profiles the stamp serves count for images, sizes and quota (the others create nothing).
Everything else is gathered, so the summary lists every problem at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ..credentials import LiveTarget
from ..errors import AzureStackError
from ..profiles import Profile
from . import marketplace, providers, quota, subscription
from .arm import ArmReader
from .model import PreflightReport, Problem, ProfileNeeds

NeedsOf = Callable[[Profile], ProfileNeeds | None]


def judge_profiles(report: PreflightReport, profiles: Sequence[Profile]) -> None:
    """Each selected hybrid profile: served, or what it lacks (``latest`` is the server's to refuse)."""
    if not report.discovered:
        return
    for profile in profiles:
        if not profile.hybrid:
            continue
        missing = providers.lacks(profile, report.provider_versions)
        if missing:
            report.unsupported[profile.name] = missing


def preflight(
    live: LiveTarget,
    ca_bundle: Path | None,
    location: str,
    profiles: Sequence[Profile],
    needs_of: NeedsOf,
    checks: bool = True,
) -> PreflightReport:
    """Discovery, then (``checks``) every check; never raises for what the stamp lacks.

    Without ``checks`` (``--azurestack-no-preflight``) only the provider documents are read, for
    the stamp facts, ``auto`` and the per-profile verdicts; what cannot be read is then noted in
    ``discovery_error``, not a problem that stops the run.
    """
    report = PreflightReport(checked=checks)
    with ArmReader(live, ca_bundle) as reader:
        try:
            if checks and not _identity_and_subscription(live, reader, report):
                return report
            versions, registration, problems = providers.read(reader)
            report.provider_versions, report.registration = versions, registration
            report.discovery_error = "; ".join(p.problem for p in problems)
            if checks:
                report.problems.extend(problems)
            judge_profiles(report, profiles)
            if checks:
                _checks(reader, live, report, location, profiles, needs_of)
        except AzureStackError as exc:  # the stamp stopped answering part-way
            if checks:
                report.problems.append(Problem("endpoint", exc.problem, exc.fix))
            else:
                report.discovery_error = str(exc)
    return report


def _identity_and_subscription(live: LiveTarget, reader: ArmReader, report: PreflightReport) -> bool:
    """A token, then the subscription; False when nothing under the subscription can be read."""
    try:
        live.check_sign_in()
    except AzureStackError as exc:
        report.problems.append(Problem("identity", exc.problem, exc.fix))
        return False
    report.passed.append(
        f"the metadata document answers (login {live.cloud.login_endpoint}); a token is issued for "
        f"{live.cloud.audience}"
    )
    problem, state = subscription.check(reader, live.env.client_id)
    if problem is None:
        report.passed.append(f"the subscription is {state}")  # its id stays out of shareable reports
        return True
    report.problems.append(problem)
    return bool(state)  # a disabled subscription can still be read: gather the rest


def _checks(
    reader: ArmReader,
    live: LiveTarget,
    report: PreflightReport,
    location: str,
    profiles: Sequence[Profile],
    needs_of: NeedsOf,
) -> None:
    registration = providers.registration_problems(report.registration, live.env.subscription_id)
    report.problems.extend(registration)
    if report.discovered and not registration:
        report.passed.append(
            f"resource providers {', '.join(report.registration)} are registered; "
            f"the build they indicate: {providers.indicated_build(report.provider_versions)}"
        )
    problem, _ = subscription.check_location(reader, location)
    if problem is not None:
        report.problems.append(problem)
        return  # every check below asks about the location
    runnable = [p for p in profiles if p.name not in report.unsupported]
    images: dict[tuple[str, str, str], list[str]] = {}
    sizes: dict[str, list[str]] = {}
    vms: list[str] = []
    for profile in runnable:
        needs = needs_of(profile)
        if needs is None:
            continue
        for image in needs.images:
            images.setdefault(image, []).append(profile.name)
        for size in needs.vm_sizes:
            sizes.setdefault(size, []).append(profile.name)
            vms.append(size)
    if images:
        problems, found = marketplace.check_images(reader, report.provider_versions, location, images)
        report.problems.extend(problems)
        if found:
            report.passed.append(f"the marketplace offers {', '.join(found)}")
    if not sizes:
        return
    offered, problem = marketplace.read_sizes(reader, report.provider_versions, location)
    if problem is not None:
        report.problems.append(problem)
        return
    size_problems = marketplace.check_sizes(offered, location, sizes)
    report.problems.extend(size_problems)
    if not size_problems:
        report.passed.append(f"VM sizes {', '.join(sizes)} are offered in '{location}'")
    cores = {name.lower(): n for name, n in offered.items()}
    needed = {"virtualMachines": len(vms), "cores": sum(cores.get(s.lower(), 0) for s in vms)}
    quota_problems, room = quota.check(reader, report.provider_versions, location, needed)
    report.problems.extend(quota_problems)
    if room and not quota_problems:
        report.passed.append(f"compute quota has room ({room})")
