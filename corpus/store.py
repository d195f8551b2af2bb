"""The statute store: one SQLite file with instrument → version → article → 款 → 项."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from corpus.model import VersionRecord
from nlp.citations import normalize_title
from nlp.errors import EHError

SCHEMA_VERSION = "1"
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS instruments (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    title_key TEXT NOT NULL,
    level TEXT NOT NULL,
    doc_type TEXT,
    issuer TEXT,
    region TEXT
);
CREATE INDEX IF NOT EXISTS ix_instruments_key ON instruments(title_key);
CREATE TABLE IF NOT EXISTS versions (
    id TEXT PRIMARY KEY,
    instrument_id TEXT NOT NULL REFERENCES instruments(id),
    source TEXT NOT NULL,
    source_path TEXT NOT NULL,
    version_date TEXT,
    publish_date TEXT,
    effective_from TEXT,
    effective_to TEXT,
    original_effective TEXT,
    status TEXT,
    verified_in_force INTEGER,
    content_hash TEXT NOT NULL,
    missing_articles TEXT NOT NULL DEFAULT '[]',
    notes TEXT NOT NULL DEFAULT '[]',
    repealed_by TEXT
);
CREATE INDEX IF NOT EXISTS ix_versions_instrument ON versions(instrument_id);
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY,
    version_id TEXT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    sub INTEGER NOT NULL DEFAULT 0,
    label TEXT NOT NULL,
    chapter TEXT,
    section TEXT,
    text TEXT NOT NULL,
    liability INTEGER NOT NULL DEFAULT 0,
    UNIQUE (version_id, number, sub)
);
CREATE TABLE IF NOT EXISTS paragraphs (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (article_id, number)
);
CREATE TABLE IF NOT EXISTS items (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    paragraph INTEGER NOT NULL,
    number INTEGER NOT NULL,
    text TEXT NOT NULL,
    subitems TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (article_id, paragraph, number)
);
CREATE TABLE IF NOT EXISTS aliases (
    alias_key TEXT NOT NULL,
    instrument_id TEXT NOT NULL REFERENCES instruments(id),
    origin TEXT NOT NULL,
    PRIMARY KEY (alias_key, instrument_id)
);
"""


class StoreMissing(EHError, FileNotFoundError):
    """The store has not been built yet."""

    code = "store_missing"


@dataclass(frozen=True)
class Instrument:
    """A law, regulation or rule, independent of version."""

    id: str
    title: str
    level: str
    doc_type: str | None
    issuer: str | None
    region: str | None


@dataclass(frozen=True)
class Version:
    """One stored text of an instrument and the dates it was in force."""

    id: str
    instrument_id: str
    source: str
    source_path: str
    version_date: str | None
    effective_from: str | None
    effective_to: str | None
    original_effective: str | None
    status: str | None
    verified_in_force: bool | None
    content_hash: str
    missing_articles: tuple[int, ...]
    repealed_by: str | None

    def in_force_on(self, day: date) -> bool:
        """True if this version covers ``day`` (effective_from ≤ day < effective_to)."""
        iso = day.isoformat()
        if self.effective_from and iso < self.effective_from:
            return False
        return not (self.effective_to and iso >= self.effective_to)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly provenance."""
        return {
            "id": self.id,
            "source": self.source,
            "source_path": self.source_path,
            "version_date": self.version_date,
            "effective_from": self.effective_from,
            "effective_to": self.effective_to,
            "status": self.status,
            "verified_in_force": self.verified_in_force,
            "content_hash": self.content_hash,
        }


@dataclass(frozen=True)
class ArticleRow:
    """An article with its 款 and 项."""

    id: int
    version_id: str
    number: int
    sub: int
    label: str
    chapter: str | None
    section: str | None
    text: str
    liability: int
    paragraphs: tuple[tuple[int, str], ...]
    items: tuple[tuple[int, int, str, tuple[str, ...]], ...]  # (paragraph, number, text, subitems)

    def paragraph_numbers(self) -> list[int]:
        """Numbers of the article's 款."""
        return [p for p, _ in self.paragraphs]

    def paragraphs_with_items(self) -> list[int]:
        """款 that contain 项 (R1.8)."""
        return sorted({p for p, *_ in self.items})


def _article_row(
    r: tuple[Any, ...],
    paragraphs: tuple[tuple[int, str], ...],
    items: tuple[tuple[int, int, str, tuple[str, ...]], ...],
) -> ArticleRow:
    """An ``articles`` row (the nine columns every article query selects, in order) with its 款 and 项."""
    aid, version_id, number, sub, label, chapter, section, text, liability = r
    return ArticleRow(aid, version_id, number, sub, label, chapter, section, text, liability, paragraphs, items)


@dataclass(frozen=True)
class Provision:
    """A retrievable unit: an article, one of its 款 or one of its 项, with provenance."""

    key: str  # version_id|article|sub|paragraph|item
    citation: str
    title: str
    level: str
    version_id: str
    chapter: str | None
    article: int
    sub: int
    paragraph: int | None
    item: int | None
    text: str
    liability: int
    effective_from: str | None
    effective_to: str | None
    source: str
    region: str | None = None  # province of a local regulation; None for national instruments


def instrument_id(level: str, title: str) -> str:
    """Stable id: the same title at the same level is one instrument across versions and sources."""
    return hashlib.sha1(f"{level}|{normalize_title(title)}".encode()).hexdigest()[:12]


class Store:
    """Read and write access to the statute store."""

    def __init__(self, con: sqlite3.Connection, path: Path) -> None:
        self.con = con
        self.path = path

    @classmethod
    def open(cls, path: Path, create: bool = False) -> Store:
        """Open the store at ``path``.

        Raises:
            StoreMissing: if the file does not exist and ``create`` is false.
        """
        path = Path(path)
        if not path.exists() and not create:
            raise StoreMissing(f"statute store not found at {path}: run `enforcement-helper ingest` first")
        path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(path, check_same_thread=False)
        con.execute("PRAGMA foreign_keys=ON")
        con.execute("PRAGMA journal_mode=WAL")
        con.executescript(SCHEMA)
        return cls(con, path)

    def close(self) -> None:
        """Close the connection."""
        self.con.close()

    # ---- meta -------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        """A value of the meta table."""
        row = self.con.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        """Set a meta value (not committed)."""
        self.con.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def corpus_version(self) -> str:
        """Hash over every stored version's content hash: changes whenever any text changes."""
        return self.get_meta("corpus_version") or "empty"

    # ---- writing ----------------------------------------------------------------------------
    def version_hash(self, version_id: str) -> str | None:
        """Stored content hash of a version, if present."""
        row = self.con.execute("SELECT content_hash FROM versions WHERE id=?", (version_id,)).fetchone()
        return row[0] if row else None

    def put_version(self, rec: VersionRecord) -> None:
        """Insert or replace one version with its articles (not committed)."""
        iid = instrument_id(rec.level, rec.title)
        self.con.execute(
            "INSERT OR REPLACE INTO instruments(id, title, title_key, level, doc_type, issuer, region)"
            " VALUES (?,?,?,?,?,?,?)",
            (iid, rec.title, normalize_title(rec.title), rec.level, rec.doc_type, rec.issuer, rec.region),
        )
        self.con.execute("DELETE FROM versions WHERE id=?", (rec.version_id,))
        self.con.execute(
            "INSERT INTO versions(id, instrument_id, source, source_path, version_date, publish_date, effective_from,"
            " original_effective, status, verified_in_force, content_hash, missing_articles, notes)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                rec.version_id,
                iid,
                rec.source,
                rec.source_path,
                rec.version_date,
                rec.publish_date,
                rec.effective_from,
                rec.original_effective,
                rec.status,
                None if rec.verified_in_force is None else int(rec.verified_in_force),
                rec.content_hash,
                json.dumps(rec.missing_articles),
                json.dumps(rec.notes, ensure_ascii=False),
            ),
        )
        for a in rec.articles:
            cur = self.con.execute(
                "INSERT OR IGNORE INTO articles(version_id, number, sub, label, chapter, section, text, liability)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (rec.version_id, a.number, a.sub, a.label, a.chapter, a.section, a.text, a.liability),
            )
            if not cur.rowcount:
                continue  # a duplicated article number in the source: the first one wins
            aid = cur.lastrowid
            self.con.executemany(
                "INSERT INTO paragraphs(article_id, number, text) VALUES (?,?,?)",
                [(aid, p.number, p.text) for p in a.paragraphs],
            )
            self.con.executemany(
                "INSERT OR IGNORE INTO items(article_id, paragraph, number, text, subitems) VALUES (?,?,?,?,?)",
                [
                    (aid, p.number, it.number, it.text, json.dumps(it.subitems, ensure_ascii=False))
                    for p in a.paragraphs
                    for it in p.items
                ],
            )

    def delete_versions_except(self, source: str, keep: set[str]) -> int:
        """Drop versions of ``source`` whose ids are not in ``keep`` (a file removed upstream)."""
        ids = [r[0] for r in self.con.execute("SELECT id FROM versions WHERE source=?", (source,))]
        gone = [i for i in ids if i not in keep]
        for vid in gone:
            self.con.execute("DELETE FROM versions WHERE id=?", (vid,))
        return len(gone)

    def set_effective_to(self, version_id: str, effective_to: str | None, repealed_by: str | None = None) -> None:
        """Record when a version stopped being in force."""
        self.con.execute(
            "UPDATE versions SET effective_to=?, repealed_by=? WHERE id=?", (effective_to, repealed_by, version_id)
        )

    def put_alias(self, alias: str, iid: str, origin: str) -> None:
        """Map an alias to an instrument."""
        self.con.execute(
            "INSERT OR IGNORE INTO aliases(alias_key, instrument_id, origin) VALUES (?,?,?)",
            (normalize_title(alias), iid, origin),
        )

    def commit(self) -> None:
        """Commit pending writes."""
        self.con.commit()

    # ---- reading ----------------------------------------------------------------------------
    def instruments_by_key(self, key: str) -> list[Instrument]:
        """Instruments whose normalised title equals ``key``."""
        rows = self.con.execute(
            "SELECT id, title, level, doc_type, issuer, region FROM instruments WHERE title_key=?", (key,)
        ).fetchall()
        return [Instrument(*r) for r in rows]

    def instruments_by_alias(self, key: str) -> list[Instrument]:
        """Instruments an alias maps to."""
        rows = self.con.execute(
            "SELECT i.id, i.title, i.level, i.doc_type, i.issuer, i.region FROM aliases a"
            " JOIN instruments i ON i.id=a.instrument_id WHERE a.alias_key=?",
            (key,),
        ).fetchall()
        return [Instrument(*r) for r in rows]

    def instrument(self, iid: str) -> Instrument | None:
        """One instrument by id."""
        r = self.con.execute(
            "SELECT id, title, level, doc_type, issuer, region FROM instruments WHERE id=?", (iid,)
        ).fetchone()
        return Instrument(*r) if r else None

    def instruments(self) -> list[Instrument]:
        """All instruments, by level and title."""
        rows = self.con.execute(
            "SELECT id, title, level, doc_type, issuer, region FROM instruments ORDER BY level, title"
        ).fetchall()
        return [Instrument(*r) for r in rows]

    def known_title_keys(self) -> set[str]:
        """Every normalised title and alias (for citations written without 书名号)."""
        keys = {r[0] for r in self.con.execute("SELECT title_key FROM instruments")}
        keys |= {r[0] for r in self.con.execute("SELECT alias_key FROM aliases")}
        return keys

    def versions(self, iid: str) -> list[Version]:
        """Versions of an instrument, oldest first."""
        rows = self.con.execute(
            "SELECT id, instrument_id, source, source_path, version_date, effective_from, effective_to,"
            " original_effective, status, verified_in_force, content_hash, missing_articles, repealed_by"
            " FROM versions WHERE instrument_id=? ORDER BY COALESCE(effective_from, ''), id",
            (iid,),
        ).fetchall()
        return [
            Version(
                id=r[0],
                instrument_id=r[1],
                source=r[2],
                source_path=r[3],
                version_date=r[4],
                effective_from=r[5],
                effective_to=r[6],
                original_effective=r[7],
                status=r[8],
                verified_in_force=None if r[9] is None else bool(r[9]),
                content_hash=r[10],
                missing_articles=tuple(json.loads(r[11] or "[]")),
                repealed_by=r[12],
            )
            for r in rows
        ]

    def article(self, version_id: str, number: int, sub: int = 0) -> ArticleRow | None:
        """One article with its 款 and 项."""
        r = self.con.execute(
            "SELECT id, version_id, number, sub, label, chapter, section, text, liability FROM articles"
            " WHERE version_id=? AND number=? AND sub=?",
            (version_id, number, sub),
        ).fetchone()
        return self._article(r) if r else None

    def _article(self, r: tuple[Any, ...]) -> ArticleRow:
        paras = tuple(
            self.con.execute(
                "SELECT number, text FROM paragraphs WHERE article_id=? ORDER BY number", (r[0],)
            ).fetchall()
        )
        items = tuple(
            (p, n, t, tuple(json.loads(s)))
            for p, n, t, s in self.con.execute(
                "SELECT paragraph, number, text, subitems FROM items WHERE article_id=? ORDER BY paragraph, number",
                (r[0],),
            )
        )
        return _article_row(r, paras, items)

    def articles_of(self, version_id: str) -> Iterator[ArticleRow]:
        """Every article of a version, in order."""
        rows = self.con.execute(
            "SELECT id, version_id, number, sub, label, chapter, section, text, liability FROM articles"
            " WHERE version_id=? ORDER BY number, sub",
            (version_id,),
        ).fetchall()
        # Two queries per version instead of two per article: iterating the corpus stays fast.
        paras: dict[int, list[tuple[int, str]]] = {}
        for aid, n, t in self.con.execute(
            "SELECT p.article_id, p.number, p.text FROM paragraphs p JOIN articles a ON a.id=p.article_id"
            " WHERE a.version_id=? ORDER BY p.article_id, p.number",
            (version_id,),
        ):
            paras.setdefault(aid, []).append((n, t))
        items: dict[int, list[tuple[int, int, str, tuple[str, ...]]]] = {}
        for aid, p, n, t, subs in self.con.execute(
            "SELECT i.article_id, i.paragraph, i.number, i.text, i.subitems FROM items i JOIN articles a"
            " ON a.id=i.article_id WHERE a.version_id=? ORDER BY i.article_id, i.paragraph, i.number",
            (version_id,),
        ):
            items.setdefault(aid, []).append((p, n, t, tuple(json.loads(subs))))
        for r in rows:
            yield _article_row(r, tuple(paras.get(r[0], ())), tuple(items.get(r[0], ())))

    def iter_provisions(
        self, as_of: date | None = None, levels: tuple[str, ...] = ("article", "paragraph")
    ) -> Iterator[Provision]:
        """Every provision unit, optionally only those in force on ``as_of``.

        Args:
            as_of: Keep only versions in force that day (None: every version, for date-aware indexes).
            levels: Which units to yield: ``article``, ``paragraph`` (only for articles with several
                款) and ``item``.
        """
        from nlp.citations import format_citation  # local: keeps the import graph flat

        versions = self.con.execute(
            "SELECT v.id, i.title, i.level, v.effective_from, v.effective_to, v.source, v.status, i.region"
            " FROM versions v JOIN instruments i ON i.id=v.instrument_id ORDER BY i.title, v.effective_from"
        ).fetchall()
        for vid, title, level, v_from, v_to, source, status, region in versions:
            if as_of is not None:
                iso = as_of.isoformat()
                if (v_from and iso < v_from) or (v_to and iso >= v_to) or (status == "已废止" and not v_to):
                    continue
            for art in self.articles_of(vid):
                multi = len(art.paragraphs) > 1

                def unit(par: int | None, item: int | None, text: str, art: ArticleRow = art, multi: bool = multi,
                         row: tuple[Any, ...] = (vid, title, level, v_from, v_to, source, region)) -> Provision:
                    vid, title, level, v_from, v_to, source, region = row  # bound now, like art and multi
                    return Provision(
                        key=f"{vid}|{art.number}|{art.sub}|{par or 0}|{item or 0}",
                        citation=format_citation(title, art.number, art.sub, par, item, None, multi),
                        title=title,
                        level=level,
                        version_id=vid,
                        chapter=art.chapter,
                        article=art.number,
                        sub=art.sub,
                        paragraph=par,
                        item=item,
                        text=text,
                        liability=art.liability,
                        effective_from=v_from,
                        effective_to=v_to,
                        source=source,
                        region=region,
                    )

                if "article" in levels:
                    yield unit(None, None, art.text)
                if "paragraph" in levels and multi:
                    for p, lead in art.paragraphs:
                        items = [t for pp, _, t, _ in art.items if pp == p]
                        yield unit(p, None, "\n".join([lead, *items]) if lead else "\n".join(items))
                if "item" in levels:
                    for p, n, t, subs in art.items:
                        yield unit(p, n, "\n".join([t, *subs]))

    def counts(self) -> dict[str, int]:
        """Row counts per table, and instruments per level."""
        out = {t: self.con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in  # noqa: S608
               ("instruments", "versions", "articles", "paragraphs", "items", "aliases")}
        for level, n in self.con.execute("SELECT level, COUNT(*) FROM instruments GROUP BY level"):
            out[f"level:{level}"] = n
        return out
