"""Every message an officer or reviewer reads is Chinese; codes stay English (issue #12).

Real verification cases (real store) go through ``Resolver.verify_text`` and ``POST /v1/citations/verify``; every
human-readable text of the verdicts (message, warnings, notes) must hold Chinese and no English word other than a
rule code (R2.7) or a snake_case identifier. ``status``/``reason`` stay the English codes clients branch on.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient

from api.app import create_app

# (text, date, status, reason): repealed law, article / 款 / 项 out of range, version gaps, a text lost by the
# source, an ambiguous 项, an unknown title, and the rest of the resolver's refusals and warnings.
CASES = [
    ("《大气污染防治法》第九十九条第（二）项", "2026-11-22", "not_in_force", "repealed"),
    ("《个体工商户条例》第二十三条", "2026-11-22", "not_in_force", "repealed"),
    ("《消防法》第九百条", "2026-11-22", "article_not_found", "no_such_article"),
    ("《消防法》第六十条第四款", "2026-11-22", "paragraph_not_found", "no_such_paragraph"),
    ("《消防法》第六十条第一款第（八）项", "2026-11-22", "item_not_found", "no_such_item"),
    ("《道路交通安全法》第五十六条第（一）项", "2026-11-22", "item_not_found", "no_items"),
    ("《行政处罚法》第三十二条", "2017-01-01", "not_in_force", "version_not_in_store"),
    ("《生态环境法典》第一千一百零七条", "2026-05-01", "not_in_force", "not_yet_effective"),
    ("《中华人民共和国行政处罚法》（2017年修正）第二十九条", "2024-01-01", "not_in_force", "superseded"),
    ("《生态环境法典》第一千一百二十条", "2026-11-22", "article_not_found", "text_not_in_store"),
    ("《劳动合同法》第四十一条第（一）项", "2026-11-22", "ambiguous", "item_paragraph_ambiguous"),
    ("《食品安全法实施细则》第一条", "2026-11-22", "law_not_found", "unknown_title"),
    ("法典第一千条", "2026-11-22", "ambiguous", "ambiguous_law_name"),
    ("依照前款规定处罚", "2026-11-22", "ambiguous", "relative_without_context"),
    ("依据本条例第十条", "2026-11-22", "law_not_found", "no_law_named"),
    # verified, with a warning (R2.8) or a later change (从旧兼从轻)
    ("《公安机关办理行政案件程序规定》第三十七条", "2026-11-22", "verified", None),
    ("《大气污染防治法》第九十九条第（二）项", "2025-05-01", "verified", None),
    ("《商标法》第六十条", "2026-11-22", "verified", None),
]

_CJK = re.compile(r"[\u4e00-\u9fff]")
# What may stay in Latin letters inside a Chinese message: rule codes (R2.7, R1.8), snake_case identifiers
# (party_type, discovery_date), field names echoed from the request, acronyms and header names (API, JSON,
# X-API-Key, YYYY-MM-DD) and the command an administrator runs.
_ALLOWED = re.compile(r"\bR\d+(?:\.\d+)*\b|\b[a-z]+(?:_[a-z]+)+\b|\b[A-Z][A-Za-z]*(?:-[A-Z][A-Za-z]*)+\b|\b[A-Z]{2,}\b"
                      r"|enforcement-helper \w+")
# Request fields and code values a message may name (in addition to snake_case ones).
_FIELDS = {"text", "description", "query", "cite", "items", "individual", "organization"}
_WORD = re.compile(r"[A-Za-z]{2,}")


def human_texts(check: dict) -> list[str]:
    """The texts of one verdict a person reads."""
    out = [check.get("message"), check.get("stored_text_note"), *(check.get("warnings") or [])]
    out.append((check.get("later_change") or {}).get("note"))
    return [t for t in out if t]


def english_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(_ALLOWED.sub(" ", text)) if w not in _FIELDS]


def assert_chinese(text: str, where: str) -> None:
    assert _CJK.search(text), f"{where}: no Chinese in {text!r}"
    assert not english_words(text), f"{where}: English words {english_words(text)} in {text!r}"


def test_the_checker_catches_english() -> None:
    """The old messages fail the check, the new ones pass: the test can fail."""
    for old in ("repealed on 2026-08-15 by 中华人民共和国生态环境法典", "the article has 3 款; 第4款 does not exist",
                "the version in force on 2017-01-01 is not in the store"):
        with pytest.raises(AssertionError):
            assert_chinese(old, "old")
    assert_chinese("该条共有3款，引用的第5款不存在", "new")
    assert_chinese("该法规是否已废止未经核实（R2.8）；见 stored_text", "new")


@pytest.mark.parametrize(("text", "day", "status", "reason"), CASES, ids=[c[0] + "@" + c[1] for c in CASES])
def test_resolver_messages_are_chinese(resolver, text: str, day: str, status: str, reason: str | None) -> None:
    (r,) = resolver.verify_text(text, date.fromisoformat(day))
    assert (r.status, r.reason) == (status, reason)  # codes unchanged
    texts = human_texts(r.to_dict())
    if status != "verified":
        assert r.message, "every refusal says why"
    for t in texts:
        assert_chinese(t, text)


def test_resolver_messages_name_the_facts(resolver) -> None:
    (r,) = resolver.verify_text("《大气污染防治法》第九十九条第（二）项", date(2026, 11, 22))
    assert r.message == "该条文已于2026年8月15日废止（被《中华人民共和国生态环境法典》取代）"
    (r,) = resolver.verify_text("《消防法》第六十条第四款", date(2026, 11, 22))
    assert r.message == "该条共有3款，引用的第4款不存在"
    (r,) = resolver.verify_text("《公安机关办理行政案件程序规定》第三十七条", date(2026, 11, 22))
    assert any("R2.8" in w for w in r.warnings)


@pytest.fixture(scope="module")
def client(data_dir, shared_dir):
    from api.core.settings import Settings

    with TestClient(create_app(Settings(data_dir=data_dir, shared_dir=shared_dir))) as c:
        yield c


def test_http_verify_messages_are_chinese(client: TestClient) -> None:
    seen = set()
    for text, day, status, reason in CASES:
        r = client.post("/v1/citations/verify", json={"text": text, "as_of": day})
        assert r.status_code == 200, r.text
        (c,) = r.json()["citations"]
        assert (c["status"], c["reason"]) == (status, reason)
        for t in human_texts(c):
            assert_chinese(t, text)
            seen.add(t)
    assert len(seen) >= len(CASES) - 3  # the messages are specific, not one stock sentence


@pytest.mark.parametrize(("method", "url", "kw", "code"), [
    ("post", "/v1/citations/verify", {"json": {"text": "《消防法》第六十条", "as_of": "2026-13-01"}}, "bad_date"),
    ("post", "/v1/citations/verify", {"json": {"text": "《消防法》第六十条", "as_of": "1900-01-01"}}, "bad_date"),
    ("post", "/v1/citations/verify", {"json": {"text": ""}}, "invalid_request"),
    ("post", "/v1/citations/verify", {"json": {}}, "invalid_request"),
    ("post", "/v1/citations/verify", {"json": {"text": "条" * 20001}}, "input_too_large"),
    ("post", "/v1/citations/verify", {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
     "invalid_request"),
    ("get", "/v1/provisions", {"params": {"cite": "没有引用"}}, None),
    ("post", "/v1/analyze", {"json": {"description": "占道经营", "party_type": "alien"}}, "invalid_request"),
    ("get", "/v1/nothing-here", {}, "not_found"),
    ("post", "/v1/documents", {"json": {"kind": "penalty_decision", "case": {}}}, "api_key_required"),
    ("post", "/v1/documents", {"json": {}, "headers": {"X-API-Key": "eh_not-a-key"}}, "invalid_api_key"),
])
def test_error_messages_are_chinese(client: TestClient, method: str, url: str, kw: dict, code: str | None) -> None:
    r = getattr(client, method)(url, **kw)
    assert 400 <= r.status_code < 600, r.text
    err = r.json()["error"]
    if code:
        assert err["code"] == code
    assert_chinese(err["message"], f"{url} {err['code']}")
    for d in err.get("details") or []:
        if isinstance(d, dict) and d.get("message"):
            assert_chinese(d["message"], f"{url} {err['code']} detail")
