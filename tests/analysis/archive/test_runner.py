"""Runs of the archive audit: resume after an interruption, the CLI end to end, and a local Ray runtime giving the
same results as the single-machine run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.archive.checks import AuditConfig
from analysis.archive.runner import RESULTS, load_results, run_audit


def _small(real_path: Path, tmp_path: Path, n: int) -> Path:
    p = tmp_path / "small.jsonl"
    p.write_text("\n".join(real_path.read_text(encoding="utf-8").splitlines()[:n]) + "\n", encoding="utf-8")
    return p


def _cfg(data_dir: Path, retrieval: bool) -> AuditConfig:
    return AuditConfig(store_path=data_dir / "corpus.sqlite", index_dir=data_dir / "index",
                       model_dir=data_dir / "models" / "me5-small-zh", benchmarks_path=data_dir / "benchmarks.sqlite",
                       retrieval=retrieval, encoder_threads=2, default_region="重庆")


def test_an_interrupted_run_resumes_where_it_stopped(data_dir: Path, real_path: Path, tmp_path: Path) -> None:
    archive = _small(real_path, tmp_path, 12)
    cfg = _cfg(data_dir, retrieval=False)
    out = tmp_path / "out"
    first = run_audit(archive, out, cfg, workers=1, batch=4, progress=False, write=False)
    assert first.audited == 12 and first.already_done == 0
    full = (out / RESULTS).read_bytes()
    lines = full.splitlines(keepends=True)
    # killed mid-write: five results on disk, the sixth torn
    (out / RESULTS).write_bytes(b"".join(lines[:5]) + lines[5][:40])
    again = run_audit(archive, out, cfg, workers=1, batch=4, progress=False)
    assert again.already_done == 5 and again.audited == 7
    assert load_results(out / RESULTS) == {json.loads(x)["id"]: json.loads(x) for x in lines}
    third = run_audit(archive, out, cfg, workers=1, batch=4, progress=False)
    assert third.audited == 0 and len((out / RESULTS).read_bytes().splitlines()) == 12
    # a record that changed is audited again; the last line for an id wins
    text = archive.read_text(encoding="utf-8").replace('"fine_yuan": 10000', '"fine_yuan": 9000', 1)
    archive.write_text(text, encoding="utf-8")
    fourth = run_audit(archive, out, cfg, workers=1, batch=4, progress=False)
    assert fourth.audited == 1 and load_results(out / RESULTS)["rd-001"]["fine_yuan"] == 9000
    for name in ("report.html", "findings.jsonl", "summary.csv", "groups.csv", "stats.json"):
        assert (out / name).stat().st_size > 0
    assert (out / "summary.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: WPS/Excel read UTF-8


def test_pool_and_single_process_give_the_same_results(data_dir: Path, real_path: Path, tmp_path: Path) -> None:
    archive = _small(real_path, tmp_path, 10)
    cfg = _cfg(data_dir, retrieval=False)
    one = run_audit(archive, tmp_path / "one", cfg, workers=1, batch=3, progress=False, write=False)
    two = run_audit(archive, tmp_path / "two", cfg, workers=2, batch=3, progress=False, write=False)
    assert one.audited == two.audited == 10 and two.mode == "pool:2"
    assert load_results(tmp_path / "one" / RESULTS) == load_results(tmp_path / "two" / RESULTS)


@pytest.mark.slow
def test_a_local_ray_runtime_gives_the_single_machine_results(data_dir: Path, built_index: Path, real_path: Path,
                                                              tmp_path: Path) -> None:
    """ray.init() in-process (2 CPUs): batches as Ray tasks, retrieval included, results identical."""
    ray = pytest.importorskip("ray")
    archive = _small(real_path, tmp_path, 16)
    cfg = _cfg(data_dir, retrieval=True)
    local = run_audit(archive, tmp_path / "local", cfg, workers=1, batch=8, progress=False, write=False)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        remote = run_audit(archive, tmp_path / "ray", cfg, ray_address="auto", batch=8, progress=False)
    finally:
        ray.shutdown()
    assert local.audited == remote.audited == 16 and remote.mode == "ray:auto"
    a, b = load_results(tmp_path / "local" / RESULTS), load_results(tmp_path / "ray" / RESULTS)
    assert a == b
    assert any(r["retrieval"] for r in a.values())  # retrieval agreement ran on both sides
    assert (tmp_path / "ray" / "report.html").exists()


@pytest.mark.slow
def test_cli_audits_the_real_decisions_end_to_end(app_env, built_index: Path, real_path: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from api.cli import app

    out = tmp_path / "report"
    res = CliRunner().invoke(app, ["audit-archive", str(real_path), "-o", str(out), "--workers", "1"])
    assert res.exit_code == 0, res.output
    assert "已映射的列" in res.output and "facts←facts" in res.output and "审查 45 件" in res.output
    findings = [json.loads(x) for x in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    assert findings and all(f["severity"] in ("error", "warning", "info") and f["message"] for f in findings)
    results = load_results(out / RESULTS)
    assert len(results) == 45 and sum(1 for r in results.values() if r["retrieval"]) >= 30
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "http://" not in html and "https://" not in html and "<script" not in html
    again = CliRunner().invoke(app, ["audit-archive", str(real_path), "-o", str(out), "--workers", "1"])
    assert again.exit_code == 0 and "审查 0 件（已完成 45 件跳过）" in again.output
    bad = CliRunner().invoke(app, ["audit-archive", str(tmp_path / "nope.csv"), "-o", str(out)])
    assert bad.exit_code == 2 and "file_not_found" in bad.output and "Traceback" not in bad.output
