"""SCIM filters (RFC 7644 §3.4.2.2): parsing, checking against an app's policy,
and evaluating against stored resources."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .errors import invalid_filter
from .resources import CASE_EXACT, split_urn, values_at

COMPARISON_OPS = {"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr"}
_TOKEN = re.compile(
    r'\s*(?:(?P<punct>[()\[\]])|(?P<string>"(?:[^"\\]|\\.)*")'
    r"|(?P<word>[^\s()\[\]\"]+))"
)


@dataclass(frozen=True)
class Comparison:
    """`attrPath op value`, or `attrPath pr` (value is then None)."""

    attr: str
    op: str
    value: Any = None


@dataclass(frozen=True)
class Logical:
    """`left and right` / `left or right`."""

    op: str
    left: Filter
    right: Filter


@dataclass(frozen=True)
class Not:
    """`not (inner)`."""

    inner: Filter


@dataclass(frozen=True)
class ValuePath:
    """`attr[inner]`: elements of a multi-valued attribute that match inner."""

    attr: str
    inner: Filter


Filter = Comparison | Logical | Not | ValuePath


@dataclass(frozen=True)
class FilterPolicy:
    """What an app accepts: comparison operators, attributes, logical operators."""

    ops: frozenset[str] = frozenset({"eq"})
    # Lowercased attribute paths; None means any attribute.
    attrs: frozenset[str] | None = None
    logical: frozenset[str] = field(default_factory=frozenset)
    value_paths: bool = False

    def check(self, node: Filter) -> None:
        """Raise 400 invalidFilter for any part of `node` the app does not support."""
        for kind, detail in _parts(node):
            if kind == "logical" and detail not in self.logical:
                raise invalid_filter(
                    f"the logical operator {detail!r} is not supported"
                )
            if kind == "not" and "not" not in self.logical:
                raise invalid_filter("the 'not' operator is not supported")
            if kind == "valuepath" and not self.value_paths:
                raise invalid_filter(
                    f"value filters like {detail}[...] are not supported"
                )
        for comparison in comparisons(node):
            if comparison.op not in self.ops:
                raise invalid_filter(f"the operator {comparison.op!r} is not supported")
            if self.attrs is not None and comparison.attr.lower() not in self.attrs:
                raise invalid_filter(
                    f"filtering on {comparison.attr!r} is not supported"
                )


def parse_filter(text: str) -> Filter:
    """Parse a filter expression, raising 400 invalidFilter when malformed."""
    parser = _Parser(_tokenize(text))
    node = parser.parse_or()
    if not parser.at_end():
        raise invalid_filter(f"unexpected {parser.peek()!r} in filter")
    return node


def comparisons(node: Filter, prefix: str = "") -> Iterator[Comparison]:
    """Every comparison in the filter, with value-path attributes made full."""
    if isinstance(node, Comparison):
        yield Comparison(prefix + node.attr, node.op, node.value)
    elif isinstance(node, Logical):
        yield from comparisons(node.left, prefix)
        yield from comparisons(node.right, prefix)
    elif isinstance(node, Not):
        yield from comparisons(node.inner, prefix)
    else:
        yield from comparisons(node.inner, f"{prefix}{node.attr}.")


def matches(node: Filter, resource: dict[str, Any], prefix: str = "") -> bool:
    """Whether a resource matches; `prefix` names the multi-valued attribute
    when `resource` is one of its elements."""
    if isinstance(node, Logical):
        left = matches(node.left, resource, prefix)
        if node.op == "and":
            return left and matches(node.right, resource, prefix)
        return left or matches(node.right, resource, prefix)
    if isinstance(node, Not):
        return not matches(node.inner, resource, prefix)
    if isinstance(node, ValuePath):
        elements = values_at(resource, node.attr)
        inner_prefix = f"{prefix}{node.attr}."
        return any(
            isinstance(e, dict) and matches(node.inner, e, inner_prefix)
            for e in elements
        )
    full = Comparison(prefix + node.attr, node.op, node.value)
    return _compare(full, values_at(resource, node.attr))


def _case_exact(attr: str) -> bool:
    """RFC 7643 §4 and §8.7.1: ids, externalId, member values, references."""
    _, attr = split_urn(attr)
    return attr.lower() in CASE_EXACT or attr.lower().endswith("$ref")


def _compare(node: Comparison, found: list[Any]) -> bool:
    # A complex attribute compared without a sub-attribute compares its "value".
    found = [v.get("value") if isinstance(v, dict) else v for v in found]
    if node.op == "pr":
        return any(v not in (None, "", []) for v in found)
    if node.op == "ne":
        return not any(_equal(node.attr, v, node.value) for v in found)
    return any(_test(node, v) for v in found)


def _test(node: Comparison, actual: Any) -> bool:
    if node.op == "eq":
        return _equal(node.attr, actual, node.value)
    if not isinstance(actual, str) or not isinstance(node.value, str):
        return False
    a, b = actual, node.value
    if not _case_exact(node.attr):
        a, b = a.lower(), b.lower()
    return {
        "co": b in a,
        "sw": a.startswith(b),
        "ew": a.endswith(b),
        "gt": a > b,
        "ge": a >= b,
        "lt": a < b,
        "le": a <= b,
    }[node.op]


def _equal(attr: str, actual: Any, expected: Any) -> bool:
    if isinstance(actual, str) and isinstance(expected, str):
        if _case_exact(attr):
            return actual == expected
        return actual.lower() == expected.lower()
    return bool(actual == expected)


def _parts(node: Filter) -> Iterator[tuple[str, str]]:
    if isinstance(node, Logical):
        yield "logical", node.op
        yield from _parts(node.left)
        yield from _parts(node.right)
    elif isinstance(node, Not):
        yield "not", "not"
        yield from _parts(node.inner)
    elif isinstance(node, ValuePath):
        yield "valuepath", node.attr
        yield from _parts(node.inner)


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise invalid_filter(f"cannot read the filter near {text[position:]!r}")
        kind = match.lastgroup or "word"
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    """Recursive descent: or < and < not < (group) / valuePath / comparison."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.position = 0

    def at_end(self) -> bool:
        return self.position >= len(self.tokens)

    def peek(self) -> str:
        return "" if self.at_end() else self.tokens[self.position][1]

    def take(self) -> tuple[str, str]:
        if self.at_end():
            raise invalid_filter("the filter ends too early")
        token = self.tokens[self.position]
        self.position += 1
        return token

    def expect(self, punct: str) -> None:
        kind, text = self.take()
        if kind != "punct" or text != punct:
            raise invalid_filter(f"expected {punct!r} but found {text!r}")

    def parse_or(self) -> Filter:
        node = self.parse_and()
        while self.peek().lower() == "or":
            self.take()
            node = Logical("or", node, self.parse_and())
        return node

    def parse_and(self) -> Filter:
        node = self.parse_not()
        while self.peek().lower() == "and":
            self.take()
            node = Logical("and", node, self.parse_not())
        return node

    def parse_not(self) -> Filter:
        if self.peek().lower() == "not":
            self.take()
            self.expect("(")
            inner = self.parse_or()
            self.expect(")")
            return Not(inner)
        return self.parse_atom()

    def parse_atom(self) -> Filter:
        kind, text = self.take()
        if kind == "punct" and text == "(":
            node = self.parse_or()
            self.expect(")")
            return node
        if kind != "word":
            raise invalid_filter(f"expected an attribute but found {text!r}")
        if self.peek() == "[":
            self.take()
            inner = self.parse_or()
            self.expect("]")
            return ValuePath(text, inner)
        op_kind, op = self.take()
        op = op.lower()
        if op_kind != "word" or op not in COMPARISON_OPS:
            raise invalid_filter(f"{op!r} is not a SCIM comparison operator")
        if op == "pr":
            return Comparison(text, op)
        return Comparison(text, op, self.parse_value())

    def parse_value(self) -> Any:
        kind, text = self.take()
        if kind == "string":
            return json.loads(text)
        if kind == "word":
            literal = {"true": True, "false": False, "null": None}
            if text.lower() in literal:
                return literal[text.lower()]
            try:
                return json.loads(text)
            except ValueError:
                pass
        raise invalid_filter(f"{text!r} is not a valid comparison value")
