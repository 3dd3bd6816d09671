"""Mapping rows: which identity-source value is written to which app attribute."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class MappingRow(BaseModel):
    """One row of a connector's attribute mapping.

    `source` is a source expression (see expression.py); `target` is a friendly
    key or a SCIM attribute path (see targets.py). Both are kept as typed by
    the admin: validation.validate_mapping explains what is wrong with them.
    """

    model_config = ConfigDict(frozen=True)

    source: str
    target: str


_DEFAULT_ROWS = (
    ("user.email", "username"),
    ("user.email", "email"),
    ("user.firstName", "firstName"),
    ("user.lastName", "lastName"),
    ("user.phoneNumber", "phoneNumber"),
)


def default_mapping() -> list[MappingRow]:
    """The mapping every app starts from (PRODUCT.md §4)."""
    return [
        MappingRow(source=source, target=target) for source, target in _DEFAULT_ROWS
    ]
