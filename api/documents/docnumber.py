"""文号: ``机关代字〔年份〕序号号`` with 六角括号 (R6.7).

Input variants such as ``环政法函[2018]31号``, ``【2018】``, ``（2018）`` or a zero-padded serial
(``0876号``) are normalised; output always uses 〔〕 (U+3014/U+3015), a four-digit year and a serial
without 第 and without zero padding (GB/T 9704-2012 §7.2.5, not in the bundled corpus; verify).
A district prefix written in full-width parentheses, e.g. ``（杭临）市监处罚〔2024〕131号``, is kept.

Numbers come from a counter kept per prefix and year that never hands out the same number twice
(SQLite, one row per prefix and year, incremented in one statement), or from an officer override.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from pathlib import Path

from api.documents.errors import BadDocNumber

LEFT, RIGHT = "\u3014", "\u3015"
# A year in any bracket, immediately followed by the serial and 号. Only a bracketed 4-digit year is
# touched, so a prefix like （杭临） survives.
_YEAR_RE = re.compile(r"[\[［【〔(（〖]\s*((?:19|20)\d{2})\s*[\]］】〕)）〗]\s*第?\s*0*(\d+)\s*号$")
_CANON_RE = re.compile(rf"^(?P<prefix>\S+?){LEFT}(?P<year>(?:19|20)\d{{2}}){RIGHT}(?P<seq>[1-9]\d*)号$")


def format_doc_number(prefix: str, year: int, seq: int) -> str:
    """``prefix〔year〕seq号``."""
    prefix = prefix.strip()
    if not prefix or re.search(r"[\s〔〕\[\]]", prefix):
        raise BadDocNumber(
            f"机关代字 {prefix!r} is empty or contains brackets or spaces", field="agency.number_prefixes"
        )
    if not 1900 <= year <= 2099 or seq < 1:
        raise BadDocNumber(f"year {year} / serial {seq} out of range")
    return f"{prefix}{LEFT}{year}{RIGHT}{seq}号"


def normalize_doc_number(raw: str) -> str:
    """Canonical 文号 from an input variant (R6.7).

    Raises:
        BadDocNumber: if no ``代字 + bracketed year + serial + 号`` can be read.
    """
    s = unicodedata.normalize("NFKC", raw).strip()
    # NFKC turns full-width （） into ASCII (); bring a leading district prefix back to full width.
    s = re.sub(r"^\(([^()]{1,12})\)", r"（\1）", s)
    s = re.sub(r"\s+", "", s)
    m = _YEAR_RE.search(s)
    if not m or m.start() == 0:
        raise BadDocNumber(
            f"文号 {raw!r} does not follow 机关代字〔年份〕序号号 (e.g. 渝北市监处罚〔2026〕12号)", field="numbers"
        )
    return format_doc_number(s[: m.start()], int(m.group(1)), int(m.group(2)))


def parse_doc_number(s: str) -> tuple[str, int, int]:
    """Split a canonical 文号 into (prefix, year, serial)."""
    m = _CANON_RE.match(normalize_doc_number(s))
    assert m is not None  # normalize_doc_number only returns canonical strings
    return m.group("prefix"), int(m.group("year")), int(m.group("seq"))


class NumberCounter:
    """Per-prefix, per-year serial numbers that are never reused (R6.7).

    A number is consumed when :meth:`next` returns it, whether or not the document is later
    printed: gaps are acceptable, duplicates are not.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._con = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        self._con.execute(
            "CREATE TABLE IF NOT EXISTS doc_counters (prefix TEXT NOT NULL, year INTEGER NOT NULL, "
            "last INTEGER NOT NULL, PRIMARY KEY (prefix, year))"
        )

    def next(self, prefix: str, year: int) -> str:
        """Allocate the next 文号 for ``prefix`` in ``year``."""
        format_doc_number(prefix, year, 1)  # validate before touching the table
        # BEGIN IMMEDIATE takes the write lock first, so two processes cannot read the same 'last'.
        self._con.execute("BEGIN IMMEDIATE")
        try:
            self._con.execute(
                "INSERT INTO doc_counters(prefix, year, last) VALUES (?, ?, 1) "
                "ON CONFLICT(prefix, year) DO UPDATE SET last = last + 1",
                (prefix, year),
            )
            (seq,) = self._con.execute(
                "SELECT last FROM doc_counters WHERE prefix=? AND year=?", (prefix, year)
            ).fetchone()
            self._con.execute("COMMIT")
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        return format_doc_number(prefix, year, seq)

    def observe(self, number: str) -> None:
        """Record an officer-entered 文号 so the counter never hands it out later."""
        prefix, year, seq = parse_doc_number(number)
        self._con.execute(
            "INSERT INTO doc_counters(prefix, year, last) VALUES (?, ?, ?) "
            "ON CONFLICT(prefix, year) DO UPDATE SET last = MAX(last, excluded.last)",
            (prefix, year, seq),
        )

    def close(self) -> None:
        """Close the database."""
        self._con.close()
