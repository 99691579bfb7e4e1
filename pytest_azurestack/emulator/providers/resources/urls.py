"""Routes served by Microsoft.Resources."""

from __future__ import annotations

from pytest_azurestack.emulator.arm.routing import Route
from pytest_azurestack.emulator.providers.resources import deployments_responses as d
from pytest_azurestack.emulator.providers.resources import responses as r

NS = "Microsoft.Resources"
_SUB = "/subscriptions/{subscription}"
_GROUP = _SUB + "/resourceGroups/{resource_group}"
_DEPLOYMENTS = _GROUP + "/providers/Microsoft.Resources/deployments"
_DEPLOYMENT = _DEPLOYMENTS + "/{name}"
# Deployment operations are addressed without the provider segment (and, by some clients, with it).
_OPERATIONS = (_GROUP + "/deployments/{name}/operations", _DEPLOYMENT + "/operations")

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
    # Template deployments (deployments_responses.py).
    Route("GET", _DEPLOYMENTS, d.list_deployments, NS, "deployments"),
    Route("PUT", _DEPLOYMENT, d.put_deployment, NS, "deployments"),
    Route("GET", _DEPLOYMENT, d.get_deployment, NS, "deployments"),
    Route("HEAD", _DEPLOYMENT, d.check_deployment, NS, "deployments"),
    Route("DELETE", _DEPLOYMENT, d.delete_deployment, NS, "deployments"),
    Route("POST", _DEPLOYMENT + "/validate", d.validate_deployment, NS, "deployments"),
    Route("GET", _DEPLOYMENT + "/operationStatuses/{operation_id}", d.deployment_status, NS, "deployments"),
    Route("POST", _DEPLOYMENT + "/cancel", d.cancel_deployment, NS, "deployments"),
    *(Route("GET", ops, d.list_operations, NS, "deployments") for ops in _OPERATIONS),
    *(Route("GET", ops + "/{operation_id}", d.get_operation, NS, "deployments") for ops in _OPERATIONS),
]
