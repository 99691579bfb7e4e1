"""A template ARM would refuse, as ARM names it."""

from __future__ import annotations


class TemplateError(Exception):
    """``code`` is ARM's (``InvalidTemplate``, ``InvalidTemplateDeployment``...)."""

    def __init__(self, message: str, code: str = "InvalidTemplate") -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def invalid(message: str) -> TemplateError:
    """ARM's wording for a template that fails validation."""
    return TemplateError(f"Deployment template validation failed: '{message}'.")
