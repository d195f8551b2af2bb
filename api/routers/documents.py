"""Penalty documents: .docx, HTML or JSON, drafted from case data (issue #5)."""

from __future__ import annotations

import hashlib
from typing import Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.deps import Actor, Auditor, get_auditor, get_services, require
from api.errors import AppError
from api.limits import blocking, compute
from api.schemas import SafeJSON
from api.services import Services

router = APIRouter(prefix="/v1", tags=["documents"])

_MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "zip": "application/zip",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
}


class DocumentRequest(BaseModel):
    """Which document, for which case, in which format."""

    kind: Literal["penalty_decision", "on_the_spot_decision", "prior_notice", "hearing_notice", "no_penalty_decision",
                  "credit_repair_notice", "compliance_advice", "bundle"]
    case: SafeJSON = Field(..., description="Case data; schema: api/documents/case.schema.json (dates 1900-01-01 … "
                                            "2100-12-31)")
    format: Literal["docx", "html", "json"] = "docx"
    draft: bool = Field(False, description="Leave missing fields as visible blanks instead of failing")


@router.post("/documents", responses={200: {"content": {m: {} for m in _MIME.values()}}})
async def documents(req: DocumentRequest, request: Request, svc: Services = Depends(get_services),
                    actor: Actor = Depends(require("officer", "system")),
                    audit: Auditor = Depends(get_auditor)) -> Response:
    """Render the document; needs an officer or system key. Every document is audited."""
    payload = req.model_dump()
    try:
        data = await compute(request, svc.document, req.kind, req.case, req.format, req.draft)
    except AppError as exc:  # a refused (or abandoned, 503) document is audited too, with its error and status
        await blocking(audit, "document", payload, {"kind": req.kind, "format": req.format, "draft": req.draft,
                                                    "error": exc.to_dict()["error"]}, exc.status)
        raise
    raw = data if isinstance(data, bytes) else data.encode("utf-8")
    kind = "zip" if req.format == "docx" and req.kind == "bundle" else req.format
    await blocking(audit, "document", payload, {"kind": req.kind, "format": req.format, "draft": req.draft,
                                                "sha256": hashlib.sha256(raw).hexdigest(), "bytes": len(raw)})
    ext = {"zip": "zip", "docx": "docx", "html": "html", "json": "json"}[kind]
    return Response(raw, media_type=_MIME[kind],
                    headers={"Content-Disposition": f'attachment; filename="{req.kind}.{ext}"'})
