"""SCIM errors as RFC 7644 §3.12 describes them, raised by the emulators."""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


class ScimError(Exception):
    """A request the emulated app refuses, answered as a SCIM Error body."""

    def __init__(
        self,
        status: int,
        detail: str,
        scim_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scim_type = scim_type
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        """The JSON body: status as a string, as RFC 7644 requires."""
        body: dict[str, Any] = {
            "schemas": [ERROR_SCHEMA],
            "status": str(self.status),
            "detail": self.detail,
        }
        if self.scim_type is not None:
            body["scimType"] = self.scim_type
        return body


def invalid_value(detail: str) -> ScimError:
    """400 invalidValue: a required value is missing or a value is not allowed."""
    return ScimError(400, detail, "invalidValue")


def invalid_syntax(detail: str) -> ScimError:
    """400 invalidSyntax: the body does not follow the protocol."""
    return ScimError(400, detail, "invalidSyntax")


def invalid_filter(detail: str) -> ScimError:
    """400 invalidFilter: the filter is malformed or not supported here."""
    return ScimError(400, detail, "invalidFilter")


def invalid_path(detail: str) -> ScimError:
    """400 invalidPath: a PATCH path is malformed or not allowed here."""
    return ScimError(400, detail, "invalidPath")


def not_found(detail: str) -> ScimError:
    """404 without scimType, as RFC 7644 §3.12 shows for unknown resources."""
    return ScimError(404, detail)


def uniqueness(detail: str) -> ScimError:
    """409 uniqueness: a unique attribute already holds this value."""
    return ScimError(409, detail, "uniqueness")


def not_implemented(detail: str) -> ScimError:
    """501: the operation is not supported by this service provider."""
    return ScimError(501, detail)
