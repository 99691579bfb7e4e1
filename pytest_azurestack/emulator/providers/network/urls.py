"""Routes served by the Microsoft.Network provider."""

from __future__ import annotations

from pytest_azurestack.emulator.arm.routing import Route
from pytest_azurestack.emulator.providers.network import responses as r

NS = "Microsoft.Network"
_SUB = "/subscriptions/{subscription}/providers/Microsoft.Network"
_GROUP = "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.Network"


def _top_level(kind: r.TopLevel) -> list[Route]:
    seg = kind.segment
    item = f"{_GROUP}/{seg}/{{name}}"
    return [
        Route("PUT", item, r.put_resource(kind), NS, seg),
        Route("GET", item, r.get_resource(kind), NS, seg),
        Route("DELETE", item, r.delete_resource(kind), NS, seg),
        Route("PATCH", item, r.patch_tags(kind), NS, seg),
        Route("GET", f"{_GROUP}/{seg}", r.list_resources(kind, in_group=True), NS, seg),
        Route("GET", f"{_SUB}/{seg}", r.list_resources(kind, in_group=False), NS, seg),
    ]


def _children(kind: r.Child) -> list[Route]:
    collection = f"{_GROUP}/{kind.parent.segment}/{{parent}}/{kind.segment}"
    rtype = f"{kind.parent.segment}/{kind.segment}"
    routes = [
        Route("GET", collection, r.list_children(kind), NS, rtype),
        Route("GET", f"{collection}/{{name}}", r.get_child(kind), NS, rtype),
    ]
    if kind.put is not None:
        routes.append(Route("PUT", f"{collection}/{{name}}", r.put_child(kind), NS, rtype))
    if kind.delete is not None:
        routes.append(Route("DELETE", f"{collection}/{{name}}", r.delete_child(kind), NS, rtype))
    return routes


ROUTES: list[Route] = [
    *_top_level(r.VNETS),
    *_top_level(r.NICS),
    *_top_level(r.PUBLIC_IPS),
    *_top_level(r.NSGS),
    *_children(r.SUBNETS),
    *_children(r.RULES),
    *_children(r.DEFAULT_RULES),
    *_children(r.IP_CONFIGS),
]
