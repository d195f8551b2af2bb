"""One error base and one catalogue (issue #14): every error class and every literal code of the packages is listed in
``nlp.errors.CATALOGUE`` with its HTTP status, nothing listed is unused, and the HTTP answers carry the catalogue's
code and status."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from nlp.errors import CATALOGUE, EHError

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("nlp", "corpus", "index", "analysis", "api")

# Codes that several classes define on purpose: the same meaning to a client, raised in different layers.
SHARED_CODES = {
    "not_built": {"api.errors.NotBuilt", "nlp.encoders.EncoderNotBuilt", "analysis.tiers.TierModelNotBuilt"},
    "source_missing": {"corpus.sources.ldb.SourceMissing", "corpus.benchmarks.sources.SourceMissing"},
}


def _import_all() -> list[str]:
    names = []
    for pkg in PACKAGES:
        root = importlib.import_module(pkg)
        for info in pkgutil.walk_packages(root.__path__, pkg + "."):
            if not info.name.endswith("__main__"):  # a script: importing it would run it
                importlib.import_module(info.name)
                names.append(info.name)
    return names


def _subclasses(cls: type[EHError]) -> Iterator[type[EHError]]:
    yield cls
    for sub in cls.__subclasses__():
        yield from _subclasses(sub)


@pytest.fixture(scope="module")
def error_classes() -> list[type[EHError]]:
    assert len(_import_all()) > 50
    classes = sorted(set(_subclasses(EHError)), key=lambda c: f"{c.__module__}.{c.__qualname__}")
    return [c for c in classes if c.__module__.split(".")[0] in PACKAGES]


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _sources() -> Iterator[tuple[Path, ast.Module]]:
    for pkg in PACKAGES:
        for path in sorted((REPO / pkg).rglob("*.py")):
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def _literal_codes(error_classes: list[type[EHError]]) -> dict[str, list[tuple[str, int | None]]]:
    """code → [(where, literal status or None)] for every literal code the packages raise or answer with."""
    from api.errors import _HTTP_CODES, error_response

    # where the code (and status) sit among the arguments of each error constructor and of error_response
    callables: dict[str, inspect.Signature] = {c.__name__: inspect.signature(c.__init__) for c in error_classes}
    callables["error_response"] = inspect.signature(error_response)
    found: dict[str, list[tuple[str, int | None]]] = defaultdict(list)
    for path, tree in _sources():
        if path.name == "errors.py" and path.parent.name == "nlp":
            continue
        for node in ast.walk(tree):
            where = f"{path.relative_to(REPO)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call):
                fname = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                if fname not in callables:
                    continue
                params = [p for p in callables[fname].parameters if p != "self"]
                args = {params[i]: a for i, a in enumerate(node.args) if i < len(params)}
                args.update({k.arg: k.value for k in node.keywords if k.arg})
                code, status = args.get("code"), args.get("status")
                if isinstance(code, ast.Constant) and isinstance(code.value, str):
                    found[code.value].append(
                        (where, status.value if isinstance(status, ast.Constant) and status.value else None))
            elif isinstance(node, ast.Dict):  # {"error": {"code": "...", …}} written out by hand
                for key, value in zip(node.keys, node.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "error" and isinstance(value, ast.Dict):
                        for k, v in zip(value.keys, value.values, strict=True):
                            if isinstance(k, ast.Constant) and k.value == "code" and isinstance(v, ast.Constant):
                                found[v.value].append((where, None))
    for status, code in _HTTP_CODES.items():
        found[code].append(("api/errors.py _HTTP_CODES", status))
    return found


def test_every_error_class_has_a_catalogued_code_and_status(error_classes: list[type[EHError]]) -> None:
    assert len(error_classes) >= 40  # the ~18 layer errors, the document errors, the API's
    by_code: dict[str, set[str]] = defaultdict(set)
    for cls in error_classes:
        assert issubclass(cls, ValueError), _name(cls)
        assert cls.code in CATALOGUE, f"{_name(cls)}: code {cls.code!r} is not in nlp.errors.CATALOGUE"
        assert cls.status == CATALOGUE[cls.code].status, f"{_name(cls)}: status {cls.status} ≠ catalogue"
        # the base's generic code only for the base and AppError, whose raise sites give the code
        assert cls.code != EHError.code or _name(cls) in {"nlp.errors.EHError", "api.errors.AppError"}, _name(cls)
        if "code" in cls.__dict__:
            by_code[cls.code].add(_name(cls))
    shared = {code: names for code, names in by_code.items() if len(names) > 1}
    for code, names in shared.items():
        assert names <= SHARED_CODES.get(code, set()), f"code {code!r} defined by several classes: {sorted(names)}"


def test_every_literal_code_is_catalogued_with_its_status(error_classes: list[type[EHError]]) -> None:
    found = _literal_codes(error_classes)
    assert {"forbidden", "bad_json", "not_found", "bad_xlsx", "ray_unreachable"} <= set(found)  # the scan sees them
    missing = {code: sites for code, sites in found.items() if code not in CATALOGUE}
    assert not missing, f"codes not in nlp.errors.CATALOGUE: {missing}"
    wrong = [(code, where, status) for code, sites in found.items() for where, status in sites
             if status is not None and status != CATALOGUE[code].status]
    assert not wrong, f"status given at the raise site differs from the catalogue: {wrong}"


def test_catalogue_has_no_dead_entries_and_chinese_descriptions() -> None:
    used: set[str] = set()
    for path, tree in _sources():
        if path.name == "errors.py" and path.parent.name == "nlp":
            continue
        used |= {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    used.add(EHError.code)
    dead = sorted(set(CATALOGUE) - used)
    assert not dead, f"catalogue codes no package uses: {dead}"
    for code, entry in CATALOGUE.items():
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", code), code
        assert 400 <= entry.status < 600, code
        assert re.search(r"[\u4e00-\u9fff]", entry.description), code


def test_instances_take_code_status_and_message_from_the_catalogue() -> None:
    from analysis.archive.readers import ArchiveError
    from analysis.archive.runner import AuditRunError
    from api.errors import AppError, NotBuilt
    from corpus.store import StoreMissing
    from nlp.citations import CitationError

    e = CitationError()
    assert (e.code, e.status, e.message, str(e)) == ("bad_citation", 422, CATALOGUE["bad_citation"].description,
                                                     CATALOGUE["bad_citation"].description)
    assert ArchiveError("甲.xlsx：不是可读取的 XLSX 文件", "bad_xlsx").code == "bad_xlsx"
    ray = AuditRunError("无法连接 Ray 集群", "ray_unreachable")
    assert ray.status == 503 and isinstance(ray, RuntimeError) and isinstance(ray, ValueError)
    assert isinstance(StoreMissing("无"), FileNotFoundError) and StoreMissing("无").status == 503
    assert NotBuilt("检索索引尚未建立").status == 503 and AppError("forbidden", "无权").status == 403
    assert AppError("forbidden", "无权", status=401).status == 401  # the raise site may still say otherwise
    with pytest.raises(ValueError, match="法条"):  # existing `except ValueError` sites still catch them
        raise CitationError("不是法条引用")


# ------------------------------------------------------------------------------------------------------- HTTP


def test_handler_answers_any_eh_error_with_its_catalogued_status() -> None:
    """A layer's error that reaches the HTTP layer unwrapped gets its own status and code, never a bare 500."""
    from api.documents.errors import VerifierUnavailable
    from api.errors import install_handlers

    app = FastAPI()
    install_handlers(app)

    @app.get("/boom")
    def boom() -> None:
        raise VerifierUnavailable("法规库不存在于 /srv/data/corpus.sqlite", {"store": "corpus.sqlite"}, field="as_of")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/boom")
    assert r.status_code == CATALOGUE["verifier_unavailable"].status == 503
    assert r.json() == {"error": {"code": "verifier_unavailable", "message": "法规库不存在于 <path>", "field": "as_of",
                                  "details": {"store": "corpus.sqlite"}}}


# requests that fail in different layers: the citation grammar, the API's date and size checks, FastAPI, Starlette
BAD_REQUESTS = [
    ("get", "/v1/provisions", {"params": {"cite": "第三条"}}, "bad_citation"),
    ("post", "/v1/citations/verify", {"json": {"text": "x", "as_of": "2025-02-30"}}, "bad_date"),
    ("post", "/v1/citations/verify", {"json": {"text": "条" * 30000}}, "input_too_large"),
    ("post", "/v1/citations/verify", {"json": {"text": ""}}, "invalid_request"),
    ("get", "/v1/nothing", {}, "not_found"),
]


def test_http_error_bodies_carry_the_catalogue_code_and_status(app_env) -> None:
    from api.app import create_app
    from nlp.citations import CitationError

    assert CitationError.code == BAD_REQUESTS[0][3]  # a layer's class code passes through the API unchanged
    with TestClient(create_app(app_env)) as c:
        for method, url, kw, code in BAD_REQUESTS:
            r = getattr(c, method)(url, **kw)
            body = r.json()["error"]
            assert (body["code"], r.status_code) == (code, CATALOGUE[code].status), (url, kw, r.text)
            assert body["message"]
