"""Tables of the service database (API keys, audit, 文号). SQLite by default, PostgreSQL by URL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base for the service tables."""


class ApiKey(Base):
    """An API key, stored as a hash only."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AuditRecord(Base):
    """One analysis, verification, search or document: who, when, what went in, what came out."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    request_id: Mapped[str] = mapped_column(String(255), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40), index=True)
    input_hash: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict] = mapped_column(JSON)
    corpus_version: Mapped[str] = mapped_column(String(255))
    index_version: Mapped[str] = mapped_column(String(255))
    status: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class DocCounter(Base):
    """The last serial handed out per 机关代字 and year (R6.7); moved here from ``doc_numbers.sqlite``."""

    __tablename__ = "doc_counters"

    prefix: Mapped[str] = mapped_column(String(100), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class IssuedDocNumber(Base):
    """Every 文号 given to a document, allocated or entered by an officer: UNIQUE, so two decisions never share one."""

    __tablename__ = "doc_numbers"
    __table_args__ = (UniqueConstraint("number", name="uq_doc_numbers_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(100))
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    # Keyed hash of (document kind, party identifier): the same document rendered again may repeat its number,
    # another document may not. Null when the caller did not say whose document it is.
    owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    source: Mapped[str] = mapped_column(String(10))  # "counter" or "entered"
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
