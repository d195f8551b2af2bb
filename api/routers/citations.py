"""Citation verification and provision lookup."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from api.deps import Auditor, get_auditor, get_services
from api.errors import parse_date
from api.limits import blocking, compute, compute_audited
from api.schemas import DateStr, SafeStr
from api.services import Services

router = APIRouter(prefix="/v1", tags=["citations"])


class VerifyRequest(BaseModel):
    """A text whose citations are to be checked."""

    text: SafeStr = Field(..., min_length=1, description="Draft decision or any text with citations")
    as_of: DateStr | None = Field(None, description="Date YYYY-MM-DD (1949-10-01 … 2100-12-31) the citations must be "
                                                    "in force on (default today)")


class VerifyResponse(BaseModel):
    """One verdict per citation found, in text order."""

    citations: list[dict]


@router.post("/citations/verify", response_model=VerifyResponse)
async def verify(req: VerifyRequest, request: Request, svc: Services = Depends(get_services),
                 audit: Auditor = Depends(get_auditor)) -> VerifyResponse:
    """Check every citation: exists, in force on ``as_of``, 款/项 real."""
    payload = req.model_dump()
    result = await compute_audited(request, audit, "verify", [payload], svc.verify, req.text, parse_date(req.as_of))
    await blocking(audit, "verify", payload, [{k: c[k] for k in ("normalized", "status")} for c in result])
    return VerifyResponse(citations=result)


@router.get("/provisions")
async def provisions(
    request: Request,
    cite: Annotated[SafeStr, Query(min_length=1, description="e.g. 《食品安全法》第一百二十二条第一款")],
    as_of: Annotated[DateStr | None, Query(description="Date YYYY-MM-DD (1949-10-01 … 2100-12-31)")] = None,
    svc: Services = Depends(get_services),
) -> dict:
    """One provision as in force on ``as_of``, with its text and version."""
    return await compute(request, svc.show, cite, parse_date(as_of))
