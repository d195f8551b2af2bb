"""Archive audit benchmark (issue 15): throughput, findings recall on planted defects, clean decisions flagged as
errors, and the projection for 400,000 decisions on N Ray workers.

    python scripts/bench_archive.py [--planted eval/archive_planted.jsonl] [--workers 2] [--json]

1. The whole audit (``run_audit``: process pool, statistics, report) over the planted sample: every finding, incl.
   duplicate 文号, is scored against ``label_expect``.
2. Throughput of the per-decision checks (citations, fine, procedure, limitation, retrieval agreement): a pool of
   ``--workers`` processes, warmed up (store, index and encoder loaded), then timed over the 45 real decisions
   (different facts) repeated ``--repeat`` times; wall clock, and CPU time (the rate with the cores to ourselves, as
   the machine is shared).
3. The projection: load time per worker + decisions / (workers × per-worker rate), plus the DuckDB statistics
   measured here and scaled linearly.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, wait
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from analysis.archive.checks import AuditConfig  # noqa: E402
from analysis.archive.readers import read_archive  # noqa: E402
from analysis.archive.runner import _audit_batch, _batches, _init_worker, run_audit  # noqa: E402
from api.core.settings import get_settings  # noqa: E402
from nlp.regions import normalize_region  # noqa: E402


def _config(threads: int) -> AuditConfig:
    s = get_settings()
    return AuditConfig(store_path=s.store_path, index_dir=s.index_dir, model_dir=s.model_dir, encoder=s.encoder,
                       benchmarks_path=s.benchmarks_path, embedding_cache_dir=s.embedding_cache_dir,
                       default_region=normalize_region(s.region), retrieval=True, encoder_threads=threads)


def _timed_batch(batch: list) -> tuple[int, float]:
    """One batch in a pool worker: how many, and the CPU seconds it took (other users of the cores excluded)."""
    t = time.process_time()
    n = len(_audit_batch(batch))
    return n, time.process_time() - t


def _load_seconds(cfg: AuditConfig) -> float:
    t = time.perf_counter()
    _init_worker(cfg)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--planted", type=Path, default=REPO / "eval" / "archive_planted.jsonl")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    labels = {}
    for line in args.planted.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            labels[rec["id"]] = (rec.get("label_planted"), rec.get("label_expect") or [])
    cfg = _config(1)
    out: dict = {"sample": str(args.planted.relative_to(REPO)) if args.planted.is_relative_to(REPO) else str(args.planted),
                 "decisions": len(labels), "workers": args.workers, "cores": os.cpu_count()}

    # 1. the whole audit, scored
    with tempfile.TemporaryDirectory(prefix="eh-bench-archive-") as tmp:
        summary = run_audit(args.planted, Path(tmp), cfg, workers=args.workers, batch=args.batch, progress=False)
        findings = [json.loads(x) for x in Path(summary.files["findings"]).read_text(encoding="utf-8").splitlines()]
        t = time.perf_counter()
        from analysis.archive.groups import statistics
        from analysis.archive.runner import load_results

        results = list(load_results(Path(tmp) / "results.jsonl").values())
        # the statistics have a fixed cost: time them on the results repeated 200 times (each copy its own id)
        big = [{**r, "id": f"{r['id']}#{k}", "doc_no": None} for k in range(200) for r in results]
        t = time.perf_counter()
        statistics(big, Path(tmp) / "work2")
        stats_s = time.perf_counter() - t
        results = big
    out["full_run_seconds"] = round(summary.seconds, 2)
    by_id: dict[str, list[dict]] = {}
    for f in findings:
        by_id.setdefault(f["id"], []).append(f)
    per_kind: dict[str, dict] = {}
    missed = []
    for rid, (kind, expect) in labels.items():
        if not kind:
            continue
        k = per_kind.setdefault(kind, {"planted": 0, "found": 0})
        k["planted"] += 1
        if any(f["rule"] in expect for f in by_id.get(rid, [])):
            k["found"] += 1
        else:
            missed.append({"id": rid, "kind": kind, "expect": expect,
                           "got": sorted({f["rule"] for f in by_id.get(rid, [])})})
    planted = sum(k["planted"] for k in per_kind.values())
    found = sum(k["found"] for k in per_kind.values())
    clean = [rid for rid, (kind, _) in labels.items() if not kind]
    flagged = {rid: [f"{f['rule']}: {f['message']}" for f in by_id.get(rid, []) if f["severity"] == "error"]
               for rid in clean}
    flagged = {k: v for k, v in flagged.items() if v}
    out["recall"] = {"planted": planted, "found": found, "rate": round(found / planted, 4) if planted else None,
                     "by_kind": per_kind, "missed": missed}
    out["clean"] = {"decisions": len(clean), "flagged_error": len(flagged),
                    "rate": round(len(flagged) / len(clean), 4) if clean else None, "which": flagged}

    # 2. warm throughput of the per-decision checks
    # timed on the real decisions (45 different facts): the planted copies share facts, whose queries a batch would
    # encode once, which would flatter the rate
    read = read_archive(get_settings().shared_dir / "eval" / "real_decisions" / "decisions.jsonl")
    decisions = [copy.deepcopy(d) for _ in range(args.repeat) for d in read.decisions]
    for i, d in enumerate(decisions):
        d.id = f"{d.id}#{i}"
    load_s = _load_seconds(cfg)
    with ProcessPoolExecutor(max_workers=args.workers, initializer=_init_worker, initargs=(cfg,)) as pool:
        wait([pool.submit(_audit_batch, read.decisions[:2]) for _ in range(args.workers * 2)])  # loaded, warmed
        t = time.perf_counter()
        load0 = os.getloadavg()[0]
        futs = [pool.submit(_timed_batch, b) for b in _batches(decisions, args.batch)]
        done = [f.result() for f in futs]
        secs = time.perf_counter() - t
        load1 = os.getloadavg()[0]
    n = sum(k for k, _ in done)
    cpu = sum(c for _, c in done)
    rate = n / secs
    cpu_rate = n / cpu * args.workers  # the rate with the cores to ourselves
    out["throughput"] = {"decisions": n, "seconds": round(secs, 2), "per_second": round(rate, 1),
                         "per_worker_per_second": round(rate / args.workers, 1), "load_seconds_per_worker": round(load_s, 1),
                         "cpu_ms_per_decision": round(cpu / n * 1000, 1), "per_second_cores_to_ourselves": round(cpu_rate, 1),
                         "load_average": [round(load0, 2), round(load1, 2)], "goal_per_second": 40}
    # 3. projection for 400,000 decisions
    total = 400_000
    per_worker = cpu_rate / args.workers  # a Ray worker has its core to itself
    stats_per = stats_s / max(1, len(results))
    rows = []
    for workers in (2, 8, 16, 32, 64, 128):
        audit = total / (workers * per_worker)
        rows.append({"workers": workers, "load_s": round(load_s, 0), "audit_s": round(audit, 0),
                     "stats_s": round(stats_per * total, 0), "total_min": round((load_s + audit + stats_per * total) / 60, 1)})
    out["projection_400k"] = {
        "formula": "T(N) = load + 400000 / (N × r) + stats; r = per-worker rate measured here "
                   f"({per_worker:.1f}/s: one core of this machine, CPU time, as a Ray worker with its own core), load = store+index+encoder per worker "
                   f"({load_s:.0f} s, once per Ray worker process), stats = DuckDB over the results "
                   f"({stats_s:.2f} s for {len(results)} rows here, scaled linearly; the driver runs it once)",
        "rows": rows}
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return
    print(f"sample {out['sample']}: {out['decisions']} decisions ({len(clean)} clean, {planted} planted defects)")
    print(f"recall {found}/{planted} = {out['recall']['rate']}: " + ", ".join(
        f"{k} {v['found']}/{v['planted']}" for k, v in per_kind.items()))
    for m in missed:
        print(f"  missed {m['id']} ({m['kind']}): expected {m['expect']}, got {m['got']}")
    print(f"clean decisions flagged at severity error: {len(flagged)}/{len(clean)} = {out['clean']['rate']}")
    for rid, fs in flagged.items():
        for f in fs:
            print(f"  {rid}: {f}")
    tp = out["throughput"]
    print(f"CPU per decision {tp['cpu_ms_per_decision']} ms → {tp['per_second_cores_to_ourselves']} decisions/s with "
          f"the {args.workers} cores to ourselves (load average during the run {tp['load_average']})")
    print(f"throughput ({args.workers} workers, warm): {tp['per_second']} decisions/s "
          f"({tp['per_worker_per_second']}/s per worker; goal ≥ 40/s); load per worker {tp['load_seconds_per_worker']} s; "
          f"whole run incl. loading and report {out['full_run_seconds']} s")
    print("projection, 400,000 decisions: " + out["projection_400k"]["formula"])
    for r in rows:
        print(f"  N={r['workers']:>3}: {r['load_s']:.0f} s load + {r['audit_s']:.0f} s audit + {r['stats_s']:.0f} s stats "
              f"≈ {r['total_min']} min")


if __name__ == "__main__":
    main()
