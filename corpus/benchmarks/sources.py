"""Adapters for the real benchmark sources in ``shared/corpus/raw`` (the folder is passed in).

* 江门 discretion table (江环〔2020〕10号 参照表): 872 tier rows, 165 violations, classes 1–10 (R5.4).
* 上海 fire benchmark (沪公行规〔2022〕2号): 12 violations, 基本罚则 / 情节较轻 / 情节严重 (R5.3).
* The three 不予处罚 lists as the 不予处罚 tier (R5.7): 上海消防 (沪消规〔2026〕1号), 江门 (江环〔2021〕231号),
  广东 (粤环发〔2021〕7号 附件2).

Each adapter returns a :class:`Benchmark` and a :class:`LoadReport`. Benchmarks are normative documents:
their own rows are cited by title, 文号 and label, and only the statute citations they quote become 违则 or
罚则 (R1.12, R3.2). Validity windows come from the documents' own 施行/有效期 sentences (R2.9).
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from corpus.benchmarks.build import build_tier, check_item
from corpus.benchmarks.cites import ResolverLike, row_citations
from corpus.benchmarks.loaders import _note_conditions
from corpus.benchmarks.report import LoadReport
from corpus.benchmarks.scales import TierMapping, default_mapping
from corpus.benchmarks.schema import Benchmark, BenchmarkError, EnforcementItem, SourceDoc, Window
from nlp.citations import format_citation, parse_citations
from nlp.numerals import cn_to_int

JIANGMEN_TABLE = "cee-eco-env/converted/jiangmen_eco_discretion_table.csv"
JIANGMEN_RULES = "cee-eco-env/docs/posts/P5/jmssthjjgysthjwfxwxzcfzyclqclbzgd.md"
JIANGMEN_NO_PENALTY = "cee-eco-env/converted/jiangmen_eco_no_penalty_list.csv"
JIANGMEN_NO_PENALTY_DOC = "cee-eco-env/docs/posts/P5/jmssthjyfbyxzcfdqwhjwfxwqd.md"
GUANGDONG_NO_PENALTY = "cee-eco-env/converted/guangdong_eco_no_penalty_list.csv"
GUANGDONG_RULES = "cee-eco-env/docs/posts/P5/gdssthjxzcfzyclqgd.md"
SH_DIR = "shanghai-gov-docs/docs/消防与人防"
SH_POLICE_FIRE = f"{SH_DIR}/关于印发《上海市公安局关于对部分消防安全违法行为实施处罚的裁量基准》的通知.md"
SH_FIRE_NO_PENALTY = f"{SH_DIR}/上海市消防救援局关于印发《上海市消防安全领域依法不予行政处罚清单》的通知.md"

# 处罚法 第三十三条 grounds (R3.9, R5.7)
PENALTY_LAW = "中华人民共和国行政处罚法"
GROUND_MINOR = format_citation(PENALTY_LAW, 33, paragraph=1)  # 轻微并及时改正 / 首违不罚: both in 第一款
GROUND_NO_FAULT = format_citation(PENALTY_LAW, 33, paragraph=2)


class SourceMissing(BenchmarkError):
    """A source file is not where the raw folder should have it."""

    code = "source_missing"


def _read(raw_dir: Path, rel: str) -> str:
    p = raw_dir / rel
    if not p.is_file():
        raise SourceMissing(f"{rel} not found under {raw_dir}")
    return p.read_text(encoding="utf-8")


def _csv_rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise SourceMissing(f"{path} not found")
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _front_matter(text: str) -> dict[str, str]:
    m = re.match(r"---\n(.*?)\n---", text, re.S)
    out: dict[str, str] = {}
    if m:
        for line in m.group(1).splitlines():
            k, _, v = line.partition(":")
            out[k.strip()] = v.strip()
    return out


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def window_from_text(text: str, published: date | None = None) -> Window:
    """The validity window a normative document states for itself (R2.9).

    Reads ``自2020年3月1日起施行，有效期三年`` (also the source's typo ``3月1月``), ``自印发之日起施行，有效期5年``
    (from ``published``) and an open ``自印发之日起施行``.
    """
    plain = re.sub(r"<[^>]+>|&emsp;|&nbsp;", "", text)
    m = re.search(r"自(\d{4})年(\d{1,2})月(\d{1,2})[日月]起(?:施行|实施)[^。]{0,6}?有效期(?:为)?([0-9一二三四五六七八九十]+)年", plain)
    if m:
        start = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return Window(valid_from=start, valid_to=_add_years(start, cn_to_int(m.group(4))) - timedelta(days=1),
                      note=m.group(0))
    m = re.search(r"自印发之日起(?:施行|实施)[^。]{0,6}?有效期(?:为)?([0-9一二三四五六七八九十]+)年", plain)
    if m and published:
        return Window(valid_from=published, valid_to=_add_years(published, cn_to_int(m.group(1))) - timedelta(days=1),
                      note=m.group(0))
    m = re.search(r"自(\d{4})年(\d{1,2})月(\d{1,2})日起(?:施行|实施)", plain)
    if m:
        return Window(valid_from=date(int(m.group(1)), int(m.group(2)), int(m.group(3))), note=m.group(0))
    if re.search(r"自印发之日起(?:施行|实施)", plain) and published:
        return Window(valid_from=published, note="自印发之日起施行")
    return Window()


@dataclass
class Loaded:
    """One source's result."""

    benchmark: Benchmark
    report: LoadReport


# --------------------------------------------------------------------------- 江门 table


def jiangmen_table(raw_dir: Path, resolver: ResolverLike | None = None, mapping: TierMapping | None = None,
                   today: date | None = None) -> Loaded:
    """The 江门 参照表 (872 rows): one item per violation (sheet + seq), one tier per row (R5.4)."""
    mapping = mapping or default_mapping()
    path = raw_dir / JIANGMEN_TABLE
    if not path.is_file():
        raise SourceMissing(f"{JIANGMEN_TABLE} not found under {raw_dir}")
    rules = _read(raw_dir, JIANGMEN_RULES)
    window = window_from_text(rules)
    source = SourceDoc(
        title="江门市生态环境局关于生态环境违法行为行政处罚自由裁量权裁量标准参照表",
        doc_no="江环〔2020〕10号", issuer="江门市生态环境局", path=JIANGMEN_TABLE, published=window.valid_from,
    )
    report = LoadReport(source=JIANGMEN_TABLE, format="jiangmen-csv")
    bench = Benchmark(name="jiangmen-eco-2020", region="广东省江门市", issuer=source.issuer, source=source,
                      window=window,
                      notice="江门裁量规定 第三条: the table is not a legal basis for penalties; it states reasons (R3.2). "
                             "It cites the environmental laws that 生态环境法典 repealed on 2026-08-15 (R2.9).")
    rows = _csv_rows(path)
    groups: dict[tuple[str, str], list[tuple[int, dict[str, str]]]] = defaultdict(list)
    for n, r in enumerate(rows, 2):
        groups[(r["sheet"], r["seq"])].append((n, r))
    report.add("info", JIANGMEN_TABLE, "no_violated_column",
               "the table gives only the 罚则 (法律依据); 违则 are not in the source")
    for (sheet, seq), grp in groups.items():
        report.rows_read += len(grp)
        classes = [int(r["tier"]) for _, r in grp if r["tier"].strip().isdigit()]
        k_max = max(classes) if classes else None
        tiers, basis, quotes = [], [], []
        for n, r in grp:
            cites = row_citations(r["legal_basis"])
            if r["legal_basis"].strip() and not cites:
                report.add("info", f"row {n} ({seq})", "basis_continuation",
                           "法律依据 cell has statute text but no citation head; the item's citation applies")
            for c in cites:
                if c not in basis:
                    basis.append(c)
            if r["legal_basis"].strip() and r["legal_basis"] not in quotes:
                quotes.append(r["legal_basis"])
            if not r["tier"].strip().isdigit():
                report.rows_skipped += 1
                report.add("error", f"row {n} ({seq})", "no_class", "the source row has no 类别 (tier class); skipped")
                continue
            k = int(r["tier"])
            mapped = mapping.map_class("jiangmen_class", k, k_max or k)
            tiers.append(build_tier(mapped, r["tier"].strip(), k, r["circumstance"], r["penalty_standard"],
                                    r["remark"], below_inclusive=True))
            report.rows_loaded += 1
        head = re.sub(r"^[一二三四五六七八九十]+、", "", grp[0][1]["law_title"]).strip()
        item = EnforcementItem(
            id=f"jiangmen-{seq}",
            region="广东省江门市",
            domain="生态环境",
            issuer=source.issuer,
            source=source.model_copy(update={"label": f"{grp[0][1]['law_title']} {seq}"}),
            window=window,
            title=grp[0][1]["violation"].strip(),
            violated=[],
            basis=basis,
            basis_text="\n".join(quotes) or None,
            party="any",
            scale="jiangmen_class",
            tiers=tiers,
            extra={"sheet": sheet, "seq": seq, "law_title": head, "n_classes": k_max},
        )
        if not basis:
            report.add("warning", item.id, "no_basis", "no 罚则 citation could be read from 法律依据")
        _note_conditions(item, report)
        bench.items.append(check_item(item, resolver, report, today))
    report.tally(bench)
    return Loaded(bench, report)


# --------------------------------------------------------------------------- 上海 fire benchmark

_SECTION_RE = re.compile(r"^([一二三四五六七八九十]+)、(.+)$", re.M)
_LIST_ITEM_RE = re.compile(r"^（[一二三四五六七八九十]+）(.+?)[；;。]?$", re.M)


def shanghai_police_fire(raw_dir: Path, resolver: ResolverLike | None = None, mapping: TierMapping | None = None,
                         today: date | None = None) -> Loaded:
    """沪公行规〔2022〕2号 第二章: 12 violations, each with its 法律依据 and 裁量基准 (R5.3)."""
    mapping = mapping or default_mapping()
    text = _read(raw_dir, SH_POLICE_FIRE)
    fm = _front_matter(text)
    published = date.fromisoformat(fm["发布日期"]) if fm.get("发布日期") else None
    window = window_from_text(text, published)
    source = SourceDoc(title="上海市公安局关于对部分消防安全违法行为实施处罚的裁量基准", doc_no=fm.get("文号"),
                       issuer=fm.get("发布单位"), path=SH_POLICE_FIRE, published=published)
    report = LoadReport(source=SH_POLICE_FIRE, format="shanghai-md")
    bench = Benchmark(name="shanghai-police-fire-2022", region="上海市", issuer=source.issuer, source=source, window=window,
                      notice="沪公消基准 附则 二: 以上/以下 include the number (R5.8). 第一章 七–十一 give the 不予/从轻/从重 "
                             "rules applied by the tier suggester.")
    body = text.split("第二章", 1)[1].split("第三章", 1)[0] if "第二章" in text else ""
    sections = list(_SECTION_RE.finditer(body))
    for i, m in enumerate(sections):
        report.rows_read += 1
        chunk = body[m.end() : sections[i + 1].start() if i + 1 < len(sections) else len(body)]
        label_cn, title = m.group(1), m.group(2).strip()
        try:
            item = _sh_item(label_cn, title, chunk, source, window, mapping)
        except (BenchmarkError, ValueError, IndexError) as exc:
            report.rows_skipped += 1
            report.add("error", f"第二章 {label_cn}、", "section_unparsed", str(exc))
            continue
        report.rows_loaded += 1
        _note_conditions(item, report)
        bench.items.append(check_item(item, resolver, report, today))
    report.tally(bench)
    return Loaded(bench, report)


def _sh_item(label_cn: str, title: str, chunk: str, source: SourceDoc, window: Window,
             mapping: TierMapping) -> EnforcementItem:
    if "【法律依据】" not in chunk or "【裁量基准】" not in chunk:
        raise BenchmarkError("section lacks 【法律依据】 or 【裁量基准】")
    law_part, bench_part = chunk.split("【法律依据】", 1)[1].split("【裁量基准】", 1)
    law_line = next(ln.strip() for ln in law_part.splitlines() if ln.strip())
    basis = row_citations(law_line)
    if not basis:
        raise BenchmarkError(f"no citation in 法律依据: {law_line[:40]}")
    head_end = re.search(r"(?:项|款|条)[\s\u3000]+|(?<=款)(?=[^\s第])", law_line)
    statute = law_line[head_end.end():].strip() if head_end else law_line
    title_m = re.match(r"《([^》]+)》", law_line)
    law_title = title_m.group(1) if title_m else ""
    violated = _violated_in(statute, law_title)
    # The statute's clauses: the base penalty, then 情节严重的/情节较轻的 ….
    main = re.split(r"[：:]\s*(?:（[一二三四五六七八九十]+）)", statute)[0]
    clauses = [c.strip() for c in re.split(r"[；;]", main) if c.strip()]
    base = next((c for c in clauses if re.search(r"警告|罚款|拘留", c) and not c.startswith("情节")), clauses[0])
    base_cond = base.split("，")[0] if re.match(r"^[^，]{1,12}的，", base) else ""
    graded = {c.split("的，")[0]: c.split("的，", 1)[1] for c in clauses if re.match(r"^情节(严重|较轻)的，", c)}
    bench_lines = [ln.strip() for ln in bench_part.splitlines() if ln.strip()]
    grade_m = re.search(r"属于“(情节严重|情节较轻)”(?:，(处[^：:]+?))?[：:]", bench_part)
    if not grade_m:
        raise BenchmarkError("裁量基准 names neither 情节严重 nor 情节较轻")
    grade = grade_m.group(1)
    conds = [c.group(1) for c in _LIST_ITEM_RE.finditer(bench_part)]
    grade_penalty = grade_m.group(2) or graded.get(grade, "")
    tiers = [
        build_tier(mapping.map_label("sh_police_fire", "基本罚则"), "基本罚则", None, base_cond,
                   base if not base_cond else base.split("，", 1)[1]),
        build_tier(mapping.map_label("sh_police_fire", grade), grade, None, "；".join(conds), grade_penalty),
    ]
    major = next((ln for ln in bench_lines if "构成重大火灾隐患" in ln), None)
    if major:
        cond, _, pen = major.partition("的，")
        tiers.append(build_tier(mapping.map_label("sh_police_fire", "情节严重且构成重大火灾隐患"),
                                "情节严重且构成重大火灾隐患", None, cond, pen))
    return EnforcementItem(
        id=f"sh-police-fire-{cn_to_int(label_cn)}",
        region="上海市", domain="消防", issuer=source.issuer,
        source=source.model_copy(update={"label": f"第二章 {label_cn}、"}),
        window=window, title=title, violated=violated, basis=basis, basis_text=law_line,
        party="any", scale="sh_police_fire", tiers=tiers,
    )


def _violated_in(statute: str, law_title: str) -> list[str]:
    """违则 named inside a 罚则's text: ``违反本条例第十八条第一款第二项规定`` (R1.9)."""
    out = []
    for m in re.finditer(r"违反本(?:法|条例|办法|规定)(第[^规]{1,40}?)规定", statute):
        for c in parse_citations(f"《{law_title}》{m.group(1)}"):
            if c.article is not None:
                out.append(format_citation(c.law or law_title, c.article, c.article_sub, c.paragraph, c.item, c.subitem))
    return out


# --------------------------------------------------------------------------- no-penalty lists


def _no_penalty_item(item_id: str, title: str, violated: list[str], condition: str, ground: str, source: SourceDoc,
                     window: Window, region: str, domain: str, mapping: TierMapping, label: str,
                     below_inclusive: bool = True, remark: str | None = None) -> EnforcementItem:
    tier = build_tier(mapping.map_label("no_penalty_list", "不予处罚"), "不予处罚", None, condition, "",
                      remark, below_inclusive=below_inclusive, statutory_ground=ground)
    return EnforcementItem(
        id=item_id, region=region, domain=domain, issuer=source.issuer,
        source=source.model_copy(update={"label": label}), window=window, title=title,
        violated=violated, basis=[], party="any", scale="no_penalty_list", tiers=[tier],
    )


def shanghai_fire_no_penalty(raw_dir: Path, resolver: ResolverLike | None = None, mapping: TierMapping | None = None,
                             today: date | None = None) -> Loaded:
    """沪消规〔2026〕1号: 19 items in three groups (首违 / 轻微 / 无过错, R5.7)."""
    mapping = mapping or default_mapping()
    text = _read(raw_dir, SH_FIRE_NO_PENALTY)
    fm = _front_matter(text)
    published = date.fromisoformat(fm["发布日期"]) if fm.get("发布日期") else None
    window = window_from_text(text, published)
    source = SourceDoc(title="上海市消防安全领域依法不予行政处罚清单", doc_no=fm.get("文号"), issuer=fm.get("发布单位"),
                       path=SH_FIRE_NO_PENALTY, published=published)
    report = LoadReport(source=SH_FIRE_NO_PENALTY, format="shanghai-md")
    bench = Benchmark(name="shanghai-fire-no-penalty-2026", region="上海市", issuer=source.issuer, source=source,
                      window=window, notice="五: group-二 items may be handled by an oral order noted in the record (R6.5).")
    body = text.split("上海市消防安全领域依法不予行政处罚清单", 2)[-1]
    grounds = {"一": (GROUND_MINOR, "初次违法且危害后果轻微并及时改正（首违不罚，可以不予处罚）"),
               "二": (GROUND_MINOR, "违法行为轻微并及时改正，没有造成危害后果"),
               "三": (GROUND_NO_FAULT, "当事人有证据足以证明没有主观过错")}
    group = None
    for line in body.splitlines():
        line = line.strip()
        g = re.match(r"^([一二三])、下列", line)
        if g:
            group = g.group(1)
            continue
        m = re.match(r"^（([一二三四五六七八九十]+)）违反(《[^》]+》第[^，]+)，(.+?)[；;。]?$", line)
        if not m or group is None:
            continue
        report.rows_read += 1
        n = cn_to_int(m.group(1))
        rest = m.group(3)
        split = re.search(r"，(?=首次发现后|当场改正|当事人有证据)", rest)
        title = rest[: split.start()] if split else rest
        ground, why = grounds[group]
        item = _no_penalty_item(
            f"sh-fire-no-penalty-{n}", title, row_citations(m.group(2)), rest, ground, source, window,
            "上海市", "消防", mapping, f"{group}、（{m.group(1)}）", remark=why)
        report.rows_loaded += 1
        _note_conditions(item, report)
        bench.items.append(check_item(item, resolver, report, today))
    report.tally(bench)
    return Loaded(bench, report)


def jiangmen_no_penalty(raw_dir: Path, resolver: ResolverLike | None = None, mapping: TierMapping | None = None,
                        today: date | None = None) -> Loaded:
    """江门 不予处罚清单 (40 items, first-violation conditions; 处罚法 第三十三条第一款)."""
    mapping = mapping or default_mapping()
    doc = _read(raw_dir, JIANGMEN_NO_PENALTY_DOC)
    window = window_from_text(doc)
    source = SourceDoc(title="江门市生态环境依法不予行政处罚的轻微环境违法行为清单", doc_no="江环〔2021〕231号",
                       issuer="江门市生态环境局", path=JIANGMEN_NO_PENALTY, published=window.valid_from)
    report = LoadReport(source=JIANGMEN_NO_PENALTY, format="no-penalty-csv")
    bench = Benchmark(name="jiangmen-eco-no-penalty-2022", region="广东省江门市", issuer=source.issuer, source=source,
                      window=window, notice="备注二: not applicable inside 生态环境敏感区 (自然保护区, 饮用水源保护区 …).")
    rows = _csv_rows(raw_dir / JIANGMEN_NO_PENALTY)
    for n, r in enumerate(rows, 2):
        report.rows_read += 1
        num = re.match(r"(\d+)、", r["违法行为"])
        title = re.sub(r"^\d+、", "", r["违法行为"]).strip()
        cond = r["不予处罚的情节"].strip()
        item = _no_penalty_item(
            f"jiangmen-no-penalty-{num.group(1) if num else n}", title, row_citations(r["违反条款"]), cond,
            GROUND_MINOR, source, window, "广东省江门市", "生态环境", mapping, r["违法行为"].split("、")[0],
            remark="可以不予处罚（依法可以）" if "可以不予" in cond else None)
        if not item.violated:
            report.add("warning", item.id, "no_violated", "no 违反条款 citation could be read")
        report.rows_loaded += 1
        _note_conditions(item, report)
        bench.items.append(check_item(item, resolver, report, today))
    report.tally(bench)
    return Loaded(bench, report)


def guangdong_no_penalty(raw_dir: Path, resolver: ResolverLike | None = None, mapping: TierMapping | None = None,
                         today: date | None = None) -> Loaded:
    """广东 不予处罚目录 (粤环发〔2021〕7号 附件2): 22 CSV rows = 20 items, 1 page-break continuation, 1 备注 row.

    粤裁量规定 第二十三条: ``以下`` excludes the number here (R5.8).
    """
    mapping = mapping or default_mapping()
    rules = _read(raw_dir, GUANGDONG_RULES)
    window = window_from_text(rules)
    source = SourceDoc(title="广东省生态环境不予行政处罚的轻微违法行为目录", doc_no="粤环发〔2021〕7号",
                       issuer="广东省生态环境厅", path=GUANGDONG_NO_PENALTY, published=window.valid_from,
                       label="附件2")
    report = LoadReport(source=GUANGDONG_NO_PENALTY, format="no-penalty-csv")
    bench = Benchmark(name="guangdong-eco-no-penalty-2022", region="广东省", issuer=source.issuer, source=source,
                      window=window)
    rows = _csv_rows(raw_dir / GUANGDONG_NO_PENALTY)
    merged: list[tuple[int, dict[str, str]]] = []
    for n, r in enumerate(rows, 2):
        report.rows_read += 1
        if r["序号"].strip() == "备注":
            bench.notice = r["违法行为"].strip()
            report.rows_skipped += 1
            report.add("info", f"row {n}", "notes_row", "备注 row: kept as the list's notice, not an item")
            continue
        if not r["序号"].strip() and not r["违法行为"].strip() and merged:
            merged[-1][1]["不予处罚的情节"] += r["不予处罚的情节"]
            report.rows_skipped += 1
            report.add("info", f"row {n}", "continuation_row",
                       f"page-break continuation joined to item {merged[-1][1]['序号']}")
            continue
        merged.append((n, dict(r)))
    category = ""
    for _n, r in merged:
        category = r["类别"].strip() or category
        cond = r["不予处罚的情节"].strip()
        item = _no_penalty_item(
            f"guangdong-no-penalty-{r['序号'].strip()}", r["违法行为"].strip(), row_citations(r["违反条款"]), cond,
            GROUND_MINOR, source, window, "广东省", "生态环境", mapping, f"序号{r['序号'].strip()}",
            below_inclusive=False, remark="可以不予处罚（依法可以）" if "可以不予" in cond else None)
        item.extra["category"] = category
        if not item.violated:
            report.add("warning", item.id, "no_violated", "no 违反条款 citation could be read")
        report.rows_loaded += 1
        _note_conditions(item, report)
        bench.items.append(check_item(item, resolver, report, today))
    report.tally(bench)
    return Loaded(bench, report)


ADAPTERS = {
    "jiangmen-eco-2020": jiangmen_table,
    "shanghai-police-fire-2022": shanghai_police_fire,
    "shanghai-fire-no-penalty-2026": shanghai_fire_no_penalty,
    "jiangmen-eco-no-penalty-2022": jiangmen_no_penalty,
    "guangdong-eco-no-penalty-2022": guangdong_no_penalty,
}


def load_sources(raw_dir: Path, resolver: ResolverLike | None = None, today: date | None = None) -> list[Loaded]:
    """Every real source under ``raw_dir`` (``shared/corpus/raw``)."""
    return [fn(raw_dir, resolver, None, today) for fn in ADAPTERS.values()]
