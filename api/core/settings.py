"""Settings: one pydantic-settings class, read once per process."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.db.privacy import SECRET_FILE_NAME


class Settings(BaseSettings):
    """Paths, backends and limits. Every field can be set with an ``EH_`` environment variable.

    Only ``api/`` reads these; everything below it receives what it needs as arguments.
    """

    model_config = SettingsConfigDict(env_prefix="EH_", env_file=".env", extra="ignore")

    # Relative to the working directory, not to this file: an installed wheel has no source tree to sit beside.
    shared_dir: Path = Field(default_factory=lambda: Path.cwd().parent / "shared")
    data_dir: Path = Field(default_factory=lambda: Path.cwd() / "data")
    encoder: str = "e5-onnx-q8"
    # Embedding cache (vectors keyed by text hash); default <data_dir>/index/cache. CI points it outside the clone.
    embedding_cache_dir: Path | None = None
    # Province whose local regulations are candidates when a request names none (「全国」: every province's).
    region: str = "重庆"
    request_threads: int = 2  # requests computed at once per worker (the rest wait their turn)
    encoder_threads: int | None = None  # intra-op threads of the encoder (default 2); `serve --workers N` shares cores
    # Text part of the tier classifier: "tfidf" (+ predicate features), "hybrid" (+ e5), "e5" or "none". TF-IDF
    # scores the same as hybrid held out by violation (0.621 vs 0.628, McNemar p in docs/BENCHMARKS.md) and spares
    # analyze a second e5 encode, a quarter of its CPU (scripts/bench_tiers.py, scripts/load_test.py).
    tier_text: Literal["tfidf", "hybrid", "e5", "none"] = "tfidf"
    # The learned ranking stage (index/rerank.py), trained by `build`; off: the fused order of BM25, e5 and items.
    rerank: bool = True
    max_text_chars: int = 20000
    max_body_bytes: int = 2_000_000
    max_batch: int = 100
    # Per-request deadline: past it the caller gets 503 `request_timeout` and the request slot is freed (api/limits.py).
    request_timeout_s: float = Field(10.0, gt=0)
    # Bodies above this many bytes (a 5,000-character text, a batch) run in the heavy lane (api/limits.py): threads
    # of their own (request_threads - 1, at least one), so the longest inputs never take a request slot; 0 turns the
    # lane off. Its threads run this much nicer (Linux thread niceness; 0 leaves it), and while one computes the
    # interpreter switches threads every heavy_switch_interval_ms (0 leaves Python's 5 ms): a 20,000-character text
    # holds the GIL for up to seconds, and short requests of the same worker would wait their turn behind it.
    heavy_request_bytes: int = Field(16_384, ge=0)
    heavy_nice: int = Field(10, ge=0, le=19)
    heavy_switch_interval_ms: float = Field(1.0, ge=0, le=100)
    # Move everything loaded at start-up (index, store, models: over a million objects) out of the collector's reach
    # once warm: a full collection of them took 1.2 s with the GIL held, and long inputs, which allocate a lot,
    # triggered one every few requests.
    gc_freeze: bool = True
    # A worker whose request computes 3 deadlines long shuts down to be replaced; `serve` sets it for its workers.
    exit_when_stuck: bool = False
    # Host header values served (DNS rebinding); comma-separated, "*" for any. Production adds its own hostnames.
    allowed_hosts: str = "127.0.0.1,localhost,::1,testserver"
    database_url: str | None = None
    # SQLite durability of the service database: WAL+NORMAL survives a killed process; FULL also a power cut, at
    # half the throughput under load (api/db/database.py).
    sqlite_synchronous: Literal["NORMAL", "FULL", "EXTRA"] = "NORMAL"
    # Development mode, set only by `serve --dev` (which also binds to loopback): a development key of role officer
    # is made live, its value taken from EH_DEV_API_KEY or kept in <data_dir>/dev_api_key. Without it, none exists.
    dev_mode: bool = False
    dev_api_key: str | None = None
    # Audit trail: input hashes are HMAC-SHA256 under this secret (default <data_dir>/audit.key, made at first start,
    # mode 0600; give every replica the same one); rows older than the retention are purged at start-up and by
    # `enforcement-helper audit purge`.
    audit_secret_file: Path | None = None
    audit_retention_days: int | None = None
    log_json: bool = True
    # Agency-replaceable document templates and the agency profile (name, 文号 prefix, 复议机关, court).
    template_dir: Path | None = None
    agency_file: Path | None = None
    # Ray cluster for `audit-archive` (`ray://head:10001`, `auto`); unset: a local process pool (issue 15).
    ray_address: str | None = None

    @field_validator("sqlite_synchronous", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @property
    def allowed_host_list(self) -> list[str]:
        """``allowed_hosts`` as Host header values; IPv6 literals bracketed as they appear in the header."""
        hosts = [h.strip().lower() for h in self.allowed_hosts.split(",") if h.strip()]
        return [f"[{h}]" if ":" in h and not h.startswith("[") else h for h in hosts]

    @property
    def raw_dir(self) -> Path:
        return self.shared_dir / "corpus" / "raw"

    @property
    def store_path(self) -> Path:
        return self.data_dir / "corpus.sqlite"

    @property
    def db_url(self) -> str:
        """Service database (keys, audit): SQLite in the data dir unless EH_DATABASE_URL is set."""
        return self.database_url or f"sqlite:///{self.data_dir / 'service.sqlite'}"

    @property
    def audit_secret_path(self) -> Path:
        """The audit HMAC secret: ``audit_secret_file``, else beside a SQLite service database, else in the data dir."""
        if self.audit_secret_file is not None:
            return Path(self.audit_secret_file)
        url = self.db_url
        if url.startswith("sqlite:///"):
            return Path(url.removeprefix("sqlite:///")).parent / SECRET_FILE_NAME
        return self.data_dir / SECRET_FILE_NAME

    @property
    def benchmarks_path(self) -> Path:
        return self.data_dir / "benchmarks.sqlite"

    @property
    def tier_model_path(self) -> Path:
        return self.data_dir / "tier_model.joblib"

    @property
    def model_dir(self) -> Path:
        return self.data_dir / "models" / "me5-small-zh"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings."""
    return Settings()
