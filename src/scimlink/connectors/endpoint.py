"""Checking a SCIM endpoint URL and bearer token before they are stored or used."""

import ipaddress
from urllib.parse import urlsplit

from scimlink.settings import Settings

MAX_TOKEN_LENGTH = 8192
LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}
# Paths under the base URL (RFC 7644 §3.2) that admins sometimes paste.
RESOURCE_ENDPOINTS = {
    "users",
    "groups",
    "serviceproviderconfig",
    "schemas",
    "resourcetypes",
}


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_endpoint(url: str, settings: Settings) -> str:
    """Return the endpoint without a trailing slash, or raise ValueError."""
    url = url.strip()
    if any(c.isspace() or not c.isprintable() for c in url):
        raise ValueError("The URL contains spaces or control characters.")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(
            "Enter the full SCIM base URL, such as https://scim.example.com/scim/v2."
        )
    try:
        parts.port  # noqa: B018 (urlsplit checks the port only when asked)
    except ValueError:
        raise ValueError(
            "The port after the host name must be a number from 1 to 65535."
        ) from None
    if parts.port == 0:
        raise ValueError(
            "The port after the host name must be a number from 1 to 65535."
        )
    last = parts.path.rstrip("/").rsplit("/", 1)[-1]
    if last.lower() in RESOURCE_ENDPOINTS:
        raise ValueError(
            f"Enter the SCIM base URL, without /{last} at the end: scimlink adds "
            "the resource paths itself."
        )
    if parts.username or parts.password:
        raise ValueError("Put credentials in the token field, not in the URL.")
    if parts.query or parts.fragment:
        raise ValueError("The SCIM base URL takes no query string or fragment.")
    if parts.scheme == "http" and not (
        is_loopback(parts.hostname) or settings.allow_http_targets
    ):
        raise ValueError(
            "SCIM endpoints must use https; plain http is allowed only on "
            "loopback or when SCIMLINK_ALLOW_HTTP_TARGETS is set."
        )
    return url.rstrip("/")


def check_token(token: str) -> str:
    """The bearer token without surrounding blanks, or ValueError."""
    token = token.strip()
    if not token or len(token) > MAX_TOKEN_LENGTH or any(c.isspace() for c in token):
        raise ValueError("Paste the bearer token from the app, without spaces.")
    if not token.isascii() or not token.isprintable():
        raise ValueError("The token may hold only printable ASCII characters.")
    return token
