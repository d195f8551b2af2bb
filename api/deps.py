"""FastAPI dependencies: the shared services, the caller's identity and role, the audit hook."""

from __future__ import annotations

import ipaddress
import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Depends, Request

from api.core.settings import Settings
from api.db.database import DEV_ROLE, Database, key_fingerprint, key_prefix
from api.db.privacy import mask_value
from api.errors import AppError
from api.services import Services

DEV_KEY_FILE = "dev_api_key"


@dataclass(frozen=True)
class Actor:
    """Who is calling: a named key with a role, or anonymous."""

    name: str
    role: str


ANONYMOUS = Actor("anonymous", "anonymous")


async def get_services(request: Request) -> Services:
    """The process-wide services, created at start-up (async: no thread hop for an attribute read)."""
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
        raise AppError("invalid_api_key", "API 密钥无效或已被吊销", "X-API-Key", 401)
    return Actor(rec.name, rec.role)


def require(*roles: str):
    """A dependency that admits only keys with one of ``roles`` (admin always passes)."""

    def _check(actor: Actor = Depends(get_actor)) -> Actor:
        if actor is ANONYMOUS:
            raise AppError("api_key_required", "此操作需要 API 密钥（请求头 X-API-Key）", "X-API-Key", 401)
        if actor.role not in roles and actor.role != "admin":
            raise AppError("forbidden", f"角色 {actor.role} 无权执行此操作；需要以下角色之一：{'、'.join(roles)}",
                           None, 403)
        return actor

    return _check


def mask_identifier(value: str, head: int = 2, tail: int = 2) -> str:
    """``500112198603143517`` → ``50**************17``: enough to tell records apart, not to identify anyone.

    Kept for callers; every audit row is masked again centrally (:func:`api.db.privacy.mask_pii`).
    """
    return mask_value(value, head, tail)


class Auditor:
    """Writes one audit record per call; bound to a request."""

    def __init__(self, request: Request, svc: Services, actor: Actor) -> None:
        self.request, self.svc, self.actor = request, svc, actor

    def __call__(self, action: str, payload: Any, result: Any, status: int = 200) -> None:
        self.svc.db.audit(
            request_id=getattr(self.request.state, "request_id", "-"), actor=self.actor.name, role=self.actor.role,
            action=action, payload=payload, result=result, corpus_version=self.svc.corpus_version(),
            index_version=self.svc.index_version(), status=status)


async def get_auditor(request: Request, svc: Services = Depends(get_services),
                      actor: Actor = Depends(get_actor)) -> Auditor:
    """The audit hook for this request (async: constructing it needs no thread)."""
    return Auditor(request, svc, actor)


# ---- start-up key policy ------------------------------------------------------------------------------
def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1); a host name could resolve anywhere."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def dev_key_value(settings: Settings) -> tuple[str, str]:
    """The development key and where it is: ``EH_DEV_API_KEY``, else ``<data_dir>/dev_api_key`` (made, 0600).

    The file is created atomically, so the workers of one ``serve --dev --workers N`` agree on one key.

    Returns:
        (key, a description of where it is, never the key itself).
    """
    if settings.dev_api_key:
        key = settings.dev_api_key
        return key, f"the value of EH_DEV_API_KEY (fingerprint {key_fingerprint(key)})"
    path = Path(settings.data_dir) / DEV_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{DEV_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, ("eh_dev_" + secrets.token_urlsafe(32) + "\n").encode())
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another worker made it first
        finally:
            tmp.unlink(missing_ok=True)
    key = path.read_text(encoding="utf-8").strip()
    return key, f"the file {path} (key prefix {key_prefix(key)}…)"


def apply_startup_policy(settings: Settings, db: Database) -> None:
    """Keys and audit at start-up: the development key only in dev mode, the audit secret, the retention purge.

    Nothing printed here contains a key value: only where the key is, its prefix or fingerprint.
    """
    _ = db.secret  # made at first start (0600), so a read-only data dir without one fails now, not on a request
    if settings.dev_mode:
        key, where = dev_key_value(settings)
        revoked = db.set_dev_key(key)
        _say("\n" + "!" * 78 + f"\n!! DEVELOPMENT MODE (serve --dev): loopback only. A development key of role "
             f"{DEV_ROLE} is live;\n!! it is {where}.\n!! Send it as the X-API-Key header. Never use --dev in "
             "production.\n" + "!" * 78)
        if revoked:
            _say(f"development mode: {revoked} other development key(s) revoked")
    else:
        revoked = db.set_dev_key(None)
        try:
            (Path(settings.data_dir) / DEV_KEY_FILE).unlink(missing_ok=True)  # revoked: no reason to keep its value
        except OSError:
            pass  # a read-only data dir; the key is revoked all the same
        if revoked:
            _say(f"started without --dev: {revoked} stored development key(s) revoked")
        if settings.dev_api_key:
            _say("EH_DEV_API_KEY is set but ignored: a development key exists only under `serve --dev`")
    if settings.audit_retention_days is not None:
        n = db.purge_audit(settings.audit_retention_days)
        if n:
            _say(f"audit retention {settings.audit_retention_days} days: {n} older record(s) deleted")
