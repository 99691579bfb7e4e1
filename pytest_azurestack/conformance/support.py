"""Tell "the cloud refused this api-version or resource type" apart from a real failure.

Resource Manager refuses an api-version or type it does not serve with a 400 (some types with a
404) and an ARM error body (Azure/azure-resource-manager-rpc; many public bug reports show the
wording): global Azure says ``NoRegisteredProviderFound`` for provider types and
``InvalidApiVersionParameter`` for built-in Resources types.

Only these api-version / resource-type codes count. A blanket ``*NotSupported`` would turn the
suite's own mistakes (``SkuNotSupported`` for a typo'd sku) into "the cloud's limit" with exit 0.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from azure.core.exceptions import HttpResponseError
from vcr.errors import CannotOverwriteExistingCassetteException

from ..errors import AzureStackError, exception_chain

UNSUPPORTED_CODES = frozenset(
    {
        "NoRegisteredProviderFound",
        "InvalidApiVersionParameter",
        "InvalidResourceType",
        "InvalidResourceNamespace",
        "UnsupportedApiVersion",
        "InvalidApiVersion",
    }
)
UNSUPPORTED_STATUSES = frozenset({400, 404})
PREFIX = "not supported by this cloud: "


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and its explicit causes (``raise ... from``), a helper's deliberate wrapping.

    ``__context__`` is not followed: an error raised while handling a refusal (an ``except``
    block that then fails) is the test's own failure, not the refusal.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__


def _code_and_message(exc: HttpResponseError) -> tuple[str, str]:
    error = exc.error
    if error is not None and getattr(error, "code", None):
        return str(error.code), str(error.message or "")
    # Clients built without an ARM error format leave .error empty: read the body ourselves.
    try:
        body = json.loads(exc.response.text()) if exc.response is not None else {}
    except (ValueError, TypeError, AttributeError):
        body = {}
    err = body.get("error") if isinstance(body, dict) else None
    if isinstance(err, dict):
        return str(err.get("code") or ""), str(err.get("message") or "")
    return "", str(exc.message or "")


def is_unsupported_code(code: str) -> bool:
    return code in UNSUPPORTED_CODES


def unsupported_reason(exc: BaseException) -> str | None:
    """``"not supported by this cloud: <server message>"`` when ``exc`` is such a refusal."""
    for err in _chain(exc):
        if not isinstance(err, HttpResponseError) or err.status_code not in UNSUPPORTED_STATUSES:
            continue
        code, message = _code_and_message(err)
        if is_unsupported_code(code):
            message = " ".join(message.split()) or "(the server gave no message)"
            return f"{PREFIX}{code}: {message}"
    return None


def is_plugin_failure(exc: BaseException) -> bool:
    """True when ``exc`` is (or wraps) one of the plugin's findings: a guard violation or another
    ``AzureStackError``, a cassette miss."""
    return any(
        isinstance(e, AzureStackError | CannotOverwriteExistingCassetteException)
        for e in exception_chain(exc)
    )
