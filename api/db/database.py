"""Engine, migrations, API keys and audit records."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from api.db.models import ApiKey, AuditRecord

ROLES = ("officer", "reviewer", "system", "admin")
_MIGRATIONS = Path(__file__).parent / "migrations"
_SYNC = {"FULL": "FULL", "EXTRA": "EXTRA"}.get(os.environ.get("EH_SQLITE_SYNCHRONOUS", "").upper(), "NORMAL")


def make_engine(url: str) -> Engine:
    """An engine; SQLite gets WAL and a busy timeout so several workers can write."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL: a committed row is in the WAL before the answer goes out, so it survives the process
            # being killed (tests/api/test_service.py); only an OS crash or power cut can lose the last commits.
            # FULL fsyncs every request and halved throughput under load; set EH_SQLITE_SYNCHRONOUS=FULL to have
            # it anyway, or use PostgreSQL.
            cur.execute(f"PRAGMA synchronous={_SYNC}")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (alembic)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def hash_key(key: str) -> str:
    """Keys are random 32-byte tokens, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(key.encode()).hexdigest()


class Database:
    """Keys and audit over one engine."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        migrate(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def create_key(self, name: str, role: str, key: str | None = None) -> str:
        """Create a key and return it in clear (shown once)."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        key = key or "eh_" + secrets.token_urlsafe(32)
        try:
            with self.sessions.begin() as s:
                existing = s.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(key)))
                if existing is None:
                    s.add(ApiKey(name=name, role=role, key_hash=hash_key(key), prefix=key[:8],
                                 created_at=datetime.now(UTC)))
        except IntegrityError:
            pass  # another worker created the same (development) key at the same moment
        return key

    def set_dev_key(self, key: str | None, name: str = "development") -> int:
        """Make ``key`` the only live development key; with no key, revoke every stored one.

        The configuration is authoritative: the configured value is live (again, if it was revoked), every other
        development key is revoked. Returns how many were revoked, so switching EH_DEV_API_KEY off takes effect.
        """
        if key:
            self.create_key(name, "admin", key)
        keep = hash_key(key) if key else None
        now = datetime.now(UTC)
        with self.sessions.begin() as s:
            revoked = 0
            for r in s.scalars(select(ApiKey).where(ApiKey.name == name, ApiKey.role == "admin")).all():
                if r.key_hash == keep:
                    r.revoked_at = None
                elif r.revoked_at is None:
                    r.revoked_at, revoked = now, revoked + 1
            return revoked

    def find_key(self, key: str) -> ApiKey | None:
        """The live key record for a clear key, if any."""
        with self.sessions() as s:
            rec = s.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(key)))
            return rec if rec is not None and rec.revoked_at is None else None

    def revoke_key(self, prefix: str) -> int:
        """Revoke keys by their printed prefix."""
        with self.sessions.begin() as s:
            recs = s.scalars(select(ApiKey).where(ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None))).all()
            for r in recs:
                r.revoked_at = datetime.now(UTC)
            return len(recs)

    def list_keys(self) -> list[dict[str, Any]]:
        """Keys without their secrets."""
        with self.sessions() as s:
            return [{"name": k.name, "role": k.role, "prefix": k.prefix, "created_at": k.created_at.isoformat(),
                     "revoked": k.revoked_at is not None} for k in s.scalars(select(ApiKey)).all()]

    def audit(self, *, request_id: str, actor: str, role: str, action: str, payload: Any, result: Any,
              corpus_version: str, index_version: str, status: int, note: str | None = None) -> int:
        """Write one audit record and commit before returning (nothing acknowledged is lost)."""
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
        row = dict(at=datetime.now(UTC), request_id=request_id, actor=actor, role=role, action=action,
                   input_hash=hashlib.sha256(body.encode()).hexdigest(),
                   result=json.loads(json.dumps(result, ensure_ascii=False, default=str)),
                   corpus_version=corpus_version, index_version=index_version, status=status, note=note)
        # A Core INSERT, not an ORM unit of work: half the cost, and this runs on every request.
        with self.engine.begin() as conn:
            return int(conn.execute(insert(AuditRecord).values(**row)).inserted_primary_key[0])

    def audit_records(self, limit: int = 100, action: str | None = None) -> list[dict[str, Any]]:
        """Newest audit records first."""
        with self.sessions() as s:
            q = select(AuditRecord).order_by(AuditRecord.id.desc()).limit(limit)
            if action:
                q = q.where(AuditRecord.action == action)
            return [{"id": r.id, "at": r.at.isoformat(), "request_id": r.request_id, "actor": r.actor, "role": r.role,
                     "action": r.action, "input_hash": r.input_hash, "status": r.status,
                     "corpus_version": r.corpus_version, "index_version": r.index_version, "result": r.result}
                    for r in s.scalars(q).all()]
