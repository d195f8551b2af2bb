"""Load test on loopback (issue #6): N concurrent clients against a running service.

Starts `enforcement-helper serve --workers W` on 127.0.0.1, drives it with C concurrent asyncio
clients for D seconds (bounded in time and count; loopback only), and reports throughput, p50/p95
latency, errors and the server's memory over time (RSS of all its processes, sampled every 10 s).

    python scripts/load_test.py --endpoint analyze --workers 2 --clients 16 --seconds 600
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

BODIES = {
    "analyze": lambda d: {"description": d, "as_of": "2026-10-01", "party_type": "organization"},
    "search": lambda d: {"query": d, "as_of": "2026-10-01", "top_k": 5},
    "verify": lambda d: {"text": "依据《中华人民共和国食品安全法》第一百二十二条第一款、《消防法》第六十条第一款第（三）项", "as_of": "2026-10-01"},
}
PATHS = {"analyze": "/v1/analyze", "search": "/v1/search", "verify": "/v1/citations/verify"}
DESCRIPTIONS = [
    "某餐馆后厨未取得食品经营许可证擅自经营，系初次被查处",
    "某超市货架上出售超过保质期的食品，货值金额三千元",
    "工地土方裸露未覆盖，扬尘严重，经责令改正拒不改正",
    "某化工厂烟囱超标排放废气，超标0.8倍",
    "商场占用、堵塞疏散通道，消防设施未保持完好有效",
    "个体户没有办理营业执照就开店营业，违法所得五千元",
    "司机酒后驾驶机动车被查获",
    "小贩擅自占道摆摊卖水果，经劝阻后立即改正",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(proc: psutil.Process) -> float:
    procs = [proc, *proc.children(recursive=True)]
    return sum(p.memory_info().rss for p in procs if p.is_running()) / 2**20


async def client(url: str, body_of, stop: float, lat: list[float], errors: list[str], limit: int) -> None:
    async with httpx.AsyncClient(timeout=30) as c:
        while time.monotonic() < stop and len(lat) + len(errors) < limit:
            t = time.perf_counter()
            try:
                r = await c.post(url, json=body_of(random.choice(DESCRIPTIONS)))
                if r.status_code != 200:
                    errors.append(f"{r.status_code} {r.text[:120]}")
                else:
                    lat.append((time.perf_counter() - t) * 1000)
            except httpx.HTTPError as exc:
                errors.append(type(exc).__name__)


async def run(args: argparse.Namespace) -> dict:
    port = free_port()
    eh = Path(sys.executable).with_name("enforcement-helper")
    server = subprocess.Popen([str(eh), "serve", "--port", str(port), "--workers", str(args.workers)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy())
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
            raise SystemExit("server not ready")
        proc = psutil.Process(server.pid)
        lat: list[float] = []
        errors: list[str] = []
        warm_stop = time.monotonic() + 5
        await asyncio.gather(*(client(base + PATHS[args.endpoint], BODIES[args.endpoint], warm_stop, [], [], 10**9)
                               for _ in range(args.clients)))
        memory = [(0, round(rss_mb(proc)))]
        t0 = time.monotonic()
        stop = t0 + args.seconds
        tasks = [asyncio.create_task(client(base + PATHS[args.endpoint], BODIES[args.endpoint], stop, lat, errors,
                                            args.max_requests)) for _ in range(args.clients)]
        while not all(t.done() for t in tasks):
            await asyncio.sleep(1)
            if int(time.monotonic() - t0) % 10 == 0:
                memory.append((int(time.monotonic() - t0), round(rss_mb(proc))))
        elapsed = time.monotonic() - t0
        lat.sort()
        return {
            "endpoint": args.endpoint, "workers": args.workers, "clients": args.clients, "seconds": round(elapsed, 1),
            "requests": len(lat), "errors": len(errors), "first_errors": errors[:5],
            "throughput_rps": round(len(lat) / elapsed, 1),
            "p50_ms": round(statistics.median(lat), 1) if lat else None,
            "p95_ms": round(lat[int(len(lat) * 0.95)], 1) if lat else None,
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
    ap.add_argument("--max-requests", type=int, default=2_000_000)
    print(json.dumps(asyncio.run(run(ap.parse_args())), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
