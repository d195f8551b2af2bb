"""The web page: officer view at ``/``, reviewer view at ``/review``, assets under ``/static/``.

Plain files, no build step and no external resource (the service runs offline). Only files that
exist in ``api/web/`` with a known type at import time can be served: the whitelist closes path
traversal without any path arithmetic on user input. Pages carry a strict Content-Security-Policy
(same-origin only, Trusted Types required) so that even a slip into ``innerHTML`` in the page
script would throw instead of injecting user or API text as HTML (issue 6, "no HTML injection").
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse
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


@router.get("/")
def officer_page() -> FileResponse:
    """Officer view: analyse a description, edit tier and fine, draft documents, search provisions."""
    return _file(PAGES["officer"])


@router.get("/review")
def review_page() -> FileResponse:
    """Reviewer view: verify every citation of a draft decision as of a date."""
    return _file(PAGES["review"])


@router.get("/static/{name:path}")
def static_asset(name: str) -> FileResponse:
    """One asset of the page, by exact file name (no sub-directories)."""
    return _file(name)
