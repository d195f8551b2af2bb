"""The statute data model: instrument → version → article → 款 → 项 (DOMAIN.md §1, §2)."""

from __future__ import annotations

from dataclasses import dataclass, field

from corpus.segment import Paragraph

LEVELS = ("宪法", "法律", "行政法规", "部门规章", "地方性法规", "地方政府规章", "其他")


@dataclass
class ArticleRecord:
    """One article as a source adapter delivers it."""

    number: int
    sub: int
    label: str
    chapter: str | None
    section: str | None
    text: str
    paragraphs: list[Paragraph]
    liability: int  # 2: in a 法律责任/罚则 chapter; 1: penalty wording elsewhere; 0: none


@dataclass
class VersionRecord:
    """One version of one instrument, ready for the store.

    Dates are ISO strings. ``effective_from`` is when this text took effect as far as the source
    tells; ``effective_to`` is set by ingest from later versions or a known repeal (R2.6, R2.7).
    """

    version_id: str
    title: str
    level: str
    doc_type: str
    issuer: str | None
    region: str | None
    source: str
    source_path: str
    version_date: str | None
    publish_date: str | None
    effective_from: str | None
    original_effective: str | None
    status: str | None
    verified_in_force: bool | None
    content_hash: str
    articles: list[ArticleRecord] = field(default_factory=list)
    missing_articles: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
