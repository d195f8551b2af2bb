"""Citation verification and provision lookup."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from api.deps import Auditor, get_auditor, get_services
from api.errors import parse_date
from api.services import Services

router = APIRouter(prefix="/v1", tags=["citations"])


class VerifyRequest(BaseModel):
    """A text whose citations are to be checked."""

    text: str = Field(..., min_length=1, description="Draft decision or any text with citations")
    as_of: str | None = Field(None, description="Date YYYY-MM-DD the citations must be in force on (default today)")


class VerifyResponse(BaseModel):
    """One verdict per citation found, in text order."""

    citations: list[dict]


@router.post("/citations/verify", response_model=VerifyResponse)
def verify(req: VerifyRequest, svc: Services = Depends(get_services),
           audit: Auditor = Depends(get_auditor)) -> VerifyResponse:
    """Check every citation: exists, in force on ``as_of``, 款/项 real."""
    result = svc.verify(req.text, parse_date(req.as_of))
    audit("verify", req.model_dump(), [{k: c[k] for k in ("normalized", "status")} for c in result])
    return VerifyResponse(citations=result)


@router.get("/provisions")
def provisions(
    cite: str = Query(..., min_length=1, description="e.g. 《食品安全法》第一百二十二条第一款"),
    as_of: str | None = Query(None, description="Date YYYY-MM-DD"),
    svc: Services = Depends(get_services),
) -> dict:
    """One provision as in force on ``as_of``, with its text and version."""
    return svc.show(cite, parse_date(as_of))
