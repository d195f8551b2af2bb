"""Adapter for LawRefBook-style Markdown (LRB): 行政法规, 部门规章, 重庆 地方性法规 under shared/corpus/raw."""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from corpus.model import VersionRecord
from corpus.segment import PARSER_VERSION
from corpus.sources.common import ARTICLE_HEAD_RE, make_article, parse_article_label, start_date
from nlp.citations import normalize_title

SOURCE = "lawrefbook"
_CHAPTER_RE = re.compile(r"^#{2,3}\s*(第.{1,8}[编章节]\s*.*)$")
_LEVELS = {"行政法规": ("行政法规", "国务院", None), "部门规章": ("部门规章", None, None)}


@dataclass
class ParseProblem:
    """A file that could not be ingested, and why."""

    path: str
    reason: str


def _level_of(index_level: str, rel_path: str) -> tuple[str, str | None, str | None]:
    if index_level.startswith("地方性法规"):
        region = index_level[index_level.find("(") + 1 : index_level.find(")")] if "(" in index_level else None
        return "地方性法规", f"{region}市人民代表大会及其常务委员会" if region else None, region
    if index_level == "部门规章":
        parts = rel_path.split("/")
        return "部门规章", parts[1] if len(parts) > 2 else None, None
    return _LEVELS.get(index_level, (index_level, None, None))


def read_versions(
    root: Path,
    problems: list[ParseProblem] | None = None,
    held: set[tuple[str, str, str]] | None = None,
    amendments: dict[tuple[str, str], str] | None = None,
) -> Iterator[VersionRecord]:
    """Yield one version per Markdown file listed in ``INDEX.csv``.

    LRB's repeal status is unverified (R2.8), so every version gets ``verified_in_force=None``. The same
    dated text can sit in two category folders, and laws.db may hold it too: only the first copy of a
    ``(level, title, version date)`` is kept, laws.db's first of all (it carries status and in-force dates).

    Args:
        root: The ``lawrefbook`` folder.
        problems: Collects files that were skipped, with the reason.
        held: ``(level, normalised title, version date)`` of versions another source already holds.
        amendments: ``(normalised title, version date) → in-force date`` of amending decisions (laws.db).
    """
    index = root / "INDEX.csv"
    if not index.exists():
        raise FileNotFoundError(f"INDEX.csv not found in {root}")
    problems = problems if problems is not None else []
    seen = set(held or ())
    with index.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        rel = row["path"]
        path = root / rel
        if row.get("flag") == "EMPTY_BODY":
            problems.append(ParseProblem(rel, "empty body in the source (header only)"))
            continue
        if not path.exists():
            problems.append(ParseProblem(rel, "listed in INDEX.csv but missing"))
            continue
        level, issuer, region = _level_of(row["level"], rel)
        version_date = row["version_date"] or None
        if version_date:
            key = (level, normalize_title(row["full_title"]), version_date)
            if key in seen:
                problems.append(ParseProblem(rel, f"duplicate of a version already held ({version_date})"))
                continue
            seen.add(key)
        raw = path.read_bytes()
        rec = VersionRecord(
            version_id="lrb:" + hashlib.sha1(rel.encode()).hexdigest()[:12],
            title=row["full_title"],
            level=level,
            doc_type=level,
            issuer=issuer,
            region=region,
            source=SOURCE,
            source_path=rel,
            version_date=version_date,
            publish_date=None,
            effective_from=version_date,
            original_effective=None,
            status=None,
            verified_in_force=None,
            content_hash=hashlib.sha256(PARSER_VERSION.encode() + raw).hexdigest(),
        )
        _parse_body(raw.decode("utf-8"), rec)
        if not rec.articles:
            problems.append(ParseProblem(rel, "no 第X条 article found (a notice or decision not split into articles)"))
            continue
        rec.effective_from = in_force_from(rec, amendments or {})
        if rec.effective_from != version_date:
            rec.content_hash = hashlib.sha256(f"{rec.content_hash}|{rec.effective_from}".encode()).hexdigest()
        yield rec


def in_force_from(rec: VersionRecord, amendments: dict[tuple[str, str], str]) -> str | None:
    """When a dated LRB text took effect (R2.7).

    LRB dates a file by its latest adoption or amendment. A 修订 takes effect on the date its last article
    names (食品安全法 2015-04-24 → 2015-10-01); a 修正 keeps the old article and takes effect when the amending
    decision says (laws.db), else on adoption. A text never takes effect before it was adopted.
    """
    if not rec.version_date:
        return None
    decided = amendments.get((normalize_title(rec.title), rec.version_date))
    if decided and decided >= rec.version_date:
        return decided
    last = rec.articles[-1].text if rec.articles else ""
    start = start_date(last)
    return start if start and start >= rec.version_date else rec.version_date


def _parse_body(text: str, rec: VersionRecord) -> None:
    body = text.split("<!-- INFO END -->", 1)[-1]
    chapter: str | None = None
    section: str | None = None
    cur: tuple[int, int, str] | None = None
    lines: list[str] = []
    seen: set[tuple[int, int]] = set()

    def close() -> None:
        if cur is not None and (cur[0], cur[1]) not in seen:
            seen.add((cur[0], cur[1]))
            rec.articles.append(make_article(cur[0], cur[1], cur[2], chapter_of_cur, section_of_cur, lines))

    chapter_of_cur = section_of_cur = None
    for block in re.split(r"\n\s*\n", body):
        block = block.strip()
        if not block:
            continue
        hm = _CHAPTER_RE.match(block)
        if hm:
            close()
            cur, lines = None, []
            title = hm.group(1).strip()
            if "节" in title.split()[0]:
                section = title
            else:
                chapter, section = title, None
            continue
        if block.startswith("#"):
            continue
        m = ARTICLE_HEAD_RE.match(block)
        key = parse_article_label(block) if m else None
        if key is not None and m is not None:
            close()
            label = block[: m.end()].strip()
            cur, lines = (key[0], key[1], label), [block[m.end() :]]
            chapter_of_cur, section_of_cur = chapter, section
        elif cur is not None:
            lines.extend(block.split("\n"))
    close()
