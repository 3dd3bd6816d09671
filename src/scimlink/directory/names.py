"""Names that admins give to directories, groups, SSO configurations and
connectors: trimmed, in one Unicode form, printable, and unique regardless of
case, so that "Café" typed two ways or "Staff" and "staff" are one name."""

import unicodedata
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import InstrumentedAttribute

MAX_NAME = 200


def clean_name(name: str, what: str) -> str:
    """The name as stored, or ValueError saying what to fix."""
    name = unicodedata.normalize("NFC", name.strip())
    if not name or len(name) > MAX_NAME:
        raise ValueError(f"The {what} name must have 1 to {MAX_NAME} characters.")
    if any(not c.isprintable() for c in name):
        raise ValueError(
            f"The {what} name must not contain control characters or line breaks."
        )
    return name


def same_name(column: InstrumentedAttribute[str], name: str) -> Any:
    """A condition matching `name` in `column` without regard to case."""
    # Limitation: SQLite's lower() folds ASCII letters only, so there
    # "É" and "é" still count as different names.
    return func.lower(column) == name.lower()
