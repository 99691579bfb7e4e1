"""Headers Resource Manager puts on every response.

No caching, HSTS and nosniff; the request, correlation and routing ids (the correlation id is the
client's when it sends one); and the subscription's remaining read or write quota.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timezone


def arm_headers(request_headers: Mapping[str, str], location: str, method: str) -> dict[str, str]:
    request_id = str(uuid.uuid4())
    correlation = (
        request_headers.get("x-ms-correlation-request-id")
        or request_headers.get("x-ms-client-request-id")
        or str(uuid.uuid4())
    )
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    headers = {
        "cache-control": "no-cache",
        "pragma": "no-cache",
        "expires": "-1",
        "strict-transport-security": "max-age=31536000; includeSubDomains",
        "x-content-type-options": "nosniff",
        "x-ms-request-id": request_id,
        "x-ms-correlation-request-id": correlation,
        "x-ms-routing-request-id": f"{location.upper()}:{stamp}:{request_id}",
    }
    if "x-ms-client-request-id" in request_headers:
        headers["x-ms-client-request-id"] = request_headers["x-ms-client-request-id"]
    if method.upper() in ("GET", "HEAD"):
        headers["x-ms-ratelimit-remaining-subscription-reads"] = "11999"
    else:
        headers["x-ms-ratelimit-remaining-subscription-writes"] = "1199"
    return headers
