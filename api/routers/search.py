"""Provision retrieval and violation analysis (issues #3, #4)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.deps import Auditor, get_auditor, get_services
from api.errors import AppError, parse_date
from api.services import Services

router = APIRouter(prefix="/v1", tags=["retrieval"])

PartyType = Literal["individual", "individual_business", "organization"]


class SearchRequest(BaseModel):
    """A violation description to find the applicable provisions for."""

    id: str | None = None
    query: str = Field(..., min_length=1)
    as_of: str | None = Field(None, description="Violation date YYYY-MM-DD (default today)")
    top_k: int = Field(10, ge=1, le=100)


class AnalyzeRequest(BaseModel):
    """A violation description to analyse: provisions, benchmark item, tier, fine, reminders."""

    id: str | None = None
    description: str = Field(..., min_length=1)
    as_of: str | None = Field(None, description="Violation date YYYY-MM-DD (default today)")
    party_type: PartyType | None = None
    discovery_date: str | None = Field(None, description="Discovery date YYYY-MM-DD for the limitation period "
                                                         "(R2.5; default: the decision date, said in a reminder)")


class BatchRequest(BaseModel):
    """Many descriptions in one call, for case systems (bounded by EH_MAX_BATCH)."""

    items: list[AnalyzeRequest] = Field(..., min_length=1)


@router.post("/search")
def search(req: SearchRequest, svc: Services = Depends(get_services), audit: Auditor = Depends(get_auditor)) -> dict:
    """Applicable provisions (违则/罚则 pairs) in force on ``as_of``."""
    res = svc.search(req.query, parse_date(req.as_of), req.top_k)
    audit("search", req.model_dump(), [{"citation": h["citation"], "score": h["score"]} for h in res["results"]])
    return {"id": req.id, **res}


@router.post("/analyze")
def analyze(req: AnalyzeRequest, svc: Services = Depends(get_services),
            audit: Auditor = Depends(get_auditor)) -> dict:
    """违法行为识别 + 法条关联 + 裁量基准匹配 + tier, fine and reminders."""
    res = svc.analyze(req.description, parse_date(req.as_of), req.party_type,
                      parse_date(req.discovery_date, "discovery_date"))
    audit("analyze", req.model_dump(), _audit_summary(res))
    return {"id": req.id, **res}


@router.post("/analyze/batch")
def analyze_batch(req: BatchRequest, svc: Services = Depends(get_services),
                  audit: Auditor = Depends(get_auditor)) -> dict:
    """Analyse many descriptions; each answer or error in input order."""
    if len(req.items) > svc.settings.max_batch:
        raise AppError("batch_too_large", f"{len(req.items)} items; the limit is {svc.settings.max_batch}", "items", 413)
    out = []
    for it in req.items:
        try:
            res = {"id": it.id, **svc.analyze(it.description, parse_date(it.as_of), it.party_type,
                                              parse_date(it.discovery_date, "discovery_date"))}
            audit("analyze", it.model_dump(), _audit_summary(res))
        except AppError as exc:
            res = {"id": it.id, **exc.to_dict()}
        out.append(res)
    return {"results": out}


def _audit_summary(res: dict) -> dict:
    return {
        "provisions": [h["citation"] for h in res.get("provisions", [])][:5],
        "item": (res.get("item") or {}).get("item_id"),
        "tier": res.get("tier"),
        "fine": res.get("fine"),
    }
