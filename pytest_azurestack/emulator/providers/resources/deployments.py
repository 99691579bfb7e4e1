"""Template deployments at resource-group scope: the request, its validation, the stored record.

No HTTP here. ``prepare`` reads a deployment PUT or validate body and runs ARM's preflight:
the template's sections, its parameters, its resources' expansion and dependencies, and whether
the stamp serves each resource's api-version. The record stored is what ARM keeps of a
deployment (no template, and secure parameter values never: they live only in memory, in the
run). ``mode: Complete`` is refused (docs/emulator.md, "Template deployments").
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from pytest_azurestack.emulator.arm.errors import ArmError
from pytest_azurestack.emulator.arm.ids import group_id
from pytest_azurestack.emulator.arm.request import ArmRequest
from pytest_azurestack.emulator.templates import (
    BoundParameters,
    Plan,
    Scope,
    TemplateError,
    bind_parameters,
    plan_template,
)
from pytest_azurestack.emulator.templates.plan import check_sections

DEPLOYMENT_TYPE = "Microsoft.Resources/deployments"
ACTIVE_STATES = ("Accepted", "Running")
_NAME = re.compile(r"^[-\w._()]{1,64}$")


def deployment_id(subscription: str, group: str, name: str) -> str:
    return f"{group_id(subscription, group)}/providers/{DEPLOYMENT_TYPE}/{name}"


def timestamp() -> str:
    """As ARM writes a deployment's times: seven fractional digits and ``Z``."""
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond:06d}0Z"


def duration(seconds: float) -> str:
    return f"PT{max(seconds, 0):.7f}S"


@dataclass
class Prepared:
    """A deployment request that passed preflight: what the run needs, and what is echoed."""

    name: str
    mode: str
    template: dict[str, Any]
    parameters: BoundParameters
    plan: Plan
    scope: Scope
    template_hash: str


def check_name(name: str) -> None:
    if not _NAME.match(name):
        raise ArmError(
            400,
            "InvalidDeploymentName",
            f"The deployment name '{name}' is invalid: use 1-64 letters, digits, hyphens, underscores, "
            "periods or parentheses.",
        )


def prepare(request: ArmRequest, group: dict[str, Any]) -> Prepared:
    """Read and preflight a deployment body; ARM's 400 for anything it would refuse."""
    name = request.param("name")
    check_name(name)
    body = request.json()
    props = body.get("properties")
    if not isinstance(props, dict):
        raise ArmError(
            400, "InvalidRequestContent", "The request content was invalid: 'properties' is required."
        )
    if props.get("templateLink") or props.get("parametersLink"):
        raise ArmError(
            400,
            "InvalidTemplateLink",
            "The Azure Stack emulator has no outbound network, so it cannot read templateLink or "
            "parametersLink: send 'template' and 'parameters' inline.",
        )
    if "template" not in props:
        raise ArmError(
            400,
            "InvalidRequestContent",
            "The request content was invalid: 'properties.template' is required.",
        )
    mode = _mode(props.get("mode"))
    scope = Scope(
        subscription_id=request.subscription_id,
        tenant_id=str(getattr(request.context.config, "tenant_id", "") or ""),
        resource_group=_group_view(group),
        deployment_name=name,
        parameters={},
        variables={},
    )
    bound = BoundParameters()
    try:
        template = check_sections(props["template"])
        scope.variables = {k.lower(): v for k, v in (template.get("variables") or {}).items()}
        bound = bind_parameters(template.get("parameters"), props.get("parameters"), scope)
        plan = plan_template(template, scope)
    except TemplateError as exc:
        message = exc.message
        for secret in bound.secrets:  # an evaluation message may quote a value: never a secure one
            message = message.replace(secret, "***")
        raise ArmError(400, exc.code, message) from None
    _check_api_versions(request, name, plan)
    digest = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()
    return Prepared(name, mode, template, bound, plan, scope, str(int(digest[:16], 16)))


def _mode(value: Any) -> str:
    text = str(value or "")
    if text.lower() == "incremental":
        return "Incremental"
    if text.lower() == "complete":
        raise ArmError(
            400,
            "DeploymentModeNotSupported",
            "The Azure Stack emulator does not serve deployment mode 'Complete' (it would delete every "
            "resource of the group the template does not name); deploy with mode 'Incremental'.",
        )
    raise ArmError(
        400,
        "InvalidDeploymentMode",
        f"The deployment mode '{value}' is not valid: 'properties.mode' must be 'Incremental'.",
    )


def _group_view(group: dict[str, Any]) -> dict[str, Any]:
    """What ``resourceGroup()`` returns."""
    view: dict[str, Any] = {k: group[k] for k in ("id", "name", "type", "location") if k in group}
    view["properties"] = {"provisioningState": "Succeeded"}
    if group.get("tags"):
        view["tags"] = group["tags"]
    return view


def _check_api_versions(request: ArmRequest, name: str, plan: Plan) -> None:
    """ARM's preflight: every resource at an api-version the stamp serves for its type."""
    details: list[dict[str, Any]] = []
    versions = request.context.versions
    for resource in plan.resources:
        try:
            versions.check(
                resource.namespace,
                resource.resource_type,
                resource.api_version,
                request.location,
                whole=False,
            )
        except ArmError as exc:
            details.append(exc.body()["error"])
    if details:
        raise invalid_deployment(name, details)


def invalid_deployment(name: str, details: list[dict[str, Any]]) -> ArmError:
    return ArmError(
        400,
        "InvalidTemplateDeployment",
        f"The template deployment '{name}' is not valid according to the validation procedure. The "
        f"tracking id is '{uuid.uuid4()}'. See inner errors for details.",
        details,
    )


def new_record(request: ArmRequest, prepared: Prepared, correlation_id: str) -> dict[str, Any]:
    """The stored deployment, ``Accepted``; ``operations`` holds its deployment operations."""
    rid = deployment_id(request.subscription_id, request.param("resource_group"), prepared.name)
    return {
        "id": rid,
        "name": prepared.name,
        "type": DEPLOYMENT_TYPE,
        "properties": {
            "templateHash": prepared.template_hash,
            "parameters": prepared.parameters.echo,
            "mode": prepared.mode,
            "provisioningState": "Accepted",
            "timestamp": timestamp(),
            "duration": duration(0),
            "correlationId": correlation_id,
            "providers": providers_of(prepared.plan, request.location),
            "dependencies": dependencies_of(prepared.plan),
        },
        "operations": [],
    }


def providers_of(plan: Plan, location: str) -> list[dict[str, Any]]:
    found: dict[str, dict[str, None]] = {}
    for resource in plan.resources:
        found.setdefault(resource.namespace, {}).setdefault(resource.resource_type, None)
    return [
        {"namespace": ns, "resourceTypes": [{"resourceType": t, "locations": [location]} for t in types]}
        for ns, types in found.items()
    ]


def dependencies_of(plan: Plan) -> list[dict[str, Any]]:
    by_key = plan.by_key()

    def basic(key: str) -> dict[str, Any]:
        r = by_key[key]
        return {"id": r.id, "resourceType": r.full_type, "resourceName": r.name}

    return [
        {"dependsOn": [basic(d) for d in r.depends_on], **basic(r.key)}
        for r in plan.resources
        if r.depends_on
    ]


def is_active(record: dict[str, Any] | None) -> bool:
    return record is not None and record["properties"].get("provisioningState") in ACTIVE_STATES


def deployment_active(name: str, action: str) -> ArmError:
    return ArmError(
        409,
        "DeploymentActive",
        f"The deployment '{name}' cannot be {action}, because it is still active: wait for it to finish "
        "and retry.",
    )
