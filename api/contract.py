"""The service's edges as a caller sees them: the checks every operation makes of its input first, and the shape
of the answers that are plain listings (a citation's fixed key order, the case-system contract of issue #2)."""

from __future__ import annotations

from typing import Any

from api.errors import AppError
from corpus.store import Store

# Fields every verify answer carries (the case-system contract, issue #2); the rest are extras.
CITATION_FIELDS = ("raw", "normalized", "law", "article", "paragraph", "item", "status", "as_of_version", "text",
                   "article_sub")

# Input fields as an officer knows them, for the messages of empty or oversized input.
FIELD_LABELS = {"description": "违法行为描述", "text": "文本", "query": "检索内容", "cite": "引用"}

PARTY_TYPES = (None, "individual", "individual_business", "organization")


def check_text(text: str, field: str, max_chars: int) -> None:
    """Refuse empty text (422) and text longer than ``max_chars`` (413), naming the field as an officer knows it."""
    if not isinstance(text, str) or not text.strip():
        raise AppError("empty_input", f"{FIELD_LABELS.get(field, field)}为空：请先填写内容", field, 422)
    if len(text) > max_chars:
        raise AppError("input_too_large", f"{FIELD_LABELS.get(field, field)}共 {len(text)} 个字符，超过上限 "
                       f"{max_chars} 个字符：请删减后重试", field, 413)


def check_party_type(party_type: str | None) -> None:
    """Refuse a party type other than individual, individual_business or organization (None: unknown)."""
    if party_type not in PARTY_TYPES:
        raise AppError("bad_party_type", "当事人类型（party_type）须为 individual（个人）、individual_business"
                       "（个体工商户）或 organization（单位）", "party_type", 422)


def check_region(region: str | None, default: str | None) -> str | None:
    """The province a request's ``region`` names (``default``, the configured one, when it names none)."""
    from nlp.regions import RegionError, normalize_region

    try:
        return normalize_region(region if region is not None else default)
    except RegionError as exc:
        raise AppError(exc.code, str(exc), "region", 422) from None


def citation_dict(d: dict[str, Any]) -> dict[str, Any]:
    """Contract fields first, extras after (stable key order for case systems)."""
    return {**{k: d.get(k) for k in CITATION_FIELDS}, **{k: v for k, v in d.items() if k not in CITATION_FIELDS}}


def corpus_listing(store: Store) -> list[dict[str, Any]]:
    """One entry per instrument of the store with its versions."""
    out = []
    for inst in store.instruments():
        versions = [v.to_dict() for v in store.versions(inst.id)]
        out.append({"law": inst.title, "level": inst.level, "issuer": inst.issuer, "region": inst.region,
                    "versions": versions})
    return out
