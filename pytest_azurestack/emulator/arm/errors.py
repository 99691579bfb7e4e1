"""ARM's error body: ``{"error": {"code", "message", "details"}}`` with an HTTP status."""

from __future__ import annotations

from typing import Any


class ArmError(Exception):
    """Raise from a handler to answer with ARM's error body.

    ``headers`` lets a fault add ``Retry-After``; ``target`` names the offending property.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: list[dict[str, Any]] | None = None,
        *,
        target: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.target = target
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.target:
            error["target"] = self.target
        if self.details:
            error["details"] = self.details
        return {"error": error}


def resource_group_not_found(name: str) -> ArmError:
    return ArmError(404, "ResourceGroupNotFound", f"Resource group '{name}' could not be found.")


def resource_not_found(full_type: str, name: str, group: str | None) -> ArmError:
    where = f" under resource group '{group}'" if group else ""
    return ArmError(
        404,
        "ResourceNotFound",
        f"The Resource '{full_type}/{name}'{where} was not found. For more details please go to "
        "https://aka.ms/ARMResourceNotFoundFix",
    )
