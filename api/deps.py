"""FastAPI dependencies: the shared services, the caller's identity and role, the audit hook."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request

from api.errors import AppError
from api.services import Services


@dataclass(frozen=True)
class Actor:
    """Who is calling: a named key with a role, or anonymous."""

    name: str
    role: str


ANONYMOUS = Actor("anonymous", "anonymous")


def get_services(request: Request) -> Services:
    """The process-wide services, created at start-up."""
    return request.app.state.services


def get_actor(request: Request, svc: Services = Depends(get_services)) -> Actor:
    """The caller, from the ``X-API-Key`` header (or ``Authorization: Bearer``)."""
    key = request.headers.get("x-api-key")
    auth = request.headers.get("authorization", "")
    if not key and auth.lower().startswith("bearer "):
        key = auth[7:].strip()
    if not key:
        return ANONYMOUS
    rec = svc.db.find_key(key)
    if rec is None:
        raise AppError("invalid_api_key", "the API key is unknown or revoked", "X-API-Key", 401)
    return Actor(rec.name, rec.role)


def require(*roles: str):
    """A dependency that admits only keys with one of ``roles`` (admin always passes)."""

    def _check(actor: Actor = Depends(get_actor)) -> Actor:
        if actor is ANONYMOUS:
            raise AppError("api_key_required", "this endpoint needs an API key (header X-API-Key)", "X-API-Key", 401)
        if actor.role not in roles and actor.role != "admin":
            raise AppError("forbidden", f"role {actor.role!r} may not do this; needs one of {', '.join(roles)}",
                           None, 403)
        return actor

    return _check


def mask_identifier(value: str, head: int = 6, tail: int = 4) -> str:
    """``500112198603143517`` → ``500112********3517``: enough to tell records apart, not to identify anyone."""
    head, tail = min(head, len(value) // 3), min(tail, len(value) // 4)  # shorter values keep less
    return value[:head] + "*" * (len(value) - head - tail) + value[len(value) - tail:]


class Auditor:
    """Writes one audit record per call; bound to a request."""

    def __init__(self, request: Request, svc: Services, actor: Actor) -> None:
        self.request, self.svc, self.actor = request, svc, actor

    def __call__(self, action: str, payload: Any, result: Any, status: int = 200) -> None:
        self.svc.db.audit(
            request_id=getattr(self.request.state, "request_id", "-"), actor=self.actor.name, role=self.actor.role,
            action=action, payload=payload, result=result, corpus_version=self.svc.corpus_version(),
            index_version=self.svc.index_version(), status=status)


def get_auditor(request: Request, svc: Services = Depends(get_services), actor: Actor = Depends(get_actor)) -> Auditor:
    """The audit hook for this request."""
    return Auditor(request, svc, actor)
