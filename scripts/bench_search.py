"""Benchmarks and measured decisions for provision retrieval (index/).

Subcommands (all print JSON; ``--out FILE`` also writes it):

  encoders   speed and fidelity of encoder options on real passages (cosine vs torch fp32)
  build      full build time from the store (fresh embedding cache), rebuild time (warm cache), sizes
  eval       Recall@1/5/10 + MRR for hybrid vs BM25-only vs dense-only, plus ablations (fusion, weights,
             sparse tokeniser, conduct filter) on eval/retrieval_dev.jsonl
  latency    warm single-query p50/p95 and serving RSS, in a fresh process that only loads and searches
  items      grid for the enforcement-item evidence settings (index.items)
  calibrate  fit the no-match calibrator on the dev set (cross-validated rates) and store it in index/no_match.json
  make-dev   regenerate the derived part of eval/retrieval_dev.jsonl from ../shared (hand-written lines are kept)

Typical run (after `enforcement-helper ingest`):

  python scripts/bench_search.py encoders --n 500
  python scripts/bench_search.py build --fresh
  python scripts/bench_search.py eval
  python scripts/bench_search.py latency
  python scripts/bench_search.py calibrate

The machine is shared: every timing is reported with the 1-minute load average and the process CPU time, so a
figure taken under contention can be told apart from one taken on an idle box.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402

DEV = REPO / "eval" / "retrieval_dev.jsonl"


def _settings():
    try:
        from api.core.settings import get_settings

        return get_settings()
    except Exception:  # noqa: BLE001 - the bench must run before the api layer exists
        return None


def _paths(args: argparse.Namespace) -> tuple[Path, Path, Path]:
    s = _settings()
    data = Path(args.data_dir) if args.data_dir else (s.data_dir if s else REPO / "data")
    store = Path(args.store) if args.store else data / "corpus.sqlite"
    model = Path(args.model_dir) if args.model_dir else data / "models" / "me5-small-zh"
    return store, model, Path(args.index_dir) if args.index_dir else data / "index"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def _emit(obj: dict, args: argparse.Namespace) -> None:
    text = json.dumps(obj, ensure_ascii=False, indent=1)
    print(text)
    if getattr(args, "out", None):
        Path(args.out).write_text(text, encoding="utf-8")


def _open_store(path: Path):
    from corpus.store import Store

    return Store.open(path)


# ---- encoders ------------------------------------------------------------------------------------------------


def cmd_encoders(args: argparse.Namespace) -> None:
    """Encoding speed (wall and per CPU-second) and cosine to the torch fp32 reference."""
    from index.passages import embed_text, passages_from_store
    from nlp.encoders import E5Encoder, OnnxE5Encoder, build_e5_model

    store_path, model_dir, _ = _paths(args)
    build_e5_model(model_dir)
    ps = [p for p in passages_from_store(_open_store(store_path)) if p.meta["unit"] in ("article", "item")]
    random.Random(7).shuffle(ps)
    texts = [embed_text(p) for p in ps[: args.n]]
    ref = None
    rows = []

    def run(name: str, enc) -> None:
        nonlocal ref
        enc.encode_passages(texts[:16])
        c0, t0 = _cpu(), time.perf_counter()
        v = enc.encode_passages(texts)
        wall, cpu = time.perf_counter() - t0, _cpu() - c0
        if ref is None:
            ref = v
        cos = (v * ref).sum(1)
        rows.append({
            "encoder": name, "passages_per_s": round(len(texts) / wall, 1),
            "passages_per_cpu_s": round(len(texts) / cpu, 1), "cos_mean": round(float(cos.mean()), 5),
            "cos_min": round(float(cos.min()), 5), "cos_p1": round(float(np.percentile(cos, 1)), 5),
            "load1": round(os.getloadavg()[0], 2),
        })  # fmt: skip
        print(rows[-1], file=sys.stderr, flush=True)

    run("torch-fp32-L256-bs32", E5Encoder(model_dir, max_seq_length=256, batch_size=32))
    run("torch-fp32-L128-bs32", E5Encoder(model_dir, max_seq_length=128, batch_size=32))
    run("torch-dynq8-L256", E5Encoder(model_dir, max_seq_length=256, quantize=True))
    for bs in (8, 32):
        run(f"onnx-fp32-L256-bs{bs}", OnnxE5Encoder(model_dir, "fp32", 256, batch_size=bs))
    for bs in (4, 8, 16, 32):
        run(f"onnx-q8-L256-bs{bs}", OnnxE5Encoder(model_dir, "q8", 256, batch_size=bs))
    run("onnx-q8-L128-bs8", OnnxE5Encoder(model_dir, "q8", 128, batch_size=8))
    _emit({"passages": len(texts), "mean_chars": round(float(np.mean([len(t) for t in texts])), 1),
           "reference": "torch-fp32-L256-bs32", "rows": rows}, args)  # fmt: skip


# ---- build ---------------------------------------------------------------------------------------------------


def _config(args: argparse.Namespace):
    from index.engine import IndexConfig

    cfg = IndexConfig()
    if getattr(args, "dense_units", None):
        cfg.dense_units = tuple(args.dense_units.split(","))
    if getattr(args, "sparse_tokenizer", None):
        cfg.sparse_tokenizer = args.sparse_tokenizer
    if getattr(args, "pairing", None):
        cfg.pairing = args.pairing
    return cfg


def cmd_build(args: argparse.Namespace) -> None:
    """Full build (optionally with an empty embedding cache) and a rebuild with unchanged texts."""
    import shutil

    from index.search import Searcher
    from nlp.encoders import make_encoder

    store_path, model_dir, index_dir = _paths(args)
    store = _open_store(store_path)
    if args.fresh and index_dir.exists():
        shutil.rmtree(index_dir)  # no embedding cache, no previous BM25/pairs: a true first build
    out: dict = {"encoder_kind": args.encoder, "config": _config(args).to_json()}
    t0, c0 = time.perf_counter(), _cpu()
    enc = make_encoder(args.encoder, model_dir, build=True)
    out["encoder_load_s"] = round(time.perf_counter() - t0, 2)
    s = Searcher.from_store(store, enc, index_dir, _config(args), rebuild=True, quiet=False)
    out["full_build"] = {"wall_s": round(time.perf_counter() - t0, 1), "cpu_s": round(_cpu() - c0, 1),
                         "load1": round(os.getloadavg()[0], 2), "manifest": s.index.manifest}  # fmt: skip
    t1, c1 = time.perf_counter(), _cpu()
    s2 = Searcher.from_store(store, enc, index_dir, _config(args), rebuild=True, quiet=False)
    out["rebuild"] = {"wall_s": round(time.perf_counter() - t1, 1), "cpu_s": round(_cpu() - c1, 1),
                      "load1": round(os.getloadavg()[0], 2),
                      "encoded": s2.index.manifest["encoded_this_build"],
                      "reused_sparse_and_pairs": s2.index.manifest.get("reused_sparse_and_pairs")}  # fmt: skip
    out["peak_rss_mb_build_process"] = round(_rss_mb(), 1)
    out["index_dir_mb"] = round(sum(f.stat().st_size for f in index_dir.rglob("*") if f.is_file()) / 2**20, 1)
    _emit(out, args)


# ---- eval ----------------------------------------------------------------------------------------------------


def _summ(r: dict) -> dict:
    keep = ("R@1", "R@5", "R@10", "MRR")
    return {
        "basis": {k: r["basis"].get(k) for k in keep},
        "basis_exact_R@5": r["basis_exact"].get("R@5"),
        "violated": {k: r["violated"].get(k) for k in keep},
        "negatives_flagged": r["no_match"]["negatives_flagged"],
        "positives_flagged": r["no_match"]["positives_flagged"],
        "p50_ms": r["latency_ms"]["p50"],
    }


def _load_searcher(args: argparse.Namespace):
    from index.search import Searcher
    from nlp.encoders import make_encoder

    store_path, model_dir, index_dir = _paths(args)
    enc = make_encoder(args.encoder, model_dir, build=True)
    s = Searcher.from_store(_open_store(store_path), enc, index_dir, _config(args), quiet=True)
    bench = store_path.with_name("benchmarks.sqlite")
    if bench.exists():  # the service's configuration: every loaded table's items as evidence (index.items)
        from corpus.benchmarks import BenchmarkStore
        from index.items import ItemIndex, item_records

        s.attach_items(ItemIndex.build(item_records(BenchmarkStore.open(bench, create=False)), s.index, enc,
                                       index_dir / "item_cache"))
    return s


def cmd_eval(args: argparse.Namespace) -> None:
    """Hybrid vs BM25-only vs dense-only, and the fusion/weight/filter grid, on the dev set."""
    from index.evaluate import evaluate

    s = _load_searcher(args)
    dev = Path(args.dev)
    out: dict = {"dev": str(dev), "index": s.index.manifest, "runs": {}}

    def run(name: str, **kw) -> dict:
        r = evaluate(s, dev, top_k=10, **kw)
        out["runs"][name] = _summ(r)
        if name in ("default", "no_conduct_filter"):
            out.setdefault("groups", {})[name] = r["groups"]
            out["failures"] = r["failures"]
        print(name, out["runs"][name], file=sys.stderr, flush=True)
        return r

    run("default")
    # The backends alone, without item evidence: what hybrid retrieval and the items each add.
    run("bm25_only", dense_weight=0.0, item_weight=0.0)
    run("dense_only", dense_weight=1.0, item_weight=0.0)
    run("no_items", item_weight=0.0)
    run("no_conduct_filter", conduct_filter=False)
    s.config.propagate_dense = not s.config.propagate_dense
    run("propagate_dense_" + ("on" if s.config.propagate_dense else "off"))
    s.config.propagate_dense = not s.config.propagate_dense
    for ex in ("none", "sparse", "dense", "both"):
        run(f"expand_{ex}", expand=ex)
    for hold in map(Path, args.holdout):
        if not hold.is_file():
            continue
        for name, kw in (("default", {}), ("bm25_only", {"dense_weight": 0.0, "item_weight": 0.0}),
                         ("dense_only", {"dense_weight": 1.0, "item_weight": 0.0}), ("no_items", {"item_weight": 0.0}),
                         ("expand_none", {"expand": "none"})):  # fmt: skip
            r = evaluate(s, hold, top_k=10, **kw)
            out.setdefault(hold.stem, {})[name] = _summ(r)
            if name == "default":
                out[f"{hold.stem}_failures"] = r["failures"]
            print(hold.stem, name, out[hold.stem][name], file=sys.stderr, flush=True)
    if args.grid:
        for method in ("minmax", "zscore", "rrf"):
            for w in (0.3, 0.4, 0.5, 0.6, 0.7):
                run(f"{method}_w{w}", fusion=method, dense_weight=w)
    _emit(out, args)


def cmd_items(args: argparse.Namespace) -> None:
    """Grid for the item-evidence settings (index.items), scored on dev sources that are not the tables themselves.

    The 江门 and 上海 dev lines are those tables' own violation names, so items would find them trivially; the grid
    optimises the mean 罚则 R@5 (then 违则 R@5) of the other sources and reports the table sources beside it.
    """
    import itertools

    from index.evaluate import evaluate

    s = _load_searcher(args)
    items = s.items
    if items is None:
        raise SystemExit("no benchmark store beside the statute store: run `enforcement-helper build`")
    fair = args.fair.split(",")
    rows = []
    for w, mm, ds, lo, hi in itertools.product((0.4, 0.8, 1.2), (0.3, 0.45), (0.5, 0.7), (0.82, 0.86), (0.93, 0.96)):
        items.min_match, items.dense_share, items.lo, items.hi = mm, ds, lo, hi
        r = evaluate(s, Path(args.dev), top_k=10, item_weight=w)
        g = r["groups"]
        row = {"item_weight": w, "min_match": mm, "dense_share": ds, "lo": lo, "hi": hi,
               "fair_basis_R@5": round(float(np.mean([g[k]["basis"]["R@5"] for k in fair if k in g])), 4),
               "fair_violated_R@5": round(float(np.mean([g[k]["violated"]["R@5"] for k in fair
                                                         if k in g and g[k]["violated"].get("R@5") is not None])), 4),
               "all_basis_R@5": r["basis"]["R@5"], "all_basis_R@1": r["basis"]["R@1"],
               "all_violated_R@5": r["violated"]["R@5"]}  # fmt: skip
        rows.append(row)
        print(row, file=sys.stderr, flush=True)
    rows.sort(key=lambda x: (x["fair_basis_R@5"], x["fair_violated_R@5"]), reverse=True)
    _emit({"fair_sources": fair, "best": rows[:5], "grid": rows}, args)


# ---- latency -------------------------------------------------------------------------------------------------


def cmd_latency(args: argparse.Namespace) -> None:
    """Warm single-query latency and RSS of a process that only loads the saved index and searches."""
    from datetime import date

    from index.evaluate import load_dev

    t0 = time.perf_counter()
    s = _load_searcher(args)
    load_s = time.perf_counter() - t0
    items = load_dev(Path(args.dev))
    queries = [(it["query"], date.fromisoformat(it["as_of"])) for it in items]
    for q, d in queries[:20]:
        s.search(q, as_of=d)  # warm-up
    lat = []
    for _ in range(args.repeat):
        for q, d in queries:
            t = time.perf_counter()
            s.search(q, as_of=d, top_k=10)
            lat.append((time.perf_counter() - t) * 1000)
    a = np.array(lat)
    _emit({
        "queries": len(lat), "load_s": round(load_s, 2), "p50_ms": round(float(np.percentile(a, 50)), 2),
        "p95_ms": round(float(np.percentile(a, 95)), 2), "max_ms": round(float(a.max()), 2),
        "rss_mb": round(_rss_mb(), 1), "load1": round(os.getloadavg()[0], 2),
    }, args)  # fmt: skip


# ---- calibrate -----------------------------------------------------------------------------------------------


def cmd_calibrate(args: argparse.Namespace) -> None:
    """Fit the no-match calibrator on dev positives vs negatives; report leave-one-out style CV rates."""
    from datetime import date

    from index.calibration import NoMatchCalibrator
    from index.evaluate import load_dev

    s = _load_searcher(args)
    s.calibrator = None
    pos, neg = [], []
    for it in load_dev(Path(args.dev)):
        res = s.search(it["query"], as_of=date.fromisoformat(it["as_of"]))
        (pos if (it["basis"] or it["violated"]) else neg).append(np.array(res.features))
    key = NoMatchCalibrator.key_for(s.encoder.name, s.config)
    # 5-fold CV estimate of the rates, then the final fit on everything.
    rng = np.random.default_rng(0)
    pi, ni = rng.permutation(len(pos)), rng.permutation(len(neg))
    kept, caught = [], []
    for k in range(5):
        tp = [pos[i] for i in pi if i % 5 != k]
        tn = [neg[i] for i in ni if i % 5 != k]
        cal = NoMatchCalibrator.fit(tp, tn, key, keep_positive=args.keep)
        kept += [cal.confidence(pos[i]) >= cal.threshold for i in pi if i % 5 == k]
        caught += [cal.confidence(neg[i]) < cal.threshold for i in ni if i % 5 == k]
    final = NoMatchCalibrator.fit(pos, neg, key, keep_positive=args.keep)
    final.fitted_on = {**(final.fitted_on or {}), "dev": str(Path(args.dev).name),
                       "cv_positives_kept": round(float(np.mean(kept)), 4),
                       "cv_negatives_flagged": round(float(np.mean(caught)), 4)}  # fmt: skip
    if not args.dry_run:
        final.save()
    _emit({"key": key, "positives": len(pos), "negatives": len(neg), **final.fitted_on,
           "coef": dict(zip(("dense_top", "dense_margin", "sparse_top_per_char", "sparse_margin"), final.coef, strict=False))}, args)  # fmt: skip


# ---- make-dev ------------------------------------------------------------------------------------------------


_FIRE = "中华人民共和国消防法"
# 沪消免罚清单 names the 违则 of each conduct; 沪消事项清单 (沪公行规〔2021〕7号) names the 罚则 item of the same conduct.
_FIRE_BASIS_BY_WORD = (
    ("缺损", "第六十条第一款第（一）项"), ("消防车通道", "第六十条第一款第（五）项"), ("门窗", "第六十条第一款第（六）项"),
    ("消火栓", "第六十条第一款第（四）项"), ("防火间距", "第六十条第一款第（四）项"), ("疏散", "第六十条第一款第（三）项"),
    ("损坏", "第六十条第一款第（二）项"), ("拆除", "第六十条第一款第（二）项"), ("完好有效", "第六十条第一款第（一）项"),
    ("不符合国家标准", "第六十条第一款第（一）项"),
)  # fmt: skip
_JIANGMEN_SHEETS = ("环境影响评价法", "水污染防治法", "大气污染防治法", "土壤污染防治法", "放射污染防治法", "建管条例", "畜禽条例")


def derive_dev(shared: Path, store) -> list[dict]:
    """Dev lines derived from shared material (provenance in eval/README.md, section "retrieval").

    * fav.md (常用条例): each violation type → its 违则 and 罚则 tabs; the query is the heading (jargon) and the
      quoted description. A tab is a 罚则 when the store marks the article as liability with a sanction.
    * 江门 table: one row per violation of the sheets whose cited law version is in the store (the 2016 固废法, the
      old 噪声法 and the 广东 regulations are not), every third row of the big sheets; 罚则 = 法律依据's first
      citation(s); 违则 only where the quoted text says 违反本法第X条.
    * 上海 fire: 事项清单 items citing 消防法 (conduct → 罚则), 免罚清单 items (conduct → 违则), joined on the conduct.
    """
    import csv
    import re
    from collections import defaultdict

    from nlp.citations import Context, format_citation, normalize_title, parse_citations

    con = store.con

    def art(title: str, n: int) -> list[tuple]:
        return con.execute(
            "SELECT a.liability, a.text, i.title FROM articles a JOIN versions v ON v.id=a.version_id"
            " JOIN instruments i ON i.id=v.instrument_id WHERE i.title_key=? AND a.number=? AND a.sub=0",
            (normalize_title(title), n),
        ).fetchall()

    def cite(title: str, c) -> str:
        rows = art(title, c.article)
        full = rows[0][2] if rows else title
        return format_citation(full, c.article, c.article_sub, c.paragraph, c.item, show_paragraph=bool(c.paragraph))

    out: list[dict] = []
    raw = shared / "corpus" / "raw"
    # fav.md
    fav = (raw / "cee-eco-env/docs/fav.md").read_text(encoding="utf-8")
    n_fav = 0
    for sec in re.split(r"^### ", fav, flags=re.M)[1:]:
        name = sec.splitlines()[0].strip()
        m = re.search(r"^>(.+)$", sec, flags=re.M)
        if not m:
            continue
        violated, basis = [], []
        for block in re.split(r"^::: details ", sec, flags=re.M)[1:]:
            law = block.splitlines()[0].strip()
            for tab in re.findall(r"^@tab (.+)$", block, flags=re.M):
                for c in (c for c in parse_citations(f"《{law}》{tab.strip()}") if c.article):
                    rows = art(law, c.article)
                    if not rows:
                        continue  # e.g. 突发环境事件应急管理办法: not in the store
                    sanction = rows[0][0] >= 1 and re.search(r"罚款|处罚|拘留|吊销|责令停|处分", rows[0][1])
                    (basis if sanction else violated).append(cite(law, c))
        if not basis:
            continue
        for kind, q in (("heading", name), ("desc", m.group(1).strip())):
            n_fav += 1
            out.append({"id": f"fav-{n_fav:03d}", "query": q, "as_of": "2025-06-01", "violated": sorted(set(violated)),
                        "basis": sorted(set(basis)), "source": f"fav:cee-eco-env/docs/fav.md#{name} ({kind})"})  # fmt: skip
    # 江门
    rows = list(csv.DictReader((raw / "cee-eco-env/converted/jiangmen_eco_discretion_table.csv").open(encoding="utf-8")))
    first: dict[tuple, dict] = {}
    for r in rows:
        first.setdefault((r["sheet"], r["seq"]), r)
    by_sheet: dict[str, list[dict]] = defaultdict(list)
    for (sheet, seq), r in first.items():
        if sheet not in _JIANGMEN_SHEETS:
            continue
        lb = r["legal_basis"]
        cs = [c for c in parse_citations(lb) if c.law and c.article]
        if not cs:
            continue
        law = cs[0].law
        head = lb.split("：")[0].split(":")[0]
        basis = [cite(law, c) for c in cs if c.end <= len(head) + 2 and normalize_title(c.law) == normalize_title(law)
                 and art(law, c.article)]  # fmt: skip
        if not basis:
            continue
        quote = lb[len(head):]
        viol = [cite(c.law, c) for c in parse_citations(quote, context=Context(law=law))
                if "违反" in quote[max(0, c.start - 12):c.start] and c.article and not c.relative and art(c.law, c.article)]  # fmt: skip
        by_sheet[sheet].append({"id": f"jm-{seq}", "query": re.sub(r"\s+", "", r["violation"]), "as_of": "2025-06-01",
                                "violated": sorted(set(viol)), "basis": sorted(set(basis)),
                                "source": f"jiangmen:cee-eco-env/converted/jiangmen_eco_discretion_table.csv#{sheet}/{seq}"})  # fmt: skip
    for sheet in _JIANGMEN_SHEETS:
        ds = by_sheet.get(sheet, [])
        out.extend(ds if len(ds) <= 6 else ds[::3])
    # 上海 fire
    fire = raw / "shanghai-gov-docs/docs/消防与人防"
    lst = next(fire.glob("*事项清单*.md")).read_text(encoding="utf-8")
    listed = []
    for m in re.finditer(r"^（([一二三四五六七八九十]+)）(.+?)（(《消防法》[^）]+)）[；。]", lst, flags=re.M):
        label, name, ref = m.groups()
        basis = sorted({cite(_FIRE, c) for c in parse_citations(ref) if c.article})
        b = " ".join(basis)
        viol = []
        if "第六十条第一款第（一）项" in b:
            viol = [f"《{_FIRE}》第十六条第一款第（二）项"]
        elif "第六十条" in b and any(s in b for s in ("第（二）项", "第（三）项", "第（四）项", "第（五）项")):
            viol = [f"《{_FIRE}》第二十八条"]
        listed.append({"id": f"shlist-{len(listed) + 1:02d}", "query": name, "as_of": "2026-03-01", "violated": viol,
                       "basis": basis, "source": f"shanghai:本市公安机关行使有关消防行政处罚权事项清单 ({label})"})  # fmt: skip
    out.extend(listed)
    free = next(fire.glob("*不予行政处罚清单*.md")).read_text(encoding="utf-8")
    seen = {d["query"] for d in listed}
    for m in re.finditer(r"^（([一二三四五六七八九十]+)）违反《中华人民共和国消防法》(第[^，]+)，(.+?)，(?:首次发现后|当场改正|当事人)",
                         free, flags=re.M):  # fmt: skip
        label, ref, conduct = m.groups()
        if conduct in seen:
            continue
        viol = [cite(_FIRE, c) for c in parse_citations(f"《{_FIRE}》{ref}") if c.article]
        basis = next(([f"《{_FIRE}》{b}"] for w, b in _FIRE_BASIS_BY_WORD if w in conduct), [])
        out.append({"id": f"shfree-{label}", "query": conduct, "as_of": "2026-03-01", "violated": viol, "basis": basis,
                    "source": f"shanghai:上海市消防安全领域依法不予行政处罚清单 ({label})"})  # fmt: skip
    return out


def cmd_make_dev(args: argparse.Namespace) -> None:
    """Re-derive the fav.md / 江门 / 上海 lines of the dev set; keep the hand-written ones."""
    s = _settings()
    shared = Path(args.shared_dir) if args.shared_dir else (s.shared_dir if s else REPO.parent / "shared")
    store_path, _, _ = _paths(args)
    derived = derive_dev(shared, _open_store(store_path))
    dev = Path(args.dev)
    kept = [json.loads(x) for x in dev.read_text(encoding="utf-8").splitlines() if x.strip()] if dev.exists() else []
    kept = [d for d in kept if d["source"].split(":", 1)[0] in ("hand", "narrative", "negative")]
    if not args.dry_run:
        with dev.open("w", encoding="utf-8") as f:
            for d in derived + kept:
                f.write(json.dumps(d, ensure_ascii=False) + "\n")
    _emit({"derived": len(derived), "hand_written": len(kept), "path": str(dev)}, args)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir")
    ap.add_argument("--store")
    ap.add_argument("--model-dir")
    ap.add_argument("--index-dir")
    ap.add_argument("--encoder", default="e5")
    ap.add_argument("--dense-units", help="comma list, e.g. liability:article,liability:item")
    ap.add_argument("--sparse-tokenizer")
    ap.add_argument("--pairing", choices=("dense", "lexical", "both"))
    ap.add_argument("--dev", default=str(DEV))
    ap.add_argument("--out")
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("encoders")
    e.add_argument("--n", type=int, default=500)
    b = sub.add_parser("build")
    b.add_argument("--fresh", action="store_true", help="delete the index dir and its embedding cache first")
    v = sub.add_parser("eval")
    v.add_argument("--grid", action="store_true")
    v.add_argument("--holdout", nargs="*", default=[str(REPO / "eval" / f"retrieval_holdout{n}.jsonl") for n in ("", "2")])
    it = sub.add_parser("items")
    it.add_argument("--fair", default="fav,hand,narrative", help="dev sources the grid optimises (not the tables)")
    lt = sub.add_parser("latency")
    lt.add_argument("--repeat", type=int, default=2)
    c = sub.add_parser("calibrate")
    c.add_argument("--keep", type=float, default=0.97)
    c.add_argument("--dry-run", action="store_true")
    m = sub.add_parser("make-dev")
    m.add_argument("--shared-dir")
    m.add_argument("--dry-run", action="store_true")
    args = ap.parse_args()
    {"encoders": cmd_encoders, "build": cmd_build, "eval": cmd_eval, "items": cmd_items, "latency": cmd_latency,
     "calibrate": cmd_calibrate, "make-dev": cmd_make_dev}[args.cmd](args)  # fmt: skip


if __name__ == "__main__":
    main()
