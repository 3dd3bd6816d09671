"""Source expressions: a tiny, safe language for the left side of a mapping row.

    expression := STRING | reference | call
    reference  := "user" "." NAME | "user" "." "custom" "." KEY
    call       := NAME "(" [expression ("," expression)*] ")"

Strings are quoted with " or ' and use backslash escapes. Nothing is evaluated
as Python: the parser builds a small tree that only reads a SourceUser and calls
the functions listed in transforms.TRANSFORMS.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from scimlink.mapping.sources import CUSTOM_PREFIX, STANDARD_SOURCES, SourceUser
from scimlink.mapping.transforms import TRANSFORMS, Transform, Value

TokenKind = Literal["name", "string", "(", ")", ",", ".", "end"]
_PUNCTUATION = "(),."


class ExpressionError(ValueError):
    """A malformed source expression; position is the 1-based character."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at character {position})")
        self.reason = message
        self.position = position


@dataclass(frozen=True)
class Token:
    """One lexical unit and the 1-based character where it starts."""

    kind: TokenKind
    text: str
    position: int


@dataclass(frozen=True)
class Constant:
    """A quoted string."""

    value: str

    def evaluate(self, user: SourceUser) -> Value:
        """The constant itself; an empty constant counts as unset."""
        return self.value or None


@dataclass(frozen=True)
class Reference:
    """`user.<attribute>` or `user.custom.<key>` (custom set when custom)."""

    attribute: str
    custom_key: str | None = None

    def evaluate(self, user: SourceUser) -> Value:
        """The user's value, or None when it is unset or blank."""
        if self.custom_key is not None:
            value = user.custom_value(self.custom_key)
        else:
            value = user.standard(self.attribute)
        return value if value is not None and value.strip() else None


@dataclass(frozen=True)
class Call:
    """A transform applied to argument expressions."""

    transform: Transform
    arguments: tuple[Expression, ...]

    def evaluate(self, user: SourceUser) -> Value:
        """Evaluate the arguments, then apply the transform."""
        return self.transform.apply([arg.evaluate(user) for arg in self.arguments])


Expression = Constant | Reference | Call


def parse_source(text: str) -> Expression:
    """Parse a source expression, raising ExpressionError with the position."""
    parser = _Parser(list(_tokenize(text)))
    expression = parser.expression()
    parser.expect_end()
    return expression


def _tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char.isspace():
            index += 1
        elif char in _PUNCTUATION:
            tokens.append(Token(char, char, index + 1))  # type: ignore[arg-type]
            index += 1
        elif char in "\"'":
            token, index = _read_string(text, index)
            tokens.append(token)
        elif char.isalpha() or char == "_":
            # Limitation: custom keys with spaces or dots cannot be referenced.
            end = index
            while end < len(text) and (text[end].isalnum() or text[end] in "_-"):
                end += 1
            tokens.append(Token("name", text[index:end], index + 1))
            index = end
        else:
            raise ExpressionError(f"unexpected character '{char}'", index + 1)
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


def _read_string(text: str, start: int) -> tuple[Token, int]:
    quote = text[start]
    chars: list[str] = []
    index = start + 1
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            chars.append(text[index + 1])
            index += 2
        elif char == quote:
            return Token("string", "".join(chars), start + 1), index + 1
        else:
            chars.append(char)
            index += 1
    raise ExpressionError(f"string opened with {quote} is never closed", start + 1)


class _Parser:
    """Recursive descent over the token list."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0

    def peek(self) -> Token:
        return self.tokens[self.index]

    def take(self, kind: TokenKind, wanted: str) -> Token:
        token = self.peek()
        if token.kind != kind:
            raise ExpressionError(
                f"expected {wanted}, found {_describe(token)}", token.position
            )
        self.index += 1
        return token

    def expect_end(self) -> None:
        token = self.peek()
        if token.kind != "end":
            raise ExpressionError(f"unexpected {_describe(token)}", token.position)

    def expression(self) -> Expression:
        token = self.peek()
        if token.kind == "string":
            self.index += 1
            return Constant(token.text)
        if token.kind != "name":
            raise ExpressionError(
                f"expected a quoted string, user.<attribute> or a function, "
                f"found {_describe(token)}",
                token.position,
            )
        self.index += 1
        following = self.peek().kind
        if following == "(":
            return self.call(token)
        if token.text == "user" and following == ".":
            return self.reference()
        raise ExpressionError(
            f"unknown name '{token.text}': write user.<attribute>, a function call, "
            f'or a constant in quotes such as "{token.text}"',
            token.position,
        )

    def reference(self) -> Reference:
        self.take(".", "'.'")
        name = self.take("name", "an attribute name after 'user.'")
        if name.text == CUSTOM_PREFIX:
            self.take(".", "'.' and a key after 'user.custom'")
            key = self.take("name", "a custom attribute key")
            return Reference(CUSTOM_PREFIX, key.text)
        if name.text not in STANDARD_SOURCES:
            known = ", ".join(f"user.{n}" for n in STANDARD_SOURCES)
            raise ExpressionError(
                f"unknown user attribute 'user.{name.text}' "
                f"(known: {known}, user.custom.<key>)",
                name.position,
            )
        return Reference(name.text)

    def call(self, name: Token) -> Call:
        transform = TRANSFORMS.get(name.text)
        if transform is None:
            raise ExpressionError(
                f"unknown function '{name.text}' (known: {', '.join(TRANSFORMS)})",
                name.position,
            )
        self.take("(", "'('")
        arguments: list[Expression] = []
        if self.peek().kind != ")":
            arguments.append(self.expression())
            while self.peek().kind == ",":
                self.index += 1
                arguments.append(self.expression())
        self.take(")", "',' or ')'")
        _check_arity(transform, len(arguments), name.position)
        return Call(transform, tuple(arguments))


def _check_arity(transform: Transform, count: int, position: int) -> None:
    too_few = count < transform.min_args
    too_many = transform.max_args is not None and count > transform.max_args
    if too_few or too_many:
        raise ExpressionError(
            f"{transform.name} takes {_arity(transform)}, got {count}; "
            f"use {transform.usage}",
            position,
        )


def _arity(transform: Transform) -> str:
    if transform.max_args is None:
        return f"at least {transform.min_args} arguments"
    if transform.min_args == transform.max_args:
        plural = "" if transform.min_args == 1 else "s"
        return f"{transform.min_args} argument{plural}"
    return f"{transform.min_args} to {transform.max_args} arguments"


def _describe(token: Token) -> str:
    if token.kind == "end":
        return "the end of the expression"
    if token.kind == "string":
        return f'the string "{token.text}"'
    return f"'{token.text}'"
