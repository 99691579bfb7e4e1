"""Routes served by Microsoft.Storage."""

from __future__ import annotations

from pytest_azurestack.emulator.arm.routing import Route
from pytest_azurestack.emulator.providers.storage import responses as r

NS = "Microsoft.Storage"
_SUB = "/subscriptions/{subscription}"
_ACCOUNTS = _SUB + "/resourceGroups/{resource_group}/providers/Microsoft.Storage/storageAccounts"
_ACCOUNT = _ACCOUNTS + "/{name}"

ROUTES: list[Route] = [
    Route("PUT", _ACCOUNT, r.create, NS, "storageAccounts"),
    Route("GET", _ACCOUNT, r.get, NS, "storageAccounts"),
    Route("PATCH", _ACCOUNT, r.update, NS, "storageAccounts"),
    Route("DELETE", _ACCOUNT, r.delete, NS, "storageAccounts"),
    Route("POST", _ACCOUNT + "/listKeys", r.list_keys, NS, "storageAccounts"),
    Route("POST", _ACCOUNT + "/regenerateKey", r.regenerate_key, NS, "storageAccounts"),
    Route("GET", _ACCOUNTS, r.list_in_group, NS, "storageAccounts"),
    Route(
        "GET",
        _SUB + "/providers/Microsoft.Storage/storageAccounts",
        r.list_in_subscription,
        NS,
        "storageAccounts",
    ),
    Route(
        "POST",
        _SUB + "/providers/Microsoft.Storage/checkNameAvailability",
        r.check_name_availability,
        NS,
        "checkNameAvailability",
    ),
]
