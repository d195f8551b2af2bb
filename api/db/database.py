"""Engine, migrations (under a lock), API keys and audit records (masked, inputs keyed-hashed)."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, delete, event, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from api.db.models import ApiKey, AuditRecord
from api.db.privacy import SECRET_FILE_NAME, keyed_hash, load_or_create_secret, mask_pii
from nlp.errors import EHError

ROLES = ("officer", "reviewer", "system", "admin")
# Development keys (``serve --dev``) carry this reserved name and a role that may draft but administer nothing.
DEV_KEY_NAME = "development"
DEV_ROLE = "officer"
_MIGRATIONS = Path(__file__).parent / "migrations"
SYNCHRONOUS = ("NORMAL", "FULL", "EXTRA")


def make_engine(url: str, synchronous: str = "NORMAL") -> Engine:
    """An engine; SQLite gets WAL and a busy timeout so several workers can write.

    Args:
        url: SQLAlchemy URL.
        synchronous: SQLite's ``PRAGMA synchronous`` (settings ``sqlite_synchronous``); ignored elsewhere.
    """
    synchronous = synchronous.upper()
    if synchronous not in SYNCHRONOUS:
        raise ValueError(f"sqlite_synchronous must be one of {', '.join(SYNCHRONOUS)}, got {synchronous!r}")
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
            cur.execute(f"PRAGMA synchronous={synchronous}")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


# Any constant: every replica takes the same PostgreSQL advisory lock around its migration.
MIGRATION_LOCK_KEY = 0x6568_6D69  # "ehmi"


def advisory_lock(conn: Connection) -> bool:
    """On PostgreSQL, hold a transaction-scoped advisory lock, so replicas starting together migrate one at a time.

    Returns:
        True when a lock was taken (PostgreSQL); SQLite is serialised by :func:`_file_lock` instead.
    """
    if conn.dialect.name != "postgresql":
        return False
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    return True


@contextmanager
def _file_lock(path: Path | None) -> Iterator[None]:
    """An exclusive ``flock`` on ``path`` (nothing for a database that is not a file, or without fcntl)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        fcntl = None  # type: ignore[assignment]
    if path is None or fcntl is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def sqlite_file(engine: Engine) -> Path | None:
    """The database file of a SQLite engine (None for other databases and in-memory SQLite)."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    return Path(engine.url.database)


def migrate(engine: Engine, audit_secret: Callable[[], bytes] | None = None) -> None:
    """Bring the schema to the newest revision (alembic), one process at a time.

    Several workers or replicas start together: on PostgreSQL an advisory lock, on SQLite a lock file beside the
    database, makes the others wait until the first has migrated, after which their upgrade finds nothing to do.

    Args:
        engine: The service database.
        audit_secret: Gives the audit secret, for revisions that re-key stored hashes.
    """
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    if audit_secret is not None:
        cfg.attributes["audit_secret"] = audit_secret
    db_file = sqlite_file(engine)
    with _file_lock(db_file.with_name(db_file.name + ".migrate.lock") if db_file else None), engine.begin() as conn:
        advisory_lock(conn)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def hash_key(key: str) -> str:
    """Keys are random 32-byte tokens, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(key.encode()).hexdigest()


def key_prefix(key: str) -> str:
    """What is stored and shown of a key: 12 characters of a generated key, 4 of a short hand-chosen one."""
    return key[:12] if len(key) >= 32 else key[:4]


def key_fingerprint(key: str) -> str:
    """A short, non-reversible name for a key, for logs: the start of its stored hash."""
    return "sha256:" + hash_key(key)[:12]


class AmbiguousKeyPrefix(EHError):
    """A prefix given to revoke matches several live keys; nothing was revoked."""

    code = "ambiguous_key_prefix"

    def __init__(self, prefix: str, matches: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(matches)} live keys start with {prefix!r}; nothing revoked")
        self.prefix, self.matches = prefix, matches


class Database:
    """Keys and audit over one engine."""

    def __init__(self, url: str, secret_path: Path | None = None, synchronous: str = "NORMAL") -> None:
        """Open (and migrate) the database at ``url``.

        Args:
            url: SQLAlchemy URL.
            secret_path: The audit secret file (settings ``audit_secret_path``); default ``audit.key`` beside a
                SQLite file. A database that is not a SQLite file needs it.
            synchronous: SQLite's ``PRAGMA synchronous`` (settings ``sqlite_synchronous``).
        """
        self.url = url
        self.engine = make_engine(url, synchronous)
        self._secret_path = secret_path
        migrate(self.engine, audit_secret=lambda: self.secret)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def secret_path(self) -> Path:
        """Where the audit secret lives."""
        if self._secret_path is not None:
            return Path(self._secret_path)
        db_file = sqlite_file(self.engine)
        if db_file is None:
            raise RuntimeError("审计密钥文件未指定：非 SQLite 文件的服务数据库需要 secret_path（EH_AUDIT_SECRET_FILE）")
        return db_file.parent / SECRET_FILE_NAME

    @cached_property
    def secret(self) -> bytes:
        """The server secret that keys the audit input hashes (made, mode 0600, on first use).

        Raises:
            RuntimeError: it can be neither read nor made (e.g. a read-only data dir), with what to do.
        """
        try:
            return load_or_create_secret(self.secret_path)
        except (OSError, ValueError) as exc:
            raise RuntimeError(f"audit secret {self.secret_path}: {exc}. Make the data dir writable, or point "
                               "EH_AUDIT_SECRET_FILE at a secret file (the same on every replica)") from exc

    # ---- keys -------------------------------------------------------------------------------
    def create_key(self, name: str, role: str, key: str | None = None) -> str:
        """Create a key and return it in clear (shown once).

        Raises:
            ValueError: an unknown role, or the name reserved for development keys.
        """
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        if name == DEV_KEY_NAME:
            raise ValueError(f"the name {DEV_KEY_NAME!r} is reserved for the `serve --dev` key")
        key = key or "eh_" + secrets.token_urlsafe(32)
        try:
            with self.sessions.begin() as s:
                existing = s.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(key)))
                if existing is None:
                    s.add(ApiKey(name=name, role=role, key_hash=hash_key(key), prefix=key_prefix(key),
                                 created_at=datetime.now(UTC)))
        except IntegrityError:
            pass  # another worker created the same key at the same moment
        return key

    def set_dev_key(self, key: str | None) -> int:
        """Make ``key`` the only live development key (role officer); with no key, revoke every stored one.

        Run at every start: the start-up mode is authoritative, so a start without ``--dev`` revokes what an earlier
        development start left, and a development key from an older version (role admin) is demoted.

        Returns:
            How many development keys were revoked.

        Raises:
            ValueError: ``key`` is already the value of a key that is not a development key.
        """
        keep = hash_key(key) if key else None
        for attempt in (1, 2):
            now = datetime.now(UTC)
            try:
                with self.sessions.begin() as s:
                    if key:
                        rec = s.scalar(select(ApiKey).where(ApiKey.key_hash == keep))
                        if rec is None:
                            s.add(ApiKey(name=DEV_KEY_NAME, role=DEV_ROLE, key_hash=keep, prefix=key_prefix(key),
                                         created_at=now))
                        elif rec.name != DEV_KEY_NAME:
                            raise ValueError(f"the development key is the value of key {rec.prefix}… ({rec.name}); "
                                             "choose another EH_DEV_API_KEY")
                        else:
                            rec.role, rec.revoked_at = DEV_ROLE, None
                    revoked = 0
                    for r in s.scalars(select(ApiKey).where(ApiKey.name == DEV_KEY_NAME)).all():
                        if r.key_hash != keep and r.revoked_at is None:
                            r.revoked_at, revoked = now, revoked + 1
                    return revoked
            except IntegrityError:
                if attempt == 2:
                    raise  # pragma: no cover - a second race in a row
        raise AssertionError("unreachable")  # pragma: no cover

    def find_key(self, key: str) -> ApiKey | None:
        """The live key record for a clear key, if any."""
        with self.sessions() as s:
            rec = s.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(key)))
            return rec if rec is not None and rec.revoked_at is None else None

    def revoke_key(self, prefix: str) -> int:
        """Revoke the one live key whose printed prefix (or whole value) is ``prefix``.

        Returns:
            1 when revoked, 0 when no live key matches.

        Raises:
            AmbiguousKeyPrefix: several live keys match; none is revoked (revoke by id instead).
            ValueError: a prefix shorter than 4 characters.
        """
        if len(prefix) < 4:
            raise ValueError("give at least the first 4 characters of the key")
        with self.sessions.begin() as s:
            live = s.scalars(select(ApiKey).where(ApiKey.revoked_at.is_(None))).all()
            exact = [r for r in live if r.key_hash == hash_key(prefix)]
            recs = exact or [r for r in live if r.prefix.startswith(prefix) or
                             (prefix.startswith(r.prefix) and len(r.prefix) >= 8)]
            if len(recs) > 1:
                raise AmbiguousKeyPrefix(prefix, [_key_dict(r) for r in recs])
            for r in recs:
                r.revoked_at = datetime.now(UTC)
            return len(recs)

    def revoke_key_id(self, key_id: int) -> int:
        """Revoke the key with this id (see ``keys list``); returns 1 when a live key was revoked."""
        with self.sessions.begin() as s:
            rec = s.get(ApiKey, key_id)
            if rec is None or rec.revoked_at is not None:
                return 0
            rec.revoked_at = datetime.now(UTC)
            return 1

    def list_keys(self) -> list[dict[str, Any]]:
        """Keys without their secrets."""
        with self.sessions() as s:
            return [_key_dict(k) for k in s.scalars(select(ApiKey).order_by(ApiKey.id)).all()]

    # ---- audit ------------------------------------------------------------------------------
    def input_hash(self, payload: Any) -> str:
        """HMAC-SHA256(secret, SHA-256(canonical JSON)): proves which input was used, reveals nothing guessable."""
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
        return keyed_hash(self.secret, hashlib.sha256(body.encode()).hexdigest())

    def audit(self, *, request_id: str, actor: str, role: str, action: str, payload: Any, result: Any,
              corpus_version: str, index_version: str, status: int, note: str | None = None) -> int:
        """Write one audit record and commit before returning (nothing acknowledged is lost).

        The input is kept only as a keyed hash; the result and note pass through :func:`mask_pii` here, the one
        place every audit row is written, so no identifier reaches the table whichever caller sent it.
        """
        row = dict(at=datetime.now(UTC), request_id=request_id, actor=actor, role=role, action=action,
                   input_hash=self.input_hash(payload),
                   result=mask_pii(json.loads(json.dumps(result, ensure_ascii=False, default=str))),
                   corpus_version=corpus_version, index_version=index_version, status=status,
                   note=mask_pii(note))
        # A Core INSERT, not an ORM unit of work: half the cost, and this runs on every request.
        with self.engine.begin() as conn:
            return int(conn.execute(insert(AuditRecord).values(**row)).inserted_primary_key[0])

    def purge_audit(self, older_than_days: int) -> int:
        """Delete audit records older than ``older_than_days`` days; returns how many went."""
        if older_than_days < 0:
            raise ValueError("older_than_days must be 0 or more")
        cutoff = datetime.now(UTC) - timedelta(days=older_than_days)
        with self.engine.begin() as conn:
            return int(conn.execute(delete(AuditRecord).where(AuditRecord.at < cutoff)).rowcount or 0)

    def audit_records(self, limit: int = 100, action: str | None = None) -> list[dict[str, Any]]:
        """Newest audit records first."""
        with self.sessions() as s:
            q = select(AuditRecord).order_by(AuditRecord.id.desc()).limit(limit)
            if action:
                q = q.where(AuditRecord.action == action)
            return [{"id": r.id, "at": r.at.isoformat(), "request_id": r.request_id, "actor": r.actor, "role": r.role,
                     "action": r.action, "input_hash": r.input_hash, "status": r.status,
                     "corpus_version": r.corpus_version, "index_version": r.index_version, "result": r.result,
                     "note": r.note}
                    for r in s.scalars(q).all()]


def _key_dict(k: ApiKey) -> dict[str, Any]:
    return {"id": k.id, "name": k.name, "role": k.role, "prefix": k.prefix, "created_at": k.created_at.isoformat(),
            "revoked": k.revoked_at is not None}
