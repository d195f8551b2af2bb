"""Facts in a violation description, each with its character span (issue 4, DOMAIN.md R3.9–R3.13, R7.6, R7.7).

:func:`extract_facts` returns a :class:`Facts` holding :class:`Fact` items of these types:

========== ============================================================ ===========================
type       code(s)                                                      value
========== ============================================================ ===========================
money      illegal_gains, goods_value, sales, construction_cost,        fen (int)
           investment, fine, other_amount (R7.6, via nlp.money)
multiple   exceedance (超标0.5倍, 超过排放标准2倍, 是标准的1.5倍 → 0.5), multiple  the multiple (``"0.5"``)
percent    exceedance (超标百分之三十 → 0.3), percent                  the ratio (``"0.3"``); attrs.percent
count      nth_time (第二次, 两年内第三次 + attrs.window_years), times (3次),    int / None
           repeated (多次), prior_penalty (曾因…受过处罚; polarity −1 for 此前未受过处罚)
age        age (年仅13岁)                                               years
duration   duration (持续3个月), deadline (限期15日内), window (两年内)      number; ``unit``
area       area (200平方米)                                             number; ``unit``
quantity   quantity (50公斤, 20件)                                      number; ``unit``
date       date (via nlp.dates)                                         ISO date or None
cue        see :data:`CUES`                                             None; ``polarity`` ±1
========== ============================================================ ===========================

Every cue carries a polarity (R7.7): ``+1`` the circumstance is stated, ``-1`` it is stated to be absent
(未及时改正, 非首次, 不配合调查). Implied facts (``第二次`` ⇒ not first offence; ``拒不改正`` ⇒ not corrected in
time; age 13 ⇒ under 14) are added with ``attrs["derived"] = True`` and the span of what implies them.

The cue table :data:`CUES` is the one place where cue words, codes, statutory hooks and effects live. Codes:
first_offence, corrected_promptly, refused_to_correct, mitigated_harm, cooperated, coerced, confessed_unknown,
meritorious_service, no_fault, minor_violation, no_harm, minor_harm, serious_consequence, serious_circumstances,
involves_minors, near_school, under_14, age_14_to_18, mental_illness, partial_mental_incapacity,
obstructed_inspection, evidence_tampering, repeat_despite_enforcement, emergency_period, complaint_report,
undiscovered_two_years, no_illegal_gains, self_reported (type ``cue``) and prior_penalty, repeated (type ``count``).
Numeric values are ``int`` when whole, else an exact decimal string (``"0.5"``); money is always int fen.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from nlp import dates as _dates
from nlp.errors import EHError
from nlp.money import NUMBER, NUMBER_START, AmountError, find_amounts, parse_number
from nlp.spans import SpanMask

__all__ = ["CUES", "CueDef", "Fact", "Facts", "FactsError", "MONEY_CODES", "conduct_text", "extract_facts"]


class FactsError(EHError):
    """Input that is not a description."""

    code = "bad_description"

#: nlp.money kind → fact code.
MONEY_CODES = {
    "违法所得": "illegal_gains",
    "货值金额": "goods_value",
    "销售额": "sales",
    "工程造价": "construction_cost",
    "总投资额": "investment",
    "罚款": "fine",
    "其他": "other_amount",
}


@dataclass(frozen=True)
class CueDef:
    """One row of the cue table.

    Attributes:
        code: stable identifier used by the tier suggester.
        label: Chinese name shown to officers.
        effect: what it does to the penalty if present: ``no_penalty``, ``lighter`` (从轻/减轻),
            ``heavier`` (从重), ``limitation`` or ``info``.
        hook: the rule it feeds (statute article and DOMAIN.md rule id).
        patterns: regexes for the circumstance as stated (polarity +1).
        negative: regexes for explicit denials (polarity −1): 未及时改正, 非首次.
        negatable: whether a negator right before a positive match (未/没有/不/非/拒不 …) flips it.
        block_left: regex on the left context that cancels a positive match (责令立即改正 is an order,
            not a correction).
        type: fact type (``cue``; ``count`` for prior penalties and repeats).
        contextual: positive patterns that count only when the sentence before them matches
            ``context_left`` (仍继续施工 is a refusal only after 责令/劝阻); ``contextual_negative`` likewise
            for denials (被责令改正…仍未安装).
        keeps_numbers: numbers inside the cue are still read as facts (于3日内改正 keeps "3日内");
            otherwise the cue owns them (超过两年未被发现 is not a duration of two years).
    """

    code: str
    label: str
    effect: str
    hook: str
    patterns: tuple[str, ...]
    negative: tuple[str, ...] = ()
    negatable: bool = True
    block_left: str | None = None
    type: str = "cue"
    contextual: tuple[str, ...] = ()
    contextual_negative: tuple[str, ...] = ()
    context_left: str | None = None
    keeps_numbers: bool = False


# An order or promise governs what follows (责令其立即改正), unless it is already past (责令改正后…补签了).
_ORDER_LEFT = r"(?:责令|要求|责成|令其|令|督促|告知|通知|应当|应|须|需|限|请|承诺|保证|愿意|表示将|表示会)(?:(?!后)[^，,。；;]){0,8}$"
_NO_NEG = r"(?!未|不|没|拒|仍|承诺|表示|保证|愿意|计划|准备)[^，,。；;]"
_FIX_VERBS = (r"(?:改正|整改|纠正|清理|清除|拆除|撤除|下架|删除|恢复|更换|补办|补签|补建|补标|补齐|补录|补正|修复|熄火|"
              r"停止|暂停|关停|停用|撤离|撤出|搬离|收回|封存|打开|转移|清运|配发到位|整改到位)")
_OFFICERS = "执法人员|执法队员|民警|警察|工作人员|检查人员|稽查人员"
_SANCTION = r"(?:行政)?(?:处罚|罚款|警告|拘留|查处|没收|吊销|通报批评)"
# Verbs of evidence tampering, all two characters (fixed width, so they can sit in a lookbehind): a run of them
# (伪造、隐匿、销毁…) is matched from its first verb only, not again from each later one to the same end.
_TAMPER = "(?:伪造|隐匿|销毁|毁灭|转移|篡改|隐藏|删除)"
_PROC_WORDS = "检查|巡查|复查|核查|执法|询问|调查|现场|约谈|告知|送达|立案|开具|下达|发出|责令|前往|来到|到|督促|通知|进行|检测|抽检|抽查|采样|监测"
_NOT_PROCEDURE = f"(?!{_PROC_WORDS})"

#: The cue table (R3.9–R3.13, R7.7). Order matters only for equal-length overlaps.
CUES: tuple[CueDef, ...] = (
    CueDef(
        "first_offence", "首次违法", "no_penalty", "处罚法第三十三条第一款第二句（首违可以不罚）；R3.9",
        (rf"首次{_NOT_PROCEDURE}", rf"初次{_NOT_PROCEDURE}", rf"第一次{_NOT_PROCEDURE}", r"初犯"),
        (r"(?:非|并非|不是|不属于|不属)(?:首次|初次|第一次)", rf"再次{_NOT_PROCEDURE}", r"又一次(?:违法|违规|实施|被)",
         r"再度(?:违法|违规|实施|被)", r"再犯", r"重犯", r"二次违法"),
    ),
    CueDef(
        "corrected_promptly", "及时改正", "no_penalty", "处罚法第三十三条第一款（及时改正）；R3.9",
        (r"及时(?:采取(?:有效)?措施)?(?:改正|整改|纠正|清理|清除|拆除|停止|补办|消除|恢复|下架|撤除|删除|补录|更正|修改|补正)",
         r"当场(?:改正|整改|纠正|清理|清除|拆除|停止|撤除|下架|恢复)",
         r"立即(?:改正|整改|纠正|停止|清理|清除|拆除|撤除|下架|恢复)", r"立行立改", r"当即(?:改正|整改|清理|拆除|停止)",
         r"(?:立即|当场|及时|当即|迅速)将[^，。；]{1,12}?(?:撤除|拆除|清理|下架|清除|移除|改正|整改|停止|恢复|销毁|撤离|搬离|封存)",
         rf"(?:当场|立即|当即|及时|迅速|随即|马上|于当日|当日|于次日|次日|(?<![立随当])即(?!可|为|是|使|便))(?:{_NO_NEG}){{0,12}}?(?:{_FIX_VERBS}|完成)",
         r"(?:补齐|补办|补签|补建|补录|补正)(?:了)?[^，。；]{0,8}?(?:证明|手续|资料|材料|台账|合同|许可|登记|备案|凭证)",
         rf"(?:已|已经)(?:{_NO_NEG}){{0,6}}?(?:自行拆除|拆除|改正|整改|恢复|补办|补签|补齐|清理|下架|删除|撤除|更换|撤出|更正|收回)",
         rf"(?:在(?:规定|责令|限定|指定)?(?:的)?(?:改正)?期限内|在?限期内|按期|按时|"
         rf"(?<![\d一二三四五六七八九十两])[\d一二三四五六七八九十两]+(?:日|天|个工作日)内)"
         rf"(?:{_NO_NEG}){{0,12}}?(?:{_FIX_VERBS}|完成|到位|备案|办理)",
         r"(?:已|已经)(?:全部|自行|主动|按要求)?(?:改正|整改到位|整改完毕|完成整改|整改|拆除|清理|清除|恢复|补办|撤除|下架|停止|删除|修改|更正|补录)",
         r"主动(?:改正|整改|拆除|清理|撤除|下架)", r"按期(?:完成)?(?:改正|整改)", r"按时(?:完成)?(?:改正|整改)",
         r"在(?:规定|责令|限定|指定)?(?:的)?(?:改正)?期限内(?:完成了?|全部)?(?:改正|整改|拆除)", r"限期内(?:改正|整改|拆除)",
         r"自行(?:拆除|整改|改正|清理|清除|撤除)", r"整改到位", r"整改完毕", r"改正完毕", r"(?:完成|落实)(?:了)?整改"),
        (r"(?:逾期|到期|期满|限期届满)(?:后)?(?:仍|仍然|依然)?(?:未|不|没有)(?:按要求)?(?:采取(?:整改|改正)?措施|改正|整改|拆除|纠正|清理)",
         r"(?:仍|仍然|依然|尚|始终|一直)?(?:未能|未)(?:按期|按时|按要求|及时|在规定期限内|在责令期限内|在期限内)?(?:完成)?(?:改正|整改|纠正|拆除|清理|停止)",
         r"未整改到位", r"没有(?:及时)?(?:改正|整改|纠正|拆除)", r"拖延(?:整改|改正)", r"不及时(?:改正|整改|纠正)",
         r"整改不到位"),
        block_left=_ORDER_LEFT,
        keeps_numbers=True,
        contextual_negative=(r"(?:仍|仍然|依然|始终|一直|至今)(?:未|没有)(?:按要求|按期)?[^，。；]{1,4}",),
        context_left=r"责令|要求|通知|限期|整改通知|督促",
    ),
    CueDef(
        "refused_to_correct", "拒不改正", "heavier", "法典第一千零五十六条第一款；江门裁量规定第五条；R3.11",
        (r"拒不(?:改正|整改|纠正|停止|拆除|履行|执行|停产|停业|清理|清除|恢复|撤除|搬离|关闭)",
         r"拒绝(?:改正|整改|停止|拆除|纠正|清理)", r"仍不(?:改正|整改|停止|拆除|清理)",
         r"(?:就是|还是|仍然|始终|一直)(?:不改|不肯改|不整改|没改)", r"(?:不肯|不愿)(?:改正|整改|改)"),
        contextual=(r"(?:仍|仍然|依然|还)(?:在)?(?:继续)?(?:经营|营业|施工|排放|生产|销售|实施|使用|营运|作业|摆摊|占道|混投|排污|堆放)",),
        context_left=r"责令|劝阻|制止|劝导|查处|通知|要求|告知|警告|处罚|立案",
    ),
    CueDef(
        "mitigated_harm", "主动消除或者减轻违法行为危害后果", "lighter", "处罚法第三十二条第（一）项；R3.10",
        (r"主动(?:消除|减轻)(?:或者?减轻|或者?消除|、减轻|和减轻)?(?:了)?[^，。；]{0,8}?(?:危害后果|危害|后果|影响|污染|隐患)",
         r"主动采取(?:了)?(?:补救|整改|有效|应急)?措施(?:消除|减轻|防止|控制)", r"(?:主动|积极)(?:召回|退赔|赔偿|退还|退款|挽回|追回|销毁)"),
    ),
    CueDef(
        "cooperated", "配合调查、如实陈述", "lighter", "粤裁量规定 配合调查因子；沪消裁量规定第六条（地方从轻情形）；R3.10",
        (r"(?:积极|主动|全力|全面|能够|能)?配合(?:执法人员)?(?:的)?(?:调查|检查|执法|查处|调查取证|取证)",
         r"(?:积极|主动|全力)配合(?!整改|改正)", r"如实(?:陈述|供述|说明|交代|反映)",
         r"如实提供(?:了)?[^，。；]{0,8}?(?:情况|材料|证据|资料|账目|账簿|台账|凭证|记录|票据|信息)",
         r"供认不讳", r"主动承认(?:了)?(?:错误|违法事实|违法行为)"),
        (r"(?:不|拒不|拒绝|不予|未)(?:积极|主动)?配合(?:执法人员)?(?:的)?(?:(?:调查|检查|执法|查处|调查取证|取证|工作)|(?=[，,。；;]|$))",
         r"(?:未|不|没有)如实(?:陈述|供述|说明|交代)", r"隐瞒(?:事实|真相|情况)", r"作虚假陈述",
         r"拒不(?:交代|说明|陈述|供述|承认)"),
    ),
    CueDef(
        "coerced", "受他人胁迫或者诱骗", "lighter", "处罚法第三十二条第（二）项；R3.10",
        (r"受(?:到)?(?:他人|别人|[^，。；受]{1,6}?)?(?:胁迫|诱骗|欺骗|蒙骗|诱导)", r"被(?:他人|别人)?(?:胁迫|诱骗|欺骗|蒙骗)",
         r"(?:受|遭)(?:到)?(?:他人|别人)?威胁", r"在[^，。；]{1,6}威胁下(?:被迫[^，。；]{0,4})?", r"被迫(?:实施|从事|参与)"),
    ),
    CueDef(
        "confessed_unknown", "主动供述行政机关尚未掌握的违法行为", "lighter", "处罚法第三十二条第（三）项；R3.10",
        (r"主动(?:供述|交代|坦白)(?:了)?(?:执法机关|行政机关|执法人员)?(?:尚未掌握|未掌握)?(?:的)?(?:其他)?(?:违法行为|违法事实|问题)?",),
    ),
    CueDef(
        "meritorious_service", "配合查处违法行为有立功表现", "lighter", "处罚法第三十二条第（四）项；R3.10",
        (r"立功(?:表现)?", r"检举(?:揭发)?(?:了)?(?:他人)?[^，。；]{0,12}(?:经查证属实|查证属实)"),
    ),
    CueDef(
        "no_fault", "没有主观过错", "no_penalty", "处罚法第三十三条第二款；R3.9",
        (r"(?:无|没有|不存在|不具有)(?:任何)?(?:主观)?过错", r"无主观故意(?:和|及|或者?|也无)过失",
         r"(?:确|确实|的确|并|毫)?不知(?:情|道)(?![^，。；]{0,12}(?:规定|法律|法规|政策|要求|禁止))"),
        (r"(?<!不)(?<!没有)(?<!无)(?:存在|具有|有)(?:明显)?(?:的)?(?:主观)?(?:过错|故意)", r"(?<!非)(?<!无)(?<!没有)(?<!存在)(?<!不是)主观故意", r"(?<!不)明知(?:是|系|其)?"),
        negatable=False,
        # 未能提供证据证明其无过错 is not a finding; 对该规定不知情 is ignorance of the law, not of the facts.
        block_left=r"(?:未能|不能|无法|没有|未)(?:提供)?[^，,。；;]{0,6}证明[^，,。；;]{0,4}$|(?:规定|法律|法规|政策)[^，,。；;]{0,3}$",
    ),
    CueDef(
        "minor_violation", "违法行为轻微", "no_penalty", "处罚法第三十三条第一款；R3.9",
        (r"违法行为(?:显著)?轻微", r"情节(?:显著|较为)?轻微", r"情节较轻"),
    ),
    CueDef(
        "no_harm", "没有造成危害后果", "no_penalty", "处罚法第三十三条第一款第一句；R3.9",
        (r"(?:未|没有|尚未|未曾|并未|暂未)(?:对[^，。；]{1,10})?(?:造成|产生|导致|发生|引起|引发)(?!严重|重大|较大|恶劣)(?:任何)?(?:实际)?(?:的)?"
         r"[^，。；]{0,8}?(?:危害后果|危害|后果|损害|损失|影响|污染|事故|人员伤亡|伤害|流失|传播|扩散|火灾|社会影响|不良影响|不良后果)",
         r"无(?:危害后果|实际危害|社会危害|不良后果)", r"没有实际影响使用"),
        negatable=False,
    ),
    CueDef(
        "minor_harm", "危害后果轻微", "no_penalty", "处罚法第三十三条第一款第二句（首违不罚）；R3.9",
        (r"危害(?:后果)?(?:轻微|较小|较轻|不大)", r"后果轻微", r"影响(?:轻微|较小|不大)", r"社会危害性(?:较)?小"),
    ),
    CueDef(
        "serious_consequence", "造成严重后果", "heavier", "法典第一千零五十六条第一款；江门裁量规定第五条第三款；R3.11",
        (r"造成(?:了)?(?:严重|重大|恶劣)(?:的)?(?:危害)?(?:后果|损失|污染|影响|事故|社会影响|经济损失)",
         r"造成[^，。；]{1,8}?(?:严重|重大)(?:的)?(?:污染|损失|后果|损害|危害|破坏|损伤|伤害)",
         r"严重后果", r"后果严重", r"危害后果(?:严重|较大|较重)",
         r"(?:造成|致使|导致|致)[^，。；]{0,10}(?:死亡|重伤|人员伤亡|中毒)", r"引发(?:了)?(?:火灾|事故|群体性事件|舆情)",
         r"(?:(?<!\d)\d+|(?<![一二两三四五六七八九十])[一二两三四五六七八九十]+)(?:人|名[^，。；]{0,4}?)(?:死亡|重伤)",
         r"社会影响恶劣", r"影响恶劣", r"恶劣(?:社会)?影响"),
        (r"(?:无|没有|未造成)(?:人员)?(?:伤亡|死亡)",),
    ),
    CueDef(
        "serious_circumstances", "情节严重", "heavier", "各罚则“情节严重的”条款；R3.11",
        (r"情节(?:特别)?严重", r"情节恶劣", r"情节较重"),
    ),
    CueDef(
        "involves_minors", "涉及未成年人", "heavier", "地方裁量基准从重情形（如沪消裁量规定第八条）；R3.11",
        (r"未成年人", r"中小学生", r"小学生", r"中学生", r"在校学生", r"婴幼儿", r"儿童(?!玩具|用品|服装)",
         r"(?:不满|未满)(?:十八|18)(?:周)?岁(?:的)?(?:人员|人|学生|顾客|消费者|青少年)?", r"(?<!大)(?<!研究)学生"),
        # 违法行为人系未满14周岁的未成年人: the party's own age (under_14), not a minor affected by the act.
        block_left=r"(?:系|属于?|身为)[^，,。；;向对给]{0,10}$|岁的?$",
    ),
    CueDef(
        "near_school", "学校周边", "heavier", "地方裁量基准从重情形；R3.11",
        (r"(?:学校|校园|中小学|小学|中学|幼儿园|托儿所)(?:周边|附近|周围|[东西南北正后侧]?门(?:口|外)|旁边|对面|区域)", r"校门(?:口|外|附近)",
         r"距(?:离)?[^，。；]{0,10}(?:学校|幼儿园|小学|中学)[^，。；]{0,4}?(?:仅|约|不足|不到)?(?:\d+|[一二三四五六七八九十百]+)米"),
    ),
    CueDef(
        "under_14", "不满十四周岁", "no_penalty", "处罚法第三十条（不予处罚）；R3.9",
        (r"(?:不满|未满|不足|未达|未到)(?:十四|14)(?:周)?岁",),
    ),
    CueDef(
        "age_14_to_18", "已满十四周岁不满十八周岁", "lighter", "处罚法第三十条（应当从轻或者减轻）；R3.10",
        (r"已满(?:十四|14)(?:周)?岁[、，,]?(?:但)?(?:不满|未满)(?:十八|18)(?:周)?岁",),
    ),
    CueDef(
        "mental_illness", "精神病人、智力残疾人不能辨认或者控制行为", "no_penalty", "处罚法第三十一条；R3.9",
        (r"精神病人", r"精神病患者", r"患有精神(?:病|疾病|障碍)", r"精神(?:疾病|障碍)患者", r"智力残疾", r"智力障碍",
         r"不能辨认(?:或者?(?:不能)?控制)?(?:自己的)?行为", r"精神分裂症",
         r"丧失(?:了)?辨认(?:或者|和|或|及)?(?:控制)?(?:自己)?(?:的)?(?:行为)?能力"),
    ),
    CueDef(
        "partial_mental_incapacity", "尚未完全丧失辨认或者控制能力", "lighter", "处罚法第三十一条（可以从轻或者减轻）；R3.10",
        (r"尚未完全丧失辨认或者?控制(?:自己)?(?:的)?(?:行为)?(?:的)?能力",),
    ),
    CueDef(
        "obstructed_inspection", "拒绝、阻挠检查", "heavier", "沪消裁量规定第八条等地方从重情形；R3.11",
        (r"拒绝(?:、阻挠|或者阻挠)?(?:执法人员)?(?:的)?(?:依法)?(?:监督)?检查", rf"阻挠(?:{_OFFICERS})?(?:依法)?(?:执法|检查|调查|执行公务)",
         rf"阻碍(?:{_OFFICERS})?(?:依法)?(?:执行职务|执法|检查|调查|执行公务)", rf"妨碍(?:{_OFFICERS})?(?:依法)?(?:执行职务|执法|检查|公务|调查)",
         r"暴力抗法", r"拒不接受(?:检查|调查)", r"拒绝(?:接受)?调查", rf"拒绝(?:{_OFFICERS})?进入",
         r"(?:拒不|拒绝)(?:提供|出示)[^，。；]{0,8}?(?:资料|材料|证据|证件|台账|账簿|票据|凭证|记录)",
         r"(?:关闭|锁闭)(?:大门|厂门)[^，。；]{0,6}(?:拒绝|不让)"),
    ),
    CueDef(
        "evidence_tampering", "伪造、隐匿、销毁证据", "heavier", "地方裁量基准从重情形；R3.11",
        (rf"(?<!{_TAMPER})(?<!{_TAMPER}[、和或]){_TAMPER}(?:[、和或]?{_TAMPER})*[^，。；]{{0,10}}?"
         r"(?:证据|账簿|账册|票据|记录|台账|凭证|数据|物品|货物|花名册|资料|材料|报告|档案|文件|单据)",
         r"提供虚假(?:的)?[^，。；]{0,6}?(?:材料|证明|证据|资料|信息|数据|台账|记录|账簿|票据|报告)", r"弄虚作假", r"作伪证", r"串供"),
        contextual=(r"将[^，。；]{1,10}?(?:转移隐藏|转移隐匿|藏匿|隐藏|隐匿|转移)(?!至|到|出)",),
        context_left=r"检查|调查|执法人员|查处|现场",
    ),
    CueDef(
        "repeat_despite_enforcement", "屡查屡犯", "heavier", "江门裁量规定第五条第二款；R3.11",
        (r"屡查屡犯", r"屡教不改", r"屡禁不止", r"屡罚屡犯", r"屡次被查", r"一再违法"),
    ),
    CueDef(
        "emergency_period", "重大传染病疫情等突发事件期间", "heavier", "处罚法第四十九条（依法快速、从重处罚）；R3.11",
        (r"(?:重大)?(?:传染病)?疫情(?:防控)?期间", r"重大传染病疫情", r"突发(?:公共卫生|事件|自然灾害)(?:事件)?(?:应急)?(?:响应)?(?:期间)?",
         r"(?:防汛|抗旱|防疫|抢险|救灾|应急响应)期间", r"自然灾害期间", r"紧急状态"),
    ),
    CueDef(
        "complaint_report", "被举报、投诉", "info", "裁量基准参考因素（社会影响）；R5.1",
        (r"(?:被|遭|经|接到|收到|根据|因)[^，。；被]{0,10}?(?:举报|投诉)",
         r"(?:群众|市民|消费者|居民|周边居民|附近居民)(?:举报|投诉)", r"(?<![A-Za-z0-9])123(?:45|15|69)(?![0-9])", r"信访"),
    ),
    CueDef(
        "undiscovered_two_years", "违法行为超过两年未被发现", "limitation", "处罚法第三十六条；R3.9",
        (r"(?:已|已经)?(?:超过|逾|超出)(?:两|二|2)年(?:均|仍|都)?(?:未|没有|尚未|未曾)(?:被)?(?:发现|查处|查获)",
         r"(?:两|二|2)年内(?:均|仍|都)?(?:未|没有|未曾)(?:被)?(?:发现|查处)", r"(?:已过|已超过|超过|超出)(?:行政)?处罚(?:追究)?时效",
         r"(?:追责|处罚|追究)时效(?:已过|已届满|届满)"),
        (r"(?:未超过|不足|未满)(?:两|二|2)年", r"(?:尚在|仍在|在)(?:行政)?处罚(?:追究)?时效(?:内|期内|期间)", r"未过(?:行政)?处罚时效"),
        negatable=False,
        contextual=(r"(?:已|已经)(?:超过|逾|超出)(?:两|二|2)年",),
        context_left=r"发现",
    ),
    CueDef(
        "no_illegal_gains", "没有违法所得", "info", "罚则兜底条款“没有违法所得的”；R5.9、R5.10",
        (r"(?:没有|无|未|尚未|暂未|未曾)(?:产生|取得|获得|获取|有)?(?:任何)?(?:违法所得|获利|违法收入|非法所得|盈利|收益)",
         r"违法所得(?:暂|尚|目前)?(?:无法|不能|难以)(?:计算|确定|查清|核实)", r"(?:尚未|未|还未|没有)(?:开始)?(?:销售|出售|售出|营业|经营)"),
        negatable=False,
    ),
    CueDef(
        "self_reported", "主动报告", "lighter", "沪消裁量规定第六条等地方从轻情形；R3.10",
        (r"主动(?:投案|报告|说明情况|申报|上报|自首|补报)", r"(?:主动|立即|及时|第一时间)向[^，。；]{1,12}?(?:报告|说明|反映)", r"自查(?:发现)?(?:后|并)?(?:主动)?报告"),
    ),
    CueDef(
        "prior_penalty", "曾受过行政处罚", "heavier", "江门裁量规定第五条第二款（两年内同类处罚）；R3.11",
        (rf"曾(?:于[^，。；]{{0,14}})?(?:因[^，。；]{{0,24}}?)?(?:被|受到|受过|遭到)(?:[^，。；]{{0,16}}?)?{_SANCTION}(?:过)?",
         rf"(?:此前|之前|以前|先前|去年|前年|今年|上年|(?:19|20)\d{{2}}年)(?:(?!未|没有|从未|无|不曾)[^，。；]){{0,8}}(?:因[^，。；]{{0,24}}?)?(?:已)?(?:被|受到|受过)(?:[^，。；]{{0,16}}?)?{_SANCTION}(?:过)?",
         # 两年内已被处罚过 (but 两年内第三次被查处 is a count, read below)
         rf"(?:[一二两三\d]年(?:内|以内|来)|近[一二两三\d]年)(?:(?!未|没有|从未|无|不曾|第|[一二两三四五六七八九十\d]次)[^，。；]){{0,8}}(?:因[^，。；]{{0,24}}?)?(?:已)?(?:被|受到|受过)(?:[^，。；]{{0,16}}?)?{_SANCTION}(?:过)?",
         r"有(?:违法|处罚|行政处罚|违章)(?:记录|前科|史)", r"前科"),
        (rf"(?:此前|以前|之前|先前|近两年|两年内)?(?:均)?(?:未|没有|从未|未曾|无)(?:因[^，。；]{{0,24}}?)?(?:被|受到|受过|遭到)(?:[^，。；]{{0,12}}?)?{_SANCTION}(?:过)?",
         r"(?:无|没有)(?:任何)?[^，。；]{0,4}?(?:违法|犯罪|处罚|违章|不良)(?:犯罪)?(?:记录|前科|史)", r"无前科"),
        negatable=False,
        type="count",
        keeps_numbers=True,
    ),
    CueDef(
        "repeated", "多次违法", "heavier", "江门裁量规定第五条第二款；R3.11",
        (r"(?:多次|屡次|屡屡|反复|再三|频繁|接连|多回)(?!督促|责令|告知|通知|约谈|劝导|劝阻|提醒|检查|要求|催告|巡查|现场检查|警告)"
         r"(?![^，。；]{0,10}(?:投诉|举报))",),
        type="count",
    ),
)

_NEGATOR = re.compile(
    r"(?:并非|不是|不属于|不存在|不具有|没有|未曾|不曾|并未|尚未|从未|拒不|未能|不能|无法|未|没|不|无|非)"
    r"(?:能够|能|予|曾|再|有|被|及|是|属于|属|会|得到|得|进行|在|向|对|给|涉及|针对|主动|积极)?$"
)
_UNCERTAIN = re.compile(r"(?:是否|有无|能否|可否|有没有)(?:[^，。；]{0,2})$")
_PUNCT = "，,。；;！!？?\n：:"


@dataclass
class Fact:
    """One fact with its span.

    Attributes:
        type: money, multiple, percent, count, age, duration, area, quantity, date or cue.
        code: stable code within the type (see module doc and :data:`CUES`).
        text: ``source[start:end]``.
        span: ``(start, end)`` character offsets in the description.
        value: see module doc (fen for money, exact decimal string or int for numbers).
        unit: for durations, areas, quantities.
        polarity: ``+1`` / ``-1`` for cues and ``prior_penalty``; ``None`` otherwise.
        label, effect, hook: for cues, from :data:`CUES`.
        attrs: extras (``kind`` for money, ``window_years``, ``derived``, ``percent`` …).
    """

    type: str
    code: str
    text: str
    span: tuple[int, int]
    value: Any = None
    unit: str | None = None
    polarity: int | None = None
    label: str | None = None
    effect: str | None = None
    hook: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def derived(self) -> bool:
        """Implied by another fact rather than stated."""
        return bool(self.attrs.get("derived"))

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        d: dict[str, Any] = {
            "type": self.type,
            "code": self.code,
            "text": self.text,
            "span": list(self.span),
            "value": self.value,
            "unit": self.unit,
            "polarity": self.polarity,
        }
        if self.label:
            d.update(label=self.label, effect=self.effect, hook=self.hook)
        if self.attrs:
            d["attrs"] = dict(self.attrs)
        return d


@dataclass
class Facts:
    """All facts of one description, in text order."""

    text: str
    facts: list[Fact]

    def of_type(self, type_: str) -> list[Fact]:
        """Facts of one type."""
        return [f for f in self.facts if f.type == type_]

    def cue(self, code: str) -> Fact | None:
        """The stated (non-derived) fact with ``code``, else the derived one, else ``None``."""
        found = [f for f in self.facts if f.code == code and f.polarity is not None]
        stated = [f for f in found if not f.derived]
        pool = stated or found
        return pool[0] if pool else None

    def polarity(self, code: str) -> int | None:
        """+1 / −1 for a cue or count with polarity, ``None`` if not mentioned."""
        f = self.cue(code)
        return None if f is None else f.polarity

    def money(self, code: str) -> list[Fact]:
        """Money facts with a code (``illegal_gains`` …) or nlp.money kind (``违法所得`` …)."""
        code = MONEY_CODES.get(code, code)
        return [f for f in self.facts if f.type == "money" and f.code == code]

    def amount_fen(self, code: str) -> int | None:
        """The first stated amount of a kind, in fen (e.g. 违法所得 for a multiple range, R5.10)."""
        found = self.money(code)
        return found[0].value if found else None

    def signature(self) -> frozenset[tuple[str, str, str]]:
        """What the facts say, without wording: ``(code, polarity-or-value)`` pairs.

        Used for "same facts, same tier": paraphrases should give the same signature. Dates and
        quantities are left out (they rarely move a tier and are worded freely), and so are ages
        (they enter as the under_14 / age_14_to_18 cues). 超标0.5倍 and 超标50% are the same ratio.
        """
        sig: set[tuple[str, str, str]] = set()
        for f in self.facts:
            if f.type in ("date", "quantity", "age"):
                continue
            key = str(f.polarity) if f.polarity is not None else str(f.value)
            sig.add(("ratio" if f.type in ("multiple", "percent") else f.type, f.code, key))
        return frozenset(sig)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form: every fact, plus cue polarities and money by code for convenience."""
        cues: dict[str, int] = {}
        for f in self.facts:  # the first stated mention decides
            if f.polarity is not None and not f.derived:
                cues.setdefault(f.code, f.polarity)
        for f in self.facts:  # implied ones only where nothing is stated
            if f.polarity is not None and f.derived:
                cues.setdefault(f.code, f.polarity)
        money: dict[str, int] = {}
        for f in self.facts:
            if f.type == "money":
                money.setdefault(f.code, f.value)
        return {"facts": [f.to_dict() for f in self.facts], "cues": cues, "money_fen": money}


# --------------------------------------------------------------------------- helpers


def _num_value(d: Decimal) -> int | str:
    if d == d.to_integral_value():
        return int(d)
    s = format(d.normalize(), "f")
    return s


def _clause_left(text: str, pos: int, limit: int = 12) -> str:
    start = pos
    while start > 0 and pos - start < limit and text[start - 1] not in _PUNCT:
        start -= 1
    return text[start:pos]


@dataclass
class _Match:
    start: int
    end: int
    cue: CueDef
    polarity: int


_COMPILED: Sequence[tuple[CueDef, re.Pattern[str], int, re.Pattern[str] | None]] = (
    [(c, re.compile(p), +1, None) for c in CUES for p in c.patterns]
    + [(c, re.compile(p), -1, None) for c in CUES for p in c.negative]
    + [(c, re.compile(p), +1, re.compile(c.context_left or "")) for c in CUES for p in c.contextual]
    + [(c, re.compile(p), -1, re.compile(c.context_left or "")) for c in CUES for p in c.contextual_negative]
)


# How far back the sentence before a contextual cue is read (责令…仍继续经营). Sentences in descriptions are far
# shorter; reading back to the last stop for every match is quadratic in a text without one.
_SENTENCE_MAX = 1000


def _sentence_start(text: str, pos: int) -> int:
    floor = max(0, pos - _SENTENCE_MAX)
    return max(floor, *(text.rfind(ch, floor, pos) + 1 for ch in "。；;！？\n"))


def _find_cues(text: str) -> list[_Match]:
    cands: list[_Match] = []
    for cue, pat, pol, ctx in _COMPILED:
        for m in pat.finditer(text):
            if m.end() > m.start() and (ctx is None or ctx.search(text, _sentence_start(text, m.start()), m.start())):
                cands.append(_Match(m.start(), m.end(), cue, pol))
    # Longest first, so 未及时改正 beats 及时改正 and 造成严重后果 beats 严重后果.
    cands.sort(key=lambda c: (-(c.end - c.start), c.start, c.polarity))
    chosen: list[_Match] = []
    taken = SpanMask(len(text))
    for c in cands:
        if taken.overlaps(c.start, c.end):
            continue
        left = _clause_left(text, c.start)
        if _UNCERTAIN.search(left):
            continue  # 核查其是否首次违法: not a statement either way
        if c.polarity > 0 and c.cue.negatable:
            neg = _NEGATOR.search(left)
            if neg and not re.search(r"非法$|不法$", left[: neg.end()] + text[c.start : c.start + 1]):
                c = _Match(c.start - (len(left) - neg.start()), c.end, c.cue, -1)
                if taken.overlaps(c.start, c.end):
                    continue
        # Checked after negation: 责令立即改正 is an order (dropped), 限期内未自行拆除 a negated fact (kept).
        if c.polarity > 0 and c.cue.block_left and re.search(c.cue.block_left, left):
            continue
        chosen.append(c)
        taken.add(c.start, c.end)
    chosen.sort(key=lambda c: c.start)
    return chosen


_EXCEED_PREFIX = (
    r"(?P<pre>超标|超过[^，。；倍%％]{0,14}?|"
    r"超出[^，。；\d]{0,14}?(?:标准|限值)?|超(?:过)?(?:核定)?(?:载质量|载客|载重|载|速|限|员)|超)"
)
_RATIO = rf"(?P<v>{NUMBER})倍"
_PCT = rf"(?:百分之(?P<p1>{NUMBER})|(?P<p2>{NUMBER})[%％])"
_EXCEED_MULT_RE = re.compile(rf"{_EXCEED_PREFIX}(?:幅度|率|比例)?(?:为|了|约|达|达到)?{_RATIO}")
_EXCEED_PCT_RE = re.compile(rf"{_EXCEED_PREFIX}(?:幅度|率|比例)?(?:为|了|约|达|达到)?{_PCT}")
_LIMIT_RATIO_RE = re.compile(
    rf"(?:是|为|达到?|系)[^，。；]{{0,12}}?(?:标准|限值|限量|上限|核定|设计|规定|允许)[^，。；的]{{0,6}}的{_RATIO}"
)
# Patterns that begin with a number start only where a number starts (NUMBER_START, _NUM_CN_START): a try from
# every digit of a long run would read to the end of the run each time.
_MULT_RE = re.compile(NUMBER_START + _RATIO)
_PCT_RE = re.compile(rf"(?:百分之(?P<p1>{NUMBER})|{NUMBER_START}(?P<p2>{NUMBER})[%％])")
_NUM_CN = r"[一二两三四五六七八九十\d]+"
_NUM_CN_START = r"(?<![一二两三四五六七八九十\d])"
_NTH_WINDOW_RE = re.compile(
    rf"(?P<w>{_NUM_CN_START}{_NUM_CN}|半)年(?:内|以内|之内|中)[^，。；]{{0,14}}?第(?P<n>{_NUM_CN})次{_NOT_PROCEDURE}"
)
_TIMES_WINDOW_RE = re.compile(
    rf"(?P<w>{_NUM_CN_START}{_NUM_CN}|半)年(?:内|以内|之内|中)[^，。；]{{0,14}}?(?:累计|共|先后|已)?(?P<n>{_NUM_CN})次(?!性)(?:以上)?"
)
_NTH_RE = re.compile(rf"第(?P<n>{_NUM_CN})次{_NOT_PROCEDURE}")
_TIMES_RE = re.compile(rf"{_NUM_CN_START}(?P<n>{_NUM_CN})次(?!性|日|月){_NOT_PROCEDURE}")
_AGE_RE = re.compile(rf"(?:年仅|现年|年龄|年满|时年|今年|刚满|仅)?{NUMBER_START}(?P<n>{NUMBER})(?:周)?岁(?!以上|以下)")
_DURATION_RE = re.compile(
    rf"{NUMBER_START}(?P<n>{NUMBER})(?P<approx>多|余)?(?P<u>个多月|个月|个工作日|工作日|个小时|小时|分钟|星期|周|天|日|年)(?P<inner>内|以内|之内)?"
)
_AREA_RE = re.compile(rf"{NUMBER_START}(?P<n>{NUMBER})(?P<approx>多|余)?(?P<u>平方米|平方公里|平米|㎡|m²|m2|亩|公顷)(?![A-Za-z])")
_QTY_UNITS = (
    "公斤|千克|kg|KG|Kg|毫克|克|吨|斤|毫升|ml|mL|升|立方米|m³|方|件|箱|瓶|袋|盒|包|台|辆|个|只|头|株|棵|条|份|张|套|桶|罐|"
    "枚|本|双|根|片|副|顶|把|部|块|支|批|家|户|名|人|处|车|艘|间|座|种|具|类|米|公里|千米|口|匹|羽|尾|粒|盏|组|票|单|笔"
)
_QTY_RE = re.compile(rf"(?<![/／0-9０-９.．]){NUMBER_START}(?P<n>{NUMBER})(?P<approx>多|余)?(?P<u>{_QTY_UNITS})"
                     rf"(?![A-Za-z])(?<!个(?=多?月|小时|工作日))(?<!人(?=次))")
# A time limit set by the agency (限期15日内, 责令其在10日内) rather than when something happened (于3日内补签).
_POINT_IN_TIME = re.compile(r"(?:之|以)?(?:前|后)")
_DEADLINE_LEFT = re.compile(r"(?:限期|期限为?|限|责令(?:其|当事人)?|要求(?:其|当事人)?|应当|应|须|务必)(?:在|于)?$")
_UNIT_NORM = {"个多月": "月", "个月": "月", "个小时": "小时", "星期": "周", "天": "日", "个工作日": "工作日",
              "平米": "平方米", "㎡": "平方米", "m²": "平方米", "m2": "平方米", "千克": "公斤", "kg": "公斤", "KG": "公斤",
              "Kg": "公斤", "m³": "立方米", "mL": "毫升", "ml": "毫升", "千米": "公里"}


def _pnum(s: str) -> Decimal | None:
    try:
        return parse_number(s)
    except AmountError:
        return None


# --------------------------------------------------------------------------- extract


def extract_facts(text: str) -> Facts:
    """Extract facts with spans from a violation description.

    Args:
        text: the officer's description (any length; Chinese or Arabic numerals).

    Returns:
        :class:`Facts` in text order, derived facts included (``attrs["derived"]``).

    Raises:
        FactsError: if ``text`` is not a string.
    """
    if not isinstance(text, str):
        raise FactsError(f"description must be a string, not {type(text).__name__}")
    facts: list[Fact] = []
    # Spans that numeric extractors must not read again; ``not_cues`` leaves out the cues (a date may sit in one).
    taken, not_cues = SpanMask(len(text)), SpanMask(len(text))

    # 1. cues and table-driven counts (they hold numbers that must not be read again: 超过两年未被发现).
    for cm in _find_cues(text):
        c = cm.cue
        facts.append(Fact(c.type, c.code, text[cm.start : cm.end], (cm.start, cm.end), polarity=cm.polarity,
                          label=c.label, effect=c.effect, hook=c.hook))
        if not c.keeps_numbers:
            taken.add(cm.start, cm.end)
    cue_spans = {f.span for f in facts}

    def add(f: Fact) -> None:
        facts.append(f)
        taken.add(*f.span)
        if f.span not in cue_spans:
            not_cues.add(*f.span)

    # 2. counts with numbers: 两年内第三次, 第二次, 3次.
    for rx, code in ((_NTH_WINDOW_RE, "nth_time"), (_TIMES_WINDOW_RE, "times"), (_NTH_RE, "nth_time"), (_TIMES_RE, "times")):
        for m in rx.finditer(text):
            if taken.overlaps(*m.span()):
                continue
            n = _pnum(m.group("n"))
            if n is None:
                continue
            attrs: dict[str, Any] = {}
            if "w" in m.groupdict() and m.group("w"):
                w = Decimal("0.5") if m.group("w") == "半" else _pnum(m.group("w"))
                attrs["window_years"] = _num_value(w) if w is not None else None
            if code == "times" and n == 1:
                continue  # 一次: too often "once" in passing (一次殴打多人, 处罚一次)
            if code == "nth_time" and n == 1:
                c = next(c for c in CUES if c.code == "first_offence")
                add(Fact("cue", c.code, m.group(), m.span(), polarity=+1, label=c.label, effect=c.effect, hook=c.hook))
                continue
            add(Fact("count", code, m.group(), m.span(), value=int(n), attrs=attrs))

    # 3. dates (owned by nlp.dates), before durations so that 3月15日 is not "15日".
    for d in _dates.find_dates(text):
        # Dates may sit inside a cue (曾于2023年5月因…被处罚); relative words (当日) are not facts on their own.
        if d.kind == "relative" or not_cues.overlaps(d.start, d.end):
            continue
        add(Fact("date", "date", d.text, (d.start, d.end), value=d.iso, attrs={"kind": d.kind}))

    # 4. money (nlp.money).
    for a in find_amounts(text):
        if taken.overlaps(*a.span):
            continue
        attrs = {"kind": a.kind}
        if a.approximate:
            attrs["approximate"] = True
        add(Fact("money", MONEY_CODES[a.kind], a.raw, a.span, value=a.value_fen, unit="fen", attrs=attrs))

    # 5. multiples and percentages: exceedance first, then any others.
    for m in _EXCEED_MULT_RE.finditer(text):
        v = _pnum(m.group("v"))
        if v is None or taken.overlaps(*m.span()):
            continue
        add(Fact("multiple", "exceedance", m.group(), m.span(), value=_num_value(v), attrs={"subject": m.group("pre")}))
    for m in _LIMIT_RATIO_RE.finditer(text):
        v = _pnum(m.group("v"))
        if v is None or taken.overlaps(*m.span()):
            continue
        add(Fact("multiple", "exceedance", m.group(), m.span(), value=_num_value(v - 1), attrs={"limit_ratio": _num_value(v)}))
    for m in _EXCEED_PCT_RE.finditer(text):
        p = _pnum(m.group("p1") or m.group("p2"))
        if p is None or taken.overlaps(*m.span()):
            continue
        add(Fact("percent", "exceedance", m.group(), m.span(), value=_num_value(p / 100),
                 attrs={"percent": _num_value(p), "subject": m.group("pre")}))
    for m in _MULT_RE.finditer(text):
        v = _pnum(m.group("v"))
        if v is None or taken.overlaps(*m.span()):
            continue
        add(Fact("multiple", "multiple", m.group(), m.span(), value=_num_value(v)))
    for m in _PCT_RE.finditer(text):
        p = _pnum(m.group("p1") or m.group("p2"))
        if p is None or taken.overlaps(*m.span()):
            continue
        add(Fact("percent", "percent", m.group(), m.span(), value=_num_value(p / 100), attrs={"percent": _num_value(p)}))

    # 6. ages (→ under_14 / age_14_to_18 below).
    for m in _AGE_RE.finditer(text):
        n = _pnum(m.group("n"))
        if n is None or n > 120 or taken.overlaps(*m.span()):
            continue
        add(Fact("age", "age", m.group(), m.span(), value=_num_value(n), unit="岁"))

    # 7. durations, areas, quantities.
    for m in _DURATION_RE.finditer(text):
        if taken.overlaps(*m.span()) or _POINT_IN_TIME.match(text, m.end()):
            continue  # 三个月前 is a point in time, not a duration
        n = _pnum(m.group("n"))
        if n is None:
            continue
        unit = _UNIT_NORM.get(m.group("u"), m.group("u"))
        if unit == "年" and n >= 1900:
            continue  # a year, not a duration
        left = _clause_left(text, m.start(), 16)
        span = (m.start(), m.end())
        if m.group("inner") and _DEADLINE_LEFT.search(left):
            code = "deadline"
        elif m.group("inner"):
            code = "window"
        else:
            code = "duration"
            span = (m.start(), m.end() - len(m.group("inner") or ""))
        attrs = {"approximate": True} if m.group("approx") else {}
        add(Fact("duration", code, text[span[0] : span[1]], span, value=_num_value(n), unit=unit, attrs=attrs))
    for rx, type_ in ((_AREA_RE, "area"), (_QTY_RE, "quantity")):
        for m in rx.finditer(text):
            if taken.overlaps(*m.span()):
                continue
            raw_n = m.group("n")
            n = _pnum(raw_n)
            if n is None or (type_ == "quantity" and raw_n in ("一", "两", "几")):
                continue  # 一名执法人员, 一家: articles rather than quantities
            attrs = {"approximate": True} if m.group("approx") else {}
            add(Fact(type_, type_, m.group(), m.span(), value=_num_value(n),
                     unit=_UNIT_NORM.get(m.group("u"), m.group("u")), attrs=attrs))

    facts.sort(key=lambda f: (f.span[0], f.span[1]))
    facts.extend(_derive(facts))
    facts.sort(key=lambda f: (f.span[0], f.span[1]))
    return Facts(text, facts)


# Circumstance cues that describe how the party behaved or what followed, not the violation itself: removed from
# the text used for retrieval (issue 4 audit: 「已及时改正」 pulled in unrelated regulations). Cues that can be the
# conduct (向未成年人…, 拒绝检查, 伪造证据, 疫情期间, 情节严重) stay.
_CIRCUMSTANCE_CODES = frozenset({
    "first_offence", "corrected_promptly", "refused_to_correct", "mitigated_harm", "cooperated", "coerced",
    "confessed_unknown", "meritorious_service", "no_fault", "minor_violation", "no_harm", "minor_harm",
    "serious_consequence", "repeat_despite_enforcement", "complaint_report", "undiscovered_two_years",
    "no_illegal_gains", "self_reported", "prior_penalty", "repeated", "nth_time", "times",
})
_CLAUSE_RE = re.compile(r"[^，,。；;！!？?\n]+[，,。；;！!？?\n]*")
_FILLER_RE = re.compile(r"[系经被已且并但均也还都尚曾其及时了的等在内后再次责令查处改正后果某]")


# Numbers inside amount-like facts: how much or how many never decides which provision a conduct breaks, but the
# way it is written (三千元 / 3,000元 / 人民币叁仟元) moves retrieval, so the same facts could meet different items.
_VALUE_TYPES = frozenset({"money", "multiple", "percent", "date", "duration", "quantity", "area", "age"})
# A run of blanks next to a non-ASCII character. Tried only where a run starts and never shortened: a run
# followed by ASCII would otherwise be retried from each of its blanks, reading to its end each time.
_BLANKS_RE = re.compile(r"(?<! )(?:(?<=[^\x00-\x7f]) ++| ++(?=[^\x00-\x7f]))")
# Separators before a full stop or the end (dropped); tried only where a run of them starts, as above.
_DANGLING_RE = re.compile(r"(?<![，,；;、\s])[，,；;、\s]++([。]|$)")
_NUMBER_RE = re.compile(r"(人民币)?[0-9０-９.,，．点零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟]+")


def _without_amounts(facts: Facts) -> str:
    """The text with the numbers of its amount-like facts blanked (same length, so fact spans stay valid)."""
    chars = list(facts.text)
    for f in facts.facts:
        if f.type in _VALUE_TYPES and not (f.attrs or {}).get("derived"):
            a, b = f.span
            for m in _NUMBER_RE.finditer(facts.text, a, b):
                chars[m.start():m.end()] = " " * (m.end() - m.start())
    return "".join(chars)


def conduct_text(facts: Facts, min_chars: int = 4) -> str:
    """The description without its circumstance cues, for retrieval (the full text stays for facts and tier).

    A clause (between commas or stops) that is little more than a cue (「已及时改正」, 「经责令改正拒不改正」,
    「系初次被查处」) is dropped whole; elsewhere only the cue's own span goes. Returns the full text when too little
    would remain.
    """
    text = _without_amounts(facts)
    spans = [f.span for f in facts.facts if f.code in _CIRCUMSTANCE_CODES and (f.type in ("cue", "count"))]
    if not spans:
        return _BLANKS_RE.sub("", text)
    cut = SpanMask(len(text))
    for a, b in spans:
        cut.add(a, b)
    out: list[str] = []
    for m in _CLAUSE_RE.finditer(text):
        s, e = m.span()
        if not cut.overlaps(s, e):
            out.append(m.group())
            continue
        keep = "".join(ch for i, ch in enumerate(text[s:e], s) if not cut.overlaps(i, i + 1))
        rest = _FILLER_RE.sub("", re.sub(r"[，,。；;！!？?\s、\d年月日内第次]", "", keep))
        if len(rest) > 3:
            out.append(keep)
    reduced = _DANGLING_RE.sub(r"\1", "".join(out)).strip("，,；; ")
    return _BLANKS_RE.sub("", reduced if len(re.sub(r"\W", "", reduced)) >= min_chars else text)


def _cue_fact(code: str, src: Fact, polarity: int, why: str) -> Fact:
    c = next(c for c in CUES if c.code == code)
    return Fact("cue", code, src.text, src.span, polarity=polarity, label=c.label, effect=c.effect, hook=c.hook,
                attrs={"derived": True, "from": why})


def _derive(facts: list[Fact]) -> list[Fact]:
    """Facts implied by others; never overriding a stated one (R7.7)."""
    stated = {f.code for f in facts if f.polarity is not None}
    out: list[Fact] = []
    if "first_offence" not in stated:
        for f in facts:
            repeat = (f.code == "nth_time" and isinstance(f.value, int) and f.value >= 2) or (
                f.code in ("prior_penalty", "repeated", "repeat_despite_enforcement") and f.polarity == 1
            )
            if repeat:
                out.append(_cue_fact("first_offence", f, -1, f.code))
                break
    if "corrected_promptly" not in stated:
        for f in facts:
            if f.code == "refused_to_correct" and f.polarity == 1:
                out.append(_cue_fact("corrected_promptly", f, -1, f.code))
                break
    if not stated & {"under_14", "age_14_to_18"}:
        for f in facts:
            if f.type == "age" and isinstance(f.value, int):
                if f.value < 14:
                    out.append(_cue_fact("under_14", f, +1, "age"))
                elif f.value < 18:
                    out.append(_cue_fact("age_14_to_18", f, +1, "age"))
                break
    return out
