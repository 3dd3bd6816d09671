"""The emulators' SCIM filter parser and evaluator (RFC 7644 §3.4.2.2)."""

from __future__ import annotations

import pytest
from tests.emulators.errors import ScimError
from tests.emulators.filters import (
    Comparison,
    FilterPolicy,
    Logical,
    Not,
    ValuePath,
    matches,
    parse_filter,
)

ADA = {
    "userName": "Ada@Example.com",
    "externalId": "E1",
    "active": True,
    "emails": [{"type": "work", "value": "ada@example.com"}],
    "name": {"givenName": "Ada"},
}


def test_precedence_and_grouping() -> None:
    """`and` binds tighter than `or`; parentheses and `not` group."""
    node = parse_filter('a eq "1" or b eq "2" and not (c pr)')

    assert node == Logical(
        "or",
        Comparison("a", "eq", "1"),
        Logical("and", Comparison("b", "eq", "2"), Not(Comparison("c", "pr"))),
    )


def test_value_path_and_literals() -> None:
    """Value paths, booleans, numbers and escaped strings parse."""
    node = parse_filter('emails[type eq "w\\"x" and primary eq true] and n gt 3')

    assert node == Logical(
        "and",
        ValuePath(
            "emails",
            Logical(
                "and",
                Comparison("type", "eq", 'w"x'),
                Comparison("primary", "eq", True),
            ),
        ),
        Comparison("n", "gt", 3),
    )


@pytest.mark.parametrize(
    "text", ["userName eq", 'userName like "a"', '(userName eq "a"', "userName eq bare"]
)
def test_malformed_filters(text: str) -> None:
    """Incomplete or unknown syntax raises 400 invalidFilter."""
    with pytest.raises(ScimError) as caught:
        parse_filter(text)

    assert (caught.value.status, caught.value.scim_type) == (400, "invalidFilter")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('userName eq "ada@example.com"', True),
        ('externalId eq "e1"', False),
        ('emails[type eq "work"]', True),
        ('emails.value eq "ADA@example.com"', True),
        ('name.givenName sw "ad"', True),
        ("active eq false", False),
        ('not (userName eq "x") and title pr', False),
    ],
)
def test_matching(text: str, expected: bool) -> None:
    """userName is compared without case, externalId with it; paths resolve."""
    assert matches(parse_filter(text), ADA) is expected


def test_policy_rejects_operator_attribute_and_logic() -> None:
    """A policy names the operators, attributes and logical operators it allows."""
    policy = FilterPolicy(attrs=frozenset({"username"}))

    policy.check(parse_filter('userName eq "a"'))
    for text in [
        'userName co "a"',
        'title eq "a"',
        'userName eq "a" or userName eq "b"',
    ]:
        with pytest.raises(ScimError):
            policy.check(parse_filter(text))
