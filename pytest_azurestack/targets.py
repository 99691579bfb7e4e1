"""The run's target: start the embedded emulator, check a live target's access once, and build the
run-level client the sweeper uses.

All of this runs in the controller before tests (xdist workers inherit the exported variables), so
a wrong subscription or a principal without a role stops the run at its start in one line, instead
of an SDK traceback or a 403 repeated by every test.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from azure.core import PipelineClient
from azure.core.exceptions import AzureError
from azure.core.pipeline.policies import BearerTokenCredentialPolicy, HeadersPolicy, RetryPolicy
from azure.core.rest import HttpRequest, HttpResponse

from . import sdk
from .clients import ClientContext
from .credentials import LiveTarget
from .environment import EnvironOverlay
from .errors import AuthenticationError, ConfigurationError, EndpointError, one_line
from .options import Settings
from .profiles import HYBRID_PROFILES, Profile
from .transport import AzureStackTransport, arm_error

if TYPE_CHECKING:
    from azure.mgmt.resource.resources import ResourceManagementClient

    from .emulator import EmulatorServer

# The emulator answers Retry-After: 0, which azure-core treats as absent: this is the poll period then.
EMULATOR_POLLING_INTERVAL = 0.05
# The subscriptions API every Azure Stack Hub build serves (all five profiles have it).
SUBSCRIPTION_API_VERSION = "2016-06-01"
CA_BUNDLE_VARIABLE = "AZURESTACK_CA_BUNDLE"


def polling_interval(settings: Settings) -> float | None:
    """The LRO poll period for the run's clients; None keeps the SDK's (Retry-After, or 30 s)."""
    return EMULATOR_POLLING_INTERVAL if settings.target == "emulator" else None


def start_emulator(settings: Settings, overlay: EnvironOverlay) -> EmulatorServer:
    """Start the emulator and export its stamp variables and CA (see ``trusting_emulator``)."""
    # Only emulator runs pay for its import.
    from .emulator import EmulatorConfig, EmulatorServer

    server = EmulatorServer(
        EmulatorConfig(build=settings.emulator_build, location=settings.location, retry_after=0)
    )
    info = server.start()
    # Exported, not passed around: the live code path reads the stamp exactly as for a real one,
    # and xdist workers inherit it. The CA goes to the plugin's own option, never to certifi.
    for name, value in info.env().items():
        if name not in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"):
            overlay.set(name, value)
    overlay.set(CA_BUNDLE_VARIABLE, str(info.ca_bundle))
    return server


def trusting_emulator(settings: Settings) -> Settings:
    """``settings`` trusting the CA the controller exported when it started the emulator.

    Settings' one replacement after configure (see ``options.Settings``): the controller and every
    xdist worker make it at session start, from the same exported variable.
    """
    exported = os.environ.get(CA_BUNDLE_VARIABLE)
    if settings.target == "emulator" and exported:
        return dataclasses.replace(settings, ca_bundle=Path(exported))
    return settings


def check_access(live: LiveTarget, ca_bundle: Path | None) -> None:
    """Sign in, then read the subscription: each failure is one ``AzureStackError`` line."""
    live.check_sign_in()
    check_subscription(live, ca_bundle)


def check_subscription(live: LiveTarget, ca_bundle: Path | None) -> None:
    """``GET /subscriptions/{id}`` as the run's principal, through the run's transport.

    404 (or 400 for a malformed id): the subscription does not exist or the principal cannot see it.
    403: the transport raises the one-line "grant it Contributor" error itself.
    """
    env, cloud = live.env, live.cloud
    transport = AzureStackTransport(
        ca_bundle=ca_bundle, principal=env.client_id, subscription_id=env.subscription_id
    )
    policies: list[Any] = [
        HeadersPolicy({"Accept": "application/json"}),
        RetryPolicy(retry_total=3),
        BearerTokenCredentialPolicy(live.credential, cloud.scope),
    ]
    path = f"/subscriptions/{quote(env.subscription_id, safe='')}"
    request = HttpRequest(
        "GET", f"{cloud.arm_endpoint}{path}", params={"api-version": SUBSCRIPTION_API_VERSION}
    )
    client: PipelineClient[HttpRequest, HttpResponse] = PipelineClient(
        base_url=cloud.arm_endpoint, policies=policies, transport=transport
    )
    with client:
        try:
            response: HttpResponse = client.send_request(request)
        except AzureError as exc:
            raise EndpointError(
                f"cannot read subscription {env.subscription_id} at {cloud.arm_endpoint} ({one_line(exc)})",
                "check that this machine can reach the stamp (VPN, DNS, firewall)",
            ) from None
    if response.status_code == 200:
        return
    detail = arm_error(response)
    if response.status_code in (400, 404):
        raise ConfigurationError(
            f"subscription {env.subscription_id} was not found or is not visible to service principal "
            f"{env.client_id} ({response.status_code}{detail})",
            "check AZURE_SUBSCRIPTION_ID (the stamp's user portal lists your subscriptions), or give the "
            "principal a role on that subscription",
        )
    if response.status_code == 401:  # the transport lets a claims challenge through; nothing answers it here
        raise AuthenticationError(
            f"Resource Manager refused the token of service principal {env.client_id} "
            f"on GET {path} (401{detail})",
            "check that AZURE_TENANT_ID and the principal belong to the stamp's directory",
        )
    raise EndpointError(
        f"GET {path} on {cloud.arm_endpoint} answered {response.status_code}{detail}",
        "check ARM_ENDPOINT and the stamp's health (the operator's portal shows failing services)",
    )


def sweeper_client(
    settings: Settings, live: LiveTarget, profile: Profile | None = None
) -> ResourceManagementClient:
    """A resource client for the run itself (no test's profile or cassette): the sweeper's.

    ``profile``: one whose Resources version the stamp serves (the preflight's discovery picks it);
    by default the oldest hybrid profile, which every Azure Stack Hub build serves. Never the run's
    own profiles: a run of a profile the stamp lacks must still be able to list and delete its groups.
    Pin mode is on, so a single-API SDK (which cannot target a profile) sends that version too.
    """
    profile = profile or HYBRID_PROFILES[-1]
    context = ClientContext(
        cloud=live.cloud,
        credential=live.credential,
        subscription_id=live.env.subscription_id,
        profile=profile,
        transport=AzureStackTransport(
            profile=profile,
            guard=False,
            pin=True,
            ca_bundle=settings.ca_bundle,
            principal=live.env.client_id,
            request_timeout=settings.request_timeout,
            operation_timeout=settings.operation_timeout,
        ),
        polling_interval=polling_interval(settings),
    )
    return context.client(sdk.client_class("resource"))
