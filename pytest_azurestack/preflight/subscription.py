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
