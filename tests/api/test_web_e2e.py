"""The web page end to end in a real headless Chromium (issue 6).

The real app runs under uvicorn on 127.0.0.1 (free port, background thread) over the test statute store built
from real data; Debian's chromium is driven through /usr/bin/chromedriver with selenium. No browser is ever
downloaded: without /usr/bin/chromium and /usr/bin/chromedriver (``scripts/install_browser.sh``) the tests skip,
or fail when ``EH_E2E_REQUIRED=1`` (set it in CI so a missing browser cannot pass silently).

``EH_SCREENSHOTS=1`` writes docs/screenshots/officer.png and review.png (``EH_SCREENSHOTS_DIR`` elsewhere),
so an ordinary CI run never rewrites the committed files.
"""

from __future__ import annotations

import base64
import json
import math
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

selenium = pytest.importorskip("selenium", reason="pip install selenium (the e2e web tests drive chromium with it)")

from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

REPO = Path(__file__).resolve().parents[2]

# Real provisions (DOMAIN.md R2.x): 《大气污染防治法》 was repealed on 2026-08-15 by the 生态环境法典; the
# 食品安全法 articles stay in force; 消防法 第六十条 has three 款, so a fifth is wrong (R1.x).
VIOLATED = "《中华人民共和国食品安全法》第三十五条第一款"
VERIFIED = "《中华人民共和国食品安全法》第一百二十二条第一款"
REPEALED = "《大气污染防治法》第九十九条"
WRONG_PARAGRAPH = "《消防法》第六十条第五款"
LIGHTER = "《中华人民共和国行政处罚法》第三十二条第（一）项"
DRAFT = (f"经查，当事人于2026年3月1日起在其经营场所未取得食品经营许可从事食品经营活动。\n"
         f"当事人的上述行为违反了{VIOLATED}的规定。依据{VERIFIED}的规定，并参照{REPEALED}及"
         f"{WRONG_PARAGRAPH}的规定，鉴于当事人主动消除违法行为危害后果，依据{LIGHTER}从轻处罚，"
         f"本机关决定如下：\n一、没收违法所得人民币叁仟元整；\n二、罚款人民币伍万元整。")
CITED = [VIOLATED, VERIFIED, REPEALED, WRONG_PARAGRAPH, LIGHTER]
XSS = '<img src=x onerror="window.__xss=1;alert(1)">'


@dataclass
class Live:
    """The running app."""

    url: str
    dev_key: str | None

    def api(self, method: str, path: str, **kw) -> httpx.Response:
        return httpx.request(method, self.url + path, timeout=30, **kw)


@pytest.fixture(scope="module")
def live(data_dir: Path, shared_dir: Path) -> Iterator[Live]:
    """uvicorn serving the real app on a free loopback port.

    Same settings as the ``app_env`` fixture (EH_DATA_DIR → the test store built from real data), applied for
    the module: ``app_env`` is function-scoped and one server for all browser tests keeps the file fast.
    """
    import uvicorn

    from api.app import create_app
    from api.core.settings import get_settings
    from api.routers import web

    mp = pytest.MonkeyPatch()
    mp.setenv("EH_DATA_DIR", str(data_dir))
    mp.setenv("EH_SHARED_DIR", str(shared_dir))
    get_settings.cache_clear()
    settings = get_settings()
    app = create_app(settings)
    if not any(getattr(r, "original_router", None) is web.router or getattr(r, "path", None) == "/review"
               for r in app.routes):
        app.include_router(web.router)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # port 0: the OS picks a free port, no race with other runs
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the app did not start under uvicorn")
        time.sleep(0.05)
    try:
        # no key exists by default (serve --dev makes one): the browser tests use an officer key of their own
        yield Live(f"http://127.0.0.1:{port}", app.state.services.db.create_key("e2e-officer", "officer"))
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
        mp.undo()
        get_settings.cache_clear()


@pytest.fixture(scope="module")
def downloads() -> Iterator[Path]:
    d = Path(tempfile.mkdtemp(prefix="eh-dl-"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(chromium, downloads: Path) -> Iterator[WebDriver]:
    """Debian's headless chromium (tests/conftest.py) that saves downloads into ``downloads``."""
    prefs = {"download.default_directory": str(downloads), "download.prompt_for_download": False,
             "intl.accept_languages": "zh-CN,zh"}
    with chromium(prefs) as driver:
        driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
        yield driver


@pytest.fixture()
def page(browser: WebDriver, live: Live) -> Iterator[WebDriver]:
    """A clean page state (no stored key, no script overrides); afterwards, a console free of errors.

    Script exceptions and CSP violations (an inline script or style, an outside resource, an HTML sink under
    Trusted Types) land in the console as SEVERE; failed HTTP answers are expected here and shown on the page.
    """
    browser.get(live.url + "/review")
    browser.execute_script("sessionStorage.clear()")
    browser.get_log("browser")  # drop what came before this test
    yield browser
    errors = [e["message"] for e in browser.get_log("browser")
              if e["level"] == "SEVERE" and "Failed to load resource" not in e["message"]]
    assert not errors, errors


# ---------------------------------------------------------------------------------------------- helpers
def wait_for(driver: WebDriver, css: str, timeout: float = 30):
    WebDriverWait(driver, timeout).until(lambda d: d.find_elements(By.CSS_SELECTOR, css))
    return driver.find_elements(By.CSS_SELECTOR, css)


def set_value(driver: WebDriver, element_id: str, value: str) -> None:
    """Set a field as typing would (input + change events), fast for long Chinese text."""
    driver.execute_script(
        "const e = document.getElementById(arguments[0]); e.value = arguments[1];"
        "e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true}));",
        element_id, value)


def text_of(driver: WebDriver, css: str) -> str:
    return driver.execute_script("const e = document.querySelector(arguments[0]); return e ? e.textContent : null;", css)


def no_alert(driver: WebDriver) -> bool:
    try:
        driver.switch_to.alert.dismiss()
    except NoAlertPresentException:
        return True
    return False


def rgb(driver: WebDriver, element) -> tuple[int, int, int]:
    value = driver.execute_script("return getComputedStyle(arguments[0]).backgroundColor", element)
    r, g, b = (int(float(x)) for x in value[value.index("(") + 1:value.index(")")].split(",")[:3])
    return r, g, b


def is_green(colour: tuple[int, int, int]) -> bool:
    r, g, b = colour
    return g > r + 5 and g > b + 5


def applies_text(app: dict) -> str:
    """「适用于本案：高/中/低（概率）」 as the page writes it (JavaScript's Math.round)."""
    return f"适用于本案：{ {'high': '高', 'medium': '中', 'low': '低'}[app['band']] }（{math.floor(app['probability'] * 100 + 0.5)}%）"


def screenshot(driver: WebDriver, name: str, committed: bool = True) -> None:
    """Full-page PNG when EH_SCREENSHOTS=1 (docs/screenshots unless EH_SCREENSHOTS_DIR says otherwise)."""
    if os.environ.get("EH_SCREENSHOTS") != "1":
        return
    target = os.environ.get("EH_SCREENSHOTS_DIR")
    if not target and not committed:
        return
    out = Path(target) if target else REPO / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    driver.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
    (out / name).write_bytes(base64.b64decode(shot["data"]))


def verify_on_page(driver: WebDriver, text: str, as_of: str) -> list:
    set_value(driver, "draft", text)
    set_value(driver, "as-of", as_of)
    driver.execute_script("document.querySelectorAll('.cite-card').forEach(e => e.remove())")
    driver.find_element(By.ID, "verify-btn").click()
    return wait_for(driver, ".cite-card, #verify-status .notice.error")


# ---------------------------------------------------------------------------------------------- reviewer
def test_reviewer_sees_every_citation_coloured_by_status_with_the_in_force_text(page: WebDriver, live: Live) -> None:
    verify_on_page(page, DRAFT, "2026-09-01")
    cards = page.find_elements(By.CSS_SELECTOR, ".cite-card")
    marks = page.find_elements(By.CSS_SELECTOR, "#draft-view mark.cite-mark")
    expected = ["verified", "verified", "not_in_force", "paragraph_not_found", "verified"]
    assert [c.get_attribute("data-status") for c in cards] == expected
    assert [m.get_attribute("data-status") for m in marks] == expected

    # Each highlight covers exactly the citation as written, and the draft reads as pasted (numbers aside).
    assert [page.execute_script("const c = arguments[0].cloneNode(true); c.querySelector('sup').remove();"
                                "return c.textContent", m) for m in marks] == CITED
    shown = page.execute_script("const c = document.getElementById('draft-view').cloneNode(true);"
                                "c.querySelectorAll('sup').forEach(s => s.remove()); return c.textContent")
    assert shown == DRAFT

    # Colours: green for verified, orange for not in force, red for the wrong 款 — and the same for the cards.
    green, orange, red = (rgb(page, marks[i]) for i in (1, 2, 3))
    assert green[1] > green[0] and green[1] > green[2]
    assert orange[0] > orange[1] > orange[2]
    assert red[0] > red[1] and red[0] > red[2] and red != orange
    assert [rgb(page, m) for m in marks] == [green, green, orange, red, green]
    assert "条文存在且当日有效" in cards[1].text and "当日不在施行期内" in cards[2].text and "款不存在" in cards[3].text
    assert "已废止" in cards[2].text and "2026-08-15" in cards[2].text

    # The in-force text beside each verified citation is the statute's text as the API serves it.
    for card, cite in ((cards[1], VERIFIED), (cards[4], LIGHTER)):
        truth = live.api("GET", "/v1/provisions", params={"cite": cite, "as_of": "2026-09-01"}).json()
        assert truth["status"] == "verified" and truth["text"]
        assert card.find_element(By.CSS_SELECTOR, "blockquote").get_attribute("textContent") == truth["text"]
        assert truth["normalized"] == card.find_element(By.CSS_SELECTOR, ".cite-name").text
    summary = page.find_element(By.ID, "summary").text
    assert "共识别 5 处" in summary and "条文存在且当日有效 3" in summary and "不在施行期 1" in summary and "错误 1" in summary
    screenshot(page, "review.png")


def test_reviewer_date_decides_whether_a_repealed_law_applies(page: WebDriver) -> None:
    verify_on_page(page, DRAFT, "2026-03-01")  # before the 2026-08-15 repeal: 大气污染防治法 still in force
    statuses = [c.get_attribute("data-status") for c in page.find_elements(By.CSS_SELECTOR, ".cite-card")]
    assert statuses == ["verified", "verified", "verified", "paragraph_not_found", "verified"]


def test_reviewer_shows_api_errors_readably(page: WebDriver) -> None:
    page.find_element(By.ID, "draft").clear()
    set_value(page, "draft", "条" * 20001)  # over EH_MAX_TEXT_CHARS: the API answers 413 input_too_large
    page.execute_script("document.getElementById('draft').removeAttribute('maxlength')")
    page.find_element(By.ID, "verify-btn").click()
    box = wait_for(page, "#verify-status .notice.error")[0]
    assert "HTTP 413" in box.text and "input_too_large" in box.text and "输入内容过长" in box.text


def test_api_key_is_kept_for_the_session_and_sent(page: WebDriver, live: Live) -> None:
    page.find_element(By.ID, "api-key").send_keys("not-a-real-key")
    page.find_element(By.CSS_SELECTOR, "#key-form button[type=submit]").click()
    verify_on_page(page, DRAFT, "2026-09-01")
    box = wait_for(page, "#verify-status .notice.error")[0]
    assert "invalid_api_key" in box.text and "HTTP 401" in box.text  # the header reached the API

    if live.dev_key:
        field = page.find_element(By.ID, "api-key")
        field.clear()
        field.send_keys(live.dev_key)
        page.find_element(By.CSS_SELECTOR, "#key-form button[type=submit]").click()
        page.get(live.url + "/")  # another view of the same session keeps the key
        assert page.find_element(By.ID, "api-key").get_attribute("value") == live.dev_key
        page.get(live.url + "/review")
        assert len(verify_on_page(page, DRAFT, "2026-09-01")) == len(CITED)
    assert page.execute_script("return localStorage.length") == 0  # never persisted beyond the session
    page.find_element(By.ID, "key-clear").click()
    assert page.execute_script("return sessionStorage.getItem('eh.apiKey')") is None


# ---------------------------------------------------------------------------------------------- officer
def _analysis_settled(driver: WebDriver) -> bool:
    body = driver.find_element(By.ID, "analysis-body")
    return bool(body.find_elements(By.CSS_SELECTOR, ".result-card, .notice")) and not driver.find_element(
        By.ID, "analyze-btn").get_attribute("aria-busy")


def test_officer_flow_shows_results_or_a_readable_error(page: WebDriver, live: Live, downloads: Path) -> None:
    page.get(live.url + "/")
    description = "某餐馆后厨未取得食品经营许可证擅自经营，违法所得三千元，系初次被查处，已及时改正。"
    set_value(page, "description", description)
    set_value(page, "as-of", "2026-03-01")
    page.find_element(By.CSS_SELECTOR, "input[name=party_type][value=individual_business]").click()
    page.find_element(By.ID, "analyze-btn").click()
    WebDriverWait(page, 60).until(_analysis_settled)

    body = page.find_element(By.ID, "analysis-body").text
    assert body.strip() and "在左侧填写" not in body  # never blank, never the untouched placeholder
    sent = live.api("POST", "/v1/analyze", json={"description": description, "as_of": "2026-03-01",
                                                 "party_type": "individual_business"})
    if sent.status_code == 200:
        assert page.find_elements(By.CSS_SELECTOR, "#analysis-body .result-card")
        assert description == page.execute_script(
            "const c = document.getElementById('described').cloneNode(true);"
            "c.querySelectorAll('sup').forEach(s => s.remove()); return c.textContent")
    else:  # endpoint not there yet or refusing: its error body is shown, with the description kept
        error = sent.json()["error"]
        box = page.find_element(By.CSS_SELECTOR, "#analysis-body .notice.error")
        assert f"HTTP {sent.status_code}" in box.text and error["code"] in box.text
        assert text_of(page, "#described") == description

    # Search: results or a readable error.
    set_value(page, "search-query", "未取得食品经营许可从事食品经营活动")
    page.find_element(By.CSS_SELECTOR, "#search-form button[type=submit]").click()
    wait_for(page, "#search-results .hit, #search-status .notice.error, #search-status .meta")
    hits = page.find_elements(By.CSS_SELECTOR, "#search-results .hit")
    searched = live.api("POST", "/v1/search", json={"query": "未取得食品经营许可从事食品经营活动",
                                                    "as_of": "2026-03-01", "top_k": 10})
    if searched.status_code == 200:
        assert len(hits) == len(searched.json()["results"])
        # Each hit: 「适用于本案」 with the API's band and probability; green only for high, low as a warning.
        for hit, r in zip(hits, searched.json()["results"], strict=True):
            badge = hit.find_element(By.CSS_SELECTOR, ".badge.applies")
            assert badge.text == applies_text(r["applicability"])
            assert is_green(rgb(page, badge)) == (r["applicability"]["band"] == "high")
    else:
        assert searched.json()["error"]["code"] in page.find_element(By.ID, "search-status").text

    # Documents need a key: without one the refusal is explained; with the key a .docx arrives or an error shows.
    set_value(page, "party-name", "某某餐馆")
    set_value(page, "party-address", "某市某区某路1号")
    page.find_element(By.ID, "doc-btn").click()
    box = wait_for(page, "#doc-status .notice.error", timeout=60)[0]
    assert "HTTP 401" in box.text and "api_key_required" in box.text and "API 密钥" in box.text
    if not live.dev_key:
        return
    page.find_element(By.ID, "api-key").send_keys(live.dev_key)
    page.find_element(By.CSS_SELECTOR, "#key-form button[type=submit]").click()
    before = set(downloads.iterdir())
    page.execute_script("document.getElementById('doc-status').replaceChildren()")
    page.find_element(By.ID, "doc-btn").click()
    wait_for(page, "#doc-status .notice.ok, #doc-status .notice.error", timeout=60)
    status = page.find_element(By.ID, "doc-status")
    if status.find_elements(By.CSS_SELECTOR, ".notice.ok"):
        WebDriverWait(page, 30).until(lambda _: [p for p in set(downloads.iterdir()) - before
                                                 if not p.name.endswith(".crdownload")])
        (new,) = set(downloads.iterdir()) - before
        assert new.name.startswith("行政处罚决定书") and new.suffix == ".docx"
        import docx

        body = "\n".join(p.text for p in docx.Document(str(new)).paragraphs)
        body += "\n".join(c.text for t in docx.Document(str(new)).tables for r in t.rows for c in r.cells)
        assert "某某餐馆" in body and "某市某区某路1号" in body  # what the officer typed reached the document
    else:
        assert "错误代码" in status.text and "HTTP" in status.text
    screenshot(page, "officer.png")


def test_a_stand_in_version_is_marked_and_not_offered_for_the_document(page: WebDriver, live: Live) -> None:
    # 道路交通安全法 is stored from 2011: for a 2010 event the page shows its nearest text with the API's warning and
    # no button that would copy it into a decision.
    page.get(live.url + "/")
    set_value(page, "as-of", "2010-06-01")
    set_value(page, "search-query", "饮酒后驾驶机动车")
    page.find_element(By.CSS_SELECTOR, "#search-form button[type=submit]").click()
    wait_for(page, "#search-results .hit, #search-status .notice.error")
    body = live.api("POST", "/v1/search", json={"query": "饮酒后驾驶机动车", "as_of": "2010-06-01", "top_k": 10}).json()
    hits = page.find_elements(By.CSS_SELECTOR, "#search-results .hit")
    assert len(hits) == len(body["results"])
    for hit, r in zip(hits, body["results"], strict=True):
        stand_in = r["version_status"] != "in_force"
        assert ("stand-in" in hit.get_attribute("class")) == stand_in
        assert bool(hit.find_elements(By.CSS_SELECTOR, ".hit-actions button")) != stand_in
        if stand_in:
            assert r["version_note"] in hit.text and "非当日版本" in hit.text
    assert body["results"][0]["version_status"] == "nearest_later"


def test_user_text_is_never_markup(page: WebDriver, live: Live) -> None:
    # Reviewer: the draft with an HTML payload next to a real citation is shown verbatim.
    draft = f"依据{VERIFIED}，{XSS}决定如下"
    verify_on_page(page, draft, "2026-09-01")
    assert text_of(page, "#draft-view").startswith("依据") and XSS in text_of(page, "#draft-view")
    # Officer: the description comes back as text whether analysis succeeds or fails.
    page.get(live.url + "/")
    set_value(page, "description", f"当事人在店内{XSS}销售过期食品")
    set_value(page, "search-query", XSS)
    page.find_element(By.ID, "analyze-btn").click()
    WebDriverWait(page, 60).until(_analysis_settled)
    page.find_element(By.CSS_SELECTOR, "#search-form button[type=submit]").click()
    wait_for(page, "#search-results .hit, #search-status .notice.error, #search-status .meta")
    assert XSS in text_of(page, "#described")
    assert page.execute_script("return document.querySelectorAll('img').length") == 0
    assert page.execute_script("return window.__xss") is None
    assert no_alert(page)


# ---------------------------------------------------------------------------------------------- contract
def test_officer_renders_the_analyze_contract_and_keeps_edits(page: WebDriver, live: Live) -> None:
    """Render a real /v1/analyze answer (the fields of its response model, api/schemas_analyze.py) and edit it.

    The answer is the service's own for a real description; the test serves it to the page through the browser's
    fetch with markup added to the item title and to one reminder, so the page must keep API text as text.
    """
    description = "某餐馆后厨未取得食品经营许可证擅自经营，货值金额八千元，系初次违法，危害后果轻微，已当场改正"
    body = {"description": description, "as_of": "2026-10-01", "party_type": "organization"}
    real = live.api("POST", "/v1/analyze", json=body)
    assert real.status_code == 200, real.text
    answer = real.json()
    item, fine, tier = answer["item"], answer["fine"], answer["tier"]
    assert item and fine and tier and fine["suggested"] is not None
    answer["item"] = {**item, "title": item["title"] + " <b>x</b>"}
    assert answer["provisions"] and answer["provisions"][0]["applicability"]["band"] in ("high", "medium", "low")
    low = {**answer["provisions"][0]["applicability"], "band": "low", "probability": 0.123}
    answer["provisions"][0] = {**answer["provisions"][0], "applicability": low}
    answer["reminders"] = answer["reminders"] + [
        {"code": "hearing", "message": "罚款数额达到听证标准 <script>window.__xss=2</script>", "rule": "处罚法 第六十三条",
         "blocking": False}]
    page.get(live.url + "/")
    page.execute_script("""
        const answer = arguments[0], real = window.fetch.bind(window);
        window.__sent = null;
        window.fetch = (url, opts) => {
          if (String(url).endsWith('/v1/analyze')) {
            window.__sent = JSON.parse(opts.body);
            return Promise.resolve(new Response(JSON.stringify(answer),
              {status: 200, headers: {'Content-Type': 'application/json'}}));
          }
          return real(url, opts);
        };""", answer)
    set_value(page, "description", description)
    set_value(page, "as-of", "2026-10-01")
    page.find_element(By.CSS_SELECTOR, "input[name=party_type][value=organization]").click()
    page.find_element(By.ID, "analyze-btn").click()
    wait_for(page, "#fine-card")
    assert page.execute_script("return window.__sent") == body

    # 违则 and 罚则: the item's citations, re-verified on the violation date, with the text in force.
    blocks = page.find_elements(By.CSS_SELECTOR, "#match-card > .cite-block")
    assert [b.find_element(By.CSS_SELECTOR, ".role").text for b in blocks] == (
        ["违则"] * len(item["violated"]) + ["罚则"] * len(item["basis"]))
    assert [b.find_element(By.CSS_SELECTOR, ".cite-name").text for b in blocks] == [
        c["citation"] for c in item["violated"] + item["basis"]]
    last = item["basis"][-1]
    assert blocks[-1].find_element(By.CSS_SELECTOR, "blockquote").get_attribute("textContent") == last["text"]
    assert last["as_of_version"]["effective_from"] in blocks[-1].text
    assert "<b>x</b>" in page.find_element(By.CSS_SELECTOR, "#match-card .item-title").text

    # Two badges kept apart: the citations only 「条文存在且当日有效」 (neutral here), and 「适用于本案」 of the top
    # retrieved 罚则, here made low: shown as a warning, never green.
    exists = [b.find_element(By.CSS_SELECTOR, ".badge") for b in blocks]
    assert exists and all(b.text == "条文存在且当日有效" and not is_green(rgb(page, b)) for b in exists)
    applies = page.find_element(By.CSS_SELECTOR, "#applies-line .badge.applies")
    assert applies.text == applies_text(low) and applies.get_attribute("data-band") == "low"
    r, g, b = rgb(page, applies)
    assert not is_green((r, g, b)) and r > b  # the warning (amber) colours
    assert all(e in page.find_element(By.ID, "applies-line").text for e in low["evidence"])
    assert not [x for x in page.find_elements(By.CSS_SELECTOR, "#match-card .badge") if is_green(rgb(page, x))]

    tier_card = page.find_element(By.ID, "tier-card").text
    assert tier["label"] in tier_card
    if tier["probability"] is not None:
        assert f"{round(tier['probability'] * 100)}%" in tier_card
    marks = page.find_elements(By.CSS_SELECTOR, "#described mark")
    spans = [f["span"] for f in answer["factors"] if f.get("span")]
    assert [page.execute_script("const c = arguments[0].cloneNode(true); c.querySelector('sup').remove();"
                                "return c.textContent", m) for m in marks] == [description[s:e] for s, e in spans]

    fine_card = page.find_element(By.ID, "fine-card").text
    assert f"{fine['suggested']:,.0f} 元" in fine_card and fine["arithmetic"][0] in fine_card
    lawful = fine.get("lawful_range")
    if lawful:
        assert lawful["citation"] in page.find_element(By.ID, "lawful-range").text
    reminders = page.find_element(By.ID, "reminder-card").text
    assert all(r["message"] in reminders for r in answer["reminders"]) and "<script>" in reminders
    assert page.execute_script("return window.__xss") is None

    # The officer edits tier and amount; the document request carries the edits (fine in fen, R7.6).
    set_value(page, "tier-input", "从重")
    if lawful and lawful["max"] is not None:
        set_value(page, "amount-input", str(int(lawful["max"]) + 1))
        check = page.find_element(By.ID, "amount-check").text
        assert "超出法定罚款幅度" in check and "系统建议" in check
    if lawful and fine["max"] is not None and lawful["max"] is not None and lawful["max"] > fine["max"]:
        set_value(page, "amount-input", str(int(lawful["max"])))
        assert "超出建议阶次的罚款幅度" in page.find_element(By.ID, "amount-check").text
    amount = int(fine["min"] if fine["min"] is not None else fine["suggested"])
    set_value(page, "amount-input", str(amount))
    assert "超出" not in page.find_element(By.ID, "amount-check").text
    request = json.loads(text_of(page, "#case-preview"))
    assert request["kind"] == "penalty_decision" and request["format"] == "docx"
    case = request["case"]
    assert case["penalty"] == {"types": ["fine"], "fine_fen": amount * 100}
    assert case["tier"]["label"] == "从重" and all(r["suggested"] for r in case["tier"]["reasons"])
    assert case["violated"] == [c["citation"] for c in item["violated"]]
    assert case["basis"] == [c["citation"] for c in item["basis"]]
    assert case["party"]["kind"] == "organization" and case["violation_start"] == "2026-10-01"
    page.find_element(By.CSS_SELECTOR, "#doc-kind option[value=no_penalty_decision]").click()
    case = json.loads(text_of(page, "#case-preview"))["case"]
    assert "penalty" not in case
    if any(r["code"] == "first_offence_no_penalty" for r in answer["reminders"]):
        assert case["no_penalty"] == {"ground": "first_violation"}
    screenshot(page, "officer-contract.png", committed=False)
