"""文号: ``机关代字〔年份〕序号号`` with 六角括号 (R6.7).

Input variants such as ``环政法函[2018]31号``, ``【2018】``, ``（2018）`` or a zero-padded serial
(``0876号``) are normalised; output always uses 〔〕 (U+3014/U+3015), a four-digit year and a serial
without 第 and without zero padding (GB/T 9704-2012 §7.2.5, not in the bundled corpus; verify).
A district prefix written in full-width parentheses, e.g. ``（杭临）市监处罚〔2024〕131号``, is kept.
A serial has at most six digits (:data:`MAX_SERIAL`): a longer one is a typo, and an unbounded one once
overflowed the counter into a float.

Numbers come from a counter kept per prefix and year that never hands out the same number twice, or
from an officer override. Every number given to a document is recorded in the ``doc_numbers`` table of
the service database (UNIQUE), so an entered number that another document already has is refused
(:class:`~api.documents.errors.DocNumberTaken`, HTTP 409).
"""

from __future__ import annotations

import re
import sqlite3
import sys
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from api.documents.errors import BadDocNumber, DocNumberTaken

if TYPE_CHECKING:
    from api.db.database import Database

MAX_SERIAL = 999_999
LEFT, RIGHT = "\u3014", "\u3015"
# A year in any bracket, immediately followed by the serial and 号. Only a bracketed 4-digit year is
# touched, so a prefix like （杭临） survives.
# ASCII digits only (after NFKC): int() would also read other scripts' digits.
_YEAR_RE = re.compile(r"[\[［【〔(（〖]\s*((?:19|20)[0-9]{2})\s*[\]］】〕)）〗]\s*第?\s*0*([0-9]+)\s*号$")
_CANON_RE = re.compile(rf"^(?P<prefix>\S+?){LEFT}(?P<year>(?:19|20)[0-9]{{2}}){RIGHT}(?P<seq>[1-9][0-9]{{0,5}})号$")


def format_doc_number(prefix: str, year: int, seq: int) -> str:
    """``prefix〔year〕seq号``."""
    prefix = prefix.strip()
    if not prefix or re.search(r"[\s〔〕\[\]]", prefix):
        raise BadDocNumber(
            f"机关代字“{prefix}”为空，或含有括号、空格", field="agency.number_prefixes"
        )
    # bool is an int and a float may print as 1e+19: both are refused, whatever their value.
    if type(year) is not int or type(seq) is not int:
        raise BadDocNumber(f"年份和序号须为整数，收到的是 {year!r} / {seq!r}", field="numbers")
    if not 1900 <= year <= 2099 or not 1 <= seq <= MAX_SERIAL:
        raise BadDocNumber(f"年份 {year} 或序号 {seq} 超出范围（序号 1–{MAX_SERIAL}，至多六位）",
                           field="numbers")
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
            f"文号“{raw}”不符合“机关代字〔年份〕序号号”的格式（例如 渝北市监处罚〔2026〕12号）", field="numbers"
        )
    serial = m.group(2)
    if len(serial) > len(str(MAX_SERIAL)):
        raise BadDocNumber(f"文号“{raw}”的序号有 {len(serial)} 位，至多 {len(str(MAX_SERIAL))} 位",
                           field="numbers")
    return format_doc_number(s[: m.start()], int(m.group(1)), int(serial))


def parse_doc_number(s: str) -> tuple[str, int, int]:
    """Split a canonical 文号 into (prefix, year, serial)."""
    m = _CANON_RE.match(normalize_doc_number(s))
    assert m is not None  # normalize_doc_number only returns canonical strings
    return m.group("prefix"), int(m.group("year")), int(m.group("seq"))


_IMPORTED: set[tuple[str, str]] = set()  # (database, legacy file) pairs already merged in this process


class NumberCounter:
    """Per-prefix, per-year serial numbers that are never reused, and the register of issued 文号 (R6.7).

    A number is consumed when :meth:`next` returns it, whether or not the document is later
    printed: gaps are acceptable, duplicates are not. Both tables live in the service database, so
    replicas sharing a PostgreSQL database share one counter.
    """

    def __init__(self, where: Database | Path | str, *, legacy: Path | None = None) -> None:
        """Open the counter.

        Args:
            where: The service :class:`~api.db.database.Database`, a database URL, or a SQLite file path
                (a database of its own, e.g. in tests).
            legacy: A ``doc_numbers.sqlite`` of an earlier version: its counters are merged once, so no
                number it handed out is handed out again.
        """
        from api.db.database import Database

        self._own = not isinstance(where, Database)
        if isinstance(where, Database):
            self.db = where
        else:
            url = where if isinstance(where, str) and "://" in where else f"sqlite:///{Path(where)}"
            if url.startswith("sqlite:///"):
                Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            self.db = Database(url)
        if legacy is not None and (self.db.url, str(legacy)) not in _IMPORTED:
            self._merge_legacy(Path(legacy))
            _IMPORTED.add((self.db.url, str(legacy)))

    def _owner(self, owner: str | None) -> str | None:
        # Keyed: the owner string carries a party's ID number, which a plain hash would give away to a guess.
        from api.db.privacy import keyed_hash

        return keyed_hash(self.db.secret, owner) if owner else None

    def next(self, prefix: str, year: int, owner: str | None = None) -> str:
        """Allocate the next 文号 for ``prefix`` in ``year`` and record it as issued.

        Args:
            prefix: 机关代字.
            year: Four-digit year.
            owner: Whose document it is (kind and party), so that rendering it again with this number is
                not taken for a second document.

        Raises:
            BadDocNumber: a bad prefix or year, or every serial of the year used.
        """
        from api.db.models import IssuedDocNumber

        format_doc_number(prefix, year, 1)  # validate before touching the table
        owner_key = self._owner(owner)
        for attempt in range(5):
            try:
                with self.db.engine.begin() as conn:
                    # The UPDATE comes first: it takes the write lock (SQLite) or the row lock (PostgreSQL), so
                    # two processes never read the same 'last'.
                    seq = self._bump(conn, prefix, year)
                    number = format_doc_number(prefix, year, seq) if seq <= MAX_SERIAL else ""
                    while number and conn.execute(
                            select(IssuedDocNumber.id).where(IssuedDocNumber.number == number)).first():
                        seq = self._bump(conn, prefix, year)  # entered before the counter knew of it: skip
                        number = format_doc_number(prefix, year, seq) if seq <= MAX_SERIAL else ""
                    if not number:
                        raise BadDocNumber(f"{prefix}〔{year}〕的序号已用尽（至 {MAX_SERIAL}）",
                                           field="numbers")
                    conn.execute(insert(IssuedDocNumber).values(
                        number=number, prefix=prefix, year=year, serial=seq, owner=owner_key, source="counter",
                        issued_at=datetime.now(UTC)))
                    return number
            except IntegrityError:
                if attempt == 4:
                    raise  # pragma: no cover - five collisions in a row
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _bump(conn, prefix: str, year: int) -> int:  # noqa: ANN001
        from api.db.models import DocCounter

        where = (DocCounter.prefix == prefix, DocCounter.year == year)
        if conn.execute(update(DocCounter).where(*where).values(last=DocCounter.last + 1)).rowcount == 0:
            conn.execute(insert(DocCounter).values(prefix=prefix, year=year, last=1))  # a race: IntegrityError
            return 1
        return int(conn.execute(select(DocCounter.last).where(*where)).scalar_one())

    @staticmethod
    def _raise_to(conn, prefix: str, year: int, seq: int) -> None:  # noqa: ANN001
        from api.db.models import DocCounter

        where = (DocCounter.prefix == prefix, DocCounter.year == year)
        if (conn.execute(update(DocCounter).where(*where, DocCounter.last < seq).values(last=seq)).rowcount == 0
                and conn.execute(select(DocCounter.last).where(*where)).first() is None):
            conn.execute(insert(DocCounter).values(prefix=prefix, year=year, last=seq))

    def observe(self, number: str, owner: str | None = None) -> None:
        """Record an officer-entered 文号, checked against every number already issued.

        The counter moves past it, so it is never handed out later. The same document (same ``owner``)
        may be rendered again with its number.

        Raises:
            BadDocNumber: a malformed 文号 or a serial of more than six digits.
            DocNumberTaken: another document already has this 文号.
        """
        from api.db.models import IssuedDocNumber

        prefix, year, seq = parse_doc_number(number)
        number = format_doc_number(prefix, year, seq)
        owner_key = self._owner(owner)
        for attempt in range(5):
            try:
                with self.db.engine.begin() as conn:
                    self._raise_to(conn, prefix, year, seq)
                    row = conn.execute(select(IssuedDocNumber.owner, IssuedDocNumber.issued_at)
                                       .where(IssuedDocNumber.number == number)).first()
                    if row is not None:
                        if owner_key is not None and row.owner == owner_key:
                            return
                        raise DocNumberTaken(
                            f"文号 {number} 已于 {row.issued_at:%Y-%m-%d} 用于另一份文书："
                            "请填写未使用的文号，或留空由系统分配",
                            {"number": number}, field="numbers")
                    conn.execute(insert(IssuedDocNumber).values(
                        number=number, prefix=prefix, year=year, serial=seq, owner=owner_key, source="entered",
                        issued_at=datetime.now(UTC)))
                    return
            except IntegrityError:
                if attempt == 4:
                    raise  # pragma: no cover - five collisions in a row

    def _merge_legacy(self, path: Path) -> None:
        """Carry the counters of a pre-0003 ``doc_numbers.sqlite`` over (never lowering one)."""
        if not path.exists():
            return
        try:
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                rows = con.execute("SELECT prefix, year, last FROM doc_counters").fetchall()
            finally:
                con.close()
        except sqlite3.Error:
            return  # not a counter file
        with self.db.engine.begin() as conn:
            for prefix, year, last in rows:
                # The old counter accepted any serial; one past six digits (or turned float) is not carried over.
                if type(last) is not int or not 1 <= last <= MAX_SERIAL or type(year) is not int:
                    print(f"warning: legacy 文号 counter {prefix}〔{year}〕 = {last!r} is out of range and was not "
                          "carried over; check the numbers issued under it", file=sys.stderr)
                    continue
                self._raise_to(conn, prefix, year, last)

    def close(self) -> None:
        """Release the database connections (only those this counter opened)."""
        if self._own:
            self.db.engine.dispose()
