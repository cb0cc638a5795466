"""The one place that reads the environment: every knob is ``DATAASSET_*``."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Platform settings. Defaults suit the embedded single-machine mode."""

    model_config = SettingsConfigDict(env_prefix="DATAASSET_", env_file=".env", extra="ignore")

    var_dir: Path = Field(
        Path("var"), description="Directory for the SQLite file, the secret key and job data."
    )
    database_url: str = Field("", description="SQLAlchemy URL; empty means a SQLite file under var_dir.")
    secret_key: str = Field(
        "",
        description="Signing and encryption secret; empty: generated once, kept in var_dir/secret.key.",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "info"
    token_minutes: int = Field(8 * 60, description="Lifetime of a login token in minutes.")
    max_login_failures: int = Field(5, description="Failed logins before the account locks.")
    lockout_minutes: int = Field(15, description="How long a locked account stays locked.")
    max_upload_bytes: int = Field(20 * 1024 * 1024, description="Largest accepted upload.")
    max_scan_upload_bytes: int = Field(
        2 * 1024**3, description="Largest data file accepted for a discovery scan (uploads and paths)."
    )
    redis_url: str = Field("", description="Redis URL for background jobs; empty: SQLite under var_dir.")
    job_workers: int = Field(2, description="Worker threads of the background-job consumer in `serve`.")
    scan_memory_limit: str = Field("1GB", description="DuckDB memory limit of one discovery scan.")
    scan_engine: str = Field("duckdb", description="duckdb or spark")
    spark_master: str = Field(
        "local[*]", description="Spark master of the Spark scan engine (local[*], spark://host:7077, yarn…)."
    )
    cookie_secure: bool = Field(False, description="Mark the session cookie Secure (behind HTTPS).")
    evidence_origin: str = Field(
        "dataasset.local/evidence",
        description="Origin line of the evidence log's signed checkpoints (C2SP tlog-checkpoint).",
    )
    evidence_key_file: Path | None = Field(
        None,
        description="Ed25519 private key (PEM) signing evidence checkpoints; empty: generated once, "
        "kept in var_dir/evidence.key.",
    )

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.lower()
        if value not in {"critical", "error", "warning", "info", "debug"}:
            raise ValueError("log_level must be one of critical/error/warning/info/debug")
        return value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'dataasset.db').resolve()}"

    def resolved_secret_key(self) -> str:
        """The configured secret, or one generated on first start and kept in ``var_dir``."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret.key"
        self.var_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text(encoding="utf-8").strip()
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(48))
        return path.read_text(encoding="utf-8").strip()

    @property
    def resolved_evidence_key_file(self) -> Path:
        return self.evidence_key_file or self.var_dir / "evidence.key"


@lru_cache
def get_settings() -> Settings:
    return Settings()
