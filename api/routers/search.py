"""Provision retrieval and violation analysis (issues #3, #4)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from api.deps import Auditor, get_auditor, get_services
from api.errors import AppError, parse_date
from api.limits import blocking, compute_audited
from api.schemas import DateStr, SafeStr
from api.schemas_analyze import AnalyzeBatchResponse, AnalyzeResponse
from api.services import Services

router = APIRouter(prefix="/v1", tags=["retrieval"])

PartyType = Literal["individual", "individual_business", "organization"]


class SearchRequest(BaseModel):
    """A violation description to find the applicable provisions for."""

    id: SafeStr | None = None
    query: SafeStr = Field(..., min_length=1)
    as_of: DateStr | None = Field(None, description="Violation date YYYY-MM-DD, 1949-10-01 … 2100-12-31 (default today)")
    top_k: int = Field(10, ge=1, le=100)
    region: SafeStr | None = Field(None, max_length=40, description="Province whose local regulations apply (重庆, 浙江 …;"
                                   " 全国: every province's); default EH_REGION")


class AnalyzeRequest(BaseModel):
    """A violation description to analyse: provisions, benchmark item, tier, fine, reminders."""

    id: SafeStr | None = None
    description: SafeStr = Field(..., min_length=1)
    as_of: DateStr | None = Field(None, description="Violation date YYYY-MM-DD, 1949-10-01 … 2100-12-31 (default today)")
    party_type: PartyType | None = None
    discovery_date: DateStr | None = Field(None, description="Discovery date YYYY-MM-DD for the limitation period "
                                                             "(R2.5; unknown: a blocking reminder asks for it once "
                                                             "the period may have run)")
    region: SafeStr | None = Field(None, max_length=40, description="Province whose local regulations apply (重庆, 浙江 …;"
                                   " 全国: every province's); default EH_REGION")
    decision_date: DateStr | None = Field(None, description="Planned decision date YYYY-MM-DD (default today): "
                                                            "benchmark validity and 从旧兼从轻")


class BatchRequest(BaseModel):
    """Many descriptions in one call, for case systems (bounded by EH_MAX_BATCH)."""

    items: list[AnalyzeRequest] = Field(..., min_length=1)


@router.post("/search")
async def search(req: SearchRequest, request: Request, svc: Services = Depends(get_services),
                 audit: Auditor = Depends(get_auditor)) -> dict:
    """Applicable provisions (违则/罚则 pairs) in force on ``as_of``."""
    payload, as_of = req.model_dump(), parse_date(req.as_of)
    res = await compute_audited(request, audit, "search", [payload], svc.search, req.query, as_of, req.top_k,
                                req.region)
    await blocking(audit, "search", payload, [{"citation": h["citation"], "score": h["score"]} for h in res["results"]])
    return {"id": req.id, **res}


# The answer as the service built it: no field added (exclude_unset), None kept as null, nothing renamed.
_AS_BUILT: dict = {"response_model_exclude_unset": True, "response_model_exclude_none": False}


@router.post("/analyze", response_model=AnalyzeResponse, **_AS_BUILT)
async def analyze(req: AnalyzeRequest, request: Request, svc: Services = Depends(get_services),
                  audit: Auditor = Depends(get_auditor)) -> dict:
    """违法行为识别 + 法条关联 + 裁量基准匹配 + tier, fine and reminders."""
    payload = req.model_dump()
    args = (req.description, parse_date(req.as_of), req.party_type, parse_date(req.discovery_date, "discovery_date"),
            req.region, parse_date(req.decision_date, "decision_date"))
    res = await compute_audited(request, audit, "analyze", [payload], svc.analyze, *args)
    await blocking(audit, "analyze", payload, _audit_summary(res))
    return {"id": req.id, **res}


@router.post("/analyze/batch", response_model=AnalyzeBatchResponse, **_AS_BUILT)
async def analyze_batch(req: BatchRequest, request: Request, svc: Services = Depends(get_services),
                        audit: Auditor = Depends(get_auditor)) -> dict:
    """Analyse many descriptions; each answer or error in input order (the whole batch within one deadline)."""
    if len(req.items) > svc.settings.max_batch:
        raise AppError("batch_too_large", f"共 {len(req.items)} 条，超过每次批量上限 {svc.settings.max_batch} 条", "items",
                       413)

    def run() -> list[dict]:
        out = []
        for it in req.items:
            try:
                out.append({"id": it.id, **svc.analyze(it.description, parse_date(it.as_of), it.party_type,
                                                       parse_date(it.discovery_date, "discovery_date"), it.region,
                                                       parse_date(it.decision_date, "decision_date"))})
            except AppError as exc:
                out.append({"id": it.id, **exc.to_dict()})
        return out

    results = await compute_audited(request, audit, "analyze", [it.model_dump() for it in req.items], run)

    def record() -> None:
        for it, res in zip(req.items, results, strict=False):
            if "error" not in res:
                audit("analyze", it.model_dump(), _audit_summary(res))

    await blocking(record)
    return {"results": results}


def _audit_summary(res: dict) -> dict:
    return {
        "provisions": [h["citation"] for h in res.get("provisions", [])][:5],
        "item": (res.get("item") or {}).get("item_id"),
        "tier": res.get("tier"),
        "fine": res.get("fine"),
    }
