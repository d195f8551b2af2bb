"""The analysis pipeline (analysis.pipeline.Analyzer) on the real index, benchmarks and tier model.

The search the pipeline is given is the service's (api.services.Services.search: the saved index of the real store);
the resolver, benchmark store and tier model come in as callables, called only on the path that needs them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

import analysis.pipeline as pipeline
import analysis.tiers as tiers
from analysis.pipeline import Analyzer

pytestmark = pytest.mark.slow

# An item path (an agreeing 消防 item decides the tier) and a statutory-split path (no item agrees).
ITEM_TEXT = "某商场占用、堵塞疏散通道，系初次违法"
LAWFUL_TEXT = "检查时该店营业执照和食品经营许可证均在有效期内，现场未发现违法行为。"


@pytest.fixture(scope="module")
def services(built_index, data_dir, shared_dir):  # noqa: ANN001, ANN201 - conftest fixtures
    from api.core.settings import Settings
    from api.services import Services

    return Services(Settings(data_dir=data_dir, shared_dir=shared_dir))


def _analyzer(services: Any, tier_model: Callable[[], Any] | None = None) -> Analyzer:
    return Analyzer(services.search, lambda: services.resolver, lambda: services.benchmarks,
                    tier_model or (lambda: services.tier_model))


def test_the_pipeline_answers_as_the_service_does(services: Any) -> None:
    """Built from the same parts, the pipeline gives the service's answer: the service only checks and delegates."""
    args = (ITEM_TEXT, date(2026, 10, 1), "organization", None, None, date(2026, 11, 1))
    assert _analyzer(services).analyze(*args) == services.analyze(*args)


def test_facts_are_extracted_once_per_description(services: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 12 §6: one extraction feeds retrieval (``conduct_text``), item similarity, the tier and the lists."""
    calls: list[str] = []
    real = pipeline.extract_facts

    def counted(text: str) -> Any:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(pipeline, "extract_facts", counted)
    monkeypatch.setattr(tiers, "extract_facts", counted)
    answer = _analyzer(services).analyze(ITEM_TEXT, date(2026, 10, 1), "organization")
    assert answer["tier"] and answer["tier"]["source"] == "item"
    assert calls == [ITEM_TEXT]


def test_only_an_item_answer_needs_the_tier_model(services: Any) -> None:
    """A statutory-split or no-violation answer never loads the tier model; an item answer asks for it once."""
    asked: list[int] = []

    def model() -> Any:
        asked.append(1)
        return services.tier_model

    an = _analyzer(services, model)
    lawful = an.analyze(LAWFUL_TEXT, date(2026, 10, 1))
    assert lawful["no_violation"] and lawful["tier"] is None and asked == []
    item = an.analyze(ITEM_TEXT, date(2026, 10, 1), "organization")
    assert item["tier"]["source"] == "item" and asked == [1]


def test_a_benchmark_reminder_on_an_old_case_asks_for_the_discovery_date(services: Any) -> None:
    """Without a discovery date an old case is never 不予处罚 by an assumed date: a blocking reminder asks for it."""
    an = _analyzer(services)
    old = an.analyze(ITEM_TEXT, date(2022, 1, 10), "organization", decision_date=date(2026, 10, 1))
    (need,) = [r for r in old["reminders"] if r["code"] == "discovery_date_needed"]
    assert need["blocking"] and old.get("adjustment") != "不予处罚"
    told = an.analyze(ITEM_TEXT, date(2022, 1, 10), "organization", discovery_date=date(2026, 9, 1),
                      decision_date=date(2026, 10, 1))
    assert not any(r["code"] == "discovery_date_needed" for r in told["reminders"])
    assert told["adjustment"] == "不予处罚"


def test_a_stand_in_version_is_never_presented_as_the_applicable_text(services: Any) -> None:
    # 道路交通安全法 is stored from its 2011 amendment: for a 2010 event its nearest text ranks first, and the answer
    # blocks on it and says where the fine range comes from.
    a = services.analyze("饮酒后驾驶机动车被交警查获", date(2010, 6, 1), None, None, region="重庆")
    top = a["provisions"][0]
    assert top["law"] == "中华人民共和国道路交通安全法" and top["version_status"] == "nearest_later"
    (gap,) = [r for r in a["reminders"] if r["code"] == "version_gap"]
    assert gap["blocking"] and "2010-06-01" in gap["message"] and top["effective_from"] in gap["message"]
    assert a["fine"] and sum("最接近的版本" in x for x in a["fine"]["assumptions"]) == 1
    today = services.analyze("饮酒后驾驶机动车被交警查获", date(2025, 6, 1), None, None, region="重庆")
    assert today["provisions"][0]["version_status"] == "in_force"
    assert not any(r["code"] == "version_gap" for r in today["reminders"])
