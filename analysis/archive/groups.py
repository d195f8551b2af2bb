"""同案不同罚 and the other cross-decision statistics, in DuckDB over the per-decision results.

Two decisions count as alike when they cite the same 罚则 (the article, or the 款/项 when the decision gives them; all
of them when it cites several), the party is of the same kind (单位/个人), and the circumstances extracted from the
facts put them in the same band: ``analysis.tiers.statutory_tier`` (从轻/一般/从重, with the cue that decides), the
extraction the analysis itself uses. Fines are compared on a log scale (a fine twice the median is as far off as one
half of it); an outlier is at least twice or at most half its group's median *and* far from the rest (modified
z-score over the median absolute deviation above 3.5, or every other fine equal). Groups of fewer than three fined
decisions report no outliers.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

OUTLIER_RATIO = 2.0  # at least twice or at most half the group median
OUTLIER_Z = 3.5  # modified z-score (Iglewicz & Hoaglin)
MIN_GROUP = 3

FLAT_COLUMNS: dict[str, str] = {
    "id": "VARCHAR", "doc_no": "VARCHAR", "agency": "VARCHAR", "officer": "VARCHAR", "party_type": "VARCHAR",
    "decision_date": "VARCHAR", "month": "VARCHAR", "fine_yuan": "DOUBLE", "penalty_key": "VARCHAR",
    "penalty_article": "VARCHAR", "tier": "VARCHAR", "cues": "VARCHAR", "position": "DOUBLE", "range_min": "DOUBLE",
    "range_max": "DOUBLE", "severity": "VARCHAR", "facts_hash": "VARCHAR", "party": "VARCHAR",
}
FINDING_COLUMNS: dict[str, str] = {"id": "VARCHAR", "rule": "VARCHAR", "severity": "VARCHAR", "month": "VARCHAR",
                                   "agency": "VARCHAR"}


def flat_row(r: dict[str, Any]) -> dict[str, Any]:
    """One decision's result as a flat row for the statistics."""
    rng = r.get("range") or {}
    circ = r.get("circumstances") or {}
    day = r.get("decision_date") or r.get("violation_date") or ""
    return {"id": r["id"], "doc_no": r.get("doc_no"), "agency": r.get("agency") or "（未载明机关）",
            "officer": r.get("officer"), "party_type": r.get("party_type") or "unknown",
            "decision_date": r.get("decision_date"), "month": day[:7] if len(day) >= 7 else (day[:4] or None),
            "fine_yuan": r.get("fine_yuan"), "penalty_key": r.get("penalty_key"),
            "penalty_article": r.get("penalty_article"), "tier": circ.get("tier") or "一般",
            "cues": ",".join(circ.get("cues") or []), "position": r.get("position"), "range_min": rng.get("min"),
            "range_max": rng.get("max"), "severity": r.get("severity"), "facts_hash": r.get("facts_hash"),
            "party": r.get("party")}


def _rows(con: Any, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _columns(spec: dict[str, str]) -> str:
    return "{" + ", ".join(f"'{k}': '{v}'" for k, v in spec.items()) + "}"


def statistics(results: Iterable[dict[str, Any]], work_dir: Path) -> dict[str, Any]:
    """Groups, outliers, dispersion per agency and officer, duplicate 文号, findings by month — all in DuckDB.

    The per-decision results are written, one at a time, as flat JSON lines to ``work_dir`` and read there by DuckDB,
    so the same queries run over 400,000 decisions without a Python table of them.
    """
    import duckdb

    work_dir.mkdir(parents=True, exist_ok=True)
    flat_path, find_path = work_dir / "decisions_flat.jsonl", work_dir / "findings_flat.jsonl"
    with flat_path.open("w", encoding="utf-8") as fd, find_path.open("w", encoding="utf-8") as ff:
        for r in results:
            row = flat_row(r)
            fd.write(json.dumps(row, ensure_ascii=False) + "\n")
            for f in r.get("findings") or []:
                ff.write(json.dumps({"id": r["id"], "rule": f["rule"], "severity": f["severity"], "month": row["month"],
                                     "agency": row["agency"]}, ensure_ascii=False) + "\n")
    con = duckdb.connect()
    try:
        con.execute(f"CREATE TABLE d AS SELECT * FROM read_json('{flat_path.as_posix()}', format='newline_delimited', "
                    f"columns={_columns(FLAT_COLUMNS)})")
        con.execute(f"CREATE TABLE f AS SELECT * FROM read_json('{find_path.as_posix()}', format='newline_delimited', "
                    f"columns={_columns(FINDING_COLUMNS)})")
        return _queries(con)
    finally:
        con.close()


def _queries(con: Any) -> dict[str, Any]:
    ln_ratio = math.log(OUTLIER_RATIO)
    # One row per fined decision with its group and its distance from the group's median (log scale).
    con.execute("""
        CREATE TABLE g AS
        WITH base AS (
            SELECT *, ln(fine_yuan) AS lf FROM d WHERE fine_yuan > 0 AND penalty_key IS NOT NULL
        ), stats AS (
            SELECT penalty_key, party_type, tier, count(*) AS n, median(lf) AS med_lf
            FROM base GROUP BY penalty_key, party_type, tier
        ), dev AS (
            SELECT b.*, s.n, s.med_lf, b.lf - s.med_lf AS dlf
            FROM base b JOIN stats s USING (penalty_key, party_type, tier)
        ), mad AS (
            SELECT penalty_key, party_type, tier, median(abs(dlf)) AS mad FROM dev GROUP BY penalty_key, party_type, tier
        )
        SELECT dev.*, mad.mad,
               CASE WHEN mad.mad > 0 THEN 0.6745 * dev.dlf / mad.mad END AS mz,
               dense_rank() OVER (ORDER BY dev.penalty_key, dev.party_type, dev.tier) AS gid
        FROM dev JOIN mad USING (penalty_key, party_type, tier)
    """)
    con.execute(f"""
        ALTER TABLE g ADD COLUMN outlier BOOLEAN;
        UPDATE g SET outlier = n >= {MIN_GROUP} AND abs(dlf) >= {ln_ratio}
                               AND (mad = 0 OR abs(mz) > {OUTLIER_Z});
    """)
    groups = _rows(con, """
        SELECT gid, penalty_key, party_type, tier, count(*) AS n, count(DISTINCT agency) AS agencies,
               min(fine_yuan) AS min_fine, median(fine_yuan) AS median_fine, max(fine_yuan) AS max_fine,
               avg(fine_yuan) AS mean_fine,
               CASE WHEN avg(fine_yuan) > 0 THEN stddev_samp(fine_yuan) / avg(fine_yuan) END AS cv,
               max(fine_yuan) / min(fine_yuan) AS spread,
               median(position) AS median_position, min(position) AS min_position, max(position) AS max_position,
               count(position) AS with_position, sum(CASE WHEN outlier THEN 1 ELSE 0 END) AS outliers,
               string_agg(DISTINCT nullif(cues, ''), ' | ') AS cues,
               any_value(range_min) AS range_min, any_value(range_max) AS range_max
        FROM g GROUP BY gid, penalty_key, party_type, tier
        ORDER BY n DESC, spread DESC, penalty_key
    """)
    members = _rows(con, """
        SELECT gid, id, agency, officer, fine_yuan, position, cues, outlier, round(exp(dlf), 3) AS ratio_to_median,
               round(mz, 2) AS mz, decision_date, doc_no
        FROM g ORDER BY gid, fine_yuan, id
    """)
    by_gid: dict[int, list[dict[str, Any]]] = {}
    for m in members:
        by_gid.setdefault(m["gid"], []).append(m)
    for grp in groups:
        grp["members"] = by_gid.get(grp["gid"], [])
    outliers = [m for m in members if m["outlier"]]
    group_agency = _rows(con, """
        SELECT gid, agency, count(*) AS n, median(fine_yuan) AS median_fine, median(position) AS median_position,
               min(fine_yuan) AS min_fine, max(fine_yuan) AS max_fine
        FROM g GROUP BY gid, agency ORDER BY gid, median_fine
    """)
    dispersion = {}
    for who in ("agency", "officer"):
        dispersion[who] = _rows(con, f"""
            SELECT {who} AS name, count(*) AS n, count(DISTINCT gid) AS groups,
                   avg(abs(dlf)) / ln(2) AS mean_abs_log2_dev,
                   avg(dlf) / ln(2) AS mean_log2_dev,
                   sum(CASE WHEN outlier THEN 1 ELSE 0 END) AS outliers,
                   median(position) AS median_position
            FROM g WHERE n >= 2 AND {who} IS NOT NULL GROUP BY {who}
            ORDER BY mean_abs_log2_dev DESC, name
        """)
    agency_points = _rows(con, """
        SELECT agency, id, dlf / ln(2) AS log2_dev, outlier FROM g WHERE n >= 2 ORDER BY agency, id
    """)
    dup_doc = _rows(con, """
        SELECT doc_no, count(*) AS n, count(DISTINCT facts_hash) AS distinct_facts,
               list(id ORDER BY id) AS ids, list(DISTINCT agency) AS agencies
        FROM d WHERE doc_no IS NOT NULL AND trim(doc_no) <> ''
        GROUP BY doc_no HAVING count(*) > 1 ORDER BY n DESC, doc_no
    """)
    by_month = _rows(con, """
        SELECT coalesce(month, '未载明') AS month, rule, severity, count(*) AS n
        FROM f GROUP BY 1, rule, severity ORDER BY month, rule
    """)
    by_rule = _rows(con, """
        SELECT rule, severity, count(*) AS n, count(DISTINCT id) AS decisions FROM f GROUP BY rule, severity
        ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, n DESC
    """)
    totals = _rows(con, """
        SELECT count(*) AS decisions, count(fine_yuan) AS fined, count(penalty_key) AS with_penalty_provision,
               count(position) AS with_position,
               sum(CASE WHEN severity = 'error' THEN 1 ELSE 0 END) AS with_error,
               sum(CASE WHEN severity = 'warning' THEN 1 ELSE 0 END) AS with_warning,
               count(DISTINCT agency) AS agencies
        FROM d
    """)[0]
    return {"groups": groups, "outliers": outliers, "group_agency": group_agency, "dispersion": dispersion,
            "agency_points": agency_points, "duplicate_doc_no": dup_doc, "findings_by_month": by_month,
            "findings_by_rule": by_rule, "totals": totals}


def cross_findings(stats: dict[str, Any]) -> list[dict[str, Any]]:
    """Findings that need several decisions: duplicate 文号 and 同案不同罚 outliers (with the cases beside them)."""
    from analysis.archive.checks import RULES

    out: list[dict[str, Any]] = []
    for dup in stats["duplicate_doc_no"]:
        same = dup["distinct_facts"] == 1
        rule = "duplicate_record" if same else "duplicate_doc_no"
        for rid in dup["ids"]:
            others = [i for i in dup["ids"] if i != rid]
            msg = (f"文号 {dup['doc_no']} 与 {'、'.join(others)} 相同且事实一致：同一决定重复公示" if same else
                   f"文号 {dup['doc_no']} 同时用于 {len(dup['ids'])} 份事实不同的决定（{'、'.join(others)}）：文号应唯一")
            out.append({"id": rid, "rule": rule, "title": RULES[rule], "severity": "info" if same else "error",
                        "message": msg, "evidence": {"doc_no": dup["doc_no"], "ids": dup["ids"],
                                                     "agencies": dup["agencies"]}})
    by_gid = {g["gid"]: g for g in stats["groups"]}
    for m in stats["outliers"]:
        g = by_gid[m["gid"]]
        beside = sorted((x for x in g["members"] if x["id"] != m["id"]),
                        key=lambda x: abs(math.log(x["fine_yuan"] / m["fine_yuan"])))[:5]
        way = "高于" if m["ratio_to_median"] > 1 else "低于"
        out.append({
            "id": m["id"], "rule": "disparate_penalty", "title": RULES["disparate_penalty"], "severity": "warning",
            "message": (f"同一罚则（{g['penalty_key']}）、同类当事人、同一情节档（{g['tier']}）的 {g['n']} 件中，本件罚款 "
                        f"{m['fine_yuan']:,.2f} 元是中位数 {g['median_fine']:,.2f} 元的 {m['ratio_to_median']} 倍，明显{way}同类案件"),
            "evidence": {"group": {"penalty_key": g["penalty_key"], "party_type": g["party_type"], "tier": g["tier"],
                                   "n": g["n"], "median_fine": g["median_fine"], "cues": g["cues"]},
                         "fine_yuan": m["fine_yuan"], "ratio_to_median": m["ratio_to_median"], "mz": m["mz"],
                         "cases_beside": [{k: x[k] for k in ("id", "agency", "fine_yuan", "position", "cues")}
                                          for x in beside]},
        })
    return out
