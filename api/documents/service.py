"""Penalty documents as the service renders them: its templates, 文号 counter, agency profile and verifier."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any

from api.db.database import Database
from api.documents.build import Verifier
from api.documents.cli import default_counter
from api.documents.docnumber import NumberCounter
from api.documents.errors import DocumentError
from api.documents.model import Agency
from api.documents.render import agency_profile, render
from api.errors import AppError


class DocumentService:
    """Documents of one service: ``db`` and ``verify`` are called when a document needs them (the 文号 counter lives
    in the service database of its own data dir; citations are verified against its statute store)."""

    def __init__(self, template_dir: Path | None, data_dir: Path, agency_file: Path | None,
                 db: Callable[[], Database], verify: Callable[[], Verifier]) -> None:
        self._template_dir, self._data_dir, self._agency_file = template_dir, data_dir, agency_file
        self._db, self._verify = db, verify

    def counter(self) -> NumberCounter:
        """The 文号 counter in the service database (an earlier ``<data_dir>/doc_numbers.sqlite`` merged once)."""
        return default_counter(self._db(), self._data_dir)

    @cached_property
    def agency(self) -> Agency | None:
        """The agency profile of the settings (``agency_file``), or None."""
        return agency_profile(self._agency_file)

    def render(self, kind: str, case: dict[str, Any], fmt: str = "docx", draft: bool = False) -> bytes | str:
        """Render a penalty document (or the 三书同达 bundle) for a case; citations verified first."""
        try:
            return render(kind, case, fmt, self._template_dir, draft, verify=self._verify(),  # type: ignore[arg-type]
                          counter=None if draft else self.counter(), agency=self.agency)
        except DocumentError as exc:
            err = AppError(exc.code, exc.message, exc.field, exc.status)  # status: nlp.errors.CATALOGUE
            err.details = exc.details
            raise err from None
