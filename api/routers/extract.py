"""Entity extraction for auto-filling case fields (issue #5)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.deps import Auditor, get_auditor, get_services, mask_identifier
from api.errors import parse_date
from api.limits import blocking, compute_audited
from api.schemas import DateStr, SafeStr
from api.services import Services

router = APIRouter(prefix="/v1", tags=["entities"])
MASKED = {"ID_CARD", "USCC", "PHONE", "PLATE"}


class ExtractRequest(BaseModel):
    """A description to auto-fill from."""

    text: SafeStr = Field(..., min_length=1)
    reference_date: DateStr | None = Field(None, description="Day the text was written (resolves 昨日/今日), YYYY-MM-DD, "
                                                             "1949-10-01 … 2100-12-31")


class ExtractResponse(BaseModel):
    """Entities with label, span, normalised value and validity."""

    entities: list[dict]


@router.post("/extract", response_model=ExtractResponse)
async def extract(req: ExtractRequest, request: Request, svc: Services = Depends(get_services),
                  audit: Auditor = Depends(get_auditor)) -> JSONResponse:
    """Party, 统一社会信用代码 and 身份证号 (validated), addresses, phone, plate, dates, place, money, agency."""
    payload = req.model_dump()
    reference = parse_date(req.reference_date, "reference_date")

    def run() -> tuple[list[dict[str, Any]], JSONResponse]:
        # The answer is rendered in the computation's thread, not on the event loop: the 9,000 entities of a
        # 20,000-character text take a quarter of a second to validate and encode, a stall of every request of the
        # worker. Same body as FastAPI's own rendering of the response model.
        ents = svc.extract(req.text, reference)
        return ents, JSONResponse(ExtractResponse(entities=ents).model_dump(mode="json"))

    ents, answer = await compute_audited(request, audit, "extract", [payload], run)
    # identifiers are masked in the stored result (the input itself is stored only as a hash)
    await blocking(audit, "extract", payload, [{"label": e["label"], "valid": e["valid"],
                                                "text": mask_identifier(e["text"]) if e["label"] in MASKED else e["text"]}
                                               for e in ents])
    return answer
