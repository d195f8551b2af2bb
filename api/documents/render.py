"""Render documents as .docx (docxtpl), HTML (Jinja2, autoescape on) or JSON.

Templates are looked up first in an agency's template directory, then in the built-in
``api/documents/templates``, as ``docx/<name>.docx`` and ``html/<name>.html.j2``. Template names are
restricted to ``[a-z][a-z0-9_]*`` and the resolved file must lie inside the directory searched, so a
name can never reach outside it (issue 6). Templates run in Jinja2's sandbox: an agency template can
place the data, not execute code.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from docx import Document
from docxtpl import DocxTemplate
from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from api.documents.build import Builder, Built, Verifier
from api.documents.docnumber import NumberCounter
from api.documents.errors import (
    BadTemplate,
    InvalidCase,
    MissingFields,
    NotApplicable,
    TemplateNameError,
    TemplateNotFound,
    UnknownKind,
    VerifierUnavailable,
)
from api.documents.model import (
    DOCUMENT_KINDS,
    TITLES,
    Agency,
    Case,
    Kind,
    apply_agency_profile,
    load_agency_profile,
    load_case,
)
from api.documents.procedure import ProcedurePlan, select_documents
from api.documents.text import Text

Format = Literal["docx", "html", "json"]
FORMATS = ("docx", "html", "json")
BUILTIN_TEMPLATES = Path(__file__).resolve().parent / "templates"
_NAME_RE = re.compile(r"[a-z][a-z0-9_]{0,63}")
_SUFFIX = {"docx": ".docx", "html": ".html.j2"}
DRAFT_BANNER = "【草稿：含待填写或待核实内容，核实前不得送达】"
MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
    "zip": "application/zip",
}


# ---------------------------------------------------------------------------------------- templates
def validate_template_name(name: str) -> str:
    """A bare template name: lower-case letters, digits and underscores, no path parts.

    Raises:
        TemplateNameError: for anything else (``../x``, ``/etc/passwd``, ``a/b``, ``x.docx`` …).
    """
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise TemplateNameError(
            f"template name {name!r} is not allowed: use lower-case letters, digits and _ only", field="template"
        )
    return name


def _template_dirs(template_dir: Path | str | None) -> list[Path]:
    dirs: list[Path] = []
    if template_dir is not None:
        d = Path(template_dir)
        if not d.is_dir():
            raise TemplateNotFound(f"template directory {d} does not exist", field="template_dir")
        dirs.append(d.resolve())
    dirs.append(BUILTIN_TEMPLATES)
    return dirs


def find_template(name: str, fmt: str, template_dir: Path | str | None = None) -> Path:
    """The template file for ``name`` in ``fmt``: the agency's copy first, then the built-in one.

    Raises:
        TemplateNameError: bad name, or a file (e.g. a symlink) that resolves outside its directory.
        TemplateNotFound: no such template anywhere.
    """
    validate_template_name(name)
    if fmt not in _SUFFIX:
        raise UnknownKind(f"不支持的输出格式：{fmt}", field="format")
    for d in _template_dirs(template_dir):
        root = (d / fmt).resolve()
        candidate = root / f"{name}{_SUFFIX[fmt]}"
        if not candidate.exists():
            continue
        resolved = candidate.resolve()
        if not resolved.is_relative_to(root):
            raise TemplateNameError(f"template {name!r} resolves outside {root}", field="template")
        return resolved
    raise TemplateNotFound(f"no {fmt} template named {name!r}", field="template")


def _html_env(template_dir: Path | str | None) -> SandboxedEnvironment:
    loaders = [FileSystemLoader(str(d / "html")) for d in _template_dirs(template_dir)]
    return SandboxedEnvironment(
        loader=ChoiceLoader(loaders), autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )


_BARE_VAR = re.compile(r"\{\{(?!r\s)")


def _check_docx_template(path: Path) -> None:
    """Every variable must be ``{{r …}}``: a plain ``{{ }}`` would drop RichText XML into a text run."""
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        texts += [c.text for row in table.rows for c in row.cells]
    bad = [t for t in texts if _BARE_VAR.search(t)]
    if bad:
        raise BadTemplate(f"{path.name}: write variables as {{{{r name}}}}, found {bad[0][:60]!r}", field="template")


# ---------------------------------------------------------------------------------------- verifier
@lru_cache(maxsize=4)
def _resolver_for(path: str) -> Verifier:
    from corpus.resolver import Resolver
    from corpus.store import Store, StoreMissing

    try:
        store = Store.open(Path(path))
    except StoreMissing as e:
        raise VerifierUnavailable(str(e)) from None
    return Resolver(store).lookup


def store_verifier(store_path: Path) -> Verifier:
    """``Resolver(Store.open(store_path)).lookup``, opened once per process and path.

    Raises:
        VerifierUnavailable: no statute store at ``store_path``.
    """
    return _resolver_for(str(store_path))


def _verifier(verify: Verifier | None) -> Verifier:
    """The caller's verifier: documents are never rendered with citations left unchecked."""
    if verify is None:
        raise VerifierUnavailable("未提供引用核验：文书中的法律依据须先对照法规库核验（verify）")
    return verify


def agency_profile(path: Path | str | None) -> Agency | None:
    """The agency profile at ``path`` (settings ``agency_file``, ``EH_AGENCY_FILE``), or None without one."""
    return load_agency_profile(Path(path)) if path else None


# ---------------------------------------------------------------------------------------- context
def _rich(value: Any) -> Any:
    """Context for docxtpl: Text → RichText, recursively."""
    # Empty text becomes "" so that ``{%p if x %}`` is false: a RichText object is always truthy.
    if isinstance(value, Text):
        return value.rich() if value else ""
    if isinstance(value, Mapping):
        return {k: _rich(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rich(v) for v in value]
    if isinstance(value, str):
        return Text(value).rich() if value else ""
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, Text):
        return value.plain()
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _marks(value: Any, path: str = "") -> list[dict]:
    if isinstance(value, Text):
        return [
            {"field": path, "mark": s.mark, "text": s.text, "label": s.label, "printed": s.marker()}
            for s in value.marks()
        ]
    if isinstance(value, Mapping):
        return [m for k, v in value.items() for m in _marks(v, f"{path}.{k}" if path else k)]
    if isinstance(value, list):
        return [m for i, v in enumerate(value) for m in _marks(v, f"{path}[{i}]")]
    return []


def _context(built: Built, draft: bool) -> dict[str, Any]:
    ctx = dict(built.context)
    ctx["kind"] = built.kind.value
    ctx["draft_banner"] = [Text(DRAFT_BANNER)] if draft else []
    return ctx


# ---------------------------------------------------------------------------------------- outputs
def _docx(built: Built, draft: bool, template_dir: Path | str | None, template: str | None) -> bytes:
    path = find_template(template or built.kind.value, "docx", template_dir)
    _check_docx_template(path)
    tpl = DocxTemplate(str(path))
    env = SandboxedEnvironment(autoescape=True)
    try:
        tpl.render(_rich(_context(built, draft)), jinja_env=env, autoescape=True)
    except TemplateError as e:
        raise BadTemplate(f"{path.name}: {e}", field="template") from None
    tpl.docx.core_properties.title = built.title
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()


def _html_body(built: Built, draft: bool, template_dir: Path | str | None, template: str | None) -> str:
    name = validate_template_name(template or built.kind.value)
    find_template(name, "html", template_dir)
    try:
        return _html_env(template_dir).get_template(f"{name}.html.j2").render(_context(built, draft))
    except TemplateError as e:
        raise BadTemplate(f"{name}.html.j2: {e}", field="template") from None


def _json_record(built: Built, draft: bool) -> dict[str, Any]:
    ctx = built.context
    return {
        "kind": built.kind.value,
        "title": built.title,
        "number": ctx["doc"]["number"].plain() or None,
        "draft": draft,
        "fields": _plain(ctx),
        "marks": _marks(ctx),
        "missing": [{"path": p, "label": label} for p, label in built.missing],
        "citations": built.citations,
        "warnings": built.warnings,
        "procedure": built.plan.to_dict(),
    }


# ---------------------------------------------------------------------------------------- public API
def _as_case(case: Case | Mapping | str | Path, agency: Agency | None = None) -> Case:
    if isinstance(case, Case):
        c = case
    elif isinstance(case, (Mapping, str, Path)):
        c = load_case(case if not isinstance(case, Mapping) else dict(case))
    else:
        raise InvalidCase(f"不支持的案件数据类型：{type(case).__name__}")
    return apply_agency_profile(c, agency) if agency is not None else c


def _kind(kind: str | Kind) -> Kind:
    try:
        return Kind(kind)
    except ValueError:
        raise UnknownKind(
            f"不支持的文书种类：{kind}；可选：{'、'.join(k.value for k in Kind)}", field="kind"
        ) from None


def build_document(
    kind: str | Kind,
    case: Case | Mapping | str | Path,
    draft: bool = False,
    verify: Verifier | None = None,
    counter: NumberCounter | None = None,
    plan: ProcedurePlan | None = None,
    agency: Agency | None = None,
) -> Built:
    """Check and build one document's content (no template applied).

    A 文号 is taken from the counter only after every check has passed, so a failed request never
    consumes a number (R6.7). ``verify`` is required; ``agency`` is the agency profile applied to the case.
    """
    k = _kind(kind)
    if k is Kind.bundle:
        raise UnknownKind("build_document takes a single kind; use render_bundle for the bundle", field="kind")
    c = _as_case(case, agency)
    built = Builder(k, c, _verifier(verify), draft, plan).build()
    # Whose document a 文号 belongs to: this kind for this party may be rendered again with its number, another
    # document may not have it (the register keeps only a keyed hash of this).
    owner = "\x1f".join((k.value, c.party.credit_code or c.party.id_number or c.party.name or ""))
    if built.number_request is not None:
        if counter is None:
            missing = [("numbers." + k.value, "文号")]
            if not draft:
                raise MissingFields(k.value, missing)
            built.context["doc"]["number"] = Text.blank("文号")
        else:
            prefix, year = built.number_request
            built.context["doc"]["number"] = Text(counter.next(prefix, year, owner=owner))
    elif counter is not None and not draft and c.numbers.get(k):
        # An officer's own 文号 is checked against the issued ones and recorded, never handed out again (R6.7).
        counter.observe(c.numbers[k], owner=owner)
    return built


def render(
    kind: str | Kind,
    case: Case | Mapping | str | Path,
    fmt: Format = "docx",
    template_dir: Path | str | None = None,
    draft: bool = False,
    *,
    verify: Verifier | None = None,
    template: str | None = None,
    counter: NumberCounter | None = None,
    agency: Agency | None = None,
) -> bytes | str:
    """Render one document (or the bundle) of ``case``.

    Args:
        kind: One of :class:`~api.documents.model.Kind`; ``bundle`` gives the 三书同达 set.
        case: A Case, a dict, a JSON string or a path to a case file.
        fmt: ``docx`` (bytes; a zip of .docx files for ``bundle``), ``html`` (str) or ``json`` (str).
        template_dir: Agency template folder (settings ``template_dir``; None: the built-in templates only).
        draft: Leave missing fields as visible blanks instead of failing (R6.10).
        verify: Citation verifier ``(citation, as_of) -> CitationCheck`` (required), e.g. :func:`store_verifier`.
        template: A template name other than the kind (same name rules).
        counter: 文号 counter used when the case carries no number for the document.
        agency: The agency profile applied to the case (settings ``agency_file``, see :func:`agency_profile`).

    Raises:
        DocumentError: subclasses with stable codes (missing_fields, citation_not_verified, …).
    """
    if fmt not in FORMATS:
        raise UnknownKind(f"不支持的输出格式：{fmt}；可选：{'、'.join(FORMATS)}", field="format")
    k = _kind(kind)
    if k is Kind.bundle:
        parts = render_bundle(case, fmt, template_dir, draft, verify=verify, counter=counter, agency=agency)
        if fmt == "docx":
            return zip_bundle(parts)
        if fmt == "json":
            return json.dumps(
                {"kind": "bundle", "documents": [json.loads(v) for v in parts.values()]}, ensure_ascii=False, indent=2
            )
        return _join_html(list(parts.values()))
    built = build_document(k, case, draft, verify, counter, agency=agency)
    return _output(built, fmt, draft, template_dir, template)


def _output(built: Built, fmt: str, draft: bool, template_dir: Path | str | None, template: str | None) -> bytes | str:
    if fmt == "docx":
        return _docx(built, draft, template_dir, template)
    if fmt == "html":
        return _html_body(built, draft, template_dir, template)
    return json.dumps(_json_record(built, draft), ensure_ascii=False, indent=2)


def render_bundle(
    case: Case | Mapping | str | Path,
    fmt: Format = "docx",
    template_dir: Path | str | None = None,
    draft: bool = False,
    *,
    verify: Verifier | None = None,
    counter: NumberCounter | None = None,
    agency: Agency | None = None,
) -> dict[str, bytes | str]:
    """The 三书同达 set (R6.6): ``{file name: content}``, decision first.

    The decision is built first; the companions quote its 文号, so a number allocated from the counter
    is passed on to them.

    Raises:
        NotApplicable: if the case's procedure has no bundle (不予处罚, 简易程序, warning only).
    """
    c = _as_case(case, agency)
    plan = select_documents(c)
    kinds = [Kind(k) for k in plan.bundle]
    if plan.procedure != "ordinary" or not kinds:
        raise NotApplicable(f"该程序（{plan.procedure}）不适用三书同达（R6.6）")
    if fmt not in FORMATS:
        raise UnknownKind(f"不支持的输出格式：{fmt}", field="format")
    verify = _verifier(verify)
    # Check every document before allocating any number, so a failing companion burns nothing. The
    # companions quote the decision's 文号; while it is still to be allocated they see a placeholder.
    first = Builder(kinds[0], c, verify, draft, plan).build()
    probe = c
    if first.kind is Kind.penalty_decision and first.number_request is not None:
        prefix, year = first.number_request
        probe = c.model_copy(update={"numbers": {**c.numbers, Kind.penalty_decision: f"{prefix}〔{year}〕1号"}})
    for k in kinds[1:]:
        Builder(k, probe, verify, draft, plan).build()
    out: dict[str, bytes | str] = {}
    for i, k in enumerate(kinds, 1):
        built = build_document(k, c, draft, verify, counter, plan)
        if k is Kind.penalty_decision and built.number_request is not None:
            c = c.model_copy(update={"numbers": {**c.numbers, k: built.context["doc"]["number"].plain()}})
        out[f"{i:02d}_{k.value}.{fmt}"] = _output(built, fmt, draft, template_dir, None)
    return out


def zip_bundle(parts: Mapping[str, bytes | str]) -> bytes:
    """A zip of the bundle's files."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data if isinstance(data, bytes) else data.encode("utf-8"))
    return buf.getvalue()


def _join_html(pages: list[str]) -> str:
    """One HTML page holding several documents (the bundle), each in its own <section>."""
    head, _, _ = pages[0].partition("<section")
    sections = []
    for p in pages:
        start = p.index('<section class="document"')
        end = p.rindex("</section>") + len("</section>")
        sections.append(p[start:end])
    return head + "\n".join(sections) + "\n</body>\n</html>\n"


def document_kinds() -> list[dict[str, str]]:
    """Kinds with their Chinese titles (for the API and the web page)."""
    return [{"kind": k.value, "title": TITLES[k]} for k in DOCUMENT_KINDS] + [{"kind": "bundle", "title": "三书同达"}]
