"""Load test on loopback (issue #6): N concurrent clients against a running service.

Starts `enforcement-helper serve --workers W` on 127.0.0.1, drives it with C concurrent locust
users (scripts/locustfile.py) for D seconds (bounded in time; loopback only), and reports throughput, p50/p95
latency, errors and the server's memory over time (RSS of all its processes, sampled every 10 s).

    python scripts/load_test.py --endpoint analyze --workers 2 --clients 16 --seconds 600 --rate 50   # the goal
    python scripts/load_test.py --endpoint analyze --workers 2 --clients 16 --seconds 600             # saturation
    python scripts/load_test.py --endpoint analyze --workers 2 --clients 16 --seconds 600 --rate 50 --hostile 0.05
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

PATHS = ("analyze", "search", "verify")  # endpoints the locustfile knows (scripts/locustfile.py)
LOCUSTFILE = Path(__file__).with_name("locustfile.py")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(proc: psutil.Process) -> float:
    procs = [proc, *proc.children(recursive=True)]
    return sum(p.memory_info().rss for p in procs if p.is_running()) / 2**20


async def run(args: argparse.Namespace) -> dict:
    port = free_port()
    eh = Path(sys.executable).with_name("enforcement-helper")
    log = tempfile.NamedTemporaryFile("w+", prefix="eh-load-server-", suffix=".log", delete=False)  # noqa: SIM115 - the server's stderr while it runs
    server = subprocess.Popen([str(eh), "serve", "--port", str(port), "--workers", str(args.workers)],
                              stdout=subprocess.DEVNULL, stderr=log, env=os.environ.copy())
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)
        else:
            raise SystemExit(f"server not ready; its log: {log.name}")
        proc = psutil.Process(server.pid)
        env = {**os.environ, "EH_LOAD_ENDPOINT": args.endpoint, "EH_LOAD_HOSTILE": str(args.hostile or ""),
               "EH_LOAD_RATE": str(args.rate / args.clients) if args.rate else ""}
        locust = [str(Path(sys.executable).with_name("locust")), "-f", str(LOCUSTFILE), "--headless", "--only-summary",
                  "--host", base, "-u", str(args.clients), "-r", str(args.clients), "--stop-timeout", "10"]
        # Warm-up: every worker loads its caches before the measured run.
        # (locust exits 1 when any request failed; the measured run reports failures, the warm-up need not)
        subprocess.run([*locust, "-t", "10s"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        memory = [(0, round(rss_mb(proc)))]
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.monotonic()
            run_ = subprocess.Popen([*locust, "-t", f"{int(args.seconds)}s", "--csv", f"{tmp}/load"], env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            while run_.poll() is None:
                await asyncio.sleep(1)
                if int(time.monotonic() - t0) % 10 == 0:
                    memory.append((int(time.monotonic() - t0), round(rss_mb(proc))))
            elapsed = time.monotonic() - t0
            with open(f"{tmp}/load_stats.csv", encoding="utf-8") as f:
                rows = list(csv.DictReader(f))
            total = next(r for r in rows if r["Name"] == "Aggregated")
            # with hostile requests mixed in, the normal requests' own figures are the ones that matter
            normal = next((r for r in rows if r["Name"].startswith("/v1/")), total)
            hostile = next((r for r in rows if r["Name"] == "hostile"), None)
            with open(f"{tmp}/load_failures.csv", encoding="utf-8") as f:
                failures = [f"{r['Occurrences']}x {r['Error'][:120]}" for r in csv.DictReader(f)]
        return {
            "driver": "locust (FastHttpUser, " + (f"Poisson arrivals, {args.rate} requests/s offered in total)" if args.rate
                                                   else "closed loop)"),
            "endpoint": args.endpoint, "workers": args.workers,
            "clients": args.clients, "seconds": round(elapsed, 1),
            "requests": int(total["Request Count"]), "errors": int(total["Failure Count"]), "first_errors": failures[:5],
            "throughput_rps": round(float(total["Requests/s"]), 1),
            "p50_ms": float(total["50%"]), "p95_ms": float(total["95%"]), "p99_ms": float(total["99%"]),
            "normal": {"requests": int(normal["Request Count"]), "errors": int(normal["Failure Count"]),
                       "p50_ms": float(normal["50%"]), "p95_ms": float(normal["95%"])},
            "hostile": None if hostile is None else {
                "share": args.hostile, "requests": int(hostile["Request Count"]), "errors_5xx": int(hostile["Failure Count"]),
                "p50_ms": float(hostile["50%"]), "p95_ms": float(hostile["95%"]), "max_ms": float(hostile["Max Response Time"])},
            "rss_mb_start_end_max": [memory[0][1], memory[-1][1], max(m for _, m in memory)],
            "rss_mb_samples": memory,
        }
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", choices=sorted(PATHS), default="analyze")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--rate", type=float, default=None,
                    help="requests/s offered by the clients together, as independent Poisson streams (officers with "
                         "think time); default: closed loop, each client sends again as soon as it is answered")
    ap.add_argument("--hostile", type=float, default=None,
                    help="share of requests that are hostile probes (e.g. 0.05), reported apart from the normal ones")
    print(json.dumps(asyncio.run(run(ap.parse_args())), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
