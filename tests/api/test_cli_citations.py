"""The CLI contract for case systems: verify, show, corpus, JSON lines (issue #2)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from api.cli import app

runner = CliRunner()


def test_verify_json(app_env) -> None:
    res = runner.invoke(app, ["verify", "依据《消防法》第60条第1款第2项、第2款", "--as-of", "2025-01-01", "--json"])
    assert res.exit_code == 0, res.output
    cites = json.loads(res.stdout)["citations"]
    assert [c["normalized"] for c in cites] == [
        "《中华人民共和国消防法》第六十条第一款第（二）项", "《中华人民共和国消防法》第六十条第二款"]
    assert list(cites[0])[:9] == ["raw", "normalized", "law", "article", "paragraph", "item", "status", "as_of_version", "text"]


def test_verify_jsonl_in_order_with_bad_lines(app_env) -> None:
    lines = "\n".join([
        json.dumps({"id": "a", "text": "《食品安全法》第一百二十二条第一款", "as_of": "2026-01-01"}, ensure_ascii=False),
        "this is not json",
        json.dumps({"id": "c", "text": "《消防法》第六十条", "as_of": "2026-02-30"}, ensure_ascii=False),
        json.dumps({"id": "d", "text": "《大气污染防治法》第九十九条", "as_of": "2026-09-01"}, ensure_ascii=False),
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "f", "text": ""}),
    ]) + "\n"
    res = runner.invoke(app, ["verify", "--jsonl"], input=lines)
    assert res.exit_code == 0
    out = [json.loads(x) for x in res.stdout.splitlines()]
    assert [o.get("id") for o in out] == ["a", None, "c", "d", None, "f"]
    assert out[0]["citations"][0]["status"] == "verified"
    assert out[1]["error"]["code"] == "bad_json"
    assert out[2]["error"]["code"] == "bad_date"
    assert out[3]["citations"][0]["status"] == "not_in_force"
    assert out[4]["error"]["code"] == "bad_line"
    assert out[5]["error"]["code"] == "empty_input"


def test_show_as_of(app_env) -> None:
    res = runner.invoke(app, ["show", "《消防法》第六十条第二款", "--as-of", "2025-06-01", "--json"])
    assert res.exit_code == 0
    body = json.loads(res.stdout)
    assert body["status"] == "verified" and "五百元以下" in body["text"]
    res = runner.invoke(app, ["show", "《生态环境法典》第一千一百零七条", "--as-of", "2026-05-01"])
    assert res.exit_code == 1 and "not_in_force" in res.stdout


def test_bad_input_is_a_message_not_a_traceback(app_env) -> None:
    res = runner.invoke(app, ["show", "没有条文", "--as-of", "2025-01-01"])
    assert res.exit_code == 2 and "Traceback" not in res.output
    res = runner.invoke(app, ["verify", "x", "--as-of", "yesterday"])
    assert res.exit_code == 2 and "bad_date" in res.output


def test_corpus_jsonl_lists_every_instrument(app_env, store) -> None:
    res = runner.invoke(app, ["corpus", "--jsonl"])
    rows = [json.loads(x) for x in res.stdout.splitlines()]
    assert len(rows) == store.counts()["instruments"]
    fire = next(r for r in rows if r["law"] == "中华人民共和国消防法")
    assert fire["level"] == "法律" and fire["versions"][0]["version_date"]
    assert {"law", "level", "issuer", "versions"} <= set(fire)


def test_missing_store_is_explained(monkeypatch, tmp_path) -> None:
    from api.core.settings import get_settings

    monkeypatch.setenv("EH_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    res = runner.invoke(app, ["show", "《消防法》第六十条"])
    get_settings.cache_clear()
    assert res.exit_code == 2 and "[not_built]" in res.output and "run enforcement-helper build" in res.output
    assert not (tmp_path / "corpus.sqlite").exists()


def test_contract_fields_keep_article_sub(app_env) -> None:
    res = runner.invoke(app, ["verify", "《刑法》第一百二十条之一", "--as-of", "2026-01-01", "--json"])
    (c,) = json.loads(res.stdout)["citations"]
    assert list(c)[:10] == ["raw", "normalized", "law", "article", "paragraph", "item", "status", "as_of_version",
                            "text", "article_sub"]
    assert (c["article"], c["article_sub"], c["status"]) == (120, 1, "verified")


def test_show_before_the_stored_version_warns_and_gives_no_text(app_env) -> None:
    """R2.7: the newer text is printed only under a warning, never as the text in force."""
    cite = "《食品安全法》第一百二十二条第一款"
    now = json.loads(runner.invoke(app, ["show", cite, "--as-of", "2026-01-01", "--json"]).stdout)
    # the earliest stored 食品安全法 is the 2015 revision (in force 2015-10-01)
    res = runner.invoke(app, ["show", cite, "--as-of", "2014-05-01", "--json"])
    old = json.loads(res.stdout)
    assert old["status"] == "not_in_force" and old["text"] is None and old["as_of_version"] is None
    assert old["stored_text"] and now["text"] and old["stored_text_applicable"] is False
    res = runner.invoke(app, ["show", cite, "--as-of", "2014-05-01"])
    assert res.exit_code == 1 and "注意：并非" in res.stdout
    assert res.stdout.index("注意：并非") < res.stdout.index(old["stored_text"][:20])


def test_search_jsonl_and_text_carry_the_signals(monkeypatch, built_index, data_dir, shared_dir) -> None:
    from api.core.settings import get_settings

    monkeypatch.setenv("EH_DATA_DIR", str(data_dir))
    monkeypatch.setenv("EH_SHARED_DIR", str(shared_dir))
    get_settings.cache_clear()
    q = "饮酒后驾驶机动车"  # 道路交通安全法 is stored from 2011: a 2010 case meets a version gap
    lines = "\n".join(json.dumps({"id": i, "query": q, "as_of": d, "top_k": 3}, ensure_ascii=False)
                      for i, d in (("old", "2010-06-01"), ("new", "2026-10-01")))
    out = {o["id"]: o for o in map(json.loads, runner.invoke(app, ["search", "--jsonl"], input=lines).stdout.splitlines())}
    for o in out.values():
        assert {"no_match", "confidence", "notes", "results"} <= set(o)
        assert {"citation", "law", "article", "paragraph", "item", "text", "score", "violated", "basis"} <= set(
            o["results"][0])
    assert any("道路交通安全法" in n for n in out["old"]["notes"])
    assert not any("道路交通安全法" in n for n in out["new"]["notes"])
    assert out["old"]["results"][0]["version_status"] == "nearest_later"
    assert out["old"]["version_gaps"][0]["law"] == "中华人民共和国道路交通安全法"
    assert out["new"]["results"][0]["version_status"] == "in_force" and out["new"]["version_gaps"] == []
    text = runner.invoke(app, ["search", q, "--as-of", "2010-06-01", "--top-k", "3"]).stdout
    assert "提示：" in text and "道路交通安全法" in text
    stored = out["old"]["results"][0]["effective_from"]
    assert text.count("非当日版本") == sum(r["version_status"] != "in_force" for r in out["old"]["results"])
    assert f"{stored} 至" in text
    get_settings.cache_clear()
