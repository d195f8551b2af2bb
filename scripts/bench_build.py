"""Wall time and peak RSS of ``enforcement-helper build``, per stage.

Runs the build in a child process into a data directory of its own (never the project's ``data/``), samples the
child's RSS every ``--interval`` seconds from /proc, and attributes each sample to the stage announced by the last
progress line the build printed on stderr (``model:``, ``ingest``, ``index: …``, ``ranking model``, ``tier model``).
The overall peak is the kernel's (``ru_maxrss`` of the child, what ``/usr/bin/time -v`` reports), so a spike between
two samples is still counted there.

Usage::

    .venv/bin/python scripts/bench_build.py [--data-dir /tmp/bench_build] [--keep] [--fresh]

``--fresh`` empties the data directory first (a full build: ingest, index, ranking model); without it a second run
measures the unchanged rebuild. The e5 model folder is linked from ``data/models`` and the embedding cache defaults to
``~/.cache/enforcement-helper/embeddings`` so nothing is downloaded or re-embedded needlessly.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Progress bars (tqdm redraws with \r, which text mode reads as line ends) are not stage boundaries.
_BAR_RE = re.compile(r"\d+%\||it/s|s/it|\|\s*\d+/\d+")
_DIGITS_RE = re.compile(r"\d+(\.\d+)?")


@dataclass
class Stage:
    """One stage: when it started and the highest RSS sampled while it ran."""

    name: str
    start: float
    end: float = 0.0
    peak_rss: int = 0
    lines: list[str] = field(default_factory=list)


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


def _stage_for(line: str, current: str) -> str:
    """A stage is named by the progress line that opened it (numbers blanked, so runs compare line by line)."""
    line = line.strip()
    if not line or _BAR_RE.search(line):
        return current
    return _DIGITS_RE.sub("#", line)[:60]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp/bench_build"))
    ap.add_argument("--fresh", action="store_true", help="empty the data directory first (full build)")
    ap.add_argument("--keep", action="store_true", help="keep the data directory afterwards")
    ap.add_argument("--interval", type=float, default=0.1)
    ap.add_argument("--log", type=Path, help="also write the build's stderr here")
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
    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "enforcement-helper"), "build"], cwd=ROOT, env=env,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, bufsize=1)
    stages = [Stage("start", t0)]
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

    print(f"{'stage (opened by the line)':<62}{'wall s':>9}{'peak RSS GB':>13}")
    for s in stages:
        print(f"{s.name:<62}{s.end - s.start:>9.1f}{s.peak_rss / 1e9:>13.2f}")
    print(f"{'total':<62}{time.time() - t0:>9.1f}{peak / 1e9:>13.2f}   (peak: ru_maxrss of the build process)")
    print(f"exit code {rc}")
    if not args.keep and args.fresh:
        shutil.rmtree(data, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
