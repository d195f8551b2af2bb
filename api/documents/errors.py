"""Errors raised while drafting documents.

Every error is an :class:`~nlp.errors.EHError` (so a ``ValueError``) with a stable ``code`` and the HTTP status
listed for it in :data:`nlp.errors.CATALOGUE`, so the API layer answers without a traceback. ``details`` carries
machine-readable specifics (which fields are missing, which citation failed) for the JSON error body.
"""

from __future__ import annotations

from nlp.errors import EHError


class DocumentError(EHError):
    """Base class: a case or request that cannot produce the document asked for."""

    code = "document_error"


class InvalidCase(DocumentError):
    """The case data does not match the case schema."""

    code = "invalid_case"


class UnknownKind(DocumentError):
    """A document kind or output format that does not exist."""

    code = "unknown_kind"


class MissingFields(DocumentError):
    """Fields required by R6.1–R6.6 are absent (R6.10: never invented)."""

    code = "missing_fields"

    def __init__(self, kind: str, missing: list[tuple[str, str]]) -> None:
        listed = "；".join(f"{label}（{path}）" for path, label in missing)
        super().__init__(
            f"{kind}：缺少 {len(missing)} 项法定必备事项：{listed}。"
            "请补全后重试，或使用草稿模式（draft=True）生成带醒目空白的草稿。",
            {"kind": kind, "fields": [{"path": p, "label": label} for p, label in missing]},
        )
        self.missing = missing


class CitationNotVerified(DocumentError):
    """A citation could not be verified against the statute store before rendering."""

    code = "citation_not_verified"


class VerifierUnavailable(DocumentError):
    """No statute store to verify citations against."""

    code = "verifier_unavailable"


class InvalidIdentifier(DocumentError):
    """A 统一社会信用代码 or 居民身份证号 fails its check (R7.2, R7.3) and no override is recorded."""

    code = "invalid_identifier"


class BadDocNumber(DocumentError):
    """A 文号 that does not follow 机关代字〔年份〕序号号 (R6.7)."""

    code = "bad_doc_number"


class TemplateNameError(DocumentError):
    """A template name that is malformed or would reach outside the template directory."""

    code = "bad_template_name"


class TemplateNotFound(DocumentError):
    """No template file for this kind and format in the configured or built-in directories."""

    code = "template_not_found"


class BadTemplate(DocumentError):
    """A template file that cannot be used safely (e.g. a .docx variable without ``{{r``)."""

    code = "bad_template"


class NotApplicable(DocumentError):
    """The case's procedure does not call for this document (R4.1, R6.6)."""

    code = "not_applicable"


class DocNumberTaken(DocumentError):
    """An entered 文号 that another document already has (R6.7); the API answers 409."""

    code = "doc_number_taken"
