"""The audit report: an offline HTML page (inline CSS, inline SVG plots, no script, nothing fetched), the findings
as JSON lines, and a CSV summary with a BOM so WPS and Excel open it as UTF-8.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from analysis.archive.checks import RULES, SEVERITIES
from analysis.archive.groups import cross_findings, statistics
from analysis.archive.readers import ReadReport

SEV_LABEL = {"error": "错误", "warning": "警告", "info": "提示"}
SEV_COLOUR = {"error": "#c0392b", "warning": "#d68910", "info": "#5d6d7e"}
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf", "#393b79", "#637939")
MAX_ROWS = 500  # findings rows shown in the page (all of them are in findings.jsonl)


def _e(x: Any) -> str:
    return escape("" if x is None else str(x))


def _money(x: Any) -> str:
    return "" if x is None else f"{float(x):,.2f}"


def _num(x: Any, nd: int = 2) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{float(x):.{nd}f}"


class Tally:
    """What the page needs from every finding, gathered in one pass (the findings themselves go to findings.jsonl)."""

    def __init__(self) -> None:
        self.severity: dict[str, int] = dict.fromkeys(SEVERITIES, 0)
        self.decisions: dict[str, set[str]] = {s: set() for s in SEVERITIES}
        self.rules: dict[tuple[str, str], list[Any]] = {}
        self.months: dict[tuple[str, str], int] = {}
        self.shown: list[dict[str, Any]] = []  # errors and warnings, the first MAX_ROWS by severity and id

    def add(self, row: dict[str, Any], month: str) -> None:
        sev = row["severity"]
        self.severity[sev] += 1
        self.decisions[sev].add(row["id"])
        acc = self.rules.setdefault((row["rule"], sev), [0, set()])
        acc[0] += 1
        acc[1].add(row["id"])
        self.months[(month, row["rule"])] = self.months.get((month, row["rule"]), 0) + 1
        if sev in ("error", "warning"):
            self.shown.append(row)
            if len(self.shown) > 4 * MAX_ROWS:
                self._trim()

    def _trim(self) -> None:
        self.shown.sort(key=lambda f: (SEVERITIES.index(f["severity"]), f["id"]))
        del self.shown[MAX_ROWS:]

    def by_rule(self) -> list[dict[str, Any]]:
        rows = [{"rule": r, "severity": sev, "n": n, "decisions": len(ids)} for (r, sev), (n, ids) in self.rules.items()]
        return sorted(rows, key=lambda r: (SEVERITIES.index(r["severity"]), -r["n"]))

    def by_month(self) -> list[dict[str, Any]]:
        return [{"month": m, "rule": r, "n": n} for (m, r), n in sorted(self.months.items())]

    @property
    def shown_total(self) -> int:
        return self.severity["error"] + self.severity["warning"]


def _month(r: dict[str, Any]) -> str:
    return (r.get("decision_date") or r.get("violation_date") or "")[:7] or "未载明"


def _row(r: dict[str, Any], f: dict[str, Any]) -> dict[str, Any]:
    return {"id": r["id"], "doc_no": r.get("doc_no"), "agency": r.get("agency"), "decision_date": r.get("decision_date"),
            "rule": f["rule"], "title": f.get("title") or RULES.get(f["rule"]), "severity": f["severity"],
            "message": f["message"], "evidence": f.get("evidence") or {}}


# ---------------------------------------------------------------------------------------------------- plots
def _svg(width: int, height: int, body: Iterable[str], label: str) -> str:
    return (f'<svg role="img" aria-label="{_e(label)}" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}" class="plot">' + "".join(body) + "</svg>")


def plot_positions(groups: list[dict[str, Any]], limit: int = 25) -> str:
    """Fine position in the statutory range, one row per group: 0 = minimum, 1 = maximum; outside marked red."""
    rows = [g for g in groups if any(m["position"] is not None for m in g["members"])][:limit]
    if not rows:
        return '<p class="muted">没有可计算幅度位置的罚款（罚则幅度或计算基数缺失）。</p>'
    left, right, top, rh = 380, 40, 30, 24
    width = 980
    plot_w = width - left - right
    lo, hi = -0.25, 1.25

    def x(p: float) -> float:
        return left + (min(max(p, lo), hi) - lo) / (hi - lo) * plot_w

    h = top + rh * len(rows) + 30
    body = [(f'<rect x="{x(0):.1f}" y="{top - 6}" width="{x(1) - x(0):.1f}" height="{rh * len(rows) + 6}" '
             'fill="#eef5ee"/>')]
    for p, lab in ((0, "下限"), (0.3, "30%"), (0.7, "70%"), (1, "上限")):
        body.append(f'<line x1="{x(p):.1f}" x2="{x(p):.1f}" y1="{top - 6}" y2="{top + rh * len(rows)}" '
                    f'stroke="#9aa" stroke-dasharray="{"none" if p in (0, 1) else "3,3"}"/>')
        body.append(f'<text x="{x(p):.1f}" y="{top - 10}" text-anchor="middle" class="ax">{lab}</text>')
    for i, g in enumerate(rows):
        y = top + rh * i + rh / 2
        name = f"{g['penalty_key']}｜{g['tier']}"
        brief = name.replace("中华人民共和国", "")
        short = brief if len(brief) <= 26 else brief[:25] + "…"
        body.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" class="lab"><title>{_e(name)}</title>'
                    f'{_e(short)}（{g["n"]}）</text>')
        for m in g["members"]:
            if m["position"] is None:
                continue
            out = m["position"] < 0 or m["position"] > 1
            colour = "#c0392b" if out else ("#d68910" if m["outlier"] else "#1f77b4")
            body.append(f'<circle cx="{x(m["position"]):.1f}" cy="{y:.1f}" r="{6 if m["outlier"] else 4.5}" '
                        f'fill="{colour}" fill-opacity="0.75"><title>{_e(m["id"])} {_e(m["agency"])} '
                        f'{_money(m["fine_yuan"])} 元，位置 {_num(m["position"])}</title></circle>')
    body.append(f'<text x="{left}" y="{h - 6}" class="ax">蓝：幅度内；橙：同案不同罚离群；红：超出法定幅度（画在边缘）</text>')
    return _svg(width, h, body, "罚款在法定幅度中的位置（按罚则分组）")


def plot_agency_dispersion(points: list[dict[str, Any]], limit: int = 25) -> str:
    """Each fine against its group's median (log2: +1 = twice, −1 = half), one row per agency."""
    agencies: dict[str, list[dict[str, Any]]] = {}
    for p in points:
        agencies.setdefault(p["agency"], []).append(p)
    if not agencies:
        return '<p class="muted">没有两件以上的同类案件，无法比较机关之间的裁量差异。</p>'
    order = sorted(agencies, key=lambda a: -sum(abs(p["log2_dev"]) for p in agencies[a]) / len(agencies[a]))[:limit]
    left, right, top, rh, width = 260, 40, 30, 22, 980
    plot_w = width - left - right
    span = 3.0

    def x(v: float) -> float:
        return left + (min(max(v, -span), span) + span) / (2 * span) * plot_w

    h = top + rh * len(order) + 30
    body = []
    for v in (-3, -2, -1, 0, 1, 2, 3):
        body.append(f'<line x1="{x(v):.1f}" x2="{x(v):.1f}" y1="{top - 6}" y2="{top + rh * len(order)}" '
                    f'stroke="{"#555" if v == 0 else "#ccd"}"/>')
        lab = "中位数" if v == 0 else (f"×{2 ** v:g}" if v > 0 else f"÷{2 ** -v:g}")
        body.append(f'<text x="{x(v):.1f}" y="{top - 10}" text-anchor="middle" class="ax">{lab}</text>')
    for i, a in enumerate(order):
        y = top + rh * i + rh / 2
        short = a if len(a) <= 18 else a[:17] + "…"
        body.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" class="lab"><title>{_e(a)}</title>'
                    f'{_e(short)}</text>')
        for p in agencies[a]:
            colour = "#d68910" if p["outlier"] else "#1f77b4"
            body.append(f'<circle cx="{x(p["log2_dev"]):.1f}" cy="{y:.1f}" r="4.5" fill="{colour}" fill-opacity="0.7">'
                        f'<title>{_e(p["id"])}：同类中位数的 {2 ** p["log2_dev"]:.2f} 倍</title></circle>')
    body.append(f'<text x="{left}" y="{h - 6}" class="ax">每点一件：罚款相对同类案件中位数的倍数（对数刻度）；橙色为离群</text>')
    return _svg(width, h, body, "各机关罚款相对同类案件中位数的离散程度")


def plot_findings_over_time(by_month: list[dict[str, Any]], top_rules: int = 8) -> str:
    """Findings per month (decision date), stacked by rule."""
    if not by_month:
        return '<p class="muted">没有发现问题。</p>'
    totals: dict[str, int] = {}
    for r in by_month:
        totals[r["rule"]] = totals.get(r["rule"], 0) + r["n"]
    rules = sorted(totals, key=lambda k: -totals[k])[:top_rules]
    months = sorted({r["month"] for r in by_month})
    stack: dict[str, dict[str, int]] = {m: {} for m in months}
    for r in by_month:
        key = r["rule"] if r["rule"] in rules else "其他"
        stack[r["month"]][key] = stack[r["month"]].get(key, 0) + r["n"]
    keys = rules + (["其他"] if any("其他" in s for s in stack.values()) else [])
    totals["其他"] = sum(n for r, n in totals.items() if r not in rules)
    peak = max(sum(s.values()) for s in stack.values()) or 1
    left, top, width, height, legend_w = 50, 20, 980, 300, 260
    plot_w, plot_h = width - left - legend_w - 20, height - top - 60
    bw = plot_w / len(months)
    body = [f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#555"/>']
    for t in range(5):
        v = peak * t / 4
        y = top + plot_h - plot_h * t / 4
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="ax">{v:.0f}</text>')
        body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>')
    for i, m in enumerate(months):
        y = top + plot_h
        for j, k in enumerate(keys):
            n = stack[m].get(k, 0)
            if not n:
                continue
            hh = plot_h * n / peak
            y -= hh
            body.append(f'<rect x="{left + i * bw + 1:.1f}" y="{y:.1f}" width="{max(bw - 2, 1):.1f}" height="{hh:.1f}" '
                        f'fill="{PALETTE[j % len(PALETTE)]}"><title>{_e(m)} {_e(RULES.get(k, k))}：{n}</title></rect>')
        if len(months) <= 24 or i % max(1, len(months) // 12) == 0:
            body.append(f'<text x="{left + i * bw + bw / 2:.1f}" y="{top + plot_h + 14}" text-anchor="end" '
                        f'transform="rotate(-45 {left + i * bw + bw / 2:.1f} {top + plot_h + 14})" class="ax">{_e(m)}</text>')
    for j, k in enumerate(keys):
        y = top + j * 18
        body.append(f'<rect x="{width - legend_w}" y="{y}" width="12" height="12" fill="{PALETTE[j % len(PALETTE)]}"/>')
        body.append(f'<text x="{width - legend_w + 18}" y="{y + 10}" class="lab">{_e(RULES.get(k, k))}（{totals.get(k, "")}）'
                    '</text>')
    return _svg(width, height, body, "各类问题按月分布（决定日期）")


# ---------------------------------------------------------------------------------------------------- page
CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",sans-serif;margin:24px;
color:#222;background:#fafafa;max-width:1400px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin-top:32px;border-bottom:2px solid #2c3e50;padding-bottom:4px}
h3{font-size:16px;margin:18px 0 6px}.muted{color:#777}.cards{display:flex;gap:12px;flex-wrap:wrap;margin:14px 0}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px 16px;min-width:120px}
.card b{display:block;font-size:22px}.card.error b{color:#c0392b}.card.warning b{color:#d68910}
table{border-collapse:collapse;background:#fff;margin:8px 0;font-size:13px;width:100%}
th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}th{background:#ecf0f1;position:sticky;top:0}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.sev{color:#fff;border-radius:3px;padding:1px 6px;font-size:12px;white-space:nowrap}
.sev.error{background:#c0392b}.sev.warning{background:#d68910}.sev.info{background:#5d6d7e}
.plot{background:#fff;border:1px solid #ddd;max-width:100%;height:auto}.plot .ax{font-size:11px;fill:#555}
.plot .lab{font-size:12px;fill:#222}details{margin:6px 0}summary{cursor:pointer;color:#2c3e50}
tr.outlier td{background:#fff4e0}code{font-size:12px}
"""


def _table(headers: list[str], rows: list[list[str]], cls: str = "", row_classes: list[str] | None = None) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = []
    for i, r in enumerate(rows):
        rc = f' class="{row_classes[i]}"' if row_classes and row_classes[i] else ""
        body.append(f"<tr{rc}>" + "".join(r) + "</tr>")
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _td(x: Any, num: bool = False) -> str:
    return f'<td class="n">{x}</td>' if num else f"<td>{x}</td>"


def _sev(s: str | None) -> str:
    return f'<span class="sev {s}">{SEV_LABEL.get(s or "", "")}</span>' if s else ""


def render_html(stats: dict[str, Any], tally: Tally, read: ReadReport) -> str:
    """The whole page as one string."""
    t = stats["totals"]
    sev_counts = tally.severity
    dec_with = {s: len(ids) for s, ids in tally.decisions.items()}
    parts = [(f"<h1>行政处罚决定书归档审查报告</h1><p class='muted'>{_e(Path(read.path).name)} · 生成于 "
              f"{datetime.now(UTC).astimezone().strftime('%Y-%m-%d %H:%M')} · 执法助手 audit-archive</p>")]
    cards = [("审查决定书", t["decisions"], ""), ("含罚款", t["fined"], ""), ("有错误的决定", dec_with["error"], "error"),
             ("有警告的决定", dec_with["warning"], "warning"), ("错误", sev_counts["error"], "error"),
             ("警告", sev_counts["warning"], "warning"), ("提示", sev_counts["info"], ""),
             ("同案不同罚离群", len(stats["outliers"]), "warning"), ("处罚机关", t["agencies"], "")]
    parts.append('<div class="cards">' + "".join(f'<div class="card {c}"><b>{v}</b>{_e(k)}</div>'
                                                 for k, v, c in cards) + "</div>")
    # input
    s = read.summary()
    mapped = ", ".join(f"{k} ← {v}" for k, v in s["mapped"].items())
    parts.append("<h2>输入</h2>" + f"<p>格式 {_e(s['format'])}，{s['rows']} 行，读取 {s['read']} 件，未能读取 {s['skipped']} 行。</p>"
                 f"<p><b>已映射的列：</b>{_e(mapped)}</p>"
                 + (f"<p><b>未使用的列：</b>{_e('、'.join(s['unmapped']))}</p>" if s["unmapped"] else ""))
    if s["issues"]:
        parts.append(_table(["行", "编号", "级别", "原因"], [[_td(i["row"], True), _td(_e(i["id"])),
                                                        _td("未读取" if i["level"] == "error" else "已读取（字段置空）"),
                                                        _td(_e(i["reason"]))] for i in s["issues"][:200]]))
    # findings by type
    parts.append("<h2>问题类型</h2>")
    parts.append(_table(["问题", "规则代码", "严重程度", "条数", "涉及决定"],
                        [[_td(_e(RULES.get(r["rule"], r["rule"]))), _td(f"<code>{_e(r['rule'])}</code>"),
                          _td(_sev(r["severity"])), _td(r["n"], True), _td(r["decisions"], True)]
                         for r in tally.by_rule()]))
    parts.append("<h3>各类问题按月分布</h3>" + plot_findings_over_time(tally.by_month()))
    # 同案不同罚
    multi = [g for g in stats["groups"] if g["n"] >= 2]
    parts.append("<h2>同案不同罚</h2><p>同一罚则（写明款、项的按款、项）、同类当事人、事实中抽取的情节同档（从轻/一般/从重，"
                 "与分析功能相同的抽取）的决定视为同类案件。离群：罚款至少为同类中位数的 2 倍或不到一半，且明显偏离其余案件"
                 f"（修正 z 分数 &gt; 3.5）；同类不足 3 件不判离群。共 {len(stats['groups'])} 组，其中 {len(multi)} 组有 2 件以上。</p>")
    parts.append("<h3>罚款在法定幅度中的位置</h3>" + plot_positions(stats["groups"]))
    parts.append("<h3>各机关的离散程度</h3>" + plot_agency_dispersion(stats["agency_points"]))
    if stats["outliers"]:
        by_gid = {g["gid"]: g for g in stats["groups"]}
        rows, classes = [], []
        for m in stats["outliers"]:
            g = by_gid[m["gid"]]
            rows.append([_td(_e(m["id"])), _td(_e(m["agency"])), _td(_money(m["fine_yuan"]), True),
                         _td(f"{m['ratio_to_median']}×", True), _td(_e(g["penalty_key"])), _td(_e(g["tier"])),
                         _td(_e(m["cues"]) or "—"), _td(_money(g["median_fine"]), True)])
            classes.append("outlier")
            for x in sorted((x for x in g["members"] if x["id"] != m["id"]), key=lambda x: x["fine_yuan"])[:6]:
                rows.append([_td("　↳ " + _e(x["id"])), _td(_e(x["agency"])), _td(_money(x["fine_yuan"]), True),
                             _td(f"{x['ratio_to_median']}×", True), _td(""), _td(""), _td(_e(x["cues"]) or "—"), _td("")])
                classes.append("")
        parts.append("<h3>离群案件及其同类案件</h3>" + _table(
            ["决定", "机关", "罚款（元）", "相对中位数", "罚则", "情节档", "情节依据（抽取）", "同类中位数（元）"], rows,
            row_classes=classes))
    parts.append("<h3>同类案件组</h3>" + _table(
        ["罚则", "当事人", "情节档", "情节依据（抽取）", "件数", "机关数", "最低", "中位数", "最高", "最高/最低", "中位位置", "离群"],
        [[_td(_e(g["penalty_key"])), _td(_e(_party(g["party_type"]))), _td(_e(g["tier"])), _td(_e(g["cues"]) or "—"),
          _td(g["n"], True), _td(g["agencies"], True), _td(_money(g["min_fine"]), True),
          _td(_money(g["median_fine"]), True), _td(_money(g["max_fine"]), True), _td(_num(g["spread"]), True),
          _td(_num(g["median_position"]), True), _td(g["outliers"], True)] for g in multi[:300]]))
    for who, label in (("agency", "机关"), ("officer", "执法人员")):
        rows_d = stats["dispersion"][who]
        if rows_d:
            parts.append(f"<h3>按{label}的离散程度</h3>" + _table(
                [label, "可比案件", "涉及组", "平均偏离（倍，log2）", "平均方向（log2）", "离群", "中位位置"],
                [[_td(_e(r["name"])), _td(r["n"], True), _td(r["groups"], True), _td(_num(r["mean_abs_log2_dev"]), True),
                  _td(_num(r["mean_log2_dev"]), True), _td(r["outliers"], True), _td(_num(r["median_position"]), True)]
                 for r in rows_d[:200]]))
    if stats["duplicate_doc_no"]:
        parts.append("<h2>文号重复</h2>" + _table(["文号", "件数", "事实不同", "决定", "机关"], [
            [_td(_e(r["doc_no"])), _td(r["n"], True), _td(r["distinct_facts"], True), _td(_e("、".join(r["ids"]))),
             _td(_e("、".join(a for a in r["agencies"] if a)))] for r in stats["duplicate_doc_no"]]))
    # findings
    tally._trim()
    shown = tally.shown
    parts.append(f"<h2>错误和警告</h2><p>共 {tally.shown_total} 条"
                 + (f"，此处列出前 {MAX_ROWS} 条" if tally.shown_total > MAX_ROWS else "")
                 + "；全部问题（含提示）见 findings.jsonl。</p>")
    parts.append(_table(["决定", "文号", "机关", "严重程度", "问题", "说明"], [
        [_td(_e(f["id"])), _td(_e(f["doc_no"])), _td(_e(f["agency"])), _td(_sev(f["severity"])), _td(_e(f["title"])),
         _td(_e(f["message"]))] for f in shown[:MAX_ROWS]]))
    return ("<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>"
            "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>归档审查报告 · {_e(Path(read.path).name)}</title><style>{CSS}</style></head><body>"
            + "".join(parts) + "</body></html>")


def _party(p: str | None) -> str:
    return {"organization": "单位", "individual": "个人"}.get(p or "", "未知")


CSV_HEADER = ["编号", "文号", "处罚机关", "执法人员", "当事人类型", "违法行为日期", "决定日期", "罚则", "罚款（元）",
              "法定下限（元）", "法定上限（元）", "幅度位置", "情节档", "情节依据", "最高严重程度", "错误", "警告", "提示", "问题"]


def _csv_row(r: dict[str, Any], fs: list[dict[str, Any]]) -> list[Any]:
    """One decision's row of summary.csv."""
    sev = min((SEVERITIES.index(f["severity"]) for f in fs), default=None)
    rng = r.get("range") or {}
    circ = r.get("circumstances") or {}
    return [r["id"], r.get("doc_no") or "", r.get("agency") or "", r.get("officer") or "", _party(r.get("party_type")),
            r.get("violation_date") or "", r.get("decision_date") or "", r.get("penalty_key") or "",
            "" if r.get("fine_yuan") is None else r["fine_yuan"], "" if rng.get("min") is None else rng["min"],
            "" if rng.get("max") is None else rng["max"], "" if r.get("position") is None else r["position"],
            circ.get("tier") or "", "、".join(circ.get("cues") or []),
            SEV_LABEL[SEVERITIES[sev]] if sev is not None else "", sum(f["severity"] == "error" for f in fs),
            sum(f["severity"] == "warning" for f in fs), sum(f["severity"] == "info" for f in fs),
            "；".join(sorted({f.get("title") or RULES.get(f["rule"], f["rule"]) for f in fs}))]


def write_report(out_dir: Path, results: Callable[[], Iterable[dict[str, Any]]] | list[dict[str, Any]],
                 read: ReadReport) -> dict[str, str]:
    """Statistics (DuckDB), cross-decision findings, then report.html, findings.jsonl, summary.csv (UTF-8 with BOM:
    WPS and Excel read it as UTF-8), groups.csv, stats.json. Returns the files written.

    ``results`` is read twice, one decision at a time (a callable giving a fresh iterator, or a list), so an archive
    of hundreds of thousands of decisions is never held in memory whole.
    """
    def each() -> Iterable[dict[str, Any]]:
        return results() if callable(results) else iter(results)

    stats = statistics(each(), out_dir / "work")
    cross: dict[str, list[dict[str, Any]]] = {}
    for f in cross_findings(stats):
        cross.setdefault(f["id"], []).append(f)
    files = {"html": out_dir / "report.html", "findings": out_dir / "findings.jsonl", "csv": out_dir / "summary.csv",
             "groups": out_dir / "groups.csv", "stats": out_dir / "stats.json"}
    tally = Tally()
    with files["findings"].open("w", encoding="utf-8") as fj, \
            files["csv"].open("w", encoding="utf-8-sig", newline="") as fc:
        w = csv.writer(fc)
        w.writerow(CSV_HEADER)
        for r in each():
            fs = (r.get("findings") or []) + cross.get(r["id"], [])
            month = _month(r)
            for f in fs:
                row = _row(r, f)
                fj.write(json.dumps(row, ensure_ascii=False) + "\n")
                tally.add(row, month)
            w.writerow(_csv_row(r, fs))
    with files["groups"].open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["罚则", "当事人", "情节档", "情节依据", "件数", "机关数", "最低（元）", "中位数（元）", "最高（元）", "最高/最低",
                    "中位位置", "离群件数", "决定"])
        for g in stats["groups"]:
            w.writerow([g["penalty_key"], _party(g["party_type"]), g["tier"], g["cues"] or "", g["n"], g["agencies"],
                        g["min_fine"], g["median_fine"], g["max_fine"], g["spread"], g["median_position"], g["outliers"],
                        "、".join(m["id"] for m in g["members"])])
    light = {k: v for k, v in stats.items() if k not in ("groups", "agency_points")}
    light["groups"] = [{k: v for k, v in g.items() if k != "members"} | {"ids": [m["id"] for m in g["members"]]}
                       for g in stats["groups"]]
    files["stats"].write_text(json.dumps(light, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    files["html"].write_text(render_html(stats, tally, read), encoding="utf-8")
    return {k: str(v) for k, v in files.items()}
