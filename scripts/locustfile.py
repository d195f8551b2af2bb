"""Locust user for scripts/load_test.py: closed-loop clients posting everyday descriptions to one endpoint.

The endpoint comes from ``EH_LOAD_ENDPOINT`` (analyze, search or verify). By default each simulated officer sends the
next request as soon as the previous answer arrives (closed loop: throughput is what the service sustains at that
concurrency, and latency is concurrency / throughput); with ``EH_LOAD_RATE`` each paces itself to that many requests/s.
"""

from __future__ import annotations

import os
import random

from locust import FastHttpUser, constant, constant_throughput, task

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
VERIFY_TEXT = "依据《中华人民共和国食品安全法》第一百二十二条第一款、《消防法》第六十条第一款第（三）项"
ENDPOINTS = {
    "analyze": ("/v1/analyze", lambda d: {"description": d, "as_of": "2026-10-01", "party_type": "organization"}),
    "search": ("/v1/search", lambda d: {"query": d, "as_of": "2026-10-01", "top_k": 5}),
    "verify": ("/v1/citations/verify", lambda d: {"text": VERIFY_TEXT, "as_of": "2026-10-01"}),
}
PATH, BODY = ENDPOINTS[os.environ.get("EH_LOAD_ENDPOINT", "analyze")]


# EH_LOAD_RATE: requests/s of one user (officers with think time); unset, users are closed-loop (no wait).
_RATE = float(os.environ.get("EH_LOAD_RATE") or 0)


class Officer(FastHttpUser):
    wait_time = constant_throughput(_RATE) if _RATE > 0 else constant(0)

    @task
    def post(self) -> None:
        self.client.post(PATH, json=BODY(random.choice(DESCRIPTIONS)), name=PATH)
