"""Users: people in one directory, each with a unique email."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from scimlink.db.models import User
from scimlink.directory.directories import require_directory
from scimlink.directory.memberships import groups_of_user, leave_groups_of_directory
from scimlink.errors import Conflict, FieldError, InvalidInput, NotFound
from scimlink.sync import outbox

STATUSES = ("active", "suspended")
ATTRIBUTE_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
MAX_TEXT = 200
MAX_ATTRIBUTE_VALUE = 2000


@dataclass
class UserFields:
    """User input after validation, ready to store."""

    email: str
    email_key: str
    first_name: str = ""
    last_name: str = ""
    phone_number: str | None = None
    status: str = "active"
    attributes: dict[str, Any] = field(default_factory=dict)


def normalize_email(value: str) -> str:
    """Return the email as it should be stored, or raise ValueError saying why."""
    try:
        checked = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(
            f"{value.strip()!r} is not a valid email address: {exc}"
        ) from exc
    return checked.normalized


def check_text(name: str, value: str | None, errors: list[FieldError]) -> str:
    value = (value or "").strip()
    if len(value) > MAX_TEXT:
        errors.append(FieldError(name, f"Must be at most {MAX_TEXT} characters."))
    return value


def check_status(value: str | None, errors: list[FieldError]) -> str:
    status = (value or "active").strip().lower()
    if status not in STATUSES:
        errors.append(
            FieldError(
                "status", f"Unknown status {value!r}; use 'active' or 'suspended'."
            )
        )
    return status


def check_attributes(
    values: Mapping[str, Any], errors: list[FieldError], prefix: str = "attributes"
) -> dict[str, Any]:
    """Custom attributes: simple keys, text values; None removes a key."""
    checked: dict[str, Any] = {}
    for key, value in values.items():
        where = f"{prefix}.{key}"
        if not ATTRIBUTE_KEY.match(key):
            errors.append(
                FieldError(
                    where,
                    "Attribute names start with a letter and hold only letters, "
                    "digits, '_', '-' or '.' (at most 64).",
                )
            )
        elif value is not None and not isinstance(value, str | int | float | bool):
            errors.append(FieldError(where, "Give a text, number or true/false value."))
        elif isinstance(value, str) and len(value) > MAX_ATTRIBUTE_VALUE:
            errors.append(
                FieldError(where, f"Must be at most {MAX_ATTRIBUTE_VALUE} characters.")
            )
        else:
            checked[key] = value
    return checked


def validate_user_fields(
    email: str,
    first_name: str | None = None,
    last_name: str | None = None,
    phone_number: str | None = None,
    status: str | None = None,
    attributes: Mapping[str, Any] | None = None,
) -> UserFields:
    """Check every field of a new user at once, reporting all problems."""
    errors: list[FieldError] = []
    try:
        normalized = normalize_email(email)
    except ValueError as exc:
        errors.append(FieldError("email", str(exc)))
        normalized = email
    fields = UserFields(
        email=normalized,
        email_key=normalized.lower(),
        first_name=check_text("firstName", first_name, errors),
        last_name=check_text("lastName", last_name, errors),
        phone_number=check_text("phoneNumber", phone_number, errors) or None,
        status=check_status(status, errors),
        attributes={
            k: v
            for k, v in check_attributes(attributes or {}, errors).items()
            if v is not None
        },
    )
    if errors:
        raise InvalidInput(errors[0].message, errors)
    return fields


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email_key == email.strip().lower()))


def get_user(session: Session, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user", user_id)
    return user


def _refuse_taken_email(session: Session, email: str, current: User | None) -> None:
    holder = find_user_by_email(session, email)
    if holder is not None and holder is not current:
        raise Conflict.field(
            "email",
            f"The email {email!r} is already used by another user "
            f"({holder.email!r}); emails are unique regardless of case.",
        )


def create_user(session: Session, directory_id: str, fields: UserFields) -> User:
    require_directory(session, directory_id, "directoryId")
    _refuse_taken_email(session, fields.email, None)
    user = User(
        directory_id=directory_id,
        email=fields.email,
        email_key=fields.email_key,
        first_name=fields.first_name,
        last_name=fields.last_name,
        phone_number=fields.phone_number,
        status=fields.status,
        attributes=fields.attributes,
    )
    session.add(user)
    session.flush()
    outbox.users_changed(session, [user.id])
    return user


def update_user(session: Session, user: User, changes: Mapping[str, Any]) -> User:
    """Apply a partial update given with the API's field names."""
    errors: list[FieldError] = []
    if "directoryId" in changes and changes["directoryId"] != user.directory_id:
        require_directory(session, changes["directoryId"], "directoryId")
    if "email" in changes:
        try:
            email = normalize_email(changes["email"] or "")
        except ValueError as exc:
            errors.append(FieldError("email", str(exc)))
        else:
            _refuse_taken_email(session, email, user)
    first = check_text("firstName", changes.get("firstName"), errors)
    last = check_text("lastName", changes.get("lastName"), errors)
    phone = check_text("phoneNumber", changes.get("phoneNumber"), errors) or None
    status = check_status(changes.get("status"), errors)
    attributes = check_attributes(changes.get("attributes") or {}, errors)
    if errors:
        raise InvalidInput(errors[0].message, errors)

    # Scope may shrink (a directory move), so queue before and after.
    outbox.users_changed(session, [user.id])
    if "directoryId" in changes:
        if changes["directoryId"] != user.directory_id:
            leave_groups_of_directory(session, user)
        user.directory_id = changes["directoryId"]
    if "email" in changes:
        user.email, user.email_key = email, email.lower()
    if "firstName" in changes:
        user.first_name = first
    if "lastName" in changes:
        user.last_name = last
    if "phoneNumber" in changes:
        user.phone_number = phone
    if "status" in changes:
        user.status = status
    if "attributes" in changes:
        merged = {**user.attributes, **attributes}
        user.attributes = {k: v for k, v in merged.items() if v is not None}
    session.flush()
    outbox.users_changed(session, [user.id])
    return user


def delete_user(session: Session, user: User) -> None:
    groups = groups_of_user(session, user.id)
    outbox.users_changed(session, [user.id])
    session.delete(user)
    session.flush()
    outbox.groups_changed(session, groups)
