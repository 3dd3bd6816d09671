"""The transforms a source expression may call.

Each transform takes already evaluated arguments, where None means "unset", and
returns a string or None. Empty strings count as unset, so that a mapping never
sends an empty value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

Value = str | None


@dataclass(frozen=True)
class Transform:
    """A named function with its arity (max_args None means variadic)."""

    name: str
    min_args: int
    max_args: int | None
    apply: Callable[[Sequence[Value]], Value]
    usage: str


def _blank(value: Value) -> bool:
    return value is None or value.strip() == ""


def _unary(function: Callable[[str], str]) -> Callable[[Sequence[Value]], Value]:
    def apply(args: Sequence[Value]) -> Value:
        value = args[0]
        return None if _blank(value) else _none_if_blank(function(value or ""))

    return apply


def _none_if_blank(value: str) -> Value:
    return None if value.strip() == "" else value


def _join(args: Sequence[Value]) -> Value:
    separator = args[0] or ""
    parts = [part for part in args[1:] if not _blank(part)]
    return separator.join(part for part in parts if part) if parts else None


def _concat(args: Sequence[Value]) -> Value:
    return _join(["", *args])


def _default(args: Sequence[Value]) -> Value:
    return next((value for value in args if not _blank(value)), None)


def _localpart(value: str) -> str:
    return value.rpartition("@")[0] if "@" in value else value


def _domain(value: str) -> str:
    return value.rpartition("@")[2] if "@" in value else ""


def _replace(args: Sequence[Value]) -> Value:
    value, old, new = args
    if _blank(value) or not old:
        return None if _blank(value) else value
    return _none_if_blank((value or "").replace(old, new or ""))


TRANSFORMS: dict[str, Transform] = {
    t.name: t
    for t in (
        Transform("lower", 1, 1, _unary(str.lower), "lower(x)"),
        Transform("upper", 1, 1, _unary(str.upper), "upper(x)"),
        Transform("trim", 1, 1, _unary(str.strip), "trim(x)"),
        Transform("localpart", 1, 1, _unary(_localpart), "localpart(email)"),
        Transform("domain", 1, 1, _unary(_domain), "domain(email)"),
        Transform("join", 2, None, _join, 'join(" ", a, b, ...)'),
        Transform("concat", 1, None, _concat, "concat(a, b, ...)"),
        Transform("default", 2, None, _default, 'default(x, "fallback")'),
        Transform("replace", 3, 3, _replace, 'replace(x, "old", "new")'),
    )
}
