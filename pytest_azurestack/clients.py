"""Management clients bound to a profile, for either SDK generation.

Multi-API generation (the class carries ``LATEST_PROFILE`` and takes ``profile=``): the client is
built with ``KnownProfiles.<profile>`` and sends exactly the profile's versions. Single-API
generation: the client cannot target a profile (a client-level ``api_version`` is silently ignored
by its operations), so it is built as it is; the transport's guard catches what it sends, and the
opt-in pin mode rewrites it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from azure.core.credentials import TokenCredential

from .cloud import Cloud
from .profiles import Profile
from .sdk import is_multi_api
from .transport import AzureStackTransport

ClientT = TypeVar("ClientT")


def known_profile(profile: Profile, client_class: type | None = None) -> Any:
    """``KnownProfiles`` member for a profile (``latest`` -> ``KnownProfiles.latest``).

    ``azure.profiles`` ships with azure-common, which only the multi-API generation needs. Given a
    client class, the member comes from the very ``KnownProfiles`` its mixin checks against (a
    second import of ``azure.profiles``, as pytester's module snapshots make, is another class).
    """
    for klass in client_class.__mro__ if client_class is not None else ():
        init = vars(klass).get("__init__")
        known = getattr(init, "__globals__", {}).get("KnownProfiles")
        if known is not None:
            return known[profile.sdk_name]
    from azure.profiles import KnownProfiles

    return KnownProfiles[profile.sdk_name]


@dataclass(frozen=True)
class ClientContext:
    """What every client of one test shares: where, as whom, under which profile, over which transport."""

    cloud: Cloud
    credential: TokenCredential
    subscription_id: str
    profile: Profile
    transport: AzureStackTransport
    polling_interval: float | None = None  # None: the SDK's default (30 s, or the server's Retry-After)

    def client(self, client_class: type[ClientT], **extra: Any) -> ClientT:
        return make_client(client_class, self, **extra)


def make_client(client_class: type[ClientT], context: ClientContext, **extra: Any) -> ClientT:
    """Build ``client_class`` for the context's cloud and profile, sending through its transport."""
    kwargs: dict[str, Any] = {
        "base_url": context.cloud.arm_endpoint,
        "credential_scopes": [context.cloud.scope],
        "transport": context.transport,
    }
    if context.polling_interval is not None:
        kwargs["polling_interval"] = context.polling_interval
    if is_multi_api(client_class):
        kwargs["profile"] = known_profile(context.profile, client_class)
    kwargs.update(extra)
    return client_class(context.credential, context.subscription_id, **kwargs)  # type: ignore[call-arg]
