"""The audit report in a real headless Chromium: it renders offline (no request leaves the page), its plots draw,
its tables carry the findings. Same browser set-up as tests/api/test_web_e2e.py: Debian's chromium and chromedriver,
never a download; skipped without them unless ``EH_E2E_REQUIRED=1``.

``EH_SCREENSHOTS=1`` writes docs/img/archive_report.png (the README's screenshot).
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

pytest.importorskip("selenium", reason="pip install selenium (the e2e tests drive chromium with it)")

from analysis.archive.checks import AuditConfig
from analysis.archive.runner import run_audit

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def report(data_dir: Path, real_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report over the real decisions plus copies of them with other agencies and fines (an outlier)."""
    tmp = tmp_path_factory.mktemp("archive")
    lines = real_path.read_text(encoding="utf-8").splitlines()
    extra = []
    rec = next(json.loads(x) for x in lines if json.loads(x)["id"] == "rd-012")
    for i, (agency, fine) in enumerate((("甲市生态环境局", 600_000), ("乙市生态环境局", 640_000),
                                        ("丙市生态环境局", 150_000), ("丁市生态环境局", 2_400_000))):
        extra.append(json.dumps({**rec, "id": f"copy-{i}", "agency": agency, "fine_yuan": fine, "doc_no": None,
                                 "full_text": None}, ensure_ascii=False))
    archive = tmp / "archive.jsonl"
    archive.write_text("\n".join(lines + extra) + "\n", encoding="utf-8")
    cfg = AuditConfig(store_path=data_dir / "corpus.sqlite", retrieval=False)
    run_audit(archive, tmp / "out", cfg, workers=1, progress=False)
    return tmp / "out" / "report.html"


@pytest.fixture(scope="module")
def browser(chromium):  # noqa: ANN201 - a selenium WebDriver
    with chromium() as driver:
        yield driver


def test_the_report_renders_offline_with_plots_and_tables(browser, report: Path) -> None:
    browser.get(report.as_uri())
    js = browser.execute_script
    assert browser.title.startswith("归档审查报告")
    assert js("return performance.getEntriesByType('resource').length") == 0  # nothing fetched
    svgs = js("return [...document.querySelectorAll('svg.plot')].map(s => s.getBoundingClientRect().width)")
    assert len(svgs) == 3 and all(w > 300 for w in svgs)
    # the position plot has a dot per fined case with a range; the outlier and the case above the maximum stand out
    dots = js("return [...document.querySelectorAll('svg.plot')[1].querySelectorAll('circle')]"
              ".map(c => [c.getAttribute('fill'), c.querySelector('title').textContent])")
    assert any(f == "#c0392b" and "copy-3" in t for f, t in dots)
    outlier_rows = js("return [...document.querySelectorAll('tr.outlier')].map(r => r.textContent)")
    assert any("copy-2" in r and "丙市生态环境局" in r for r in outlier_rows)
    body = js("return document.body.innerText")
    assert "同案不同罚" in body and "罚款超过法定上限" in body and "已映射的列" in body
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors
    if os.environ.get("EH_SCREENSHOTS") == "1":
        out = Path(os.environ.get("EH_SCREENSHOTS_DIR") or REPO / "docs" / "img")
        out.mkdir(parents=True, exist_ok=True)
        size = browser.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        height = min(size["height"], 2400)
        shot = browser.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": height, "scale": 1}})
        (out / "archive_report.png").write_bytes(base64.b64decode(shot["data"]))
