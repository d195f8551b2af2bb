"""Descriptions that state no violation: compliance found, a negative finding, or a lawful act.

An inspection record often reads like a violation (证照, 保质期, 排放标准, 疏散通道) while it says everything was in
order. Citing a 罚则 for it is the worst answer the service can give, so such a text is recognised first: a
statement of compliance, with no violation cue left once the compliance statements and corrected past conduct are
set aside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Statements of compliance or of a negative finding. Each is masked before violation cues are looked for, so the
# 未/不/违法 inside 「未发现违法行为」 or 「不存在未…的情况」 does not count as a cue.
_COMPLIANT = re.compile(
    # a negative finding, unless what was not found is a record or permit the party must have (未见维修记录)
    r"(?:未|没有?|并未)(?:发现|见|查见|检出|查到|看到)(?![^，。；;]{0,8}?(?:记录|证|许可|台账|标识|标志|票据|凭证|资料|报告))"
    r"[^，。；;]{0,25}"
    r"|没[^，。；;,]{0,5}?(?:过期|超标|变质)|(?:没|并未)(?:说|用|写|宣称)[^，。；;]{0,15}?(?:词|用语|字样|治病|疗效|功效|第一|最)"
    r"|(?:有|都有|均有)(?:记录|登记|台账)|(?:都|均)在(?=[，。；;,]|$)"
    r"|(?:没|无)(?:啥|什么|任何)?(?:问题|毛病|异常)|没毛病|没问题"
    r"|(?:未|没有?|均未|并未|尚未|不)(?:过期|超标|超过[^，。；;,]{0,12}?(?:限值|标准|期限)|锁闭|堵塞|占用|封闭|缺失|"
    r"带泥|拆除|损坏|收(?:取)?(?:钱|费用)|违反|违规|超出)"
    r"|(?:没有|无)(?:发现)?(?:任何)?(?:违法|违规)(?:违章)?(?:行为|问题|情形)?"
    r"|不存在[^。；;]{0,30}?(?:情况|情形|行为|问题|现象)|(?:情况|所称情况|问题)(?:不存在|不属实)"
    r"|(?:证照|手续|资料|台账|证件|许可证件?|资质|记录|档案|签字)[^，。；;,]{0,4}(?:齐全|完整|完备)"
    r"|(?:均|全部|都)?在(?:保质期|有效期|检定有效期|允许范围|许可范围|规定范围)内"
    r"|(?:检测|抽检|检验|监测|检查|验收|复查|复检|复测|评估)[^，。；;,]{0,8}?(?:合格|达标|符合)|达标"
    r"|符合[^，。；;,]{0,12}?(?:规定|要求|标准|规范)|(?:一致|相符|对得上|吻合)"
    r"|(?:运行|使用|运转|工作)正常|正常(?:运行|使用|运转|触发)|完好(?:有效|无损)?|畅通(?:无阻)?"
    r"|(?:举报|投诉|反映)[^，。；;,]{0,8}?(?:不实|不属实|不成立|无法查实)"
    r"|依法(?:取得|办理|申领|备案|设立|登记|公示)|已(?:依法|按规定|按要求)?(?:取得|办理|申领|备案|落实|公示|报批|核发|执行)"
    r"|持(?:有)?(?:有效)?[^，。；;,]{0,8}?(?:证|证明|许可证|执照)(?:上岗|经营|作业)?(?=[，。；;,]|$)"
    r"|(?:已|均已|全部)(?:覆盖|苫盖|硬化|冲洗|安装|设置|配备|张贴|标示|明码标价|整改到位|整改完毕|登记|满18周岁)"
    r"|(?:整改到位|整改完毕)|(?:设置|执行|安装|配备|张贴|接)了"
    r"|不(?:构成|属于?|算)[^，。；;,]{0,14}?(?:违法|非法|虚假|违规|倾倒|营运|经营)|(?:属于?|系)合法|合法(?:经营|施工|营运|行为)"
)
# Conduct that is itself a violation (or a defect found): what a lawful text lacks.
_VIOLATION = re.compile(
    r"未(?:取得|办理|经|按|设置|配备|采取|落实|进行|申报|备案|持|建立|公示|明码标价|覆盖|苫盖|硬化|冲洗|安装|标明|"
    r"依法|执行|开展|履行|组织|报告|登记|领取|配置|保持|及时|达到|按时)"
    r"|擅自|无证|无照|无(?:营业执照|许可证|资质)|超标|超过[^，。；;,]{0,10}?(?:标准|限值|期限|保质期)|过期|变质|腐败"
    r"|拒不|逾期未|拒绝|阻碍|虚假|伪造|变造|冒用|假冒|违反|违法|违规|非法|偷排|私设|暗管|偷倒|乱倒|乱扔|乱堆"
    r"|占用|堵塞|锁闭|损坏|拆除|挪用|不符合|不合格|无法提供|不能提供|未能|缺少|缺失|失效|损毁|超范围|超量|超出"
    r"|存在[^，。；;,]{0,10}?(?:隐患|问题|违法|违规|缺陷)|夸大|误导|欺诈|掺杂|以次充好|短斤少两|噪声扰民|停用|断电"
)
# The allegation a complaint made (举报称…) is no finding when the inspection states compliance.
_ALLEGATION = re.compile(r"举报|投诉|反映|有人说|据称|声称")
_PAST = re.compile(r"曾|此前|之前|前期|上次|上月|去年|以前|原(?:来|先)|已被?(?:处罚|立案)|因[^，。；;,]{0,20}?被")
_CORRECTED = re.compile(r"整改到位|整改完毕|复查合格|复查[^，。；;,]{0,6}?(?:符合|达标)|已整改")
_CLAUSE = re.compile(r"[^，。；;,！？!?\n]+")


@dataclass(frozen=True)
class Compliance:
    """Whether a text states no violation, and the words that show it."""

    no_violation: bool
    evidence: tuple[str, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()
    violation_cues: tuple[str, ...] = ()


# The positive words of a compliance statement. Preceded by a negation (不符合, 不一致, 检测不合格, 非正常) they state
# the opposite: a defect, never compliance.
_POSITIVE = re.compile(r"符合|一致|相符|吻合|对得上|合格|达标|齐全|完整|完备|正常|完好|畅通|合法")
_NEGATION = "不未非没无"


def _negated(text: str, m: re.Match[str]) -> bool:
    """Whether a compliance match is a negated positive (「不符合食品安全标准」, 「外观与合格证不一致」)."""
    for p in _POSITIVE.finditer(m.group()):
        at = m.start() + p.start()
        if at > 0 and text[at - 1] in _NEGATION:
            return True
    return False


def _masked(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for s, e in spans:
        chars[s:e] = "□" * (e - s)
    return "".join(chars)


def check_compliance(text: str) -> Compliance:
    """Recognise a description that states compliance or no finding, with no violation cue left.

    Args:
        text: The officer's description (any length; the patterns are bounded, so the scan is linear).

    Returns:
        ``no_violation`` with the compliance statements (text and span) and the violation cues that remained.
    """
    found = [(m.start(), m.end()) for m in _COMPLIANT.finditer(text) if not _negated(text, m)]
    if not found:
        return Compliance(False)
    rest = _masked(text, found)
    rest = _masked(rest, [(m.start(), m.end()) for m in _CLAUSE.finditer(rest) if _ALLEGATION.search(m.group())])
    if _CORRECTED.search(text):
        # clauses about the past (曾因…被处罚) do not describe the present state
        past = [(m.start(), m.end()) for m in _CLAUSE.finditer(rest) if _PAST.search(m.group())]
        rest = _masked(rest, past)
    cues = tuple(m.group() for m in _VIOLATION.finditer(rest))
    return Compliance(not cues, tuple(text[s:e] for s, e in found), tuple(found), cues)
