"""One error model for the CLI and every HTTP 4xx/5xx: a stable code, a message, the field."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
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


class ErrorDetail(BaseModel):
    """One failing input of a request validation error."""

    field: str
    message: str | None = None


class ErrorInfo(BaseModel):
    """What went wrong: a stable code, a readable message, the input field at fault."""

    code: str
    message: str
    field: str | None = None
    details: Any = None  # the failing inputs, or what a document is missing


class ErrorBody(BaseModel):
    """The one body of every 4xx/5xx answer."""

    error: ErrorInfo


# Statuses any operation may answer with (the body limit and API keys apply to every route).
_COMMON_ERRORS = {"401": "API key unknown or revoked", "413": "Input too large", "422": "Invalid request",
                  "500": "Internal error"}


def document_errors(app: FastAPI) -> None:
    """Make the OpenAPI schema describe the error body the handlers really send.

    FastAPI documents 422 as its own ``HTTPValidationError``, which these handlers replace; clients generated from the
    schema (and schemathesis) must see :class:`ErrorBody` for every error status instead.
    """
    from fastapi.openapi.utils import get_openapi

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        comps = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (ErrorDetail, ErrorInfo, ErrorBody):
            comps[model.__name__] = model.model_json_schema(ref_template="#/components/schemas/{model}")
            comps[model.__name__].pop("$defs", None)
        for name in ("HTTPValidationError", "ValidationError"):
            comps.pop(name, None)
        ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}}
        for path in schema.get("paths", {}).values():
            for op in path.values():
                responses = op.setdefault("responses", {})
                for status, text in _COMMON_ERRORS.items():
                    responses.setdefault(status, {"description": text})
                for status, resp in responses.items():
                    if status[:1] in ("4", "5"):
                        resp.update(ref)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
