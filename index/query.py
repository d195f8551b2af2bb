"""Isolate the conduct clause of a narrative query.

Officers paste case narratives the way decisions state facts: 「经查，当事人某某餐饮有限公司于2024年3月5日在其经营场所
未取得食品经营许可证从事餐饮服务，执法人员现场检查发现……，有现场检查笔录、询问笔录为证。」 Only the conduct
(未取得食品经营许可证从事餐饮服务) matches statute wording; who, when, where and the evidence list are noise for both
BM25 and e5. Whether stripping helps is measured in scripts/bench_search.py (narrative queries of the dev set).
"""

from __future__ import annotations

import re

_DATE = (
    r"(?:[0-9０-９]{2,4}|[〇零一二三四五六七八九]{4})\s*年(?:\s*[0-9０-９一二三四五六七八九十]{1,3}\s*月)?"
    r"(?:\s*[0-9０-９一二三四五六七八九十]{1,3}\s*日)?"
    r"(?:\s*(?:上午|下午|晚上|凌晨|中午)?\s*[0-9０-９一二三四五六七八九十]{1,3}\s*[时点:：](?:\s*[0-9０-９]{1,2}\s*分?)?)?"
    r"(?:许|左右|前后|起|至今)?"
)
# Whole sentences/clauses that carry no conduct. Clauses are cut first and then tested for a keyword: one pattern
# that scans a clause around its keyword from every start position is quadratic in a clause without delimiters.
_CLAUSE_RE = re.compile(r"[^。；;\n]*[。；;]?|\n")
_EVIDENCE_RE = re.compile(
    r"笔录|证据|照片|视频|录像|监控录像|检测报告|监测报告|以上事实|上述事实|有[^。；]{0,30}为证|予以证实|"
    r"证明材料|营业执照复印件|身份证复印件|立案|送达|责令改正通知书|调查终结"
)
_LEAD_RE = re.compile(
    r"(?:经查明?|经调查|经查实|现查明|查明|据群众举报|接群众举报|根据举报|接到举报|接举报|群众举报|"
    r"(?:我局|本局|我队|本机关|执法人员|执法队员|检查人员|民警|交警)[^，。；]{0,20}?(?:现场检查|检查|巡查|巡逻|执法检查|调查)[^，。；]{0,6}?(?:时|中)?发现|"
    r"现场检查(?:时|中)?发现|检查(?:时|中)?发现|巡查(?:时|中)?发现|经现场检查|现场发现)[，,：:]?"
)
_PARTY_RE = re.compile(
    r"当事人(?:[\u4e00-\u9fa5A-Za-z0-9（）()·]{1,40}?(?:有限责任公司|股份有限公司|有限公司|公司|厂|店|馆|中心|经营部|"
    r"商行|超市|酒店|餐厅|饭店|工作室|合作社|个体工商户)|[\u4e00-\u9fa5]{2,4}(?=[（(，,于在]))?"
)
_COMPANY_RE = re.compile(
    r"[\u4e00-\u9fa5A-Za-z0-9（）()]{2,30}?(?:有限责任公司|股份有限公司|有限公司)"
)
_PAREN_RE = re.compile(r"[（(][^（）()]{0,60}(?:地址|住所|统一社会信用代码|身份证|法定代表人|经营者|负责人|号)[^（）()]{0,60}[）)]")
_ADDRESS_RE = re.compile(r"(?:位于|地址[为:：]?)[^，。；]{2,40}?(?:号|路|街|村|组|栋|室|楼)[^，。；]{0,6}?(?=[，。；的内处]|$)")
_DATE_RE = re.compile(rf"(?:于|在|自|从)?\s{{0,3}}{_DATE}(?:\s*(?:至|到|—|-)\s*{_DATE})?")
_SPACES_RE = re.compile(r"\s+")
_PUNCT_RUN_RE = re.compile(r"[，,、]{2,}")
# str.strip, not an anchored pattern: ``[…]+$`` rescans a long inner run of these marks from each of its positions.
_LEAD_MARKS = "，,。；;：:、"
_TRAIL_MARKS = "，,；;：:、"


def extract_conduct(text: str, min_chars: int = 6) -> str:
    """The conduct part of a violation narrative; short queries come back unchanged.

    Drops (in this order) evidence and procedure clauses, investigation lead-ins (经查, 执法人员现场检查发现),
    dates and times, the party (当事人…有限公司), bracketed identifiers and street addresses. If less than
    ``min_chars`` characters would remain, the original text is returned: a wrong cut is worse than none.
    """
    if len(text) < 25:
        return text.strip()
    s = "".join(c for c in _CLAUSE_RE.findall(text) if not _EVIDENCE_RE.search(c))
    s = _LEAD_RE.sub("", s)
    s = _DATE_RE.sub("", s)
    s = _PAREN_RE.sub("", s)
    s = _PARTY_RE.sub("", s)
    s = _COMPANY_RE.sub("", s)
    s = _ADDRESS_RE.sub("", s)
    s = _SPACES_RE.sub("", s)
    s = _PUNCT_RUN_RE.sub("，", s)
    s = s.lstrip(_LEAD_MARKS).rstrip(_TRAIL_MARKS)
    return s if len(s) >= min_chars else text.strip()


# Everyday and enforcement shorthand → the wording statutes use. Appended to the query (never replacing it), so a
# query already in statute wording is unaffected. Entries are common officer/public usage, not tuned per query;
# scripts/bench_search.py reports recall with and without expansion.
JARGON: dict[str, str] = {
    "驾照": "机动车驾驶证",
    "酒驾": "饮酒后驾驶机动车",
    "酒后驾车": "饮酒后驾驶机动车",
    "喝酒开车": "饮酒后驾驶机动车",
    "醉驾": "醉酒驾驶机动车",
    "闯红灯": "违反交通信号灯通行",
    "开车": "驾驶机动车",
    "超速": "超过规定时速",
    "超载": "超过核定载质量",
    "违停": "违反规定停放机动车",
    "乱停车": "违反规定停放机动车",
    "黑车": "未取得道路运输经营许可从事道路运输经营",
    "营业执照": "营业执照 登记",
    "无照经营": "未经设立登记从事经营活动",
    "无证经营": "未取得许可从事经营活动",
    "健康证": "健康证明",
    "过期": "超过保质期",
    "三无产品": "无标签 无生产日期 无厂名厂址",
    "假货": "假冒 以假充真",
    "虚假宣传": "虚假或者引人误解的商业宣传",
    "小广告": "张贴宣传品",
    "乱贴": "张贴",
    "乱扔": "乱扔废弃物",
    "摆摊": "摆摊设点 占用道路经营",
    "占道经营": "占用城市道路 摆摊设点",
    "违建": "违法建设 未取得建设工程规划许可证",
    "违章建筑": "违法建设 未取得建设工程规划许可证",
    "私搭乱建": "违法建设 搭建建筑物",
    "偷": "盗窃",
    "打人": "殴打他人",
    "打架": "殴打他人 斗殴",
    "赌钱": "赌博",
    "高空抛物": "从建筑物或者其他高空抛掷物品",
    "扔": "抛掷",
    "抽烟": "吸烟",
    "灭火器": "消防器材",
    "不开发票": "应当开具而未开具发票",
    "不给开发票": "应当开具而未开具发票",
    "偷税": "不缴或者少缴应纳税款 偷税",
    "逃税": "不缴或者少缴应纳税款",
    "两套账": "隐匿 少列收入 账簿",
    "危废": "危险废物",
    "固废": "固体废物",
    "环评": "环境影响评价",
    "排污证": "排污许可证",
    "超标排放": "超过污染物排放标准排放污染物",
    "超标": "超过排放标准",
    "未批先建": "环境影响评价文件未经批准擅自开工建设",
    "未验先投": "环境保护设施未经验收投入生产或者使用",
    "噪音": "噪声",
    "烧秸秆": "露天焚烧秸秆",
    "没培训": "未进行安全生产教育和培训",
    "特种作业证": "特种作业人员取得相应资格",
}
_JARGON_RE = re.compile("|".join(sorted(map(re.escape, JARGON), key=len, reverse=True)))


def expand_query(text: str) -> str:
    """Append statute wording for shorthand found in ``text`` (酒驾 → 饮酒后驾驶机动车)."""
    found = list(dict.fromkeys(JARGON[m.group(0)] for m in _JARGON_RE.finditer(text)))
    return f"{text} {' '.join(found)}" if found else text

