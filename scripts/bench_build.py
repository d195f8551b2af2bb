"""Wall time and peak RSS of ``enforcement-helper build``, per stage.

Runs the build in a child process into a data directory of its own (never the project's ``data/``), samples the
child's RSS every ``--interval`` seconds from /proc, and attributes each sample to the stage announced by the last
progress line the build printed on stderr (the build announces each step when it ends, so a stage is named by the
step that runs after the line: ``index: BM25`` runs between 「index: N vectors…」 and 「index: BM25 … in Ns」). The overall
peak is the kernel's (``ru_maxrss`` of the child, what ``/usr/bin/time -v`` reports), so a spike between
two samples is still counted there.

Usage::

    .venv/bin/python scripts/bench_build.py [--data-dir /tmp/bench_build] [--keep] [--fresh] [--serve]

``--fresh`` empties the data directory first (a full build: ingest, index, ranking model); without it a second run
measures the unchanged rebuild. The e5 model folder is linked from ``data/models`` and the embedding cache defaults to
``~/.cache/enforcement-helper/embeddings`` so nothing is downloaded or re-embedded needlessly. ``--serve`` then starts
``enforcement-helper serve --dev`` on a free loopback port over the built data, sends a few ``/v1/analyze`` and
``/v1/search`` requests, and prints the worker's RSS (the issue's per-worker serving goal). Run one at a time: a
fresh build needs a few GB and both cores.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib import error, request

ROOT = Path(__file__).resolve().parent.parent

# Progress bars (tqdm redraws with \r, which text mode reads as line ends) are not stage boundaries.
_BAR_RE = re.compile(r"\d+%\||it/s|s/it|\|\s*\d+/\d+")


@dataclass
class Stage:
    """One stage: when it started and the highest RSS sampled while it ran."""

    name: str
    start: float
    end: float = 0.0
    peak_rss: int = 0
    lines: list[str] = field(default_factory=list)  # what the build printed during the stage


def _rss_tree(pid: int) -> int:
    """Resident bytes of ``pid`` and its descendants (from /proc; 0 once gone)."""
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo.extend(int(c) for c in f.read().split())
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


# What runs after a known progress line (the build announces a step when it ends, not when it starts).
_NEXT: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^model:"), "ingest (statute store) + benchmarks"),
    (re.compile(r"^index: .*\(loaded if current"), "index: read passages from the store"),
    (re.compile(r"^index: read \d+ passages"), "index: texts + corpus hash"),
    (re.compile(r"^index: \d+ passages"), "index: vectors (embedding cache)"),
    (re.compile(r"^index: \d+ vectors"), "index: BM25"),
    (re.compile(r"^index: BM25"), "index: pairing tables"),
    (re.compile(r"^index: pairs"), "index: save + items + ranking model"),
    (re.compile(r"^ranking model"), "applicability calibration"),
    (re.compile(r"^applicability calibration"), "tier model"),
    (re.compile(r"^tier model"), "tier model"),
]


def _stage_for(line: str, current: str) -> str:
    """The stage a progress line opens; other lines (per-file ingest notes, bars) stay in the current stage."""
    line = line.strip()
    if not line or _BAR_RE.search(line):
        return current
    for rx, name in _NEXT:
        if rx.search(line):
            return name
    return current


_QUERIES = ("某餐馆后厨未取得食品经营许可证擅自经营", "工地土方裸露未覆盖，扬尘严重，经责令改正拒不改正",
            "占用、堵塞、封闭消防通道", "销售超过保质期的食品")  # fmt: skip


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                kids = [int(c) for c in f.read().split()]
        except (FileNotFoundError, ProcessLookupError):
            kids = []
        out.extend(kids)
        todo.extend(kids)
    return out


def serve_rss(env: dict[str, str], data: Path, timeout: float = 300.0) -> tuple[int, int]:
    """Serve the built data, answer a few requests, and return the largest worker's (RssAnon, RssFile) in bytes
    ((0, 0) if it never became ready)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "enforcement-helper"), "serve", "--dev", "--host",
                             "127.0.0.1", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                with request.urlopen(base + "/readyz", timeout=5) as r:
                    if r.status == 200:
                        break
            except (error.URLError, OSError):
                pass
            time.sleep(1)
        else:
            print("server never became ready", file=sys.stderr)
            return 0, 0
        key = (data / "dev_api_key").read_text(encoding="utf-8").strip()
        for q in _QUERIES:
            for path, body in (("/v1/analyze", {"description": q, "as_of": "2026-10-01", "party_type": "organization"}),
                               ("/v1/search", {"query": q, "as_of": "2026-10-01"})):  # fmt: skip
                req = request.Request(base + path, data=json.dumps(body, ensure_ascii=False).encode(),
                                      headers={"Content-Type": "application/json", "X-API-Key": key})  # fmt: skip
                with request.urlopen(req, timeout=60) as r:
                    r.read()
        return max((_rss_split(p) for p in _descendants(proc.pid)), key=sum, default=(0, 0))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _rss_split(pid: int) -> tuple[int, int]:
    """(RssAnon, RssFile) of one process in bytes: private memory, and mapped file pages (the mmapped BM25 arrays,
    the model, libraries), which the page cache shares among workers."""
    out = {"RssAnon": 0, "RssFile": 0}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, val = line.partition(":")
                if key in out:
                    out[key] = int(val.split()[0]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return out["RssAnon"], out["RssFile"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp/bench_build"))
    ap.add_argument("--fresh", action="store_true", help="empty the data directory first (full build)")
    ap.add_argument("--keep", action="store_true", help="keep the data directory afterwards")
    ap.add_argument("--interval", type=float, default=0.1)
    ap.add_argument("--log", type=Path, help="also write the build's stderr here")
    ap.add_argument("--serve", action="store_true", help="afterwards measure a serving worker's RSS")
    args = ap.parse_args()

    data = args.data_dir.resolve()
    if data == (ROOT / "data").resolve():
        print("refusing to build into the project's data/ directory", file=sys.stderr)
        return 2
    if args.fresh and data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True, exist_ok=True)
    models = data / "models"
    if not models.exists():
        models.symlink_to(ROOT / "data" / "models")
    env = dict(os.environ)
    env["EH_DATA_DIR"] = str(data)
    env.setdefault("EH_EMBEDDING_CACHE_DIR", str(Path.home() / ".cache" / "enforcement-helper" / "embeddings"))
    env["PYTHONUNBUFFERED"] = "1"

    t0 = time.time()
    proc = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "enforcement-helper"), "build"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        bufsize=1,
    )
    stages = [Stage("start-up", t0)]
    lock = threading.Lock()
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            rss = _rss_tree(proc.pid)
            with lock:
                stages[-1].peak_rss = max(stages[-1].peak_rss, rss)
            time.sleep(args.interval)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    log = args.log.open("w", encoding="utf-8") if args.log else None
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if log:
                log.write(line)
            name = _stage_for(line, stages[-1].name)
            with lock:
                if name != stages[-1].name:
                    now = time.time()
                    stages[-1].end = now
                    stages.append(Stage(name, now))
                stages[-1].lines.append(line.rstrip())
        rc = proc.wait()
    finally:
        done.set()
        th.join()
        if log:
            log.close()
    stages[-1].end = time.time()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024

    print(f"{'stage':<42}{'wall s':>9}{'peak RSS GB':>13}")
    for s in stages:
        print(f"{s.name:<42}{s.end - s.start:>9.1f}{s.peak_rss / 1e9:>13.2f}")
    print(f"{'total':<42}{time.time() - t0:>9.1f}{peak / 1e9:>13.2f}   (peak: ru_maxrss of the build process)")
    print(f"exit code {rc}")
    if args.serve and rc == 0:
        anon, file = serve_rss(env, data)
        print(
            f"serving worker RSS after {2 * len(_QUERIES)} requests: {(anon + file) / 1e9:.2f} GB "
            f"(private {anon / 1e9:.2f} GB + mapped files {file / 1e9:.2f} GB)"
        )
    if not args.keep and args.fresh:
        shutil.rmtree(data, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
