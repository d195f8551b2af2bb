"""One error model for the CLI and every HTTP 4xx/5xx: a stable code, a message, the field.

Every error of the project is an :class:`~nlp.errors.EHError`; its codes and statuses are catalogued in
:data:`nlp.errors.CATALOGUE`. One handler answers any of them with its status and the one error body.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from nlp.errors import EHError, status_of


class AppError(EHError):
    """An error the API layer raises with a code given at the raise site (listed in the catalogue).

    Attributes:
        code: Stable machine-readable code, e.g. ``bad_date``.
        message: What went wrong and how to fix it.
        field: The input field at fault, if any.
        status: HTTP status code: the one given, else the catalogue's for ``code`` (400 for a code it lacks).
    """

    def __init__(self, code: str, message: str, field: str | None = None, status: int | None = None) -> None:
        status = status if status is not None else status_of(code, 400)
        super().__init__(message, field=field, code=code, status=status)


class RequestTimeout(AppError):
    """A request that ran past ``EH_REQUEST_TIMEOUT_S``: abandoned, answered 503 with a Retry-After."""

    code = "request_timeout"

    def __init__(self, seconds: float) -> None:
        super().__init__(self.code, f"请求处理超时：超过 {seconds:g} 秒仍未完成，已中止；请稍后重试，或缩短提交的文本")
        self.headers = {"Retry-After": "1"}


BUILD_COMMAND = "enforcement-helper build"


class NotBuilt(AppError):
    """An artefact the build makes (statute store, benchmarks, model, index, tier model) is missing or stale.

    Serving never builds one: a request that needs it answers 503 ``not_built`` with the reason, ``/readyz`` lists
    it, and the CLI says to run ``enforcement-helper build``.
    """

    code = "not_built"

    def __init__(self, reason: str) -> None:
        super().__init__(self.code, f"{reason}：请管理员运行 {BUILD_COMMAND}")
        self.reason = reason


def parse_date(value: str | date | None, field: str = "as_of") -> date | None:
    """ISO date from user input, bounded to 1949-10-01 … 2100-12-31, or an :class:`AppError` naming the field."""
    from api.schemas import MAX_DATE, MIN_DATE

    if value is None or value == "":
        return None
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value).strip())
        except ValueError:
            raise AppError("bad_date", f"日期（{field}）格式应为“年-月-日”（YYYY-MM-DD），收到的是“{value}”",
                           field, 422) from None
    if not MIN_DATE <= day <= MAX_DATE:
        # far dates overflow date arithmetic (9999-12-31 plus 「次日」) and no statute applies to them anyway
        raise AppError("bad_date", f"日期（{field}）超出范围：应在 {MIN_DATE} 至 {MAX_DATE} 之间，收到的是 {day}",
                       field, 422)
    return day


# An absolute POSIX path in a message, e.g. the data dir; URL paths of this API are left alone.
_ABS_PATH = re.compile(r"(?<![\w.~/:-])/[^\s'\"`<>(){}\[\],;]+?(?=[:.]?(?:[\s'\"`<>(){}\[\],;]|$))")
_API_PATHS = ("/v1/", "/static/", "/docs", "/openapi.json", "/healthz", "/readyz", "/metrics", "/review")


def redact_paths(text: str) -> str:
    """``text`` with the server's file paths replaced by ``<path>``: callers need not learn the layout."""
    if "/" not in text:
        return text
    return _ABS_PATH.sub(lambda m: m.group() if m.group().startswith(_API_PATHS) else "<path>", text)


class ErrorResponse(JSONResponse):
    """JSON that renders whatever a message holds: a lone surrogate echoed from input becomes ``?``, not a 500."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode(
            "utf-8", "replace")


def error_response(code: str, message: str, status: int, field: str | None = None,
                   headers: dict[str, str] | None = None, **extra: Any) -> ErrorResponse:
    """The one error body, with server paths removed from the message."""
    return ErrorResponse({"error": {"code": code, "message": redact_paths(message), "field": field, **extra}},
                         status_code=status, headers=headers)


def install_handlers(app: FastAPI) -> None:
    """Map every error to the one error body."""

    @app.exception_handler(EHError)
    async def _eh_error(_: Request, exc: EHError) -> JSONResponse:
        body = exc.to_dict()["error"]
        return error_response(body.pop("code"), body.pop("message"), exc.status, headers=getattr(exc, "headers", None),
                              **body)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errs = exc.errors()
        first = errs[0] if errs else {}
        # the leading element says where (body, query, path, header); a field may itself be called "query"
        where = tuple(first.get("loc", ()))
        loc = ".".join(str(x) for x in (where[1:] if where[:1] in (("body",), ("query",), ("path",), ("header",),
                                                                   ("cookie",)) else where))
        return error_response(
            "invalid_request", validation_message(first), 422, loc or None,
            details=[{"field": ".".join(map(str, e.get("loc", ()))), "message": validation_message(e)} for e in errs])

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return error_response(code, _HTTP_MESSAGES.get(exc.status_code, str(exc.detail)), exc.status_code,
                              headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        # Last resort: a fixed message, never the exception's text (paths, inputs) nor a traceback; the server log
        # has both (Starlette re-raises the exception after this answer).
        return error_response("internal_error", "服务器内部错误：详情已记入服务器日志", 500)


# Starlette's own refusals (unknown path, wrong method): their codes, and their messages said in Chinese.
_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}
_HTTP_MESSAGES = {404: "请求的接口或资源不存在", 405: "该接口不支持此请求方法", 413: "提交的内容过大"}

# pydantic's error types, said in Chinese; ``{…}`` fields come from the error's ``ctx``.
_VALIDATION_MESSAGES = {
    "missing": "缺少必填字段",
    "string_too_short": "内容过短（至少 {min_length} 个字符）",
    "string_too_long": "内容过长（至多 {max_length} 个字符）",
    "too_short": "条目过少（至少 {min_length} 项）",
    "too_long": "条目过多（至多 {max_length} 项）",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为布尔值（true 或 false）",
    "bool_parsing": "应为布尔值（true 或 false）",
    "dict_type": "应为对象（JSON object）",
    "model_type": "应为对象（JSON object）",
    "list_type": "应为数组（JSON array）",
    "literal_error": "取值无效，应为 {expected} 之一",
    "enum": "取值无效，应为 {expected} 之一",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应不小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应不大于 {le}",
    "json_invalid": "请求体不是有效的 JSON",
    "extra_forbidden": "不接受该字段",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
}


def validation_message(err: dict[str, Any]) -> str:
    """One pydantic validation error in Chinese; a ``ValueError`` of our own validators keeps its (Chinese) text."""
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    if kind == "value_error" and ctx.get("error") is not None:
        return str(ctx["error"])
    template = _VALIDATION_MESSAGES.get(kind)
    if template is None:
        return f"请求内容不符合接口要求（{kind or 'invalid'}）"
    try:
        return template.format(**{k: str(v).replace("'", "").replace(" or ", "、").replace(", ", "、")
                                  for k, v in ctx.items()})
    except (KeyError, IndexError):
        return template.split("（")[0].split("，")[0]


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
_COMMON_ERRORS = {"401": "API 密钥无效或已被吊销（API key unknown or revoked）",
                  "413": "输入过大（Input too large）", "422": "请求无效（Invalid request）",
                  "500": "服务器内部错误（Internal error）"}


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
