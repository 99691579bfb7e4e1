"""Routes served by Microsoft.Resources."""

from __future__ import annotations

from pytest_azurestack.emulator.arm.routing import Route
from pytest_azurestack.emulator.providers.resources import responses as r

NS = "Microsoft.Resources"
_SUB = "/subscriptions/{subscription}"
_GROUP = _SUB + "/resourceGroups/{resource_group}"

ROUTES: list[Route] = [
    Route("GET", "/subscriptions", r.list_subscriptions, NS, "subscriptions"),
    Route("GET", _SUB, r.get_subscription, NS, "subscriptions"),
    Route("GET", _SUB + "/locations", r.list_locations, NS, "locations"),
    Route("GET", _SUB + "/providers", r.list_providers, NS, "providers"),
    Route("GET", _SUB + "/providers/{namespace}", r.get_provider, NS, "providers"),
    Route("POST", _SUB + "/providers/{namespace}/register", r.register_provider, NS, "providers"),
    Route("POST", _SUB + "/providers/{namespace}/unregister", r.unregister_provider, NS, "providers"),
    Route("GET", _SUB + "/resourceGroups", r.list_groups, NS, "resourceGroups"),
    Route("PUT", _GROUP, r.create_or_update_group, NS, "resourceGroups", check_group=False),
    Route("GET", _GROUP, r.get_group, NS, "resourceGroups"),
    Route("HEAD", _GROUP, r.check_group, NS, "resourceGroups", check_group=False),
    Route("PATCH", _GROUP, r.update_group, NS, "resourceGroups"),
    Route("DELETE", _GROUP, r.delete_group, NS, "resourceGroups"),
    Route("GET", _GROUP + "/resources", r.list_group_resources, NS, "resources"),
    Route("GET", _SUB + "/resources", r.list_resources, NS, "resources"),
]
