"""Entities in a case description, for auto-filling documents (身份信息智能采集; DOMAIN.md §7).

A spaCy pipeline — ``spacy.blank("zh")`` with a private jieba segmenter — runs rule components that each
propose candidates; the last one resolves overlaps, aligns tokens to the entity boundaries (so ``doc.ents``
holds exactly the entities) and stores :class:`Entity` objects on ``doc._.eh_entities``. No Chinese spaCy
model with NER can be installed (research/models.md §7), so the components are rules over characters plus
jieba tokens where word boundaries matter (where a company or agency name *starts*).

Labels and what ``value`` holds:

========== ============================================ ===========================================
label      value                                        attrs
========== ============================================ ===========================================
PARTY      name                                         kind: individual / individual_business /
                                                        organization (R7.1)
LEGAL_REP  name                                         role: 法定代表人 / 负责人 / 经营者 (R7.1)
USCC       normalised code (R7.2)                       check details; ``valid``/``reason`` on entity
ID_CARD    normalised number (R7.3)                     sex, birth_date
ADDRESS    the address                                  kind: domicile / business_premises / other;
                                                        cue (住所, 经营场所 …) — R7.1 keeps them apart
PLACE      where the violation happened                 cue
PHONE      digits only                                  type: mobile / landline
PLATE      normalised plate (R7.4, shape only)          type
DATE       ISO date (``2025-03``: month precision)      kind, precision, relative (R7.5)
TIME       ``HH:MM``                                    approximate (许/左右)
MONEY      integer fen (R7.6, via :mod:`nlp.money`);    kind: 罚款 / 违法所得 / 货值金额 …;
           a range (十万元以上一百万元以下) is one entity   range, min_inclusive, max_inclusive
           with ``{"min": fen, "max": fen}``
AGENCY     the agency name                              —
========== ============================================ ===========================================

Invalid identifiers are kept, with ``valid=False``, the validator's reason code and its Chinese ``message``
(never silently accepted); a clearly labelled identifier of the wrong length is reported invalid too.
PARTY and LEGAL_REP are reported once per name (first mention); everything else at every mention.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, cast

import jieba
import spacy
from spacy.lang.zh import ChineseTokenizer
from spacy.language import Language
from spacy.tokens import Doc

from nlp.dates import find_dates, find_times
from nlp.errors import EHError
from nlp.identifiers import IdCheck, validate_id_card, validate_plate, validate_uscc
from nlp.money import find_amounts, find_fine_ranges
from nlp.spans import SpanMask

jieba.setLogLevel(60)  # the dictionary-loading banner would otherwise land on the CLI's output

__all__ = ["Entity", "EntityError", "LABELS", "extract_entities", "get_pipeline"]

LABELS = ("PARTY", "LEGAL_REP", "USCC", "ID_CARD", "ADDRESS", "PLACE", "PHONE", "PLATE", "DATE", "TIME",
          "MONEY", "AGENCY")


class EntityError(EHError):
    """Bad input to the extractor (the API layer maps it to a 4xx)."""

    code = "bad_text"


@dataclass
class Entity:
    """One entity: ``text == source[start:end]``; ``value`` is the normalised value (see module doc)."""

    label: str
    text: str
    start: int
    end: int
    value: Any = None
    valid: bool = True
    reason: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    message: str | None = None  # the reason in Chinese for the officer (e.g. 第18位校验码应为…)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        def plain(v: Any) -> Any:
            return v.isoformat() if isinstance(v, date) else v

        return {"label": self.label, "text": self.text, "start": self.start, "end": self.end,
                "value": plain(self.value), "valid": self.valid, "reason": self.reason, "message": self.message,
                "attrs": {k: plain(v) for k, v in self.attrs.items()}}


# ============================================================================ shared patterns
_CJK = r"\u4e00-\u9fff"
_PUNCT = set("，,。；;：:、（）()《》“”\"'‘’！!？?\n\t 　【】[]…—·")
_SURNAME2 = "欧阳|司马|上官|诸葛|东方|皇甫|尉迟|公孙|慕容|令狐|长孙|宇文|司徒|夏侯|轩辕|端木|独孤|南宫|西门|百里"
_SURNAME1 = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
             "姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温"
             "康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗"
             "谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳穆农卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏"
             "席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘池麻苑迟邝官封谈匡鞠惠荆乐冀郁胥"
             "班储原栗燕楚鄢劳谌奚皮粟冼蔺楼满闻位厉伊仝郜阚权帅屠豆朴盖练廉禹井祖漆巴丰支卿狄计索宣晋相初云容敬扈晁芮"
             "阙浦戈伏鹿薄邸雍辜羊乌母裘亓修邰赫杭况宿鲜印逯隆茹诸战慕危玉银亢嵇湛宾")
# Characters that end a personal name: function words and the first characters of what usually follows one.
_NAME_STOP = set("于在驾因将对从与和及等系的是为经被向到未把身男女住现户联电无拒擅违承均已自今当不也又都就便所该其"
                 "称涉私酒超闯携营持拨投反报即并以由即之个体工商会同等、携称名")
# The first given-name character may be almost anything (超, 成, 现 …); only function words rule it out.
_GIVEN_FIRST_STOP = set("于在将对从与和及等的是为被向把未已也又都就驾身男女，")
_PERSON = re.compile(rf"(?:{_SURNAME2}|[{_SURNAME1}])(?:某某|某[甲乙丙丁]?|[{_CJK}]{{1,2}})")

_ORG_FORMS = ("股份有限公司|有限责任公司|有限公司|集团公司|分公司|公司|专业合作社|合作社|合伙企业|个人独资企业|研究院|"
              "人民医院|医院|卫生院|学校|幼儿园|协会|商会|基金会|事务所|工作室|加工厂|厂")
_SHOP_FORMS = ("小面馆|面馆|饭店|酒店|宾馆|旅馆|招待所|餐馆|餐厅|火锅店|烧烤店|茶楼|茶馆|棋牌室|网吧|KTV|超市|便利店|药房|"
               "药店|诊所|门诊部|经营部|门市部|商行|商店|店|馆|作坊")
_BRANCH = re.compile(rf"[{_CJK}]{{1,8}}?(?:分公司|分店|营业部|分厂|支行)")
_UNIT_FORMS = "服务中心|中心|研究所|检测站|养老院|敬老院|社区卫生服务站|经营部"
_ORG_END = re.compile(rf"(?:{_ORG_FORMS})")
_UNIT_END = re.compile(rf"(?:{_UNIT_FORMS})")
_SHOP_END = re.compile(rf"(?:{_SHOP_FORMS})")
_NAME_BODY_STOP = set("在于将对从被把因的了并但而其该此未已")

# Tokens after which a name may start (and which never belong to a name).
_LEFT_STOP = {
    "对", "由", "向", "接", "从", "与", "和", "及", "经查", "查明", "经", "检查", "发现", "查获", "约谈", "委托", "系", "为",
    "是", "即", "于", "在", "将", "被", "当事人", "纳税人", "个体工商户", "驾驶人", "驾驶员", "车主", "所有人", "受", "位于",
    "其", "该", "我局", "执法人员", "监督员", "民警", "进行", "开展", "前往", "到", "至", "日", "时", "分", "许", "年",
    "月", "号", "晚", "称", "反映", "举报", "投诉", "拨打", "依法", "抽检", "组织", "中", "的", "了", "并", "也", "已", "又",
    "名称", "经调查", "调查", "核查", "经核查", "以下简称", "简称", "移送", "线索", "联合", "会同", "通知", "责令", "要求",
    "督促", "送达", "告知", "立案", "受理", "接到", "接报", "巡查", "当日", "次日", "当天", "期间", "以来", "起", "后",
    "前", "同", "给", "请", "派", "对其", "拟", "决定", "处以", "根据", "依据", "按照", "关于", "涉嫌", "承建", "管理",
    "车属", "属于", "属", "查处", "行为人", "涉案人员", "参与人", "摊主", "店主", "名为", "名称为", "我叫", "叫",
}
# Tokens right before a name that make it the object of enforcement (检查X, 责令X停业): the party.
_ENFORCE_LEFT = {"检查", "对", "责令", "查处", "查获", "发现", "约谈", "处罚", "告知", "通知"}
# Tokens right before a company name that make it someone other than the party (supplier, principal…).
_NON_PARTY_LEFT = {"受", "从", "委托", "由", "与", "和", "及", "自", "购自", "来自", "接", "移送", "供货商", "向"}

_PARTY_CUE = re.compile(
    r"(?:当事人(?:名称|姓名)?|被处罚人|被处罚单位|违法行为人|违法嫌疑人|行为人|涉案人员|涉案人|参与人|违法单位|"
    r"被检查单位|被检查人|受检单位|纳税人(?:名称)?|个体工商户|驾驶人|驾驶员|车主|车辆所有人|所有人|车属|教练员|"
    r"号码使用人|使用人|摊主|店主|租户|承租人|我叫|姓名|名为|名称为)\s*(?:[：:]\s*)?(?:为|是)?")
# 项目负责人 / 现场负责人 / 技术负责人 run a site or a job, not the unit: not its legal representative.
_REP_CUE = re.compile(r"(?<!项目|现场|技术|安全|工程|质量|门店|班组)(?P<role>法定代表人|主要负责人|负责人|经营者|投资人)"
                      r"\s*(?:[：:]\s*)?(?:为|是)?\s*")
_FOLLOW_PARTY = re.compile(
    r"\s*+[（(，,]?\s*+(?:统一社会信用代码|信用代码|以下简称|个体工商户|组成形式|经营者|负责人|法定代表人|纳税人识别号|注册号)")
_FOLLOW_PERSON = re.compile(r"\s*+[（(，,]\s*+(?:性别[：:])?[男女][，,）)]|\s*+[（(，,]?\s*+(?:公民身份号码|(?:居民)?身份证)")

# ============================================================================ jieba / spaCy pipeline
_USER_WORDS = ("当事人", "法定代表人", "负责人", "经营者", "统一社会信用代码", "身份证号码", "居民身份证", "公民身份号码",
               "经营场所", "住所地", "户籍所在地", "现住址", "违法行为发生地", "违法行为人", "个体工商户", "驾驶人",
               "执法人员", "有限公司", "股份有限公司", "有限责任公司", "分公司", "经查", "查明", "以下简称")


# jieba segments each run of Han characters, letters and digits (its "blocks") on its own, and its HMM for unknown
# words copies the whole path so far at every character: quadratic in the run (20,000 characters: 2 s). Runs
# longer than this are cut into pieces of this length before jieba sees them; real text has punctuation or a
# blank far more often, and is segmented exactly as before.
_RUN_MAX = 500


class _Segmenter(jieba.Tokenizer):  # type: ignore[misc]  # jieba ships no type information
    """jieba, fed runs of at most ``_RUN_MAX`` characters."""

    def cut(self, sentence: str, *args: Any, **kwargs: Any) -> Any:
        """Segment like :meth:`jieba.Tokenizer.cut`, a bounded piece at a time."""
        cuts = [i for m in jieba.re_han_default.finditer(sentence)
                for i in range(m.start() + _RUN_MAX, m.end(), _RUN_MAX)]
        for a, b in zip([0, *cuts], [*cuts, len(sentence)], strict=True):
            yield from super().cut(sentence[a:b], *args, **kwargs)


def _private_jieba() -> jieba.Tokenizer:
    """A jieba tokenizer of our own, so domain words never leak into the global one other modules use."""
    jieba.setLogLevel(logging.WARNING)
    tok = _Segmenter()
    for w in _USER_WORDS:
        tok.add_word(w, freq=200000)
    return tok


def _text(doc: Doc) -> str:
    """``doc.text``, joined once per doc (spaCy joins the tokens anew on every access)."""
    if "eh_text" not in doc.user_data:
        doc.user_data["eh_text"] = doc.text
    text: str = doc.user_data["eh_text"]
    return text


def _tokens(doc: Doc) -> list[tuple[int, int, str]]:
    """``(start, end, text)`` of the tokens, once per doc (iterating a doc makes a Token object per token)."""
    if "eh_tokens" not in doc.user_data:
        doc.user_data["eh_tokens"] = [(t.idx, t.idx + len(t.text), t.text) for t in doc]
    tokens: list[tuple[int, int, str]] = doc.user_data["eh_tokens"]
    return tokens


def _cands(doc: Doc) -> list[Entity]:
    cands: list[Entity] = doc.user_data.setdefault("eh_candidates", [])
    return cands


class _TokenIndex:
    """Tokens (in text order, not overlapping) looked up by character position in log time.

    A linear scan of the tokens for each candidate name or agency is quadratic in the length of the text.
    """

    def __init__(self, tokens: list[tuple[int, int, str]]) -> None:
        self.tokens = tokens
        self.starts = [s for s, _e, _t in tokens]
        self.ends = [e for _s, e, _t in tokens]

    def containing(self, pos: int) -> int | None:
        """Index of the token with ``start <= pos < end``."""
        i = bisect_right(self.starts, pos) - 1
        return i if i >= 0 and pos < self.ends[i] else None

    def last_ending_by(self, pos: int) -> int | None:
        """Index of the last token with ``end <= pos``."""
        i = bisect_right(self.ends, pos) - 1
        return i if i >= 0 else None

    def starting_within(self, start: int, end: int) -> range:
        """Indices of the tokens with ``start < token start < end``."""
        return range(bisect_right(self.starts, start), bisect_left(self.starts, end))


# ============================================================================ identifiers
_ALNUM_RUN = re.compile(r"(?<![0-9A-Za-z０-９Ａ-Ｚａ-ｚ])[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]{14,21}(?![0-9A-Za-z０-９Ａ-Ｚａ-ｚ])")
_USCC_CUE = re.compile(r"(?:统一社会信用代码|社会信用代码|信用代码|纳税人识别号|营业执照(?:注册)?号)[^，。；]{0,6}$")
_ID_CUE = re.compile(r"(?:身份证(?:件)?(?:号码|号)?|公民身份号码|身份号码|证件号码?)[^，。；]{0,6}$")
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9](?:[ -]?[0-9]{4}){2}(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9])(?:[（(]0[0-9]{2,3}[）)]|0[0-9]{2,3}-)[0-9]{7,8}(?![0-9])")
_PLATE = re.compile(r"(?<![A-Za-z0-9])(?:使[0-9]{6}|[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]"
                    r"[A-Za-z][·•・ \-]?[A-Za-z0-9]{4,6}[学警挂港澳领使]?)(?![A-Za-z0-9])")


def _check_entity(label: str, m_text: str, start: int, check: IdCheck) -> Entity:
    attrs: dict[str, Any] = dict(check.info)
    if check.warnings:
        attrs["warnings"] = list(check.warnings)
    return Entity(label, m_text, start, start + len(m_text), check.normalized, check.valid,
                  None if check.valid else check.code, attrs, None if check.valid else check.message)


# A clear label followed by a run of any length: reported (invalid when the length is wrong), never dropped.
_CUED_RUN = re.compile(
    r"(?:(?P<uscc>统一社会信用代码|社会信用代码|信用代码|纳税人识别号)|(?P<id>居民身份证(?:号码|号)?|身份证(?:件)?(?:号码|号)?|"
    r"公民身份号码|身份号码))\s*+(?:为|是)?\s*+[：:]?\s*+"
    r"(?P<run>[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]{4,40})(?![0-9A-Za-z０-９Ａ-Ｚａ-ｚ])")


def find_identifiers(text: str, today: date | None = None) -> list[Entity]:
    """USCC, ID_CARD, PHONE and PLATE entities, validated (R7.2–R7.4)."""
    out: list[Entity] = []
    for m in _ALNUM_RUN.finditer(text):
        s = m.group(0)
        if sum(c.isdigit() for c in s) < 8:
            continue
        left = text[max(0, m.start() - 24):m.start()]
        cue_uscc, cue_id = _USCC_CUE.search(left), _ID_CUE.search(left)
        if cue_uscc and (not cue_id or cue_uscc.start() > cue_id.start()):
            kind = "USCC"
        elif cue_id or len(s) == 18 and s[:17].isdigit():
            kind = "ID_CARD"
        elif len(s) == 18:
            kind = "USCC"
        else:
            continue  # an uncued run of the wrong length is some other number (order no., invoice no.)
        if kind == "ID_CARD":
            sex = re.search(r"(?<![男女])([男女])(?![男女])", text[max(0, m.start() - 30):m.start()])
            check = validate_id_card(s, today=today, stated_sex=sex.group(1) if sex else None)
            if check.code == "sex_mismatch":  # the nearest 男/女 may describe someone else; keep it a warning
                check = validate_id_card(s, today=today)
                out.append(_check_entity(kind, s, m.start(), check))
                out[-1].attrs.setdefault("warnings", []).append("sex_mismatch")
                continue
        else:
            check = validate_uscc(s)
        out.append(_check_entity(kind, s, m.start(), check))
    taken = SpanMask(len(text))
    for e in out:
        taken.add(e.start, e.end)
    for m in _CUED_RUN.finditer(text):
        s, start = m.group("run"), m.start("run")
        if sum(c.isdigit() for c in s) < 4 or taken.overlaps(start, start + len(s)):
            continue
        kind = "USCC" if m.group("uscc") else "ID_CARD"
        check = validate_uscc(s) if kind == "USCC" else validate_id_card(s, today=today)
        out.append(_check_entity(kind, s, start, check))
        taken.add(start, start + len(s))
    for m in _MOBILE.finditer(text):
        out.append(Entity("PHONE", m.group(0), m.start(), m.end(), re.sub(r"\D", "", m.group(0)), attrs={"type": "mobile"}))
    for m in _LANDLINE.finditer(text):
        out.append(Entity("PHONE", m.group(0), m.start(), m.end(), re.sub(r"\D", "", m.group(0)),
                          attrs={"type": "landline"}))
    for m in _PLATE.finditer(text):
        check = validate_plate(m.group(0))
        if not any(c.isdigit() for c in m.group(0)):
            continue
        out.append(_check_entity("PLATE", m.group(0), m.start(), check))
    return out


# ============================================================================ dates, times, money


def find_temporal(text: str, reference: date | None = None) -> list[Entity]:
    """DATE and TIME entities (R7.5)."""
    out: list[Entity] = []
    for d in find_dates(text, reference):
        out.append(Entity("DATE", d.text, d.start, d.end, d.iso, d.valid, d.reason or None,
                          {"kind": d.kind, "precision": d.precision, "relative": d.relative}))
    for t in find_times(text):
        out.append(Entity("TIME", t.text, t.start, t.end, t.iso, t.valid, t.reason or None,
                          {"approximate": t.approximate, "period": t.period}))
    return out


def find_money(text: str) -> list[Entity]:
    """MONEY entities from :func:`nlp.money.find_amounts`; a trailing 整 (人民币叁仟元整) belongs to the amount."""
    amounts: list[Entity] = []
    for a in find_amounts(text):
        start, end = a.span
        while end > start and text[end - 1] == " ":
            end -= 1
        if text[end:end + 1] == "整":
            end += 1
        amounts.append(Entity("MONEY", text[start:end], start, end, a.value_fen,
                              attrs={"kind": a.kind, "keyword": a.keyword, "approximate": a.approximate}))
    starts = [e.start for e in amounts]  # in text order, as find_amounts returns them
    merged: set[int] = set()
    ranges: list[Entity] = []
    # 十万元以上一百万元以下 is one range (R7.6), not two amounts with the second labelled 其他.
    for r in find_fine_ranges(text):
        if r.kind != "amount" or r.min_fen is None or r.max_fen is None:
            continue
        start, end = r.span
        within = [i for i in range(bisect_left(starts, start), bisect_left(starts, end)) if amounts[i].end <= end]
        if len(within) < 2:
            continue
        merged.update(within)
        inside = [amounts[i] for i in within]
        ranges.append(Entity("MONEY", text[start:end], start, end, {"min": r.min_fen, "max": r.max_fen},
                             attrs={"kind": inside[0].attrs["kind"], "keyword": inside[0].attrs["keyword"],
                                    "approximate": False, "range": True, "min_inclusive": r.min_inclusive,
                                    "max_inclusive": r.max_inclusive}))
    kept = [e for i, e in enumerate(amounts) if i not in merged]
    return sorted(kept + ranges, key=lambda e: e.start)


# ============================================================================ agencies
_AGENCY_CORE = re.compile(
    r"(?:市场监督管理局|市场监管局|城市管理综合行政执法局|城市管理行政执法局|城市管理局|综合行政执法局|"
    r"城市管理综合(?:行政)?执法支队|综合行政执法支队|生态环境局|环境保护局|应急管理局|消防救援(?:总队|支队|大队)|"
    r"税务局|公安局|住房和城乡建设委员会|住房和城乡建设局|城乡建设委员会|规划和自然资源局|自然资源和规划局|"
    r"自然资源局|规划局|交通运输委员会|交通运输局|文化和旅游发展委员会|文化旅游委|农业农村委员会|农业农村局|"
    r"卫生健康委员会|卫生健康委|卫生健康局|水利局|林业局|商务委员会|商务局|人力资源和社会保障局|教育委员会|教育局|"
    r"人民政府|街道办事处|烟草专卖局|药品监督管理局|医疗保障局|民政局|司法局|审计局|统计局|体育局|气象局|人民防空办公室|"
    r"城市管理和综合执法局|城市管理和行政执法局|(?:文化市场|交通运输|农业|市场监管|生态环境保护)综合(?:行政)?执法(?:总队|支队|大队))")
_AGENCY_SUB = re.compile(
    rf"(?:(?:[{_CJK}]{{1,7}}?(?:区|县|市))?(?:分局|支队|大队|中队|派出所|稽查局|税务所|公安交通管理局|交通管理局|交通巡逻警察支队|"
    rf"[{_CJK}]{{1,8}}?(?:派出所|税务所|分局|支队|大队|中队)))+")
_PLACE_TOKEN = re.compile(r".+(?:省|自治区|市|区|县|旗|州|盟|新区)$")
_ADMIN_CHARS = set("省市区县旗州盟")
# Sub-units after the core (江北区分局观音桥派出所) are read at most this far: each 分局 may be followed by
# another, and reading a chain of them to its end again from every agency in it is quadratic.
_SUB_MAX = 40
_SUB_STOP = re.compile(r"执法|民警|检查|巡查|于|在|对|接|经|发现|立案|受|将|拟|依|决定|作出|责令|负责")


def _left_place_start(tokens: list[tuple[int, int, str]], idx: int) -> int | None:
    """Walk left from token ``idx`` (exclusive) over place-name tokens; return the start char or None."""
    start = None
    i = idx - 1
    while i >= 0:
        s, _e, t = tokens[i]
        if t in ("某某", "某"):
            start, i = s, i - 1
            continue
        if t in _ADMIN_CHARS and i > 0 and not set(tokens[i - 1][2]) & _PUNCT and tokens[i - 1][2] not in _LEFT_STOP:
            start, i = tokens[i - 1][0], i - 2  # 大渡口 + 区
            continue
        if len(t) >= 2 and _PLACE_TOKEN.match(t) and t not in _LEFT_STOP:
            start, i = s, i - 1
            # 璧 + 山区: jieba cut a rare name; take back a lone character that cannot be a function word
            if (len(t) <= 3 and i >= 0 and len(tokens[i][2]) == 1 and re.match(rf"[{_CJK}]", tokens[i][2])
                    and tokens[i][2] not in _LEFT_STOP and tokens[i][2] not in _NAME_STOP):
                start, i = tokens[i][0], i - 1
            continue
        if t == "国家税务总局":
            start, i = s, i - 1
            continue
        break
    return start


def find_agencies(text: str, tokens: list[tuple[int, int, str]]) -> list[Entity]:
    """AGENCY entities: a government body with a place prefix (重庆市渝中区市场监督管理局, 某某区城市管理局)."""
    out: list[Entity] = []
    starts = {s: i for i, (s, _e, _t) in enumerate(tokens)}
    index = _TokenIndex(tokens)
    for m in _AGENCY_CORE.finditer(text):
        # The core must start on a token boundary, or cut a token such as 渝中区市场 at the place suffix.
        idx = starts.get(m.start())
        if idx is None:
            idx = index.containing(m.start())
            if idx is None:
                continue
            s, e, t = tokens[idx]
            head = text[s:m.start()]
            if not _PLACE_TOKEN.match(head) and head not in ("某某", "国家税务总局"):
                continue
            left = _left_place_start(tokens, idx)
            start = left if left is not None else s
        else:
            left = _left_place_start(tokens, idx)
            if left is None:
                continue  # "市场监督管理局" with no place is a generic reference, not a named agency
            start = left
        end = m.end()
        sub = _AGENCY_SUB.match(text, end, min(len(text), end + _SUB_MAX))
        if sub and not _SUB_STOP.search(sub.group(0)):
            end = sub.end()
        if text.startswith("国家税务总局", max(0, start - 6)) and text[max(0, start - 6):start] == "国家税务总局":
            start -= 6
        out.append(Entity("AGENCY", text[start:end], start, end, text[start:end]))
    return out


# ============================================================================ parties and legal representatives


def _person_at(text: str, pos: int) -> str | None:
    """A personal name starting exactly at ``pos`` (surname + 1–2 characters, or 某/某某)."""
    m = _PERSON.match(text, pos)
    if not m:
        return None
    name = m.group(0)
    body_from = 2 if name[:2] in _SURNAME2.split("|") else 1
    body = name[body_from:]
    if body.startswith("某"):
        return name
    if body[0] in _GIVEN_FIRST_STOP:
        return None
    if len(body) == 2 and (body[1] in _NAME_STOP or body[1] in "某"):
        name = name[:-1]
    # With no stop character after it, the 3-character reading wins (most Han names have a 2-character given
    # name); "张三于" and "张三驾驶" fall back to two characters above.
    return name


def _org_at(text: str, pos: int, limit: int = 40) -> tuple[str, str] | None:
    """An organisation or shop name starting at ``pos`` (up to the first punctuation); returns (name, kind)."""
    end = pos
    while end < len(text) and end - pos < limit and text[end] not in _PUNCT:
        end += 1
    region = text[pos:end]
    m = _ORG_END.search(region)
    kind = "organization"
    if m:
        stop = m.end()
        b = _BRANCH.match(region, stop)
        if b and not set(b.group(0)) & _NAME_BODY_STOP:
            stop = b.end()
    else:
        m = _SHOP_END.search(region)
        u = _UNIT_END.search(region)
        if u and (not m or u.start() < m.start()):
            stop = u.end()
        elif m:
            stop, kind = m.end(), "individual_business"
        else:
            return None
    name = region[:stop]
    if len(name) < 4 or set(name) & _NAME_BODY_STOP or name.startswith(("该", "本", "其", "此")):
        return None
    return name, kind


def _name_start_by_tokens(index: _TokenIndex, end: int, floor: int) -> int:
    """Start of the name that ends at ``end``: walk left over jieba tokens until a stop token or punctuation."""
    idx = index.containing(end - 1)
    if idx is None:
        return end
    tokens = index.tokens
    start = tokens[idx][0]
    i = idx - 1
    while i >= 0:
        s, e, t = tokens[i]
        if (s < floor or set(t) & _PUNCT or t in _LEFT_STOP or any(c.isdigit() for c in t) or t.isspace()
                or set(t) & _NAME_BODY_STOP):  # jieba glues 局对, 的重庆: never part of a name
            break
        start, i = s, i - 1
    return start


def _kind_from_context(text: str, start: int, end: int, base: str) -> str:
    window = text[max(0, start - 8):min(len(text), end + 60)]
    if (("个体工商户" in window or "个人经营" in window or re.search(r"经营者", text[end:end + 30]))
            and (base != "organization" or not _ORG_END.search(text[start:end]))):
        return "individual_business"
    m = re.search(r"(?:统一社会信用代码|信用代码)[^0-9A-Za-z]{0,4}([0-9A-Za-z]{2})", text[end:end + 40])
    if m and m.group(1) == "92":
        return "individual_business"
    return base


def find_parties(text: str, tokens: list[tuple[int, int, str]]) -> list[Entity]:
    """PARTY and LEGAL_REP entities (R7.1)."""
    out: list[Entity] = []
    rep_spans = SpanMask(len(text))
    index = _TokenIndex(tokens)
    for m in _REP_CUE.finditer(text):
        pos = m.end()
        name = _person_at(text, pos)
        if name:
            role = m.group("role")
            role = {"主要负责人": "负责人", "投资人": "经营者"}.get(role, role)
            out.append(Entity("LEGAL_REP", name, pos, pos + len(name), name, attrs={"role": role}))
            rep_spans.add(pos, pos + len(name))

    def add_party(start: int, name: str, kind: str, how: str) -> None:
        end = start + len(name)
        if rep_spans.overlaps(start, end):
            return
        if kind != "individual":
            kind = _kind_from_context(text, start, end, kind)
        elif text[max(0, start - 6):start].endswith("个体工商户"):
            kind = "individual_business"
        out.append(Entity("PARTY", name, start, end, name, attrs={"kind": kind, "rule": how}))

    # (1) after a party cue: 当事人…, 驾驶人…, 个体工商户…
    for m in _PARTY_CUE.finditer(text):
        pos = m.end()
        org = _org_at(text, pos)
        if org:
            add_party(pos, org[0], org[1], "cue")
            continue
        name = _person_at(text, pos)
        if name:
            add_party(pos, name, "individual", "cue")
            if text.startswith(("与", "和", "、"), pos + len(name)):
                other = _person_at(text, pos + len(name) + 1)
                if other:
                    add_party(pos + len(name) + 1, other, "individual", "cue")
    # (2) a name followed by its USCC / 以下简称 / 经营者 …, or (3) any company-form name not cued as a supplier
    for m in list(_ORG_END.finditer(text)) + list(_SHOP_END.finditer(text)) + list(_UNIT_END.finditer(text)):
        end = m.end()
        b = _BRANCH.match(text, end)
        if b and not set(b.group(0)) & _NAME_BODY_STOP:
            end = b.end()
        followed = bool(_FOLLOW_PARTY.match(text, end))
        is_company = bool(_ORG_END.fullmatch(m.group(0)))
        start = _name_start_by_tokens(index, m.start(), max(0, m.start() - 40))
        prev_tok = index.last_ending_by(start)
        prev = "" if prev_tok is None else tokens[prev_tok][2]
        if not followed and not is_company and prev not in _ENFORCE_LEFT:
            continue
        # a suffix inside a longer name (超市 in 天天鲜超市有限公司) is handled by the longer match; but a lone
        # 厂/店/馆 right after 有限公司 (有限公司厂界噪声) starts the next word
        nxt = _ORG_END.match(text, end) or _SHOP_END.match(text, end) or _UNIT_END.match(text, end)
        if nxt and not (m.group(0).endswith("公司") and len(nxt.group(0)) == 1):
            continue
        if len(m.group(0)) == 1 and re.search(r"(?:公司|合作社)$", text[max(0, m.start() - 4):m.start()]):
            continue
        name = text[start:end]
        if (len(name) < 4 or set(name) & (_NAME_BODY_STOP | _PUNCT) or _ORG_END.fullmatch(name)
                or _SHOP_END.fullmatch(name) or (name.startswith(("该", "本", "其", "此", "某")) and len(name) < 6)):
            continue
        if not followed and prev in _NON_PARTY_LEFT:
            continue
        kind = "organization" if (_ORG_END.search(name) or _UNIT_END.search(name)) and not _SHOP_END.fullmatch(
            m.group(0)) else "individual_business"
        add_party(start, name, kind, "name")
    # (4) a driver named in the narrative: 拦截检查张三驾驶的…, ，李四驾驶渝A…
    for m in re.finditer(r"(?:检查|拦截|查获|发现|[，。；,;]|^)", text):
        name = _person_at(text, m.end())
        if name and text.startswith("驾驶", m.end() + len(name)):
            add_party(m.end(), name, "individual", "driver")
    # (5) a person introduced with sex or ID number: 张三（男，…）/ 张三，身份证号…
    for m in _PERSON.finditer(text):
        name = _person_at(text, m.start())
        if not name or not _FOLLOW_PERSON.match(text, m.start() + len(name)):
            continue
        before = text[max(0, m.start() - 8):m.start()]
        if re.search(r"(?:法定代表人|负责人|经营者|投资人)\s*[：:为]?$", before):
            continue  # already a LEGAL_REP
        if m.start() > 0 and re.match(rf"[{_CJK}]", text[m.start() - 1]) and not re.search(
                r"(?:经查|查明|驾驶员|驾驶人|车主|其中|即)$", before):
            continue
        add_party(m.start(), name, "individual", "introduced")
    return out


# ============================================================================ addresses and places
# A one-character suffix must not be followed by another (万州区 is 万州区, not 万州 + 区…).
_ADMIN_SFX = "特别行政区|自治区|自治州|自治县|新区|街道|(?:省|市|州|盟|区|县|旗)(?![区县市旗])|镇|乡|村|社区"
# 路 not followed by 线/段/口: 路线 is a route, 路段/路口 are locatives handled below; 两路街道 is a 街道.
_ROAD_SFX = ("步行街|大道|正街|支路|横街|(?<!道)路(?![线段口]|街道)|街(?!道)|巷|弄|胡同|广场|天街|工业园区|工业园|园区|开发区|小区|花园|"
             "大厦|商场|农贸市场|市场|码头|车站|公园")
_NUM = (r"(?:[0-9]+号(?:附[0-9]+号)?|附[0-9]+号|[0-9A-Za-z]{1,3}栋|[0-9]+单元|[0-9]+幢|[0-9]+(?:-[0-9]+)+号?|"
        r"[0-9]+楼|[0-9]+层|[0-9]+室|[0-9]+社|[0-9]+组|[0-9]+号楼)")
_LOC = "交叉路口|路口|路段|门前|门口|附近|对面|东侧空地|西侧空地|南侧空地|北侧空地|东侧|西侧|南侧|北侧|人行道|停车场|沿线|旁"
_NM = (r"(?:(?!的|在|于|将|对|从|被|把|因|是|了|并|但|而|即|其|该|此|等|未|已|有|无|至|与|住|进行|发现|占用|摆|洗车|燃放|倾倒|"
       rf"排放|停放|驾驶|闯|超|酒后|拒|擅自|违|检查|查|投诉|举报|反映|处罚|时|因)[{_CJK}])")
_LOC_PART = rf"(?:{_NM}{{0,6}}?(?:{_LOC}))"
# admin* then at least one of: roads (+ crossing, numbers), a named spot with a number, or a locative —
# an admin-only chain (重庆市渝中区) is the head of a company or agency name, not an address.
# Each admin or road component is atomic (its shortest reading, never re-split): suffix characters are name
# characters too, so 镇镇镇… can be cut into components in exponentially many ways, and a chain that then fails
# tried them all (「当事人在」 + 60 × 「镇」 never finished). Backtracking still gives up whole components.
_CHAIN = re.compile(
    rf"(?P<admin>(?:(?>{_NM}{{1,8}}?(?:{_ADMIN_SFX})))*)"
    rf"(?:(?P<road>(?:(?>{_NM}{{1,10}}?(?:{_ROAD_SFX})))+)(?P<cross>与{_NM}{{1,8}}?(?=交叉路口|路口|交汇处))?"
    rf"(?:{_NM}{{1,6}}?(?={_NUM}))?(?P<num>{_NUM}*)(?P<loc>{_LOC_PART}?)"
    rf"|(?P<poi>{_NM}{{1,6}}?)(?P<num2>{_NUM}+)(?P<loc2>{_LOC_PART}?)"
    rf"|(?P<loc3>{_LOC_PART}))")
# No address is longer; a chain is read at most this far, so each cue or place token costs a bounded time.
_CHAIN_MAX = 100
_ADMIN_HEAD = re.compile(rf"{_NM}{{2,8}}?(?:{_ADMIN_SFX})")
_ADDR_CUE = re.compile(
    r"(?P<cue>户籍所在地|户籍地|现住址|现住|家住|居住地|住所地|住所|住址|注册地址|生产经营场所|经营场所|经营地址|营业场所|"
    r"营业地址|门店地址|联系地址|通讯地址|地址|住)\s*(?:[：:]\s*)?(?:位于|为|在|是)?\s*")
_ADDR_KIND = {"经营场所": "business_premises", "经营地址": "business_premises", "营业场所": "business_premises",
              "营业地址": "business_premises", "生产经营场所": "business_premises", "门店地址": "business_premises",
              "联系地址": "other", "通讯地址": "other", "地址": "other"}
_PLACE_CUE = re.compile(r"(?P<cue>违法地点|违法行为发生地|发生地点|案发地点|事发地点|地点|位于|途经|在|于|至)\s*(?:[：:]\s*)?")
_PREMISES_AFTER = re.compile(r"的(?:经营场所|生产车间|车间|厂房|门店|店铺|仓库|办公场所|营业场所)")


PROVINCES = ("北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西",
             "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾", "内蒙古",
             "广西", "西藏", "宁夏", "新疆", "香港", "澳门")


def _place_token_at(tokens: list[tuple[int, int, str]], i: int) -> bool:
    """Token ``i`` opens a place name: 渝中区 / 重庆市, or a split one such as 璧 + 山区, 大渡口 + 区."""
    t = tokens[i][2]
    if len(t) >= 2 and _PLACE_TOKEN.match(t) and t not in _LEFT_STOP:
        return True
    if i + 1 < len(tokens) and re.fullmatch(rf"[{_CJK}]{{1,3}}", t) and t not in _LEFT_STOP and not set(t) & _NAME_STOP:
        nxt = tokens[i + 1][2]
        return nxt in _ADMIN_CHARS or (len(t) == 1 and len(nxt) == 2 and bool(_PLACE_TOKEN.match(nxt)))
    return False


def find_addresses(text: str, tokens: list[tuple[int, int, str]]) -> list[Entity]:
    """ADDRESS (住所 / 经营场所 / other, R7.1) and PLACE (违法行为发生地) entities.

    A chain of address components starts either right after a cue (住所：, 经营场所, 违法地点：, 在, 位于 …) or,
    with no cue, at a token that is a place name (渝中区…). After an address cue it is an ADDRESS of the cue's
    kind; ``位于X的经营场所`` is the business premises; everything else is where something happened (PLACE).
    """
    out: list[Entity] = []
    taken = SpanMask(len(text))
    index = _TokenIndex(tokens)

    def chain_at(pos: int) -> re.Match[str] | None:
        if taken.overlaps(pos, pos + 1):
            return None  # inside an address already found: any chain from here would overlap it
        m = _CHAIN.match(text, pos, min(len(text), pos + _CHAIN_MAX))
        if not m or m.end() - pos < 4 or taken.overlaps(pos, m.end()):
            return None
        return m

    def has_admin_head(m: re.Match[str]) -> bool:
        # 城市道路 parses as 城+市 / 道路: a real place name has at least two characters before 市/区/县.
        return bool(m.group("admin")) and bool(_ADMIN_HEAD.match(m.group("admin")))

    token_at = {s: i for i, (s, _e, _t) in enumerate(tokens)}

    def cue_chain(pos: int) -> re.Match[str] | None:
        m = chain_at(pos)
        if (m and m.group("admin") and not text.startswith(PROVINCES, pos)
                and not (pos in token_at and _place_token_at(tokens, token_at[pos]))):
            # the admin part swallowed words after the cue (在店外江北区…): restart at the first place token
            for i in index.starting_within(pos, m.end()):
                if _place_token_at(tokens, i):
                    return chain_at(tokens[i][0])
        return m

    for cm in _ADDR_CUE.finditer(text):
        m = cue_chain(cm.end())
        if not m or (cm.group("cue") == "住" and not has_admin_head(m)):
            continue
        cue = cm.group("cue")
        out.append(Entity("ADDRESS", m.group(0), m.start(), m.end(), m.group(0),
                          attrs={"kind": _ADDR_KIND.get(cue, "domicile"), "cue": cue}))
        taken.add(*m.span())
    for cm in _PLACE_CUE.finditer(text):
        m = cue_chain(cm.end())
        if not m:
            continue
        if cm.group("cue") == "位于" and _PREMISES_AFTER.match(text, m.end()):
            out.append(Entity("ADDRESS", m.group(0), m.start(), m.end(), m.group(0),
                              attrs={"kind": "business_premises", "cue": "位于…的经营场所"}))
        else:
            out.append(Entity("PLACE", m.group(0), m.start(), m.end(), m.group(0), attrs={"cue": cm.group("cue")}))
        taken.add(*m.span())
    for i, (s, _e, _t) in enumerate(tokens):
        if not _place_token_at(tokens, i):
            continue
        m = chain_at(s)
        if m and has_admin_head(m):
            out.append(Entity("PLACE", m.group(0), m.start(), m.end(), m.group(0), attrs={"cue": None}))
            taken.add(*m.span())
    return out


# ============================================================================ resolution
_PRIORITY = {"USCC": 0, "ID_CARD": 0, "PHONE": 1, "PLATE": 1, "MONEY": 2, "DATE": 3, "TIME": 3, "AGENCY": 4,
             "PARTY": 5, "LEGAL_REP": 5, "ADDRESS": 6, "PLACE": 7}


def resolve(cands: list[Entity]) -> list[Entity]:
    """Drop overlaps (higher-priority label, then longer span wins) and repeated PARTY/LEGAL_REP names."""
    chosen: list[Entity] = []
    taken = SpanMask(max((e.end for e in cands), default=0))
    for e in sorted(cands, key=lambda e: (_PRIORITY[e.label], -(e.end - e.start), e.start)):
        if taken.overlaps(e.start, e.end):
            continue
        chosen.append(e)
        taken.add(e.start, e.end)
    chosen.sort(key=lambda e: e.start)
    seen: set[tuple[str, str]] = set()
    out: list[Entity] = []
    for e in chosen:
        if e.label in ("PARTY", "LEGAL_REP"):
            key = ("PERSON" if e.label == "LEGAL_REP" or e.attrs.get("kind") == "individual" else e.label, e.text)
            if key in seen:
                continue
            seen.add(key)
        out.append(e)
    return out


def _align(doc: Doc, text: str, ents: list[Entity]) -> Doc:
    """The doc with its jieba tokens split at entity boundaries, so every entity is a whole-token span, and
    ``doc.ents`` set.

    Built as a new Doc from the split words: spaCy's retokenizer shifts the whole token array for each split,
    which is quadratic in a long text with many entities.
    """
    cuts = sorted({b for e in ents for b in (e.start, e.end)})
    words: list[str] = []
    spaces: list[bool] = []
    for tok in doc:
        s, e = tok.idx, tok.idx + len(tok.text)
        bounds = [s, *cuts[bisect_right(cuts, s):bisect_left(cuts, e)], e]
        words.extend(text[a:b] for a, b in zip(bounds, bounds[1:], strict=False))
        spaces.extend([False] * (len(bounds) - 2) + [bool(tok.whitespace_)])
    aligned = Doc(doc.vocab, words=words, spaces=spaces, user_data=doc.user_data)
    spans = []
    for ent in ents:
        span = aligned.char_span(ent.start, ent.end, label=ent.label)
        if span is not None:
            spans.append(span)
    aligned.ents = spans
    aligned.spans["eh"] = spans
    return aligned


# ============================================================================ components (the ONE registration place)


def _c_identifiers(doc: Doc) -> Doc:
    _cands(doc).extend(find_identifiers(_text(doc), doc.user_data.get("eh_today")))
    return doc


def _c_temporal(doc: Doc) -> Doc:
    _cands(doc).extend(find_temporal(_text(doc), doc.user_data.get("eh_reference")))
    return doc


def _c_money(doc: Doc) -> Doc:
    _cands(doc).extend(find_money(_text(doc)))
    return doc


def _c_agencies(doc: Doc) -> Doc:
    _cands(doc).extend(find_agencies(_text(doc), _tokens(doc)))
    return doc


def _c_parties(doc: Doc) -> Doc:
    _cands(doc).extend(find_parties(_text(doc), _tokens(doc)))
    return doc


def _c_addresses(doc: Doc) -> Doc:
    _cands(doc).extend(find_addresses(_text(doc), _tokens(doc)))
    return doc


def _c_resolve(doc: Doc) -> Doc:
    ents = resolve(doc.user_data.pop("eh_candidates", []))
    text = _text(doc)
    doc.user_data.pop("eh_text")
    doc.user_data.pop("eh_tokens", None)
    doc = _align(doc, text, ents)
    doc._.eh_entities = ents
    return doc


COMPONENTS: dict[str, Callable[[Doc], Doc]] = {
    "eh_identifiers": _c_identifiers,
    "eh_temporal": _c_temporal,
    "eh_money": _c_money,
    "eh_agencies": _c_agencies,
    "eh_parties": _c_parties,
    "eh_addresses": _c_addresses,
    "eh_resolve": _c_resolve,
}


def _register() -> None:
    if not Doc.has_extension("eh_entities"):
        Doc.set_extension("eh_entities", default=None)
    for name, func in COMPONENTS.items():
        if not Language.has_factory(name):
            Language.component(name, func=func)


@lru_cache(maxsize=1)
def get_pipeline() -> Language:
    """The entity pipeline, built once per process."""
    _register()
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    # spacy.blank("zh") with the jieba segmenter always builds a ChineseTokenizer; Language types it as a callable.
    cast(ChineseTokenizer, nlp.tokenizer).jieba_seg = _private_jieba()
    for name in COMPONENTS:
        nlp.add_pipe(name)
    return nlp


def extract_entities(text: str, reference: date | None = None, today: date | None = None) -> list[Entity]:
    """Extract entities from a case description.

    Args:
        text: the description.
        reference: the day the text was written; resolves 昨日/今日 (and 当日/次日 when no date precedes).
        today: "today" for the ID-card future-birth-date check (defaults to the real today).

    Returns:
        Entities in text order; ``text[e.start:e.end] == e.text`` for each.

    Raises:
        EntityError: if ``text`` is not a string, or not valid Unicode (an unpaired surrogate, which JSON can
            carry as an escape but spaCy cannot store).
    """
    if not isinstance(text, str):
        raise EntityError(f"text must be a string, not {type(text).__name__}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise EntityError(f"text is not valid Unicode: unpaired surrogate at {exc.start}") from exc
    nlp = get_pipeline()
    doc = nlp.make_doc(text)
    doc.user_data["eh_text"] = text  # spaCy keeps the text whole (words plus spaces); joining it anew costs as much
    doc.user_data["eh_reference"] = reference
    doc.user_data["eh_today"] = today
    for _name, proc in nlp.pipeline:
        doc = proc(doc)
    return list(doc._.eh_entities or [])
