"""The template expression language (``[concat(parameters('a'), '-x')]``), parsed with lark.

A string value is an expression when it starts with ``[`` and ends with ``]``; ``[[`` escapes a
literal ``[``. The grammar: function calls, single-quoted strings (``''`` is a quote), integers,
and property (``.name``) or index (``[expr]``) access on any value.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import LarkError

from pytest_azurestack.emulator.templates.errors import TemplateError

_GRAMMAR = r"""
?start: expr
?expr: atom accessor*         -> access
?atom: call
     | STRING                 -> string
     | SIGNED_INT             -> number
     | "(" expr ")"
call: NAME "(" [expr ("," expr)*] ")"
accessor: "." NAME            -> prop
        | "[" expr "]"        -> index
NAME: /[A-Za-z_$][A-Za-z0-9_$]*/
STRING: /'(?:[^']|'')*'/
%import common.SIGNED_INT
%import common.WS
%ignore WS
"""


@dataclass(frozen=True)
class Literal:
    value: Any


@dataclass(frozen=True)
class Call:
    name: str  # lower-cased: function names are case-insensitive
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Prop:
    target: Node
    name: str


@dataclass(frozen=True)
class Index:
    target: Node
    index: Node


Node = Literal | Call | Prop | Index


class _ToNodes(Transformer[Token, Node]):
    def string(self, items: list[Token]) -> Node:
        return Literal(str(items[0])[1:-1].replace("''", "'"))

    def number(self, items: list[Token]) -> Node:
        return Literal(int(items[0]))

    def call(self, items: list[Any]) -> Node:
        name, *args = items
        return Call(str(name).lower(), tuple(a for a in args if a is not None))

    def prop(self, items: list[Token]) -> tuple[str, Any]:
        return ("prop", str(items[0]))

    def index(self, items: list[Node]) -> tuple[str, Any]:
        return ("index", items[0])

    def access(self, items: list[Any]) -> Node:
        node: Node = items[0]
        for kind, value in items[1:]:
            node = Prop(node, value) if kind == "prop" else Index(node, value)
        return node


_PARSER = Lark(_GRAMMAR, parser="lalr", start="start")


def is_expression(value: Any) -> bool:
    return (
        isinstance(value, str)
        and value.startswith("[")
        and value.endswith("]")
        and not value.startswith("[[")
    )


def unescape(value: str) -> str:
    """A literal string: ``[[x]`` is ``[x]``."""
    return value[1:] if value.startswith("[[") else value


@lru_cache(maxsize=4096)
def parse(text: str) -> Node:
    """``text`` is the inside of ``[...]``; a malformed one is ARM's InvalidTemplate."""
    try:
        return _ToNodes().transform(_PARSER.parse(text))
    except LarkError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise TemplateError(
            f"Unable to parse language expression '{text}': {first}. Check the brackets, quotes and commas."
        ) from None


def calls(node: Node) -> list[Call]:
    """Every function call in ``node``, outermost first."""
    found: list[Call] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Call):
            found.append(current)
            stack.extend(reversed(current.args))
        elif isinstance(current, Prop):
            stack.append(current.target)
        elif isinstance(current, Index):
            stack.extend((current.target, current.index))
    return found
