"""Build tiers from table cells and check items against the statute store (R2.9, R3.2, R5.10).

Shared by every loader: a tier is built from its label, condition and penalty text (predicates, penalty
types, measures, fine ranges are derived here, once); an item is then checked with the resolver — each
citation verified on a date inside the benchmark's window, repealed laws flagged, and every tier's band
required to lie inside the statutory range of the cited 罚则 (a tier outside it is rejected, R5.10 step 2).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from corpus.benchmarks.cites import ResolverLike, verify
from corpus.benchmarks.conditions import parse_conditions
from corpus.benchmarks.fines import fine_ranges
from corpus.benchmarks.penalties import measures, penalty_types
from corpus.benchmarks.report import LoadReport
from corpus.benchmarks.scales import Mapped, TierMapping
from corpus.benchmarks.schema import EnforcementItem, FineRange, Tier
from corpus.resolver import cn_date
from nlp.citations import CitationError, format_citation, parse_one


def build_tier(
    mapped: Mapped,
    source_label: str,
    source_rank: int | None,
    condition: str,
    penalty_text: str,
    remark: str | None = None,
    below_inclusive: bool = True,
    statutory_ground: str | None = None,
    fines: list[FineRange] | None = None,
    types: list[str] | None = None,
) -> Tier:
    """A tier with everything derived from its text.

    Args:
        mapped: The tier's place on the project scale (from :class:`TierMapping`).
        source_label: The label as the source prints it.
        source_rank: The source's own rank, if it numbers its tiers.
        condition: 裁量情节 / 适用情形.
        penalty_text: 裁量标准 / 处罚内容.
        remark: 备注.
        below_inclusive: Whether ``以下`` includes the number in this source (R5.8).
        statutory_ground: For 不予处罚 tiers, the statutory ground (R3.9, R5.7).
        fines: Explicit fine ranges; parsed from ``penalty_text`` when ``None``.
        types: Explicit penalty types (R3.1); read from ``penalty_text`` when ``None``.
    """
    cond = (condition or "").strip()
    preds, unparsed = parse_conditions(cond, below_inclusive=below_inclusive)
    text = (penalty_text or "").strip()
    return Tier(
        source_label=source_label,
        source_rank=source_rank,
        severity=mapped.severity,
        level=mapped.level,  # type: ignore[arg-type]
        level_rank=mapped.level_rank,
        condition=cond,
        predicates=preds,
        unparsed=unparsed,
        penalty_text=text,
        penalty_types=types if types is not None else (penalty_types(text) if mapped.level != "不予处罚" else []),
        measures=measures(text + (remark or "")),
        fines=fines if fines is not None else fine_ranges(text, below_inclusive=below_inclusive),
        statutory_ground=statutory_ground,
        remark=(remark or "").strip() or None,
    )


def map_tier(mapping: TierMapping, scale: str, label: str, rank: int | None, n_classes: int | None) -> Mapped:
    """Place a source tier on the project scale (class scales need ``rank`` and ``n_classes``)."""
    sc = mapping.scales.get(scale, {})
    if sc.get("kind") == "class":
        if rank is None or n_classes is None:
            raise ValueError(f"class scale {scale!r} needs a class number")
        return mapping.map_class(scale, rank, n_classes)
    return mapping.map_label(scale, label)


def statute_text(resolver: ResolverLike, cite: str, as_of: date) -> str | None:
    """Text that holds the fine of a cited 罚则: the provision, plus its 款 lead-in when it cites a 项."""
    chk = resolver.lookup(cite, as_of)
    if getattr(chk, "status", None) != "verified" or not chk.text:
        return None
    if chk.item is None or chk.law is None or chk.article is None:
        return chk.text
    para = resolver.lookup(
        format_citation(chk.law, chk.article, chk.article_sub, chk.paragraph), as_of
    )
    lead = (para.text or "").splitlines()[0] if getattr(para, "status", None) == "verified" and para.text else ""
    return f"{lead}\n{chk.text}" if lead else chk.text


def statutory_ranges(resolver: ResolverLike, cites: list[str], as_of: date, below_inclusive: bool = True) -> list[FineRange]:
    """Fine ranges the cited 罚则 provide, read from the store's text (never from the table's quote, R1.13)."""
    out: list[FineRange] = []
    for c in cites:
        text = statute_text(resolver, c, as_of)
        if text:
            out.extend(fine_ranges(text, below_inclusive=below_inclusive))
    return out


def _inside_any(band: FineRange, statutory: list[FineRange]) -> bool | None:
    same = [s for s in statutory if s.kind == band.kind and (s.base or None) == (band.base or None)]
    if not same:
        return None
    return any(s.contains(band) for s in same)


def check_item(
    item: EnforcementItem,
    resolver: ResolverLike | None,
    report: LoadReport,
    today: date | None = None,
    reject_outside: bool = True,
    below_inclusive: bool = True,
) -> EnforcementItem:
    """Verify an item's citations and bands; flag what does not hold (R2.9, R3.2, R5.10).

    Citations are verified on the first day of the benchmark's window (the date its authors cited
    against); a citation that is verified then but repealed later is kept — the benchmark stays usable for
    violations before the repeal — and the item is flagged with the repeal date. Bands outside the
    statutory range are rejected when ``reject_outside``.
    """
    today = today or date.today()
    as_of = item.window.valid_from or item.source.published or today
    if resolver is None:
        for _ in item.citations():
            report.count_citation("unchecked")
        return item
    new_roles: dict[str, list[str]] = {"violated": [], "basis": []}
    repeals: list[str] = []
    for role, cite in item.citations():
        try:
            res = verify(cite, resolver, as_of)
        except CitationError as exc:
            report.count_citation("unparseable")
            report.add("error", item.id, "citation_unparseable", f"{cite}：无法识别的引用（{exc}）")
            new_roles[role].append(cite)
            continue
        report.count_citation(res.status)
        new_roles[role].append(res.canonical)
        if res.status != "verified":
            msg = res.check.get("message") or res.reason or res.status
            item.flags.append(f"{'违则' if role == 'violated' else '罚则'}{cite}在{cn_date(as_of)}未通过核验"
                              f"（{res.status}）：{msg}")
            level: Literal["warning", "error"] = (
                "warning" if res.status in {"law_not_found", "not_in_force"} else "error"
            )
            report.add(level, item.id, f"citation_{res.status}", f"{cite}在{cn_date(as_of)}未通过核验：{msg}")
            continue
        later = res.check.get("later_change") or {}
        if later.get("kind") == "repealed" and later.get("effective"):
            repeals.append(later["effective"])
            item.flags.append(
                f"{cite}已于{cn_date(later['effective'])}废止"
                + (f"（被《{later.get('by')}》取代）" if later.get("by") else "")
                + f"：仅适用于{cn_date(later['effective'])}之前的违法行为，此后的予以标注（R2.6、R2.9）"
            )
    item.violated, item.basis = new_roles["violated"], new_roles["basis"]
    for t in item.tiers:
        if not t.statutory_ground:
            continue
        res = verify(t.statutory_ground, resolver, as_of)
        report.count_citation(res.status)
        if res.status == "verified":
            t.statutory_ground = res.canonical
        else:
            report.add("error", item.id, f"ground_{res.status}",
                       f"法定依据{t.statutory_ground}未通过核验：{res.check.get('message') or res.reason}")
    if repeals:
        item.extra["statute_repealed_on"] = min(repeals)

    # R5.10 step 2: every band inside the statutory range of the cited 罚则.
    if not item.basis:
        return item
    statutory = statutory_ranges(resolver, item.basis, as_of, below_inclusive)
    if not item.statutory_fines and statutory:
        item.statutory_fines = statutory
    if not statutory:
        if any(t.fines for t in item.tiers):
            report.add("info", item.id, "statutory_range_unknown",
                       "未能从法规库中所引罚则的原文读出罚款幅度：未核对各阶次的罚款幅度")
        return item
    kept: list[Tier] = []
    for t in item.tiers:
        bad = [f for f in t.fines if _inside_any(f, statutory) is False]
        if bad and reject_outside:
            report.rows_skipped += 1
            report.rows_loaded -= 1
            report.add("error", f"{item.id} tier {t.source_label}", "band_outside_statute",
                       f"{'、'.join(f.describe() for f in bad)}超出{'、'.join(item.basis)}规定的法定幅度"
                       f"（{'、'.join(s.describe() for s in statutory)}）（R5.10）")
            continue
        kept.append(t)
    item.tiers = kept
    return item


def canonical_or_none(cite: str) -> str | None:
    """Canonical form of a single citation string, or ``None`` if it holds none."""
    try:
        c = parse_one(cite)
    except CitationError:
        return None
    if not c.law or c.article is None:
        return None
    return format_citation(c.law, c.article, c.article_sub, c.paragraph, c.item, c.subitem)
