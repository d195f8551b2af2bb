"""Which articles are 罚则: a 法律责任 article that sanctions nobody (procedure, definitions, 复议 rights, the catch-all
「从其规定」) is not offered as one, on the real store."""

from __future__ import annotations

import pytest

from corpus.sources.common import liability_level

CHAPTER = "第七章 法律责任"


@pytest.mark.parametrize("text", [
    "违反本条例规定的行为，法律、法规已有法律责任规定的，从其规定；构成犯罪的，依法追究刑事责任。",
    "本条例规定的货值金额按照同类检疫合格及肉品品质检验合格的生猪、生猪产品的市场价格计算。",
    "当事人对行政处罚决定不服的，可以依法申请行政复议或者提起行政诉讼。",
    "违反本法规定，给他人造成损害的，依法承担民事责任。",
    "违反本法规定，构成犯罪的，依法追究刑事责任。",
])
def test_what_sanctions_nobody_is_no_penalty_provision(text: str) -> None:
    assert liability_level(CHAPTER, None, text) == 0


@pytest.mark.parametrize("text", [
    "建设单位有下列行为之一的，依照《中华人民共和国环境影响评价法》的规定处罚：",
    "凡有下列行为之一的单位或者个人，卫生防疫机构可以根据情节轻重，给予警告、罚款、停业整顿、吊销“卫生许可证”的行政处罚：",
    "违反本法规定，未取得食品生产经营许可从事食品生产经营活动的，由县级以上人民政府食品安全监督管理部门没收违法所得。",
    "有前款行为的，由公安机关责令改正，处五百元以上一千元以下罚款；构成犯罪的，依法追究刑事责任。",
    "采购代理机构在代理政府采购业务中有违法行为的，按照有关法律规定处以罚款，构成犯罪的，依法追究刑事责任。",
    "违反本条例规定的，处以罚款，法律另有规定的，从其规定。",
])
def test_sanctions_and_referrals_are_penalty_provisions(text: str) -> None:
    assert liability_level(CHAPTER, None, text) == 2


def test_the_store_keeps_penalty_provisions_and_drops_the_rest(store) -> None:
    rows = store.con.execute(
        "SELECT a.text, a.liability FROM articles a JOIN versions v ON v.id = a.version_id "
        "JOIN instruments i ON i.id = v.instrument_id WHERE i.title = ? AND a.number = ?", ("生猪屠宰管理条例", 40)).fetchall()
    assert rows and all(liab == 0 for _, liab in rows), rows  # 「本条例规定的货值金额按照…计算」: a definition
    priced = store.con.execute("SELECT count(*) FROM articles WHERE liability = 2 AND text LIKE '%罚款%'").fetchone()[0]
    dropped = store.con.execute("SELECT count(*) FROM articles WHERE liability = 0 AND text LIKE '%处%罚款%'"
                                " AND text NOT LIKE '%从其规定%'").fetchone()[0]
    assert priced > 5000 and dropped < 0.01 * priced, (priced, dropped)
