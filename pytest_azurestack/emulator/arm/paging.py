"""Paged lists: ``{"value": [...], "nextLink": ...}`` with a ``$skiptoken`` offset."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from pytest_azurestack.emulator.arm.errors import ArmError
from pytest_azurestack.emulator.arm.request import ArmRequest


def paged(request: ArmRequest, items: Sequence[Any], page_size: int | None = None) -> dict[str, Any]:
    """One page of ``items`` starting at the request's ``$skiptoken``.

    The page size is the emulator's ``page_size`` setting unless given; the nextLink keeps every
    other query parameter (api-version, $filter, $expand) so the client can follow it verbatim.
    """
    size = page_size or request.context.config.page_size
    token = request.query_param("$skiptoken") or "0"
    if not token.isdigit():
        raise ArmError(
            400, "InvalidSkipToken", f"The $skiptoken '{token}' is not valid; use the nextLink as given."
        )
    start = int(token)
    page = list(items[start : start + size])
    body: dict[str, Any] = {"value": page}
    if start + size < len(items):
        query = {k: v for k, v in request.query.items() if k.lower() != "$skiptoken"}
        query["$skiptoken"] = str(start + size)
        body["nextLink"] = f"{request.base_url}{request.path}?{urlencode(query)}"
    return body
