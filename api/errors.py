"""One error model for the CLI and every HTTP 4xx/5xx: a stable code, a message, the field."""

from __future__ import annotations

from datetime import date

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException


class AppError(Exception):
    """An error meant for the caller.

    Attributes:
        code: Stable machine-readable code, e.g. ``bad_date``.
        message: What went wrong and how to fix it.
        field: The input field at fault, if any.
        status: HTTP status code.
    """

    def __init__(self, code: str, message: str, field: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.field, self.status = code, message, field, status

    def to_dict(self) -> dict:
        """The error body (``details`` only when there are some, e.g. the missing fields)."""
        body = {"code": self.code, "message": self.message, "field": self.field}
        if getattr(self, "details", None):
            body["details"] = self.details  # type: ignore[attr-defined]
        return {"error": body}


def parse_date(value: str | date | None, field: str = "as_of") -> date | None:
    """ISO date from user input, or an :class:`AppError` naming the field."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise AppError("bad_date", f"{field} must be a date as YYYY-MM-DD, got {value!r}", field, 422) from None


def install_handlers(app: FastAPI) -> None:
    """Map every error to the one error body."""

    @app.exception_handler(AppError)
    async def _app_error(_: Request, exc: AppError) -> JSONResponse:
        return JSONResponse(exc.to_dict(), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errs = exc.errors()
        first = errs[0] if errs else {}
        loc = ".".join(str(x) for x in first.get("loc", ()) if x not in ("body", "query"))
        return JSONResponse(
            {"error": {"code": "invalid_request", "message": first.get("msg", "invalid request"), "field": loc or None,
                       "details": [{"field": ".".join(map(str, e.get("loc", ()))), "message": e.get("msg")} for e in errs]}},
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}.get(exc.status_code, "http_error")
        return JSONResponse({"error": {"code": code, "message": str(exc.detail), "field": None}},
                            status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:  # pragma: no cover - last resort
        return JSONResponse({"error": {"code": "internal_error", "message": "internal error; see the server log",
                                       "field": None}}, status_code=500)
