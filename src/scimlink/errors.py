"""Errors the services raise; the API turns each into a problem response."""

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One input field that must be fixed, and how."""

    field: str
    message: str


class ScimlinkError(Exception):
    """Base of every error an admin is meant to read."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class InvalidInput(ScimlinkError):
    """The request names fields whose values cannot be accepted."""

    status = 422
    title = "Invalid input"

    @classmethod
    def field(cls, field: str, message: str) -> "InvalidInput":
        return cls(message, [FieldError(field, message)])


class NotFound(ScimlinkError):
    status = 404
    title = "Not found"

    def __init__(self, kind: str, identifier: str, field: str | None = None) -> None:
        detail = f"No {kind} with id {identifier!r} exists."
        super().__init__(detail, [FieldError(field, detail)] if field else None)


class Conflict(ScimlinkError):
    """The change contradicts what is already stored."""

    status = 409
    title = "Conflict"

    @classmethod
    def field(cls, field: str, message: str) -> "Conflict":
        return cls(message, [FieldError(field, message)])


class Forbidden(ScimlinkError):
    status = 403
    title = "Forbidden"
