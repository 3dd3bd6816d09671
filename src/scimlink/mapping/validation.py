"""Check a connector's mapping against the app's profile before it is saved."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from scimlink.mapping.expression import ExpressionError, parse_source
from scimlink.mapping.rows import MappingRow
from scimlink.mapping.targets import TargetError, TargetPath, parse_path, resolve_target

if TYPE_CHECKING:
    from scimlink.apps.profile import AppProfile

ProblemField = Literal["source", "target", "mapping"]
# Attributes that scimlink fills itself when no row writes them.
_AUTOMATIC = ("active",)


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one row (index -1 and field "mapping": the whole)."""

    index: int
    field: ProblemField
    message: str


def validate_mapping(
    rows: Sequence[MappingRow],
    profile: AppProfile,
    *,
    matching_attribute: str = "userName",
) -> list[RowProblem]:
    """Every problem of the mapping, at most one per row, in row order.

    Messages are written for the admin and refer to rows by 1-based number.
    The connector's matching attribute must be written too: without it no
    account could be looked up, so every push would fail.
    """
    problems: list[RowProblem] = []
    writers: dict[str, int] = {}
    single_valued: dict[str, tuple[str, int]] = {}
    written: list[TargetPath] = []

    for index, row in enumerate(rows):
        try:
            parse_source(row.source)
        except ExpressionError as error:
            problems.append(RowProblem(index, "source", str(error)))
            continue
        try:
            path = resolve_target(row.target)
        except TargetError as error:
            problems.append(RowProblem(index, "target", str(error)))
            continue

        message = (
            _rejected(path, profile)
            or _duplicate(path, writers, index)
            or _second_value(path, profile, single_valued, index)
        )
        if message:
            problems.append(RowProblem(index, "target", message))
        else:
            written.append(path)

    problems += [
        RowProblem(
            -1,
            "mapping",
            f"{profile.name} requires '{required}': add a row that writes it",
        )
        for required in profile.required_attributes
        if not _satisfied(required, written, profile)
    ]
    if matching_attribute not in profile.required_attributes and not _satisfied(
        matching_attribute, written, profile
    ):
        problems.append(
            RowProblem(
                -1,
                "mapping",
                f"accounts are matched by '{matching_attribute}', which no row "
                "writes: add a row for it or choose another matching attribute",
            )
        )
    return problems


def _rejected(path: TargetPath, profile: AppProfile) -> str | None:
    if path.schema is not None:
        return None
    rejected = {name.lower() for name in profile.rejected_user_attributes}
    if path.attribute.lower() in rejected:
        return f"{profile.name} rejects '{path.attribute}'"
    if path.attribute == "externalId" and not profile.accepts_external_id:
        return f"{profile.name} does not accept externalId"
    return None


def _duplicate(path: TargetPath, writers: dict[str, int], index: int) -> str | None:
    earlier = writers.setdefault(path.key, index)
    if earlier == index:
        return None
    return f"'{path}' is already written by row {earlier + 1}"


def _second_value(
    path: TargetPath,
    profile: AppProfile,
    single_valued: dict[str, tuple[str, int]],
    index: int,
) -> str | None:
    limited = {name.lower() for name in profile.single_valued_attributes}
    if not path.multi_valued or path.attribute.lower() not in limited:
        return None
    value_type = path.value_type or ""
    first_type, first_row = single_valued.setdefault(
        path.attribute.lower(), (value_type.lower(), index)
    )
    if first_type == value_type.lower():
        return None
    return (
        f"{profile.name} accepts exactly one value of '{path.attribute}'; "
        f"row {first_row + 1} already writes the {first_type!r} one"
    )


def _satisfied(required: str, written: list[TargetPath], profile: AppProfile) -> bool:
    wanted = parse_path(required)
    if wanted.schema is None and wanted.attribute in _AUTOMATIC:
        return True
    if wanted.schema is None and wanted.attribute == "externalId":
        return profile.accepts_external_id
    if any(_covers(path, wanted) for path in written):
        return True
    # shaping derives a required displayName from the name parts.
    if wanted.schema is None and wanted.attribute == "displayName":
        return any(
            path.schema is None
            and path.attribute == "name"
            and path.sub_attribute in ("givenName", "familyName", "formatted")
            for path in written
        )
    return False


def _covers(path: TargetPath, wanted: TargetPath) -> bool:
    same_schema = (path.schema or "").lower() == (wanted.schema or "").lower()
    same_attribute = path.attribute.lower() == wanted.attribute.lower()
    same_sub = wanted.sub_attribute is None or (
        (path.sub_attribute or "").lower() == wanted.sub_attribute.lower()
    )
    return same_schema and same_attribute and same_sub
