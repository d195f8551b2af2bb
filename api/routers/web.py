"""The web page: officer view at ``/``, reviewer view at ``/review``, assets under ``/static/``.

Plain files, no build step and no external resource (the service runs offline). Only files that
exist in ``api/web/`` with a known type at import time can be served: the whitelist closes path
traversal without any path arithmetic on user input. Pages carry a strict Content-Security-Policy
(same-origin only, Trusted Types required) so that even a slip into ``innerHTML`` in the page
script would throw instead of injecting user or API text as HTML (issue 6, "no HTML injection").
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from starlette.exceptions import HTTPException

WEB_DIR = Path(__file__).resolve().parents[1] / "web"

MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}

# Same origin only; nothing inline; innerHTML & co. are refused by the browser (Trusted Types).
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; "
       "require-trusted-types-for 'script'; trusted-types 'none'")

SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    # Officers update the page with the service; a stale script against a newer API is worse than a re-fetch.
    "Cache-Control": "no-cache",
}

PAGES = {"officer": "officer.html", "review": "review.html"}


def _assets() -> dict[str, Path]:
    """Servable assets by name: regular files directly in ``api/web`` with a known type."""
    return {p.name: p for p in sorted(WEB_DIR.iterdir())
            if p.is_file() and p.suffix in MEDIA_TYPES and not p.name.startswith(".")}


ASSETS = _assets()

router = APIRouter(include_in_schema=False, tags=["web"])


def _file(name: str) -> FileResponse:
    path = ASSETS.get(name)
    if path is None:
        raise HTTPException(404, f"no such asset: {name[:80]}")
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix], headers=SECURITY_HEADERS)


# The pages are async: served on the event loop, never queued behind requests in the request pool.
@router.get("/")
async def officer_page() -> FileResponse:
    """Officer view: analyse a description, edit tier and fine, draft documents, search provisions."""
    return _file(PAGES["officer"])


@router.get("/review")
async def review_page() -> FileResponse:
    """Reviewer view: verify every citation of a draft decision as of a date."""
    return _file(PAGES["review"])


@router.get("/static/{name:path}")
async def static_asset(name: str) -> FileResponse:
    """One asset of the page, by exact file name (no sub-directories)."""
    return _file(name)


def _first_line(text: str | None) -> str:
    return text.strip().splitlines()[0] if text and text.strip() else ""


@router.get("/docs")
async def api_docs(request: Request) -> HTMLResponse:
    """The API reference, offline: every operation of ``/openapi.json`` listed on a plain page.

    FastAPI's Swagger UI and ReDoc load their scripts from a CDN (broken offline, third-party code on an officer's
    machine) and no installed package ships them, so they are off; the schema itself is complete and local.
    """
    schema = request.app.openapi()
    title = escape(f"{schema['info']['title']} — API {schema['info']['version']}")
    rows = "".join(
        f"<tr><td><code>{escape(method.upper())}</code></td><td><code>{escape(path)}</code></td>"
        f"<td>{escape(op.get('summary') or '')}</td><td>{escape(_first_line(op.get('description')))}</td></tr>"
        for path, ops in schema.get("paths", {}).items() for method, op in ops.items())
    page = ('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<title>{title}</title><link rel="stylesheet" href="/static/style.css">'
            f'<link rel="icon" href="/static/favicon.svg"></head><body><main><h1>{title}</h1>'
            '<p>Machine-readable schema: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3, for any OpenAPI tool). '
            'Every error answers <code>{"error": {"code", "message", "field"}}</code>.</p>'
            '<table><thead><tr><th>method</th><th>path</th><th>summary</th><th>description</th></tr></thead>'
            f'<tbody>{rows}</tbody></table></main></body></html>')
    return HTMLResponse(page, headers=SECURITY_HEADERS)
