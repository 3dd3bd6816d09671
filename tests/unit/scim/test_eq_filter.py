"""Quoting and escaping of eq filters (RFC 7644 §3.4.2.2)."""

from __future__ import annotations

import pytest

from scimlink.scim.client import eq_filter


def test_plain_value_is_quoted() -> None:
    """A simple value is written as a JSON string."""
    assert eq_filter("userName", "bjensen@example.com") == (
        'userName eq "bjensen@example.com"'
    )


def test_quotes_and_backslashes_are_escaped() -> None:
    """Quotes and backslashes in the value cannot end the string early."""
    assert eq_filter("displayName", 'a "b" \\c') == r'displayName eq "a \"b\" \\c"'


def test_control_characters_are_escaped() -> None:
    """A newline in the value is escaped rather than sent raw."""
    assert eq_filter("displayName", "a\nb") == r'displayName eq "a\nb"'


def test_non_ascii_is_kept() -> None:
    """Accented names stay readable."""
    assert eq_filter("displayName", "Zoë") == 'displayName eq "Zoë"'


def test_extension_attribute_path() -> None:
    """A fully qualified extension attribute is a valid attribute path."""
    urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"

    assert eq_filter(urn, "42") == f'{urn} eq "42"'


@pytest.mark.parametrize(
    "attribute", ["", "userName or 1", 'userName eq "x"', "(userName)", "user name"]
)
def test_malformed_attribute_is_refused(attribute: str) -> None:
    """An attribute that would change the filter's meaning is refused."""
    with pytest.raises(ValueError, match="attribute path"):
        eq_filter(attribute, "x")
