"""The answer of ``POST /v1/analyze`` (and of each item of ``/v1/analyze/batch``) as pydantic models.

They describe what :meth:`api.services.Services.analyze` returns (README, "Analysis answer"), so the OpenAPI names
every field and the web page (``api/web/app.js``) reads only these. The routes serialise with
``response_model_exclude_unset=True``: a field the service did not emit is not added, ``None`` stays ``null``, and
the JSON is the one the service built. Every model lets an undeclared field through unchanged (``extra="allow"``),
so an answer is never trimmed in production; ``tests/api/test_analyze_schema.py`` validates real answers with every
model closed (``extra="forbid"``), so a field the service emits and these models lack fails the tests.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# A JSON number as the service wrote it: int stays int (50000, not 50000.0), float stays float.
Number = int | float


class AnswerModel(BaseModel):
    """Base of every part of the analysis answer."""

    model_config = ConfigDict(extra="allow")


# ---------------------------------------------------------------------------------------------- provisions
class ProvisionRef(AnswerModel):
    """违则或罚则的引用（检索所得）· A 违则/罚则 paired with a retrieved provision."""

    citation: str = Field(description="规范引用 · canonical citation, e.g. 《中华人民共和国食品安全法》第一百二十二条第一款")
    text: str = Field(description="条文原文（该版本）· provision text in that version")
    law: str = Field(description="法律法规全称 · full title")
    article: int = Field(description="条 · article number")
    article_sub: int = Field(0, description="第X条之N 的 N（0：无）· the N of 第X条之N")
    paragraph: int | None = Field(None, description="款 · paragraph")
    item: int | None = Field(None, description="项 · item")
    source: str = Field(description="配对来源：explicit（条文明文引用）、item（裁量基准事项）、self、retrieval … · "
                                    "where the pairing came from")
    score: Number | None = Field(None, description="检索得分 · retrieval score of the paired passage")


class NewerVersion(AnswerModel):
    """违法行为发生日之后的新版本（从旧兼从轻）· The newest later version of a retrieved provision (R2.1, R2.2)."""

    version_id: str | None = Field(description="新版本标识；null：此后废止 · id of the newer version; null when repealed")
    effective_from: str | None = Field(description="新版本施行日期 · effective date of the newer version (or of the end)")
    citation: str | None = Field(description="新版本中的该条款 · the provision in the newer version")
    text: str | None = Field(description="新版本条文 · its text there")
    changed: bool | None = Field(None, description="条文是否有变化 · whether the text changed")
    note: str | None = Field(None, description="说明（中文）· why there is no newer text")


class ItemEvidence(AnswerModel):
    """名称与描述相近、且引用该条文的裁量基准事项（仅为佐证，不是处罚依据）· A benchmark item whose title matched."""

    benchmark: str = Field(description="裁量基准名称 · benchmark name")
    item_id: str = Field(description="事项编号 · item id")
    title: str = Field(description="事项名称 · item title")
    match: Number = Field(description="名称相似度（e5）· title similarity")


class Applicability(AnswerModel):
    """适用于本案的概率（校准自排序结果）· How likely this provision's 罚则 is the one that applies to the case.

    与「条文存在且当日有效」无关：那只说明条文存在、当日施行 · Independent of whether the text exists and is in force."""

    probability: Number = Field(description="该条罚则（条级）即本案适用罚则的校准概率 · calibrated probability that this "
                                            "hit's 罚则 (article level) is the one the agency would apply")
    band: Literal["high", "medium", "low"] = Field(description="高/中/低：阈值在校准数据上选定（见 README）· band")
    evidence: list[str] = Field(default_factory=list, description="依据（中文短句）· short reasons, in Chinese")


class Provision(AnswerModel):
    """检索到的条文（当日施行的版本）及其违则/罚则配对 · A retrieved provision in force on ``as_of`` with its pair."""

    id: str = Field("", description="段落标识 · passage id")
    citation: str = Field(description="规范引用 · canonical citation")
    law: str = Field(description="法律法规全称 · full title")
    article: int = Field(description="条 · article")
    article_sub: int = Field(0, description="第X条之N 的 N · the N of 第X条之N")
    paragraph: int | None = Field(None, description="款 · paragraph")
    item: int | None = Field(None, description="项 · item")
    text: str = Field(description="条文原文 · provision text")
    score: Number = Field(description="检索得分 · retrieval score")
    unit: str = Field("article", description="检索单元：article、paragraph、item · passage unit")
    is_liability: bool = Field(False, description="是否为罚则（法律责任条款）· whether it is a 罚则")
    violated: ProvisionRef | None = Field(None, description="违则 · the provision violated")
    basis: ProvisionRef | None = Field(None, description="罚则（处罚依据）· the penalty provision")
    version_id: str = Field("", description="版本标识 · version id")
    effective_from: str | None = Field(None, description="该版本施行日期 · version in force from")
    effective_to: str | None = Field(None, description="该版本失效日期 · version in force until")
    newer_version: NewerVersion | None = Field(None, description="此后的新版本或废止 · a later version or repeal")
    version_status: Literal["in_force", "nearest_later", "nearest_earlier"] | None = Field(
        None, description="in_force：当日施行；nearest_later / nearest_earlier：库中没有当日施行的版本，所示为最接近的版本"
                          "（不是当日适用的文本）· whether this is the text in force on as_of or a stand-in")
    version_note: str | None = Field(None, description="非当日版本的提示 · the warning a stand-in carries")
    items: list[ItemEvidence] = Field(default_factory=list, description="名称相近的裁量基准事项（佐证）· items by title")
    applicability: Applicability | None = Field(
        None, description="适用于本案（校准概率、档次、依据）；null：未启用排序模型 · applies to this case (calibrated)")
    context_only: bool | None = Field(None, description="仅为已核查的规定（未认定违法）· only a rule that was checked")
    label: str | None = Field(None, description="显示标签，如「已核查（未认定违法）」· display label")


# ---------------------------------------------------------------------------------------------- benchmark items
class VersionInfo(AnswerModel):
    """法规的一个版本及其施行期间 · One stored version of an instrument and when it was in force."""

    id: str = Field(description="版本标识 · version id")
    source: str = Field(description="来源：ldb、lawrefbook · source of the text")
    source_path: str = Field(description="来源中的位置 · where in the source")
    version_date: str | None = Field(description="版本日期（公布或修改）· version date")
    effective_from: str | None = Field(description="施行日期 · in force from")
    effective_to: str | None = Field(description="失效日期（null：至今有效）· in force until")
    status: str | None = Field(description="来源标注的状态（今日）· status the source gives today")
    verified_in_force: bool | None = Field(description="是否已核实现行有效 · whether in force was verified")
    content_hash: str = Field(description="文本哈希 · hash of the text")


class LaterChange(AnswerModel):
    """违法行为发生日之后的修改或废止（从旧兼从轻）· A newer text or a repeal after the date asked."""

    kind: Literal["amended", "repealed"] = Field(description="amended（修改）或 repealed（废止）")
    effective: str | None = Field(description="变化生效日期 · date of the change")
    version: VersionInfo | None = Field(None, description="新版本 · the newer version")
    by: str | None = Field(None, description="取代它的法律法规 · the repealing instrument")
    note: str = Field(description="说明（中文）· what the reviewer should do")


class CheckedCitation(AnswerModel):
    """裁量基准事项所引的违则/罚则，在违法行为发生日重新核验 · An item's citation re-verified on the violation date."""

    citation: str = Field(description="规范引用 · canonical citation")
    status: str = Field(description="核验结果代码：verified、not_in_force、unparsed … · verification status code")
    reason: str | None = Field(None, description="原因代码 · reason code")
    text: str | None = Field(None, description="当日施行的条文 · text in force on the violation date")
    as_of_version: VersionInfo | None = Field(None, description="当日施行的版本 · version in force that day")
    later_change: LaterChange | None = Field(None, description="此后的修改或废止 · later amendment or repeal")


class RetrievedPair(AnswerModel):
    """事项所对应的检索条文的违则/罚则 · The retrieved pair an item was matched through."""

    violated: ProvisionRef | None = Field(None, description="违则 · violated provision")
    basis: ProvisionRef | None = Field(None, description="罚则 · penalty provision")


class ItemMatch(AnswerModel):
    """匹配到的裁量基准事项及其匹配方式 · A benchmark item matched to the description, and how."""

    benchmark: str = Field(description="裁量基准名称 · benchmark name")
    item_id: str = Field(description="事项编号 · item id")
    title: str = Field(description="事项名称（违法行为）· item title")
    domain: str = Field(description="执法领域 · enforcement domain")
    benchmark_valid_on_decision_date: bool = Field(description="裁量基准在决定日是否有效（R2.9）· valid on decision date")
    sample: bool = Field(description="是否为本项目的示例基准 · the project's SAMPLE benchmark")
    violated: list[CheckedCitation] = Field(description="事项所引违则（在违法行为发生日核验）· item's 违则, verified")
    basis: list[CheckedCitation] = Field(description="事项所引罚则（在违法行为发生日核验）· item's 罚则, verified")
    party: str = Field(description="事项适用的当事人：individual、organization、any · party the item applies to")
    party_mismatch: bool = Field(description="与当事人类型不符 · the item is for the other party type")
    similarity: Number = Field(description="与描述的相似度 · similarity to the description")
    matched_citation: str | None = Field(description="事项中与检索条文对应的引用 · the item citation that matched")
    via: Literal["basis", "violated", "hit", "title"] = Field(
        description="匹配途径：basis（罚则）、violated（违则）、hit（条文本身）、title（仅名称相似）· how it was found")
    retrieved: RetrievedPair | None = Field(description="对应的检索条文配对 · the retrieved pair")
    no_penalty_list: bool = Field(description="是否为不予处罚清单事项（只作提醒）· a 不予处罚 list item (reminders only)")
    citation_agreement: Literal["exact", "compatible", "other"] | None = Field(
        description="事项引用与检索条文的一致程度 · agreement of the item's citation with the retrieved one")
    citation_conflict: bool = Field(description="事项引用另一款/项（不据以裁量）· cites another 款/项")
    promoted_by_similarity: bool | None = Field(None, description="因描述相似度被提前 · moved first by similarity")
    hit_rank: int | None = Field(None, description="对应检索条文的名次（0 为首位；只有首位配对的事项据以裁量）"
                                                   " · rank of the retrieved pair it cites (only the first decides)")
    label: str | None = Field(None, description="显示标签，如「相似事项（仅供参考）」· display label")


# ---------------------------------------------------------------------------------------------- tier
class TierProbability(AnswerModel):
    """裁量基准某一阶次的概率 · One band of the item with its probability."""

    source_label: str | None = Field(description="基准原文的阶次名称 · band label in the table")
    level: str = Field(description="项目统一阶次：不予处罚、减轻、从轻、一般、从重 · project level")
    severity: int | None = Field(description="严重程度 1–5 · severity")
    conditions_met: bool | None = Field(description="阶次条件是否满足（null：取决于描述中没有的事实）· conditions met")
    probability: Number = Field(description="概率 · probability")


class Tier(AnswerModel):
    """建议的裁量阶次 · The suggested tier."""

    label: str | None = Field(description="阶次：不予处罚、减轻、从轻、一般、从重 · tier label")
    rank: int | None = Field(description="阶次序号（statutory_split 时为 null）· tier rank")
    probability: Number | None = Field(description="概率（statutory_split 时为 null）· probability")
    source: Literal["item", "statutory_split"] = Field(
        description="来源：item（裁量基准事项）或 statutory_split（罚则法定幅度按通行规则划分）· where it comes from")
    source_label: str | None = Field(None, description="基准原文的阶次名称 · the item's band label")
    source_rank: int | None = Field(None, description="基准原文的阶次序号 · the item's band rank")
    severity: int | None = Field(None, description="严重程度 1–5 · severity")
    condition: str | None = Field(None, description="阶次条件原文 · the band's condition text")
    grounds: list[Factor] | None = Field(None, description="从轻/从重的情节（statutory_split）· grounds of the tier")
    rule: str | None = Field(None, description="划分规则（statutory_split）· the split rule")


# ---------------------------------------------------------------------------------------------- fine
class LawfulRange(AnswerModel):
    """罚则规定的法定幅度：任何合法罚款都在其内 · The 罚则's statutory range any lawful fine lies in."""

    min: Number | None = Field(description="下限（元）· minimum, yuan")
    max: Number | None = Field(description="上限（元）· maximum, yuan")
    statutory: str = Field(description="罚则原文中的罚款幅度 · the range as the 罚则 writes it")
    citation: str = Field(description="罚则引用 · the 罚则")
    clause: str | None = Field(description="适用的条件分句 · the clause that applies (单位/个人, 情节严重 …)")


class Multiplier(AnswerModel):
    """倍数罚款的倍数 · Multipliers of a fine by multiples."""

    min: str | None = Field(description="最低倍数 · minimum multiplier")
    max: str | None = Field(description="最高倍数 · maximum multiplier")


class Fine(AnswerModel):
    """建议罚款（元），附计算过程 · The suggested fine in yuan, with its arithmetic."""

    source: Literal["item", "statutory_split"] = Field(
        description="来源：item（裁量基准事项的阶次幅度）或 statutory_split（法定幅度按通行规则划分）")
    min: Number | None = Field(description="幅度下限（元）· minimum, yuan")
    max: Number | None = Field(description="幅度上限（元）· maximum, yuan")
    suggested: Number | None = Field(description="建议金额（元）· suggested amount, yuan")
    unit: str = Field("元", description="金额单位 · unit")
    arithmetic: list[str] = Field(description="计算过程 · every step of the arithmetic")
    note: str | None = Field(None, description="说明（中文），如缺少计算基数 · note, e.g. a missing base")
    statutory: str | list[str] | None = Field(None, description="罚则规定的幅度 · statutory range(s)")
    clause: str | None = Field(None, description="适用的条件分句 · clause applied")
    base_needed: str | None = Field(None, description="需执法人员核定的计算基数（不作假设）· base the description lacks")
    tier: str | None = Field(None, description="所用阶次（statutory_split）· tier used")
    citation: str | None = Field(None, description="罚则引用（statutory_split）· the 罚则")
    rule: str | None = Field(None, description="划分规则（statutory_split）· split rule")
    assumptions: list[str] | None = Field(None, description="计算所作的假设（请核实）· assumptions to verify")
    band_min: Number | None = Field(None, description="所选阶次区间下限（元）· band minimum")
    band_max: Number | None = Field(None, description="所选阶次区间上限（元）· band maximum")
    multiplier: Multiplier | None = Field(None, description="倍数（基数未知时）· multipliers when the base is unknown")
    lawful_range: LawfulRange | None = Field(None, description="罚则的法定幅度 · statutory range of the 罚则")
    kind: Literal["referral", "unspecified", "no_fine"] | None = Field(
        None, description="罚则未规定幅度时：referral（转致他法）、unspecified（可处罚款但未定数额）、no_fine（未规定罚款）"
                          " · why a 罚则 gives no range")
    referral: str | None = Field(None, description="罚款幅度经转致取自的条文说明 · the referral followed to the range")
    benchmark_band: dict[str, Any] | None = Field(None, description="失效基准的原幅度（仅供参考）· expired item's band")
    benchmark_tier: dict[str, Any] | None = Field(None, description="失效基准的原阶次（仅供参考）· expired item's tier")


# ---------------------------------------------------------------------------------------------- factors, reminders
class Factor(AnswerModel):
    """影响裁量的情节，附其在描述中的位置 · A circumstance that moved the result, with where it was said."""

    code: str = Field(description="情节代码 · circumstance code")
    label: str | None = Field(None, description="情节名称 · label")
    direction: int | None = Field(None, description="方向：-1 从轻，+1 从重，0 仅说明 · −1 lighter, +1 heavier, 0 info")
    text: str | None = Field(description="描述中的原话 · the words of the description")
    span: list[int] | None = Field(None, description="原话在描述中的位置 [起, 止)（字符）· [start, end) in code points")
    rule: str = Field(description="依据 · the rule it comes from")
    note: str | None = Field(None, description="说明（中文）· note")


class Reminder(AnswerModel):
    """执法人员须知或须决定的事项 · Something the officer must know or decide."""

    code: str = Field(description="提醒代码（英文，稳定）· stable code, e.g. hearing, discovery_date_needed")
    message: str = Field(description="提醒内容（中文）· the message")
    rule: str = Field(description="依据 · the rule")
    blocking: bool = Field(False, description="须先处理才能决定 · must be settled before deciding")


class Evidence(AnswerModel):
    """描述中载明合规或未发现违法的原话 · Words of the description that state compliance or no finding."""

    text: str = Field(description="原话 · the words")
    span: list[int] = Field(description="位置 [起, 止) · [start, end)")


class LighterSide(AnswerModel):
    """从旧兼从轻比较中的一个版本 · One version of the 罚则 in the comparison."""

    citation: str | None = Field(description="规范引用 · citation")
    status: str = Field(description="核验结果代码 · verification status code")
    reason: str | None = Field(description="原因代码 · reason code")
    text: str | None = Field(description="条文 · text")
    effective_from: str | None = Field(description="施行日期 · in force from")
    effective_to: str | None = Field(description="失效日期 · in force until")
    version_date: str | None = Field(description="版本日期 · version date")


class FromOldFromLight(AnswerModel):
    """从旧兼从轻：违法行为发生日与决定日的罚则版本及何者较轻 · Both versions of the 罚则 and which is lighter."""

    violation_version: LighterSide = Field(description="违法行为发生日施行的版本 · version on the violation date")
    decision_version: LighterSide = Field(description="决定日施行的版本 · version on the decision date")
    lighter: Literal["old", "new", "same", "unknown"] = Field(description="较轻者：old、new、same、unknown")
    reason: str = Field(description="理由（中文）· why")
    rule: str = Field(description="依据 · rule (处罚法 第三十七条)")
    successor: str | None = Field(None, description="继受的法律法规 · successor instrument")


# ---------------------------------------------------------------------------------------------- the answer
class AnalyzeResponse(AnswerModel):
    """违法行为分析结果 · The analysis of one violation description (README, "Analysis answer")."""

    id: str | None = Field(None, description="调用方给出的编号 · the caller's id, echoed")
    description: str = Field(description="违法行为描述 · the description analysed")
    retrieval_text: str = Field(description="用于检索的描述（去掉情节用语）· the description without circumstance cues")
    as_of: str | None = Field(description="违法行为发生日 · violation date")
    region: str = Field(description="所用地区（全国：不限）· region used")
    decision_date: str = Field(description="决定日 · decision date")
    discovery_date: str | None = Field(description="发现日（追责时效）· discovery date")
    no_match: bool = Field(description="未找到足够可信的适用条款 · nothing applicable found with confidence")
    confidence: Number | None = Field(description="适用条款的置信度 · calibrated confidence")
    provisions: list[Provision] = Field(description="检索到的条文及违则/罚则配对 · retrieved provisions with pairs")
    matches: list[ItemMatch] = Field(description="引用这些条文的裁量基准事项 · benchmark items citing them")
    item: ItemMatch | None = Field(None, description="据以裁量的事项 · the item that decides the tier")
    similar_items: list[ItemMatch] | None = Field(None, description="相似事项（仅供参考，不据以裁量）· for reference")
    tier: Tier | None = Field(description="建议阶次 · suggested tier")
    fine: Fine | None = Field(description="建议罚款 · suggested fine")
    factors: list[Factor] = Field(description="情节 · circumstances")
    reminders: list[Reminder] = Field(description="提醒 · reminders")
    adjustment: str | None = Field(None, description="调整：一般、从轻、从重、不予处罚 · adjustment")
    method: str | None = Field(None, description="阶次的判定方法：predicates、default、classifier:… · how the tier was chosen")
    probabilities: list[TierProbability] | None = Field(None, description="各阶次的概率 · probability of each band")
    no_violation: bool = Field(description="描述载明合规或未发现违法：不认定违法 · no violation is stated")
    no_violation_evidence: list[Evidence] | None = Field(None, description="合规的原话 · words stating compliance")
    from_old_from_light: FromOldFromLight | None = Field(description="从旧兼从轻比较 · 从旧兼从轻 comparison")


class AnalyzeError(AnswerModel):
    """批量中某一条的错误 · The error of one batch item."""

    code: str = Field(description="错误代码（英文，稳定）· stable code")
    message: str = Field(description="错误说明（中文）· message")
    field: str | None = Field(None, description="出错的字段 · field at fault")
    details: Any = Field(None, description="详情 · details")


class AnalyzeBatchError(AnswerModel):
    """批量中未能分析的一条 · A batch item that could not be analysed."""

    id: str | None = Field(None, description="调用方给出的编号 · the caller's id")
    error: AnalyzeError = Field(description="错误 · the error")


class AnalyzeBatchResponse(AnswerModel):
    """批量分析结果，按输入顺序 · Answers or errors in input order."""

    results: list[AnalyzeResponse | AnalyzeBatchError] = Field(description="每条的分析结果或错误 · answer or error")


Tier.model_rebuild()

# Every model of the answer, leaves first (the tests close them all with extra="forbid").
MODELS: tuple[type[AnswerModel], ...] = (
    ProvisionRef, NewerVersion, ItemEvidence, Provision, VersionInfo, LaterChange, CheckedCitation, RetrievedPair,
    ItemMatch, TierProbability, Factor, Tier, LawfulRange, Multiplier, Fine, Reminder, Evidence, LighterSide,
    FromOldFromLight, AnalyzeResponse, AnalyzeError, AnalyzeBatchError, AnalyzeBatchResponse,
)
