"""RFC 9457 problem responses for every error the API returns."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from scimlink.errors import FieldError, ScimlinkError

PROBLEM_JSON = "application/problem+json"


def problem(
    status: int,
    title: str,
    detail: str,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = [{"field": e.field, "message": e.message} for e in errors]
    return JSONResponse(
        body, status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


def _field_name(location: tuple[Any, ...]) -> str:
    parts = [str(p) for p in location if p not in ("body", "query", "path")]
    name = ""
    for part in parts:
        name += f"[{part}]" if part.isdigit() else (f".{part}" if name else part)
    return name or "body"


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "Unknown field; remove it (field names are camelCase)."
    if kind == "missing":
        return "This field is required."
    if kind == "json_invalid":
        reason = error.get("ctx", {}).get("error", "")
        return f"The body is not valid JSON: {reason}".strip()
    return str(error.get("msg", "Invalid value."))


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ScimlinkError)
    async def domain_error(_: Request, exc: ScimlinkError) -> JSONResponse:
        return problem(exc.status, exc.title, exc.detail, exc.errors)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            FieldError(
                "body"
                if e.get("type") == "json_invalid"
                else _field_name(tuple(e.get("loc", ()))),
                _message(e),
            )
            for e in exc.errors()
        ]
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            return problem(400, "Malformed JSON", errors[0].message, errors)
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors[:5])
        return problem(422, "Invalid input", detail, errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {
            401: "Unauthorized",
            403: "Forbidden",
            404: "Not found",
            405: "Method not allowed",
        }
        return problem(
            exc.status_code,
            titles.get(exc.status_code, "Error"),
            str(exc.detail),
            headers=getattr(exc, "headers", None),
        )
