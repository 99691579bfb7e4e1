"""Route patterns: literal segments case-insensitive, ``{param}`` matches one segment."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pytest_azurestack.emulator.arm.request import ArmRequest, ArmResponse

Handler = Callable[["ArmRequest"], "ArmResponse"]


@dataclass(frozen=True)
class Route:
    """One ARM endpoint.

    ``provider`` is the namespace (``Microsoft.Compute``), ``resource_type`` the type used for the
    api-version check (``virtualMachines``, ``locations/publishers``...).
    ``version_check``: ``"type"`` (versions the stamp serves for this provider/type), ``"provider"``
    (any version the stamp serves for the provider, for operation-status URLs shared by types) or
    ``"none"``. ``check_group``: answer 404 ResourceGroupNotFound before the handler runs when the
    ``{resource_group}`` does not exist (off only for the resource group routes themselves).
    ``polls_parent``: a GET here reads its parent resource (a VM's ``instanceView``), so it counts
    as a poll of the parent's operations rather than of its own path.
    """

    method: str
    pattern: str
    handler: Handler
    provider: str
    resource_type: str
    version_check: str = "type"
    check_group: bool = True
    polls_parent: bool = False
    segments: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "segments", tuple(s for s in self.pattern.split("/") if s))

    def match(self, parts: list[str]) -> dict[str, str] | None:
        if len(parts) != len(self.segments):
            return None
        params: dict[str, str] = {}
        for want, got in zip(self.segments, parts, strict=True):
            if want.startswith("{") and want.endswith("}"):
                params[want[1:-1]] = got
            elif want.lower() != got.lower():
                return None
        return params

    def polled_resource(self, path: str) -> str:
        """The resource id whose running operations a GET of ``path`` counts as a poll of."""
        return path.rstrip("/").rsplit("/", 1)[0] if self.polls_parent else path

    @property
    def action(self) -> str | None:
        """The action segment of a POST action URL (``.../virtualMachines/{name}/start``)."""
        last = self.segments[-1] if self.segments else ""
        if self.method.upper() != "POST" or last.startswith("{"):
            return None
        return last

    @property
    def specificity(self) -> tuple[bool, ...]:
        """Literal segments beat parameters, earlier segments first."""
        return tuple(not (s.startswith("{") and s.endswith("}")) for s in self.segments)


@dataclass
class Match:
    route: Route
    params: dict[str, str]


class Router:
    def __init__(self, routes: Iterable[Route] = ()) -> None:
        self.routes: list[Route] = []
        self.add(routes)

    def add(self, routes: Iterable[Route]) -> None:
        self.routes.extend(routes)
        self.routes.sort(key=lambda r: r.specificity, reverse=True)

    def resolve(self, method: str, path: str) -> tuple[Match | None, bool]:
        """(match for method+path, whether the path matched some route under another method)."""
        parts = [p for p in path.split("/") if p]
        path_known = False
        for route in self.routes:
            params = route.match(parts)
            if params is None:
                continue
            if route.method.upper() == method.upper():
                return Match(route, params), True
            path_known = True
        return None, path_known

    def namespaces(self) -> set[str]:
        return {r.provider.lower() for r in self.routes}
