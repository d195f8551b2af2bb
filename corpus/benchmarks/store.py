"""Benchmark store: enforcement items persisted in their own SQLite file (``data/benchmarks.sqlite``).

Kept apart from the statute store so that an agency can reload its tables without re-ingesting statutes.
Items are stored as validated JSON plus the columns needed to find them (benchmark, domain, window) and
one row per citation, so "which items cite 消防法 第六十条第一款" is an index lookup.
"""

from __future__ import annotations

import builtins
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from corpus.benchmarks.cites import ResolverLike
from corpus.benchmarks.loaders import load_path
from corpus.benchmarks.report import LoadReport
from corpus.benchmarks.scales import TierMapping
from corpus.benchmarks.schema import Benchmark, BenchmarkError, EnforcementItem

SCHEMA = """
CREATE TABLE IF NOT EXISTS benchmarks (
    name TEXT PRIMARY KEY,
    region TEXT,
    issuer TEXT,
    source_json TEXT,
    window_from TEXT,
    window_to TEXT,
    sample INTEGER NOT NULL DEFAULT 0,
    notice TEXT,
    origin TEXT,
    loaded_at TEXT NOT NULL,
    report_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS items (
    benchmark TEXT NOT NULL REFERENCES benchmarks(name) ON DELETE CASCADE,
    id TEXT NOT NULL,
    domain TEXT NOT NULL,
    region TEXT,
    title TEXT NOT NULL,
    party TEXT NOT NULL,
    valid_from TEXT,
    valid_to TEXT,
    json TEXT NOT NULL,
    PRIMARY KEY (benchmark, id)
);
CREATE INDEX IF NOT EXISTS ix_items_domain ON items(domain);
CREATE TABLE IF NOT EXISTS item_citations (
    benchmark TEXT NOT NULL,
    item_id TEXT NOT NULL,
    role TEXT NOT NULL,
    citation TEXT NOT NULL,
    FOREIGN KEY (benchmark, item_id) REFERENCES items(benchmark, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS ix_item_citations ON item_citations(citation);
"""


@dataclass(frozen=True)
class BenchmarkInfo:
    """One stored benchmark, as ``benchmarks list`` shows it."""

    name: str
    region: str | None
    issuer: str | None
    doc_no: str | None
    valid_from: str | None
    valid_to: str | None
    sample: bool
    items: int
    tiers: int
    loaded_at: str
    origin: str | None
    report: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (without the full report)."""
        d = dict(self.__dict__)
        d.pop("report")
        return d

    def valid_on(self, day: date) -> bool:
        """Whether the benchmark's own window contains ``day`` (R2.9: apply only if valid on the decision date)."""
        d = day.isoformat()
        return (self.valid_from is None or d >= self.valid_from) and (self.valid_to is None or d <= self.valid_to)


class BenchmarkStore:
    """SQLite file of benchmark items. Open once per process; reads are cheap."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: Path, create: bool = True) -> BenchmarkStore:
        """Open (and by default create) the store file.

        Raises:
            BenchmarkError: if the file does not exist and ``create`` is False.
        """
        path = Path(path)
        if not create and not path.is_file():
            raise BenchmarkError(f"benchmark store not found: {path}")
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), check_same_thread=False)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.executescript(SCHEMA)
        return cls(conn, path)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    # ---- writing ------------------------------------------------------------------------------
    def put(self, bench: Benchmark, report: LoadReport, origin: str | None = None) -> None:
        """Store a benchmark, replacing any earlier one of the same name."""
        with self.conn:
            self.conn.execute("DELETE FROM item_citations WHERE benchmark = ?", (bench.name,))
            self.conn.execute("DELETE FROM items WHERE benchmark = ?", (bench.name,))
            self.conn.execute("DELETE FROM benchmarks WHERE name = ?", (bench.name,))
            w = bench.window
            self.conn.execute(
                "INSERT INTO benchmarks VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    bench.name, bench.region, bench.issuer,
                    bench.source.model_dump_json() if bench.source else None,
                    w.valid_from.isoformat() if w and w.valid_from else None,
                    w.valid_to.isoformat() if w and w.valid_to else None,
                    int(bench.sample), bench.notice, origin,
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    report.model_dump_json(),
                ),
            )
            for it in bench.items:
                self.conn.execute(
                    "INSERT INTO items VALUES (?,?,?,?,?,?,?,?,?)",
                    (
                        bench.name, it.id, it.domain, it.region, it.title, it.party,
                        it.window.valid_from.isoformat() if it.window.valid_from else None,
                        it.window.valid_to.isoformat() if it.window.valid_to else None,
                        it.model_dump_json(),
                    ),
                )
                self.conn.executemany(
                    "INSERT INTO item_citations VALUES (?,?,?,?)",
                    [(bench.name, it.id, role, c) for role, c in it.citations()],
                )

    def load(
        self,
        path: Path,
        resolver: ResolverLike | None = None,
        mapping: TierMapping | None = None,
        today: date | None = None,
        name: str | None = None,
        **kw: Any,
    ) -> LoadReport:
        """Load an agency's own table (YAML, CSV or XLSX), store it, and return what was parsed and what not.

        The benchmark is stored even when some rows were rejected; the report lists them.
        """
        bench, report = load_path(Path(path), resolver, mapping, today, **({"name": name} if name else {}), **kw)
        if name:
            bench.name = name
            report.benchmark = name
        self.put(bench, report, origin=str(path))
        return report

    def remove(self, name: str) -> bool:
        """Delete a benchmark; True if it existed."""
        with self.conn:
            self.conn.execute("DELETE FROM item_citations WHERE benchmark = ?", (name,))
            self.conn.execute("DELETE FROM items WHERE benchmark = ?", (name,))
            cur = self.conn.execute("DELETE FROM benchmarks WHERE name = ?", (name,))
        return cur.rowcount > 0

    # ---- reading ------------------------------------------------------------------------------
    def signature(self) -> tuple[int, int, tuple[tuple[str, str], ...]]:
        """Changes whenever a benchmark is loaded, reloaded or removed, through this connection (total_changes) or
        by another process sharing the file (PRAGMA data_version); cheap enough to check on every request."""
        other = self.conn.execute("PRAGMA data_version").fetchone()[0]
        return (self.conn.total_changes, other,
                tuple(self.conn.execute("SELECT name, loaded_at FROM benchmarks ORDER BY name").fetchall()))

    def list(self) -> list[BenchmarkInfo]:
        """Every stored benchmark with its counts."""
        out = []
        for row in self.conn.execute(
            "SELECT name, region, issuer, source_json, window_from, window_to, sample, loaded_at, origin, report_json "
            "FROM benchmarks ORDER BY name"
        ):
            name, region, issuer, src, wf, wt, sample, loaded, origin, rep = row
            n_items = self.conn.execute("SELECT COUNT(*) FROM items WHERE benchmark = ?", (name,)).fetchone()[0]
            report = json.loads(rep)
            out.append(BenchmarkInfo(
                name=name, region=region, issuer=issuer,
                doc_no=json.loads(src).get("doc_no") if src else None,
                valid_from=wf, valid_to=wt, sample=bool(sample), items=n_items, tiers=int(report.get("tiers", 0)),
                loaded_at=loaded, origin=origin, report=report,
            ))
        return out

    def report(self, name: str) -> LoadReport:
        """The load report stored with a benchmark.

        Raises:
            BenchmarkError: if there is no such benchmark.
        """
        row = self.conn.execute("SELECT report_json FROM benchmarks WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise BenchmarkError(f"no benchmark named {name!r}")
        return LoadReport.model_validate_json(row[0])

    def items(self, benchmark: str | None = None, domain: str | None = None,
              valid_on: date | None = None) -> Iterator[EnforcementItem]:
        """Stored items, optionally of one benchmark or domain, or valid on a date (window of the item)."""
        sql, args = "SELECT json FROM items WHERE 1=1", []
        if benchmark:
            sql += " AND benchmark = ?"
            args.append(benchmark)
        if domain:
            sql += " AND domain = ?"
            args.append(domain)
        if valid_on:
            d = valid_on.isoformat()
            sql += " AND (valid_from IS NULL OR valid_from <= ?) AND (valid_to IS NULL OR valid_to >= ?)"
            args += [d, d]
        for (js,) in self.conn.execute(sql + " ORDER BY benchmark, rowid", args):
            yield EnforcementItem.model_validate_json(js)

    def get(self, item_id: str, benchmark: str | None = None) -> EnforcementItem:
        """One item by id (ids are unique within a benchmark).

        Raises:
            BenchmarkError: if not found or ambiguous across benchmarks.
        """
        sql, args = "SELECT json FROM items WHERE id = ?", [item_id]
        if benchmark:
            sql += " AND benchmark = ?"
            args.append(benchmark)
        rows = self.conn.execute(sql, args).fetchall()
        if not rows:
            raise BenchmarkError(f"no item {item_id!r}")
        if len(rows) > 1:
            raise BenchmarkError(f"item id {item_id!r} is in several benchmarks; name the benchmark")
        return EnforcementItem.model_validate_json(rows[0][0])

    # ``builtins.list``: inside the class body ``list`` names the method above.
    def by_article(
        self, article_citation: str, role: str | None = None
    ) -> builtins.list[tuple[str, str, EnforcementItem]]:
        """Items citing any 款/项 of an article, given the article's canonical citation (``《X》第六十条``).

        Returns (benchmark, the item's own citation, item); the caller ranks by how closely it matches.
        """
        sql = ("SELECT DISTINCT i.benchmark, c.citation, i.json FROM item_citations c JOIN items i "
               "ON i.benchmark = c.benchmark AND i.id = c.item_id WHERE (c.citation = ? OR c.citation LIKE ?)")
        args: list[Any] = [article_citation, article_citation + "第%"]
        if role:
            sql += " AND c.role = ?"
            args.append(role)
        return [(b, c, EnforcementItem.model_validate_json(js)) for b, c, js in self.conn.execute(sql, args)]

    def by_citation(self, citation: str, role: str | None = None) -> builtins.list[tuple[str, EnforcementItem]]:
        """Items that cite ``citation`` (canonical form) as 违则 (``violated``) or 罚则 (``basis``)."""
        sql = ("SELECT DISTINCT i.benchmark, i.json FROM item_citations c JOIN items i "
               "ON i.benchmark = c.benchmark AND i.id = c.item_id WHERE c.citation = ?")
        args: list[Any] = [citation]
        if role:
            sql += " AND c.role = ?"
            args.append(role)
        return [(b, EnforcementItem.model_validate_json(js)) for b, js in self.conn.execute(sql, args)]
