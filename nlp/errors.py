"""One error base for every layer and the catalogue of its codes, in one place (as spaCy's ``Errors``).

Every error meant for a caller is an :class:`EHError`: a ``ValueError`` (so existing ``except ValueError`` sites
still catch it) with a stable English ``code``, the HTTP ``status`` it answers with, a Chinese ``message`` and
optional ``details``. :data:`CATALOGUE` lists every code the service emits, with its status and a Chinese
description; ``tests/nlp/test_errors.py`` checks that each error class and each literal code is listed there, and
that nothing listed is unused. This module is the lowest layer: it imports nothing from the project.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class ErrorCode:
    """One catalogue entry: the HTTP status a code answers with and what it means, in Chinese."""

    status: int
    description: str


_BAD, _UNAVAILABLE, _INTERNAL = 422, 503, 500

#: code → status and Chinese description. Codes are a contract with clients: add, never rename.
CATALOGUE: Mapping[str, ErrorCode] = MappingProxyType({
    # ---- bad input (422 unless said otherwise)
    "bad_input": ErrorCode(_BAD, "输入无效"),
    "invalid_request": ErrorCode(_BAD, "请求内容不符合接口要求"),
    "bad_json": ErrorCode(_BAD, "批量输入的一行不是有效的 JSON"),
    "bad_line": ErrorCode(_BAD, "批量输入的一行不是 JSON 对象"),
    "empty_input": ErrorCode(_BAD, "输入为空"),
    "bad_date": ErrorCode(_BAD, "日期格式无效或超出范围"),
    "bad_region": ErrorCode(_BAD, "地区无法识别：应以省级行政区名称开头"),
    "bad_party_type": ErrorCode(_BAD, "当事人类型无效"),
    "bad_numeral": ErrorCode(_BAD, "不是格式正确的数字"),
    "bad_amount": ErrorCode(_BAD, "不是格式正确的金额或数字"),
    "base_required": ErrorCode(_BAD, "罚款按违法所得、货值金额等的倍数或比例计算，但未给出该基数"),
    "bad_identifier_argument": ErrorCode(_BAD, "证件号码计算函数的参数无效"),
    "bad_text": ErrorCode(_BAD, "待抽取的文本无效"),
    "bad_description": ErrorCode(_BAD, "违法事实描述无效"),
    "bad_citation": ErrorCode(_BAD, "不是一条可解析的法条引用"),
    "bad_search": ErrorCode(_BAD, "检索输入无效"),
    "bad_benchmark": ErrorCode(_BAD, "裁量基准文件或其中的条目无法使用"),
    "unknown_tier_label": ErrorCode(_BAD, "裁量阶次名称不在该基准的阶次对照表中"),
    "file_not_found": ErrorCode(_BAD, "指定的文件不存在"),
    "case_not_found": ErrorCode(_BAD, "案件文件不存在"),
    "bad_set": ErrorCode(_BAD, "评测集名称无效"),
    "bad_arguments": ErrorCode(_BAD, "命令参数组合无效"),
    "bad_role": ErrorCode(_BAD, "API 密钥角色无效"),
    "reserved_name": ErrorCode(_BAD, "该名称为系统保留"),
    "bad_prefix": ErrorCode(_BAD, "API 密钥前缀无效"),
    "retention_missing": ErrorCode(_BAD, "未给出审计记录的保留天数"),
    "dev_needs_loopback": ErrorCode(_BAD, "开发模式只能监听本机回环地址"),
    # archive audit: a file that cannot be read at all
    "bad_archive": ErrorCode(_BAD, "处罚决定档案文件无法读取"),
    "bad_encoding": ErrorCode(_BAD, "档案文件既不是 UTF-8 也不是 GB18030 编码"),
    "bad_xlsx": ErrorCode(_BAD, "档案文件不是可读取的 XLSX 文件"),
    "bad_format": ErrorCode(_BAD, "档案文件格式不受支持"),
    "no_usable_columns": ErrorCode(_BAD, "档案文件中找不到处罚事由或处罚依据列"),
    # documents
    "document_error": ErrorCode(_BAD, "无法按所给案件生成该文书"),
    "invalid_case": ErrorCode(_BAD, "案件数据不符合案件格式"),
    "unknown_kind": ErrorCode(_BAD, "文书种类或输出格式不存在"),
    "missing_fields": ErrorCode(_BAD, "缺少法定必备事项"),
    "citation_not_verified": ErrorCode(_BAD, "文书所引法条未能在法规库中核实"),
    "invalid_identifier": ErrorCode(_BAD, "统一社会信用代码或居民身份证号码未通过校验"),
    "bad_doc_number": ErrorCode(_BAD, "文号不符合“机关代字〔年份〕序号号”的格式"),
    "bad_template_name": ErrorCode(_BAD, "模板名称无效或指向模板目录之外"),
    "not_applicable": ErrorCode(_BAD, "该案件的程序不需要此文书"),
    "invalid_host": ErrorCode(400, "不允许的 Host 请求头"),
    "http_error": ErrorCode(400, "其他 HTTP 错误（状态码随情况而定）"),
    # ---- who may do what
    "api_key_required": ErrorCode(401, "此操作需要 API 密钥"),
    "invalid_api_key": ErrorCode(401, "API 密钥无效或已被吊销"),
    "forbidden": ErrorCode(403, "该角色无权执行此操作"),
    "not_found": ErrorCode(404, "请求的接口或资源不存在"),
    "method_not_allowed": ErrorCode(405, "该接口不支持此请求方法"),
    "doc_number_taken": ErrorCode(409, "该文号已被其他文书使用"),
    "ambiguous_key_prefix": ErrorCode(409, "多个有效密钥以该前缀开头，未吊销任何密钥"),
    "payload_too_large": ErrorCode(413, "请求体过大"),
    "input_too_large": ErrorCode(413, "输入文本过长"),
    "batch_too_large": ErrorCode(413, "批量条数超过上限"),
    # ---- not built or unavailable (503): serving never builds, `enforcement-helper build` does
    "not_built": ErrorCode(_UNAVAILABLE, "所需数据（法规库、裁量基准、模型、索引或阶次模型）尚未建立或已过期"),
    "store_missing": ErrorCode(_UNAVAILABLE, "法规库尚未建立"),
    "index_missing": ErrorCode(_UNAVAILABLE, "检索索引尚未建立"),
    "index_error": ErrorCode(_UNAVAILABLE, "检索索引缺失、已过期或由其他向量模型建立"),
    "rerank_error": ErrorCode(_UNAVAILABLE, "排序模型与当前索引不匹配"),
    "encoder_error": ErrorCode(_UNAVAILABLE, "向量模型无法建立或加载"),
    "source_missing": ErrorCode(_UNAVAILABLE, "配置的数据来源文件不存在"),
    "shared_missing": ErrorCode(_UNAVAILABLE, "共享数据目录（法规、裁量表）不存在"),
    "verifier_unavailable": ErrorCode(_UNAVAILABLE, "没有可用于核实法条的法规库"),
    "request_timeout": ErrorCode(_UNAVAILABLE, "请求处理超时，已中止"),
    "ray_missing": ErrorCode(_UNAVAILABLE, "未安装 ray"),
    "ray_unreachable": ErrorCode(_UNAVAILABLE, "无法连接 Ray 集群"),
    # ---- internal faults (500)
    "internal_error": ErrorCode(_INTERNAL, "服务器内部错误"),
    "audit_failed": ErrorCode(_INTERNAL, "档案审查未能开始或完成"),
    "sparse_error": ErrorCode(_INTERNAL, "稀疏检索（BM25）配置错误或索引未建立"),
    "template_not_found": ErrorCode(_INTERNAL, "找不到该文书种类和格式的模板"),
    "bad_template": ErrorCode(_INTERNAL, "模板文件无法安全使用"),
})


def status_of(code: str, default: int = _INTERNAL) -> int:
    """The HTTP status of ``code`` in the catalogue, or ``default`` for a code it does not list."""
    entry = CATALOGUE.get(code)
    return entry.status if entry is not None else default


class EHError(ValueError):
    """An error meant for the caller: a stable ``code``, its HTTP ``status``, a Chinese ``message``.

    Subclasses set ``code``; ``status`` comes from :data:`CATALOGUE` unless the class sets it. An instance may carry
    its own ``code`` (and so status) when one class covers several catalogued cases.

    Attributes:
        code: Stable English snake_case code, listed in :data:`CATALOGUE`.
        status: HTTP status: 422 bad input, 503 not built or unavailable, 500 internal fault.
        message: What went wrong and how to fix it, in Chinese (the catalogue's description when none is given).
        details: Machine-readable specifics (missing fields, failing citations …); empty when there are none.
        field: The input field at fault, if any.
    """

    code: str = "bad_input"
    status: int = _BAD

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "status" not in cls.__dict__:
            cls.status = status_of(cls.code, cls.status)

    def __init__(self, message: str | None = None, details: Mapping[str, Any] | None = None,
                 field: str | None = None, *, code: str | None = None, status: int | None = None) -> None:
        """Args beyond the attributes: ``code`` (and ``status``) for this instance when the class covers several."""
        if code is not None:
            self.code = code
            self.status = status_of(code, type(self).status)
        if status is not None:
            self.status = status
        if message is None:
            entry = CATALOGUE.get(self.code)
            message = entry.description if entry is not None else self.code
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = dict(details or {})
        self.field = field

    def to_dict(self) -> dict[str, Any]:
        """The error body ``{"error": {code, message, field[, details]}}`` (``details`` only when there are some)."""
        body: dict[str, Any] = {"code": self.code, "message": self.message, "field": self.field}
        if self.details:
            body["details"] = self.details
        return {"error": body}
