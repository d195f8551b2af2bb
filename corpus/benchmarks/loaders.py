"""Load an agency's benchmark table: YAML, CSV or XLSX in the project's schema.

YAML is the authoring form (see ``corpus/data/default_benchmark.yaml``): a header with the document's
metadata and a list of items, each with its tiers written as ``label`` / ``condition`` / ``penalty``.
CSV and XLSX are flat: one row per tier, rows of one item sharing its ``id``. Columns may be named in
English or in the Chinese words agencies use (违法行为, 违反条款, 处罚依据, 裁量阶次, 裁量情节, 裁量标准 …).
Everything derived — predicates, penalty types, fine ranges, normalised level — is computed on load, and
the :class:`LoadReport` says what was parsed and what was not.
"""

from __future__ import annotations

import csv
import hashlib
import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from corpus.benchmarks.build import build_tier, check_item, map_tier
from corpus.benchmarks.cites import ResolverLike, row_citations
from corpus.benchmarks.report import LoadReport
from corpus.benchmarks.scales import TierMapping, default_mapping
from corpus.benchmarks.schema import (
    Benchmark,
    BenchmarkError,
    EnforcementItem,
    FineRange,
    SourceDoc,
    Window,
)

# Column names agencies use → our field. Matching ignores case, spaces and full/half width.
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "item_id", "事项编号", "事项编码"),
    "region": ("region", "地区", "区域", "行政区划"),
    "domain": ("domain", "领域", "执法领域", "类别", "执法类别"),
    "issuer": ("issuer", "发布机关", "制定机关", "实施主体", "执法主体"),
    "source_title": ("source_title", "依据文件", "基准名称", "文件名称"),
    "doc_no": ("doc_no", "文号"),
    "source_label": ("source_label", "条目", "条目编号"),
    "valid_from": ("valid_from", "生效日期", "施行日期", "有效期起"),
    "valid_to": ("valid_to", "失效日期", "有效期至", "有效期止"),
    "title": ("title", "violation", "违法行为", "事项名称", "违法行为名称", "案由"),
    "violated": ("violated", "违则", "违反条款", "违法依据", "违反规定"),
    "basis": ("basis", "罚则", "处罚依据", "法律依据", "实施依据"),
    "party": ("party", "当事人类型", "适用对象", "主体类型"),
    "scale": ("scale", "阶次体系"),
    "tier": ("tier", "label", "裁量阶次", "阶次", "档次", "情节档次", "违法程度", "违法情节"),
    "rank": ("rank", "阶次序号"),
    "condition": ("condition", "裁量情节", "适用情形", "情形", "具体情形", "适用条件"),
    "penalty": ("penalty", "裁量标准", "处罚标准", "处罚内容", "处罚幅度", "处罚基准"),
    "remark": ("remark", "备注", "说明"),
}
_PARTY = {
    "个人": "individual", "自然人": "individual", "公民": "individual", "individual": "individual",
    "单位": "organization", "法人": "organization", "法人或者其他组织": "organization", "organization": "organization",
    "": "any", "any": "any", "不限": "any",
}


def _key(s: str) -> str:
    import unicodedata

    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(s or ""))).lower()


_ALIAS = {_key(a): f for f, names in COLUMNS.items() for a in names}


def _date(v: Any) -> date | None:
    if v in (None, ""):
        return None
    if isinstance(v, date):
        return v if not hasattr(v, "date") else v.date()  # datetime from openpyxl
    m = re.match(r"(\d{4})\D(\d{1,2})\D(\d{1,2})", str(v).strip())
    if not m:
        raise BenchmarkError(f"not a date: {v!r} (use YYYY-MM-DD)")
    return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def _cites(cell: Any) -> list[str]:
    if not cell:
        return []
    if isinstance(cell, list):
        out: list[str] = []
        for c in cell:
            out.extend(row_citations(str(c)) or [str(c).strip()])
        return list(dict.fromkeys(out))
    return row_citations(str(cell))


def _detect_scale(labels: list[str], mapping: TierMapping) -> str:
    """Pick the scale whose labels cover the table's (numbers → the numbered-class scale)."""
    clean = [lb.strip() for lb in labels if lb and lb.strip()]
    if clean and all(re.fullmatch(r"\d+", lb) for lb in clean):
        return "numbered_class"
    for name in ("project_5", "sh_fire_5", "sh_police_fire", "project_3", "no_penalty_list"):
        known = set(mapping.labels(name))
        if clean and all(lb in known for lb in clean):
            return name
    raise BenchmarkError(
        f"tier labels {sorted(set(clean))} match no scale in the mapping table; add a scale to "
        "tier_mapping.yaml or use the project labels 不予处罚/减轻/从轻/一般/从重"
    )


# --------------------------------------------------------------------------- YAML


def load_yaml(
    path: Path,
    resolver: ResolverLike | None = None,
    mapping: TierMapping | None = None,
    today: date | None = None,
) -> tuple[Benchmark, LoadReport]:
    """Load a benchmark written in the YAML authoring form.

    Raises:
        BenchmarkError: if the file is not YAML or has no ``items``.
    """
    mapping = mapping or default_mapping()
    report = LoadReport(source=str(path), format="yaml")
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise BenchmarkError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise BenchmarkError(f"{path}: expected a mapping with an 'items' list")
    source = SourceDoc(**data["source"]) if data.get("source") else SourceDoc(title=data.get("name", path.stem))
    window = Window(**data["window"]) if data.get("window") else Window()
    bench = Benchmark(
        name=str(data.get("name") or path.stem),
        region=data.get("region"),
        issuer=data.get("issuer") or source.issuer,
        source=source,
        window=window,
        sample=bool(data.get("sample", False)),
        notice=data.get("notice"),
    )
    default_scale = data.get("scale", "project_3")
    seen: set[str] = set()
    for n, raw in enumerate(data["items"], 1):
        report.rows_read += 1
        where = f"item {n} ({raw.get('id', '?') if isinstance(raw, dict) else '?'})"
        try:
            item = _yaml_item(raw, bench, source, window, default_scale, mapping)
        except (BenchmarkError, ValidationError, ValueError, KeyError, TypeError) as exc:
            report.rows_skipped += 1
            report.add("error", where, "item_rejected", _short(exc))
            continue
        if item.id in seen:
            report.rows_skipped += 1
            report.add("error", where, "duplicate_id", f"item id {item.id!r} appears twice")
            continue
        seen.add(item.id)
        report.rows_loaded += 1
        _note_conditions(item, report)
        bench.items.append(check_item(item, resolver, report, today))
    report.tally(bench)
    return bench, report


def _yaml_item(raw: dict[str, Any], bench: Benchmark, source: SourceDoc, window: Window, default_scale: str,
               mapping: TierMapping) -> EnforcementItem:
    if not isinstance(raw, dict):
        raise BenchmarkError("an item must be a mapping")
    scale = raw.get("scale", default_scale)
    tiers_raw = raw.get("tiers") or []
    ranks = [t.get("rank") for t in tiers_raw if isinstance(t, dict)]
    n_classes = max((int(r) for r in ranks if r is not None), default=None)
    tiers = []
    for t in tiers_raw:
        label = str(t.get("label", "")).strip()
        rank = int(t["rank"]) if t.get("rank") is not None else None
        mapped = map_tier(mapping, scale, label, rank, n_classes)
        explicit = [FineRange(**f) for f in t["fines"]] if t.get("fines") else None
        tiers.append(build_tier(mapped, label, rank, t.get("condition", ""), t.get("penalty", ""),
                                t.get("remark"), statutory_ground=t.get("statutory_ground"), fines=explicit,
                                types=t.get("penalty_types")))
    item_source = SourceDoc(**{**source.model_dump(), **raw["source"]}) if raw.get("source") else source
    if raw.get("label"):
        item_source = item_source.model_copy(update={"label": str(raw["label"])})
    return EnforcementItem(
        id=str(raw["id"]),
        region=raw.get("region") or bench.region or "",
        domain=raw["domain"],
        issuer=raw.get("issuer") or bench.issuer,
        source=item_source,
        window=Window(**raw["window"]) if raw.get("window") else window,
        title=raw["title"],
        violated=_cites(raw.get("violated")),
        basis=_cites(raw.get("basis")),
        party=raw.get("party", "any"),
        scale=scale,
        statutory_fines=[FineRange(**f) for f in raw.get("statutory_fines") or []],
        tiers=tiers,
        remark=raw.get("remark"),
        extra=dict(raw.get("extra") or {}),
    )


# --------------------------------------------------------------------------- CSV / XLSX


def _rows_csv(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _rows_xlsx(path: Path) -> list[dict[str, Any]]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return []
    names = [str(h).strip() if h is not None else "" for h in header]
    out = []
    for r in rows:
        if r is None or all(v in (None, "") for v in r):
            continue
        out.append({names[i]: ("" if v is None else v) for i, v in enumerate(r) if i < len(names)})
    wb.close()
    return out


def load_table(
    path: Path,
    resolver: ResolverLike | None = None,
    mapping: TierMapping | None = None,
    today: date | None = None,
    name: str | None = None,
    defaults: dict[str, Any] | None = None,
) -> tuple[Benchmark, LoadReport]:
    """Load a flat CSV or XLSX table, one row per tier.

    Args:
        path: The file; the format comes from its suffix.
        resolver: Citation verifier; ``None`` leaves citations unchecked.
        mapping: Tier mapping table (the packaged one by default).
        today: Reference date for validity flags.
        name: Benchmark name (the file stem by default).
        defaults: Values for columns the file lacks (``region``, ``issuer``, ``valid_from`` …).

    Raises:
        BenchmarkError: if the file has no usable header (no ``title`` or ``tier`` column).
    """
    mapping = mapping or default_mapping()
    fmt = path.suffix.lower().lstrip(".")
    if fmt == "csv":
        raw_rows = _rows_csv(path)
    elif fmt in {"xlsx", "xlsm"}:
        raw_rows = _rows_xlsx(path)
    else:
        raise BenchmarkError(f"unsupported table format {path.suffix!r}: use .yaml, .csv or .xlsx")
    report = LoadReport(source=str(path), format=fmt)
    rows = []
    unknown: set[str] = set()
    for r in raw_rows:
        row: dict[str, Any] = dict(defaults or {})
        for k, v in r.items():
            f = _ALIAS.get(_key(k))
            if f:
                row[f] = v.strip() if isinstance(v, str) else v
            elif k:
                unknown.add(str(k))
        rows.append(row)
    if unknown:
        report.add("info", "header", "column_ignored", f"columns not in the schema: {', '.join(sorted(unknown))}")
    if rows and not ({"title", "tier"} <= set().union(*rows)):
        raise BenchmarkError(
            f"{path}: a table needs at least the columns 违法行为 (title) and 裁量阶次 (tier); "
            f"found {sorted(set().union(*rows))}"
        )
    bench = Benchmark(name=name or path.stem, region=(defaults or {}).get("region"))
    groups: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for n, row in enumerate(rows, 2):
        report.rows_read += 1
        if not str(row.get("title") or "").strip():
            report.rows_skipped += 1
            report.add("error", f"row {n}", "missing_title", "row has no 违法行为 (title)")
            continue
        key = str(row.get("id") or "").strip() or _auto_id(str(row["title"]), str(row.get("basis") or ""))
        groups.setdefault(key, []).append((n, row))
    for item_id, grp in groups.items():
        first = grp[0][1]
        try:
            scale = str(first.get("scale") or "").strip() or _detect_scale([str(r.get("tier", "")) for _, r in grp], mapping)
        except BenchmarkError as exc:
            report.rows_skipped += len(grp)
            report.add("error", f"item {item_id}", "unknown_tier_scale", str(exc))
            continue
        ranks = [_int(r.get("rank") or r.get("tier")) for _, r in grp]
        n_classes = max((x for x in ranks if x is not None), default=None)
        tiers = []
        for (n, r), rank in zip(grp, ranks, strict=True):
            label = str(r.get("tier", "")).strip()
            try:
                mapped = map_tier(mapping, scale, label, rank, n_classes)
            except (BenchmarkError, ValueError) as exc:
                report.rows_skipped += 1
                report.add("error", f"row {n}", "unknown_tier_label", str(exc))
                continue
            tiers.append(build_tier(mapped, label, rank, str(r.get("condition") or ""), str(r.get("penalty") or ""),
                                    str(r.get("remark") or "") or None))
            report.rows_loaded += 1
        try:
            item = EnforcementItem(
                id=item_id,
                region=str(first.get("region") or ""),
                domain=str(first.get("domain") or "未分类"),
                issuer=str(first.get("issuer") or "") or None,
                source=SourceDoc(title=str(first.get("source_title") or bench.name), doc_no=first.get("doc_no") or None,
                                 issuer=str(first.get("issuer") or "") or None, path=str(path),
                                 label=str(first.get("source_label") or "") or None),
                window=Window(valid_from=_date(first.get("valid_from")), valid_to=_date(first.get("valid_to"))),
                title=str(first["title"]).strip(),
                violated=_cites(first.get("violated")),
                basis=_cites(first.get("basis")),
                party=_PARTY.get(str(first.get("party") or "").strip(), "any"),  # type: ignore[arg-type]
                scale=scale,
                tiers=tiers,
                remark=str(first.get("remark") or "") or None,
            )
        except (ValidationError, BenchmarkError) as exc:
            report.rows_skipped += len(tiers)
            report.rows_loaded -= len(tiers)
            report.add("error", f"item {item_id}", "item_rejected", _short(exc))
            continue
        if not item.basis:
            report.add("warning", f"item {item_id}", "no_basis",
                       "no 罚则 citation found; a benchmark is never itself a 处罚依据 (R3.2)")
        _note_conditions(item, report)
        bench.items.append(check_item(item, resolver, report, today))
    report.tally(bench)
    return bench, report


def load_path(path: Path, resolver: ResolverLike | None = None, mapping: TierMapping | None = None,
              today: date | None = None, **kw: Any) -> tuple[Benchmark, LoadReport]:
    """Load any supported file by its suffix (.yaml/.yml, .csv, .xlsx)."""
    if not path.is_file():
        raise BenchmarkError(f"no such file: {path}")
    if path.suffix.lower() in {".yaml", ".yml"}:
        return load_yaml(path, resolver, mapping, today)
    return load_table(path, resolver, mapping, today, **kw)


def _note_conditions(item: EnforcementItem, report: LoadReport) -> None:
    for t in item.tiers:
        if t.condition and not t.predicates:
            report.add("info", f"{item.id} tier {t.source_label}", "condition_in_words",
                       f"no predicate parsed from {t.condition[:40]!r}; the classifier reads it")
        if t.penalty_text and not t.fines and "罚款" in t.penalty_text:
            report.add("warning", f"{item.id} tier {t.source_label}", "fine_unparsed",
                       f"罚款 named but no range parsed from {t.penalty_text[:40]!r}")


def _int(v: Any) -> int | None:
    try:
        return int(str(v).strip())
    except (TypeError, ValueError):
        return None


def _auto_id(title: str, basis: str) -> str:
    return "item-" + hashlib.sha1(f"{title}|{basis}".encode()).hexdigest()[:10]


def _short(exc: Exception) -> str:
    s = str(exc)
    return s if len(s) < 300 else s[:300] + "…"
