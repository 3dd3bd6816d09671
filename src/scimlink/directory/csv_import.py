"""Importing users from a CSV file into one directory.

The file is read and checked whole before anything is stored: a problem with
the file itself (encoding, header, duplicate emails) stores nothing, while a
bad row is rejected alone, with its line number, and the good rows land.
Writes are bulk statements so that ten thousand rows take seconds.
"""

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scimlink.db.models import Directory, User, new_id
from scimlink.db.types import utcnow
from scimlink.directory.directories import require_directory
from scimlink.directory.users import UserFields, check_attributes, validate_user_fields
from scimlink.errors import Conflict, FieldError, InvalidInput
from scimlink.sync import outbox

STANDARD_COLUMNS = ("email", "firstName", "lastName", "phoneNumber", "status")
LOOKUP_CHUNK = 1000
PROGRESS_EVERY = 250
BOM = b"\xef\xbb\xbf"

Progress = Callable[[int], None]
CsvSource = str | bytes | IO[bytes] | IO[str]


@dataclass(frozen=True)
class Rejection:
    """A row that was not imported: its physical line number and why."""

    line: int
    email: str | None
    reason: str


@dataclass
class ImportReport:
    """What an import did, or would do for a dry run.

    ``updated`` counts every row that matched an existing user, whether or not
    its values changed; unchanged users are not rewritten.
    """

    created: int = 0
    updated: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    total: int = 0


@dataclass(frozen=True)
class _Row:
    line: int
    cells: dict[str, str]
    width: int


@dataclass
class _Accepted:
    line: int
    fields: UserFields
    given: frozenset[str]


def import_users(
    session: Session,
    directory_id: str,
    stream_or_text: CsvSource,
    *,
    dry_run: bool,
    progress: Progress | None = None,
) -> ImportReport:
    """Create or update the users listed in a CSV file, one per row.

    Columns ``email, firstName, lastName, phoneNumber, status`` fill the
    user's fields; any other column is a custom attribute, absent when its
    cell is empty. Raises InvalidInput, storing nothing, when the file as a
    whole cannot be used.
    """
    require_directory(session, directory_id, "directoryId")
    text = _decode(stream_or_text)
    header, rows = _parse(text)
    report = ImportReport(total=len(rows))

    accepted = _validate_rows(rows, header, report, progress)
    _refuse_duplicate_emails(accepted)

    existing = _existing_users(session, [a.fields.email_key for a in accepted])
    directory_names = _directory_names(session, existing.values())
    creates: list[_Accepted] = []
    updates: list[tuple[_Accepted, Mapping[str, Any]]] = []
    for row in accepted:
        holder = existing.get(row.fields.email_key)
        if holder is None:
            creates.append(row)
        elif holder["directory_id"] != directory_id:
            name = directory_names.get(holder["directory_id"], holder["directory_id"])
            report.rejected.append(
                Rejection(
                    row.line,
                    row.fields.email,
                    f"email: {holder['email']!r} already belongs to a user in "
                    f"directory {name!r}; a user belongs to one directory only.",
                )
            )
        else:
            updates.append((row, holder))

    report.created = len(creates)
    report.updated = len(updates)
    report.rejected.sort(key=lambda rejection: rejection.line)
    if not dry_run:
        _store(session, directory_id, creates, updates, set(header))
    if progress is not None:
        progress(report.total)
    return report


# --- Reading the file ------------------------------------------------------


def _decode(source: CsvSource) -> str:
    """The file as text; only UTF-8 is accepted, with or without a BOM."""
    if isinstance(source, str):
        return source.removeprefix("\ufeff")
    data = source if isinstance(source, bytes) else source.read()
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    data = data.removeprefix(BOM)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        message = (
            f"The file is not UTF-8: line {line}, byte {column} of that line "
            f"(offset {exc.start}) holds 0x{data[exc.start]:02X}. Save the file "
            "as UTF-8 (in a spreadsheet: 'CSV UTF-8') and import it again."
        )
        raise InvalidInput.field("file", message) from exc


def _parse(text: str) -> tuple[list[str], list[_Row]]:
    """The header and every non-blank row, keyed by column name."""
    records = _records(text)
    first = next(records, None)
    if first is None:
        raise InvalidInput.field(
            "file", "The file is empty; the first line must name the columns."
        )
    header = _check_header(first[1])
    rows: list[_Row] = []
    for line, cells in records:
        # A short row leaves its last columns empty, as some exporters do.
        rows.append(_Row(line, dict(zip(header, cells, strict=False)), len(cells)))
    return header, rows


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Non-blank CSV records, each with the physical line it starts on."""
    # Strict parsing: a quote left open would otherwise swallow the rest of
    # the file into one cell.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    next_line = 1
    try:
        for cells in reader:
            line, next_line = next_line, reader.line_num + 1
            if any(cell.strip() for cell in cells):
                yield line, cells
    except csv.Error as exc:
        raise InvalidInput.field("file", _csv_problem(next_line, str(exc))) from exc


def _csv_problem(line: int, error: str) -> str:
    if "unexpected end of data" in error:
        return (
            f"Line {line} opens a quoted cell that is never closed; close the "
            "quote or remove it."
        )
    if "field larger than field limit" in error:
        return (
            f"Line {line} has a cell longer than {csv.field_size_limit()} "
            "characters; shorten it (an unclosed quote can cause this too)."
        )
    return f"Line {line} is not valid CSV: {error}."


def _check_header(cells: list[str]) -> list[str]:
    names = [cell.strip() for cell in cells]
    errors: list[FieldError] = []
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if not name:
            errors.append(
                FieldError("header", f"Column {position} has no name; name it.")
            )
            continue
        if name.lower() in seen:
            errors.append(
                FieldError(
                    "header",
                    f"Column {position} ({name!r}) repeats column "
                    f"{seen[name.lower()]}; each column name may appear once.",
                )
            )
        seen.setdefault(name.lower(), position)
        if name not in STANDARD_COLUMNS:
            # Other columns become custom attributes, whose names are checked.
            problems: list[FieldError] = []
            check_attributes({name: ""}, problems)
            errors.extend(
                FieldError("header", f"Column {position} ({name!r}): {p.message}")
                for p in problems
            )
    if "email" not in names:
        errors.append(
            FieldError(
                "header",
                "The first line must name the columns and include 'email'; "
                f"found {', '.join(repr(n) for n in names)}.",
            )
        )
    if errors:
        raise InvalidInput(errors[0].message, errors)
    return names


# --- Checking rows ---------------------------------------------------------


def _validate_rows(
    rows: list[_Row],
    header: list[str],
    report: ImportReport,
    progress: Progress | None,
) -> list[_Accepted]:
    custom = [name for name in header if name not in STANDARD_COLUMNS]
    given = frozenset(name for name in header if name in STANDARD_COLUMNS)
    accepted: list[_Accepted] = []
    for done, row in enumerate(rows, start=1):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
        email = row.cells.get("email", "").strip() or None
        if row.width > len(header):
            report.rejected.append(
                Rejection(
                    row.line,
                    email,
                    f"The row has {row.width} cells but the header names "
                    f"{len(header)} columns; quote cells that contain commas.",
                )
            )
            continue
        if email is None:
            report.rejected.append(
                Rejection(row.line, None, "email: The email is empty.")
            )
            continue
        try:
            fields = validate_user_fields(
                email,
                row.cells.get("firstName"),
                row.cells.get("lastName"),
                row.cells.get("phoneNumber"),
                row.cells.get("status"),
                {name: row.cells[name] for name in custom if row.cells.get(name)},
            )
        except InvalidInput as exc:
            reason = "; ".join(f"{e.field}: {e.message}" for e in exc.errors)
            report.rejected.append(Rejection(row.line, email, reason or exc.detail))
            continue
        present = given if row.cells.get("status", "").strip() else given - {"status"}
        accepted.append(_Accepted(row.line, fields, present))
    return accepted


def _refuse_duplicate_emails(accepted: list[_Accepted]) -> None:
    lines: dict[str, list[int]] = defaultdict(list)
    for row in accepted:
        lines[row.fields.email_key].append(row.line)
    errors = [
        FieldError(
            "email",
            f"{email!r} appears on lines {', '.join(map(str, where))}; "
            "keep one row per person.",
        )
        for email, where in lines.items()
        if len(where) > 1
    ]
    if errors:
        detail = (
            f"{len(errors)} {'email appears' if len(errors) == 1 else 'emails appear'} "
            "more than once (case does not matter); "
            "fix the file and import it again. " + errors[0].message
        )
        raise InvalidInput(detail, errors)


# --- Reading and writing the database -------------------------------------


def _existing_users(session: Session, keys: list[str]) -> dict[str, dict[str, Any]]:
    """The stored users among these emails, in a few bulk queries."""
    columns = (
        User.id,
        User.email_key,
        User.email,
        User.directory_id,
        User.first_name,
        User.last_name,
        User.phone_number,
        User.status,
        User.attributes,
    )
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(keys), LOOKUP_CHUNK):
        chunk = keys[start : start + LOOKUP_CHUNK]
        for row in session.execute(select(*columns).where(User.email_key.in_(chunk))):
            found[row.email_key] = dict(row._mapping)
    return found


def _directory_names(
    session: Session, holders: Iterable[Mapping[str, Any]]
) -> dict[str, str]:
    ids = {holder["directory_id"] for holder in holders}
    if not ids:
        return {}
    rows = session.execute(
        select(Directory.id, Directory.name).where(Directory.id.in_(ids))
    )
    return {row.id: row.name for row in rows}


def _store(
    session: Session,
    directory_id: str,
    creates: list[_Accepted],
    updates: list[tuple[_Accepted, Mapping[str, Any]]],
    columns: set[str],
) -> None:
    now = utcnow()
    new_rows = [_new_user(directory_id, row.fields, now) for row in creates]
    changed_rows = [
        values
        for row, holder in updates
        if (values := _changed_user(row, holder, columns, now)) is not None
    ]
    try:
        if new_rows:
            # Sending NULLs keeps every row in one batch; omitting them would
            # split the batch wherever a row lacks a phone number.
            creating = insert(User).execution_options(render_nulls=True)
            session.execute(creating, new_rows)
        if changed_rows:
            session.execute(update(User), changed_rows)
    except IntegrityError as exc:
        # Another change stored one of these emails since they were looked up.
        raise Conflict.field(
            "email",
            "Another change added one of these emails during the import; "
            "import the file again.",
        ) from exc
    touched = [row["id"] for row in new_rows] + [row["id"] for row in changed_rows]
    outbox.users_changed(session, touched)


def _new_user(directory_id: str, fields: UserFields, now: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "directory_id": directory_id,
        "email": fields.email,
        "email_key": fields.email_key,
        "first_name": fields.first_name,
        "last_name": fields.last_name,
        "phone_number": fields.phone_number,
        "status": fields.status,
        "attributes": fields.attributes,
        "created_at": now,
        "updated_at": now,
    }


def _changed_user(
    row: _Accepted, holder: Mapping[str, Any], columns: set[str], now: Any
) -> dict[str, Any] | None:
    """New values for a stored user, or None when the file changes nothing.

    Columns missing from the file keep their stored values, and so does an
    empty status cell; every custom column of the file replaces its attribute.
    """
    fields, given = row.fields, row.given
    custom = columns.difference(STANDARD_COLUMNS)
    kept = {k: v for k, v in holder["attributes"].items() if k not in custom}

    def pick(column: str, key: str, value: Any) -> Any:
        return value if column in given else holder[key]

    merged = {
        "email": fields.email,
        "first_name": pick("firstName", "first_name", fields.first_name),
        "last_name": pick("lastName", "last_name", fields.last_name),
        "phone_number": pick("phoneNumber", "phone_number", fields.phone_number),
        "status": pick("status", "status", fields.status),
        "attributes": {**kept, **fields.attributes},
    }
    if all(merged[key] == holder[key] for key in merged):
        return None
    return {"id": holder["id"], **merged, "updated_at": now}
