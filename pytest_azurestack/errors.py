"""One-line, actionable errors: each names the problem and the fix, never an SDK traceback."""

from __future__ import annotations

import re
from collections.abc import Iterator


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


def as_report(exc: BaseException) -> str:
    """What a test report says for one of the plugin's errors: its type and its one line, no traceback."""
    return f"{type(exc).__name__}: {exc}"


def one_line(exc: BaseException, limit: int = 240) -> str:
    """The useful message of ``exc`` on one line, for the problem half of an error.

    Follows requests/urllib3 wrapping to the innermost ssl/socket error, prefers azure-core's and
    MSAL's ``message``, keeps the first non-empty line (SDK messages append multi-line details)
    and drops urllib3's connection-object prefix, which the caller's URL already says.
    """
    cause: BaseException = exc
    for _ in range(6):  # requests -> urllib3 MaxRetryError -> reason -> ssl/socket error
        inner = getattr(cause, "reason", None)
        if not isinstance(inner, BaseException):
            args = getattr(cause, "args", ())
            inner = args[0] if args and isinstance(args[0], BaseException) else None
        if inner is None:
            break
        cause = inner
    text = str(getattr(cause, "verify_message", None) or getattr(cause, "message", None) or cause)
    first = next((line for line in text.splitlines() if line.strip()), "")
    first = re.sub(r"^.*?Connection(?: object at 0x[0-9a-f]+>|\(host=[^)]*\)): ", "", first)
    return " ".join(first.split())[:limit] or type(cause).__name__


def exception_chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it wraps (``__cause__``, ``__context__``, azure-core's)."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [current.__cause__, current.__context__]
        for attr in ("inner_exception", "exc_value", "error"):
            inner = getattr(current, attr, None)
            if isinstance(inner, BaseException):
                todo.append(inner)
