"""Command functions for ``enforcement-helper draft`` (the lead wires them into ``api/cli.py``).

``draft("bundle", Path("examples/case.json"), "docx", Path("out/"))`` writes the 三书同达 set.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from api.documents.build import Verifier
from api.documents.docnumber import NumberCounter
from api.documents.errors import DocumentError
from api.documents.model import Kind, load_case
from api.documents.procedure import select_documents
from api.documents.render import render, render_bundle, zip_bundle

if TYPE_CHECKING:
    from api.db.database import Database


def default_counter(db: Database | None = None) -> NumberCounter:
    """The 文号 counter in the service database (``db``, default: the one the settings name).

    The ``<data_dir>/doc_numbers.sqlite`` of earlier versions is merged in once, so its numbers stay used.
    """
    from api.core.settings import get_settings
    from api.db.database import Database

    s = get_settings()
    return NumberCounter(db or Database(s.db_url), legacy=s.data_dir / "doc_numbers.sqlite")


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
) -> list[Path]:
    """Render ``kind`` for the case in ``case_path`` and write it.

    Args:
        kind: A document kind or ``bundle``.
        case_path: The case JSON file (schema: ``api/documents/case.schema.json``).
        fmt: ``docx``, ``html`` or ``json``.
        out: Output file. For ``bundle`` as docx: a ``.zip`` file, or a directory that receives one
            .docx per document. ``None`` writes html/json to stdout.
        draft: Visible blanks instead of a ``missing_fields`` error (R6.10); drafts never take a 文号.
        template_dir: Agency templates (default: settings).
        verify: Citation verifier (default: the statute store from settings).
        counter: 文号 counter (default: ``default_counter()`` for final documents).

    Returns:
        The files written (empty when printed to stdout).

    Raises:
        DocumentError: with a stable ``code``; the CLI prints ``code: message`` and exits non-zero.
    """
    case = load_case(Path(case_path))
    if counter is None and not draft:
        counter = default_counter()
    if kind == Kind.bundle.value and fmt == "docx" and (out is None or out.suffix.lower() != ".zip"):
        if out is None:
            raise DocumentError("the docx bundle needs -o: a .zip file or a directory", field="out")
        parts = render_bundle(case, "docx", template_dir, draft, verify=verify, counter=counter)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name, data in parts.items():
            (out / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
            written.append(out / name)
        return written
    if kind == Kind.bundle.value and fmt == "docx":
        data: bytes | str = zip_bundle(render_bundle(case, "docx", template_dir, draft, verify=verify, counter=counter))
    else:
        data = render(kind, case, fmt, template_dir, draft, verify=verify, counter=counter)  # type: ignore[arg-type]
    if out is None:
        if isinstance(data, bytes):
            raise DocumentError("docx output needs -o FILE", field="out")
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


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry point until the lead wires ``enforcement-helper draft``.

    ``python -m api.documents.cli KIND CASE.json FORMAT [OUT] [--draft]``
    """
    args = list(sys.argv[1:] if argv is None else argv)
    is_draft = "--draft" in args
    args = [a for a in args if a != "--draft"]
    if len(args) < 3:
        print("usage: python -m api.documents.cli KIND CASE.json docx|html|json [OUT] [--draft]", file=sys.stderr)
        return 2
    try:
        written = draft(args[0], Path(args[1]), args[2], Path(args[3]) if len(args) > 3 else None, is_draft)
    except DocumentError as e:
        print(json.dumps(e.to_dict(), ensure_ascii=False), file=sys.stderr)
        return 1
    for p in written:
        print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
