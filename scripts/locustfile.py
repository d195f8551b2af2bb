"""Locust user for scripts/load_test.py: closed-loop clients posting everyday descriptions to one endpoint.

The endpoint comes from ``EH_LOAD_ENDPOINT`` (analyze, search or verify). By default each simulated officer sends the
next request as soon as the previous answer arrives (closed loop: throughput is what the service sustains at that
concurrency, and latency is concurrency / throughput); with ``EH_LOAD_RATE`` each sends that many requests/s on average,
at exponential intervals (independent officers: Poisson arrivals).
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

from locust import FastHttpUser, constant, task

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
# Plus every query of the retrieval eval sets (short phrases to pasted narratives), so the mix is not eight texts.
_EVAL = Path(__file__).resolve().parents[1] / "eval"
DESCRIPTIONS += [json.loads(line)["query"] for name in ("retrieval_dev", "retrieval_holdout", "retrieval_holdout2")
                 for line in (_EVAL / f"{name}.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
VERIFY_TEXT = "依据《中华人民共和国食品安全法》第一百二十二条第一款、《消防法》第六十条第一款第（三）项"
ENDPOINTS = {
    "analyze": ("/v1/analyze", lambda d: {"description": d, "as_of": "2026-10-01", "party_type": "organization"}),
    "search": ("/v1/search", lambda d: {"query": d, "as_of": "2026-10-01", "top_k": 5}),
    "verify": ("/v1/citations/verify", lambda d: {"text": VERIFY_TEXT, "as_of": "2026-10-01"}),
}
PATH, BODY = ENDPOINTS[os.environ.get("EH_LOAD_ENDPOINT", "analyze")]
# EH_LOAD_HOSTILE: share of requests that are the hostile probes of the hardening issue (catastrophic-backtracking
# and quadratic texts, lone surrogates, dates at the edge). They must answer 2xx/4xx, never 5xx, and must not slow
# the normal requests, which are reported apart (name = the endpoint's path).
_HOSTILE_SHARE = float(os.environ.get("EH_LOAD_HOSTILE") or 0)
HOSTILE: list[tuple[str, bytes]] = [
    ("/v1/extract", json.dumps({"text": "当事人在" + "镇" * 60 + "。"}, ensure_ascii=False).encode()),
    ("/v1/analyze", json.dumps({"description": "当事人在" + "镇" * 60 + "。"}, ensure_ascii=False).encode()),
    ("/v1/analyze", json.dumps({"description": "1" * 20000}).encode()),
    ("/v1/extract", json.dumps({"text": "1元" * 9000}, ensure_ascii=False).encode()),
    ("/v1/search", b'{"id": "\\ud800", "query": "\\ud800"}'),
    ("/v1/extract", json.dumps({"text": "次日", "reference_date": "9999-12-31"}, ensure_ascii=False).encode()),
    ("/v1/analyze", json.dumps({"description": "第" * 5000 + "条款项" * 3000}, ensure_ascii=False).encode()),
]


# EH_LOAD_RATE: requests/s of one user (officers with think time); unset, users are closed-loop (no wait).
_RATE = float(os.environ.get("EH_LOAD_RATE") or 0)


def poisson_arrivals(rate: float):  # noqa: ANN201
    """Wait until this user's next send time, the gaps exponential with mean 1/rate: independent officers make a
    Poisson stream. locust's ``constant_throughput`` keeps users that started together in step, so every request
    of a round arrives at once and waits behind the others (a burst pattern no real office produces)."""

    def wait(user: FastHttpUser) -> float:
        now = time.monotonic()
        nxt = getattr(user, "_next_at", now + random.expovariate(rate)) + random.expovariate(rate)
        user._next_at = max(nxt, now - 1.0 / rate)  # a user far behind (slow answers) does not fire a burst
        return max(0.0, user._next_at - now)

    return wait


class Officer(FastHttpUser):
    wait_time = poisson_arrivals(_RATE) if _RATE > 0 else constant(0)

    @task
    def post(self) -> None:
        if _HOSTILE_SHARE and random.random() < _HOSTILE_SHARE:
            path, body = random.choice(HOSTILE)
            with self.client.post(path, data=body, headers={"Content-Type": "application/json"}, name="hostile",
                                  catch_response=True) as r:
                if r.status_code >= 500 or r.status_code == 0:
                    r.failure(f"hostile request answered {r.status_code}")
                else:
                    r.success()
            return
        self.client.post(PATH, json=BODY(random.choice(DESCRIPTIONS)), name=PATH)
