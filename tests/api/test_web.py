"""Web page served by the app (issue 6): pages, assets, no external resource, no path traversal, no HTML sinks.

Fast TestClient checks; the browser behaviour is in test_web_e2e.py.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.routers import web

WEB_DIR = Path(web.__file__).resolve().parents[1] / "web"


def make_app(settings) -> FastAPI:
    """The real app, with the web router included unless create_app already does it."""
    app = create_app(settings)
    included = any(getattr(r, "original_router", None) is web.router or getattr(r, "path", None) == "/review"
                   for r in app.routes)
    if not included:
        app.include_router(web.router)
    return app


@pytest.fixture()
def client(app_env) -> TestClient:
    with TestClient(make_app(app_env)) as c:
        yield c


class _Refs(HTMLParser):
    """src/href of <script>, <link>, <img>, <a>, <form action> in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str]] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"] or "")
        for name in ("src", "href", "action"):
            if a.get(name):
                self.refs.append((tag, a[name] or ""))


def _parse(html: str) -> _Refs:
    p = _Refs()
    p.feed(html)
    return p


@pytest.mark.parametrize(("path", "view", "must_have"), [
    ("/", "officer", ("analyze-form", "description", "as-of", "doc-form", "doc-kind", "search-form", "api-key")),
    ("/review", "review", ("verify-form", "draft", "as-of", "draft-view", "citations", "api-key")),
])
def test_pages_are_served(client: TestClient, path: str, view: str, must_have: tuple[str, ...]) -> None:
    r = client.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert f'data-view="{view}"' in r.text and 'lang="zh-CN"' in r.text
    ids = _parse(r.text).ids
    assert len(ids) == len(set(ids)), "duplicate element ids"
    for element_id in must_have:
        assert element_id in ids
    # Every form control has a label (accessibility); radios/checkboxes are wrapped in theirs.
    labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', r.text))
    for control in re.findall(r'<(?:input|textarea|select)\b[^>]*\bid="([^"]+)"', r.text):
        assert control in labelled, f"{control} has no <label for>"


def test_pages_send_a_strict_content_security_policy(client: TestClient) -> None:
    for path in ("/", "/review"):
        h = client.get(path).headers
        csp = h["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "connect-src 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "require-trusted-types-for 'script'" in csp  # innerHTML would throw in the browser
        assert h["x-content-type-options"] == "nosniff"
        assert h["x-frame-options"] == "DENY"


def test_every_referenced_asset_is_served_with_its_type(client: TestClient) -> None:
    types = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
    seen = set()
    for page in ("/", "/review"):
        for tag, ref in _parse(client.get(page).text).refs:
            if tag == "a":
                continue
            assert ref.startswith("/static/"), f"{tag} refers to {ref}: assets must be local"
            r = client.get(ref)
            assert r.status_code == 200, ref
            assert r.headers["content-type"].startswith(types[Path(ref).suffix]), ref
            assert r.content == (WEB_DIR / Path(ref).name).read_bytes()
            seen.add(Path(ref).name)
    assert {"app.js", "style.css"} <= seen


def test_page_links_stay_inside_the_app(client: TestClient) -> None:
    for page in ("/", "/review"):
        for tag, ref in _parse(client.get(page).text).refs:
            if tag == "a" and not ref.startswith("#"):
                assert ref.startswith("/") and not ref.startswith("//"), ref
                assert client.get(ref).status_code == 200, f"link to {ref} which the app does not serve"


# URL-ish things that would make the browser fetch from elsewhere. The SVG namespace is an identifier, not a fetch.
_EXTERNAL = re.compile(r"(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}|@import|@font-face|\bws{1,2}://", re.I)
_ALLOWED = {"http://www.w3.org/2000/svg"}


def test_no_external_resources_in_any_asset() -> None:
    files = [p for p in WEB_DIR.iterdir() if p.suffix in (".html", ".css", ".js", ".svg")]
    assert {p.name for p in files} >= {"officer.html", "review.html", "app.js", "style.css"}
    for p in files:
        text = p.read_text(encoding="utf-8")
        if p.suffix == ".js":  # comments may name things; code may not
            text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
        found = [m.group(0) for m in _EXTERNAL.finditer(text) if m.group(0) not in _ALLOWED
                 and not text[max(0, m.start() - 7):m.start()].endswith('xmlns="')]
        assert not found, f"{p.name} references external resources: {found}"
    css = (WEB_DIR / "style.css").read_text(encoding="utf-8")
    for url in re.findall(r"url\(([^)]*)\)", css):
        assert url.strip("'\" ").startswith(("/static/", "data:")), url


def test_script_has_no_html_sinks() -> None:
    """User and API text is built with textContent only (issue 6); no HTML-parsing sink may appear."""
    js = re.sub(r"/\*.*?\*/", "", (WEB_DIR / "app.js").read_text(encoding="utf-8"), flags=re.S)
    js = "\n".join(line.split("//")[0] if "//" in line and "'//'" not in line else line for line in js.splitlines())
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                 "setAttribute('on", 'setAttribute("on', "createContextualFragment", "DOMParser", "srcdoc"):
        assert sink not in js, sink


@pytest.mark.parametrize("path", [
    "/static/../app.py",
    "/static/%2e%2e/app.py",
    "/static/..%2Fapp.py",
    "/static/%2e%2e%2f%2e%2e%2fapi%2fapp.py",
    "/static/..%5c..%5capi%5capp.py",
    "/static//etc/passwd",
    "/static/%2Fetc%2Fpasswd",
    "/static/__init__.py",
    "/static/web/app.js",
    "/static/.",
    "/static/",
    "/static/app.js%00.html",
])
def test_static_rejects_anything_but_the_listed_assets(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    body = r.json()
    assert body["error"]["code"] == "not_found"
    assert "create_app" not in r.text and "root:" not in r.text


def test_static_serves_only_files_of_the_web_directory() -> None:
    assert set(web.ASSETS) == {p.name for p in WEB_DIR.iterdir() if p.is_file() and p.suffix in web.MEDIA_TYPES}
    assert all(p.parent == WEB_DIR for p in web.ASSETS.values())
    assert "__init__.py" not in web.ASSETS


def test_pages_are_not_in_the_api_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/" not in paths and "/review" not in paths and not any(p.startswith("/static") for p in paths)


def test_script_calls_the_documented_endpoints() -> None:
    """The page posts to the contract paths of issues 3–6 with the contract fields."""
    js = (WEB_DIR / "app.js").read_text(encoding="utf-8")
    for path in ("/v1/analyze", "/v1/search", "/v1/documents", "/v1/citations/verify"):
        assert f"'{path}'" in js, path
    assert "'X-API-Key'" in js and "sessionStorage" in js and "localStorage" not in js
    for field in ("description", "as_of", "party_type", "query", "top_k", "kind", "case", "format: 'docx'"):
        assert field in js, field
    for kind in ("penalty_decision", "prior_notice", "hearing_notice", "no_penalty_decision",
                 "on_the_spot_decision", "bundle"):
        assert f'value="{kind}"' in (WEB_DIR / "officer.html").read_text(encoding="utf-8"), kind
