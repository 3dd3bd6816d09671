"""/users/import: users from a CSV file, sent as a form upload or as the body."""

from typing import Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from scimlink.api.deps import Writer
from scimlink.api.schemas import ApiModel
from scimlink.db.engine import transaction
from scimlink.directory.csv_import import ImportReport, import_users
from scimlink.errors import InvalidInput

router = APIRouter(prefix="/users", tags=["users"])

CSV_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "UTF-8 CSV whose first line names the columns; "
        "`email` is required, columns other than `firstName`, `lastName`, "
        "`phoneNumber` and `status` become custom attributes.",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}


class RejectionOut(ApiModel):
    line: int
    email: str | None
    reason: str


class ImportOut(ApiModel):
    created: int
    updated: int
    rejected: list[RejectionOut]
    total: int
    dry_run: bool


@router.post("/import", openapi_extra=CSV_BODY)
async def import_csv(
    request: Request,
    _: Writer,
    directory_id: str = Query(alias="directoryId"),
    dry_run: bool = Query(False, alias="dryRun"),
) -> ImportOut:
    """Create or update users from a CSV file; bad rows are listed, not stored."""
    data = await _csv_bytes(request)
    report = await run_in_threadpool(_run, request, directory_id, data, dry_run)
    return ImportOut(
        created=report.created,
        updated=report.updated,
        rejected=[
            RejectionOut(line=r.line, email=r.email, reason=r.reason)
            for r in report.rejected
        ],
        total=report.total,
        dry_run=dry_run,
    )


async def _csv_bytes(request: Request) -> bytes:
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        return await request.body()
    async with request.form() as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput.field(
                "file", "Send the CSV as the form field 'file' or as a text/csv body."
            )
        return await upload.read()


def _run(
    request: Request, directory_id: str, data: bytes, dry_run: bool
) -> ImportReport:
    # The import is blocking database work, so it runs off the event loop.
    with transaction(request.app.state.sessions) as session:
        return import_users(session, directory_id, data, dry_run=dry_run)
