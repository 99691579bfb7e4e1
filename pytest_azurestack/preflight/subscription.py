"""The subscription: it exists for the principal, and it is ``Enabled`` (anything else is read-only)."""

from __future__ import annotations

from .arm import ArmReader
from .model import Problem

SUBSCRIPTION_API_VERSION = "2016-06-01"  # every profile's subscriptions version
WRITABLE_STATES = ("Enabled", "Warned")  # ARM's SubscriptionState values that still allow writes


def check(reader: ArmReader, principal: str) -> tuple[Problem | None, str]:
    """(the problem, or None; the state read) of ``GET /subscriptions/{id}``."""
    sub = reader.subscription_id
    answer = reader.get(reader.subscription_path(), SUBSCRIPTION_API_VERSION)
    if answer.status in (400, 404):
        return (
            Problem(
                "subscription",
                f"subscription {sub} was not found or is not visible to service principal {principal} "
                f"({answer.detail})",
                "check AZURE_SUBSCRIPTION_ID (the stamp's user portal lists your subscriptions), or give the "
                "principal a role on that subscription",
            ),
            "",
        )
    if not answer.ok:
        return (
            Problem(
                "subscription",
                f"GET /subscriptions/{sub} answered {answer.detail}",
                "check ARM_ENDPOINT and the stamp's health (the administrator portal shows failing services)",
            ),
            "",
        )
    state = str(answer.body.get("state", "")) if isinstance(answer.body, dict) else ""
    if state not in WRITABLE_STATES:
        return (
            Problem(
                "subscription",
                f"subscription {sub} is {state or 'in no state'}, not Enabled: Resource Manager refuses "
                "every write to it",
                "ask the stamp's operator to re-enable it (administrator portal: User subscriptions), or set "
                "AZURE_SUBSCRIPTION_ID to an enabled one",
            ),
            state,
        )
    return None, state


def check_location(reader: ArmReader, location: str) -> tuple[Problem | None, list[str]]:
    """(the problem, or None; the locations offered) of ``GET /subscriptions/{id}/locations``."""
    answer = reader.get(reader.subscription_path("/locations"), SUBSCRIPTION_API_VERSION)
    entries = answer.body.get("value") if answer.ok and isinstance(answer.body, dict) else None
    if not isinstance(entries, list):
        return None, []  # not every stamp lists them: the marketplace checks still find a wrong one
    offered = [str(e.get("name")) for e in entries if isinstance(e, dict) and e.get("name")]
    wanted = location.replace(" ", "").lower()
    suggestion = offered[0] if offered else "its region"
    if any(name.replace(" ", "").lower() == wanted for name in offered):
        return None, offered
    return (
        Problem(
            "subscription",
            f"location '{location}' is not offered to subscription {reader.subscription_id} "
            f"(it offers {', '.join(offered) or 'none'})",
            f"set AZURE_RESOURCE_LOCATION (or --azurestack-location) to {suggestion}",
        ),
        offered,
    )
