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
from corpus.sources.common import ARTICLE_HEAD_RE, make_article, parse_article_label

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


def read_versions(root: Path, problems: list[ParseProblem] | None = None) -> Iterator[VersionRecord]:
    """Yield one version per Markdown file listed in ``INDEX.csv``.

    LRB keeps only the newest file per title and its repeal status is unverified (R2.8), so every
    version gets ``verified_in_force=None``.

    Args:
        root: The ``lawrefbook`` folder.
        problems: Collects files that were skipped, with the reason.
    """
    index = root / "INDEX.csv"
    if not index.exists():
        raise FileNotFoundError(f"INDEX.csv not found in {root}")
    problems = problems if problems is not None else []
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
        raw = path.read_bytes()
        level, issuer, region = _level_of(row["level"], rel)
        rec = VersionRecord(
            version_id="lrb:" + hashlib.sha1(rel.encode()).hexdigest()[:12],
            title=row["full_title"],
            level=level,
            doc_type=level,
            issuer=issuer,
            region=region,
            source=SOURCE,
            source_path=rel,
            version_date=row["version_date"] or None,
            publish_date=None,
            effective_from=row["version_date"] or None,
            original_effective=None,
            status=None,
            verified_in_force=None,
            content_hash=hashlib.sha256(PARSER_VERSION.encode() + raw).hexdigest(),
        )
        _parse_body(raw.decode("utf-8"), rec)
        if not rec.articles:
            problems.append(ParseProblem(rel, "no 第X条 article found (a notice or decision not split into articles)"))
            continue
        yield rec


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
        if key is not None:
            close()
            label = block[: m.end()].strip()
            cur, lines = (key[0], key[1], label), [block[m.end() :]]
            chapter_of_cur, section_of_cur = chapter, section
        elif cur is not None:
            lines.extend(block.split("\n"))
    close()
