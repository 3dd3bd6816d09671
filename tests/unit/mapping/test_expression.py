"""Source expressions: parsing, precise errors, and every transform."""

from __future__ import annotations

import pytest

from scimlink.mapping.expression import (
    Call,
    Constant,
    ExpressionError,
    Reference,
    parse_source,
)
from scimlink.mapping.sources import SourceUser

BABS = SourceUser(
    id="u-1",
    email="Bjensen@Example.com",
    first_name="Barbara",
    last_name="Jensen",
    phone_number=None,
    status="active",
    custom={"title": "Tour Guide", "blank": "  ", "cost-center": "4130"},
)


def evaluate(text: str, user: SourceUser = BABS) -> str | None:
    return parse_source(text).evaluate(user)


def test_reference_to_standard_attribute() -> None:
    """`user.email` reads the user's email."""
    assert parse_source("user.email") == Reference("email")
    assert evaluate("user.email") == "Bjensen@Example.com"


def test_reference_to_custom_attribute() -> None:
    """`user.custom.<key>` reads a custom attribute, dashes allowed in keys."""
    assert evaluate("user.custom.title") == "Tour Guide"
    assert evaluate("user.custom.cost-center") == "4130"


def test_missing_and_blank_values_are_unset() -> None:
    """An absent custom key, a blank one and an unset phone all give None."""
    assert evaluate("user.custom.nothing") is None
    assert evaluate("user.custom.blank") is None
    assert evaluate("user.phoneNumber") is None


def test_constants_in_either_quote_with_escapes() -> None:
    """Quoted strings are constants; backslash escapes the quote."""
    assert parse_source('"Acme"') == Constant("Acme")
    assert evaluate("'Acme'") == "Acme"
    assert evaluate(r'"say \"hi\""') == 'say "hi"'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lower(user.email)", "bjensen@example.com"),
        ("upper(user.lastName)", "JENSEN"),
        ('trim("  x  ")', "x"),
        ('join(" ", user.firstName, user.lastName)', "Barbara Jensen"),
        ('join(" ", user.firstName, user.phoneNumber)', "Barbara"),
        ('join(".", lower(user.firstName), lower(user.lastName))', "barbara.jensen"),
        ("concat(user.firstName, user.lastName)", "BarbaraJensen"),
        ('default(user.custom.title, "Staff")', "Tour Guide"),
        ('default(user.custom.missing, "Staff")', "Staff"),
        ('default(user.custom.blank, user.custom.missing, "Staff")', "Staff"),
        ("localpart(user.email)", "Bjensen"),
        ("domain(lower(user.email))", "example.com"),
        ('replace(user.email, "Example.com", "acme.io")', "Bjensen@acme.io"),
    ],
)
def test_transforms(text: str, expected: str) -> None:
    """Each transform gives the value admins expect."""
    assert evaluate(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "lower(user.phoneNumber)",
        'join(" ", user.phoneNumber, user.custom.missing)',
        "domain(user.custom.title)",
        '""',
    ],
)
def test_transforms_of_unset_values_stay_unset(text: str) -> None:
    """Transforms never turn an unset value into an empty string."""
    assert evaluate(text) is None


def test_nested_call_tree() -> None:
    """Calls nest: the parser builds a tree of Call nodes."""
    expression = parse_source("lower(trim(user.email))")
    assert isinstance(expression, Call)
    assert expression.transform.name == "lower"
    assert isinstance(expression.arguments[0], Call)


@pytest.mark.parametrize(
    ("text", "fragment", "position"),
    [
        ("user.mail", "unknown user attribute 'user.mail'", 6),
        ("lowr(user.email)", "unknown function 'lowr'", 1),
        ("lower(user.email", "expected ',' or ')'", 17),
        ("lower(user.email))", "unexpected ')'", 18),
        ('"Acme', "never closed", 1),
        ("Acme", "constant in quotes", 1),
        ("user.email + 1", "unexpected character '+'", 12),
        ("lower(user.email, user.id)", "lower takes 1 argument, got 2", 1),
        ('join(" ")', "join takes at least 2 arguments, got 1", 1),
        ("", "expected a quoted string", 1),
        ("user.custom", "a key after 'user.custom'", 12),
        ("user.", "an attribute name", 6),
        ("lower(,)", "expected a quoted string", 7),
    ],
)
def test_malformed_expressions_report_reason_and_position(
    text: str, fragment: str, position: int
) -> None:
    """Errors say what is wrong and at which 1-based character."""
    with pytest.raises(ExpressionError) as raised:
        parse_source(text)
    assert fragment in str(raised.value)
    assert raised.value.position == position


def test_nothing_is_evaluated_as_python() -> None:
    """Python syntax is refused by the tokenizer, not executed."""
    with pytest.raises(ExpressionError):
        parse_source("__import__('os').system('true')")
