"""Command functions behind ``enforcement-helper draft``.

``draft("bundle", Path("examples/case.json"), "docx", Path("out/"), verify=…, counter=…)`` writes the 三书同达 set.
Nothing here reads settings: the caller (``api/cli.py``, ``api/services.py``) passes the verifier, the 文号 counter,
the templates and the agency profile.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from api.documents.build import Verifier
from api.documents.docnumber import NumberCounter
from api.documents.errors import DocumentError
from api.documents.model import Agency, Kind, load_case
from api.documents.procedure import select_documents
from api.documents.render import render, render_bundle, zip_bundle

if TYPE_CHECKING:
    from api.db.database import Database


def default_counter(db: Database, data_dir: Path) -> NumberCounter:
    """The 文号 counter in the service database ``db``.

    The ``<data_dir>/doc_numbers.sqlite`` of earlier versions is merged in once, so its numbers stay used.
    """
    return NumberCounter(db, legacy=Path(data_dir) / "doc_numbers.sqlite")


def draft(
    kind: str,
    case_path: Path,
    fmt: str = "docx",
    out: Path | None = None,
    draft: bool = False,
    *,
    template_dir: Path | None = None,
    verify: Verifier | None = None,
    counter: NumberCounter | None = None,
    agency: Agency | None = None,
) -> list[Path]:
    """Render ``kind`` for the case in ``case_path`` and write it.

    Args:
        kind: A document kind or ``bundle``.
        case_path: The case JSON file (schema: ``api/documents/case.schema.json``).
        fmt: ``docx``, ``html`` or ``json``.
        out: Output file. For ``bundle`` as docx: a ``.zip`` file, or a directory that receives one
            .docx per document. ``None`` writes html/json to stdout.
        draft: Visible blanks instead of a ``missing_fields`` error (R6.10); drafts never take a 文号.
        template_dir: Agency templates (None: the built-in ones).
        verify: Citation verifier (required).
        counter: 文号 counter (:func:`default_counter`); without one a final document needs its 文号 in the case.
        agency: The agency profile applied to the case.

    Returns:
        The files written (empty when printed to stdout).

    Raises:
        DocumentError: with a stable ``code``; the CLI prints ``code: message`` and exits non-zero.
    """
    case = load_case(Path(case_path))
    if kind == Kind.bundle.value and fmt == "docx" and (out is None or out.suffix.lower() != ".zip"):
        if out is None:
            raise DocumentError("成套文书（docx）须用 -o 指定输出：一个 .zip 文件或一个目录", field="out")
        parts = render_bundle(case, "docx", template_dir, draft, verify=verify, counter=counter, agency=agency)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name, data in parts.items():
            (out / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
            written.append(out / name)
        return written
    if kind == Kind.bundle.value and fmt == "docx":
        data: bytes | str = zip_bundle(render_bundle(case, "docx", template_dir, draft, verify=verify, counter=counter,
                                                     agency=agency))
    else:
        data = render(kind, case, fmt, template_dir, draft, verify=verify, counter=counter,  # type: ignore[arg-type]
                      agency=agency)
    if out is None:
        if isinstance(data, bytes):
            raise DocumentError("docx 文书须用 -o 指定输出文件", field="out")
        sys.stdout.write(data if data.endswith("\n") else data + "\n")
        return []
    out.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        out.write_bytes(data)
    else:
        out.write_text(data, encoding="utf-8")
    return [out]


def plan(case_path: Path) -> dict:
    """The procedure plan for a case file (R4.1): documents needed, hearing, 当场 option, reasons."""
    return select_documents(load_case(Path(case_path))).to_dict()
