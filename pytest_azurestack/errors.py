"""One-line, actionable errors: each names the problem and the fix, never an SDK traceback."""

from __future__ import annotations


class AzureStackError(Exception):
    """A problem the user can fix. ``str(exc)`` is one line: what is wrong, then how to fix it."""

    def __init__(self, problem: str, fix: str) -> None:
        self.problem = problem
        self.fix = fix
        super().__init__(f"{problem}; {fix}" if fix else problem)


class ConfigurationError(AzureStackError):
    """Missing or malformed settings (variables, options)."""


class EndpointError(AzureStackError):
    """The ARM endpoint cannot be reached, is not Resource Manager, or fails TLS."""


class AuthenticationError(AzureStackError):
    """401/403 from the identity provider or Resource Manager."""


class CassetteError(AzureStackError):
    """A missing cassette, or a request the cassette never saw."""


class ApiVersionError(AzureStackError):
    """A request whose api-version is outside the current profile."""
