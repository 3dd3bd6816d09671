"""Checking endpoint URLs and tokens before a connector stores or calls them."""

import pytest

from scimlink.connectors.endpoint import check_endpoint, check_token
from scimlink.settings import Settings

SETTINGS = Settings(log_format="console")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:abc/v2", "port"),
        ("http://127.0.0.1:99999/v2", "port"),
        ("https://scim.example.com:0/v2", "port"),
        ("http://127.0.0.1:8000/v2 x", "spaces"),
        ("https://scim.example.com/scim\x00/v2", "control"),
        ("https://scim.example.com/scim/v2/Users", "without /Users"),
        ("https://scim.example.com/scim/v2/ServiceProviderConfig/", "without"),
        ("ftp://scim.example.com/v2", "full SCIM base URL"),
        ("http://scim.example.com/v2", "https"),
    ],
)
def test_bad_endpoints_are_refused_with_what_to_fix(url: str, message: str) -> None:
    """Each malformed endpoint is refused with a message naming the problem."""
    with pytest.raises(ValueError, match=message):
        check_endpoint(url, SETTINGS)


def test_good_endpoints_lose_only_the_trailing_slash() -> None:
    """Valid endpoints come back as given, without a trailing slash."""
    assert check_endpoint(" https://x.example.com:8443/scim/v2/ ", SETTINGS) == (
        "https://x.example.com:8443/scim/v2"
    )
    assert check_endpoint("http://[::1]:80/v2", SETTINGS) == "http://[::1]:80/v2"


@pytest.mark.parametrize("token", ["", "   ", "two words", "tök€n", "a\x7fb"])
def test_unusable_tokens_are_refused(token: str) -> None:
    """Empty, spaced or non-ASCII tokens cannot go in an Authorization header."""
    with pytest.raises(ValueError):
        check_token(token)


def test_token_is_trimmed() -> None:
    """Blanks around a pasted token are dropped."""
    assert check_token("  abc.DEF-123_~+/=  ") == "abc.DEF-123_~+/="
