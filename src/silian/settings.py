"""One settings class for the whole application (environment prefix ``SILIAN_``)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/silian`` (``~/.local/share/silian`` when XDG_DATA_HOME is unset)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "silian"


class Settings(BaseSettings):
    """Application settings; every field can be set as ``SILIAN_<FIELD>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="SILIAN_", extra="ignore")

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Folder for the embedded SQLite database (default $XDG_DATA_HOME/silian, i.e. ~/.local/share/silian).",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; empty means SQLite at <data_dir>/silian.db. "
        "PostgreSQL: postgresql+psycopg://user@host:5432/dbname",
    )
    database_busy_seconds: float = Field(
        default=10.0, description="How long a write waits for another to finish (SQLite has one writer at a time, an "
        "import holds it to the end) before it is refused as busy, changing nothing: HTTP 503 with Retry-After, CLI "
        "exit code 7.")
    lang: str = Field(default="zh", description="Language of messages: zh (default) or en.")
    import_max_bytes: int = Field(
        default=512 * 1024 * 1024, description="Largest file `silian import` accepts, in bytes."
    )
    import_max_errors: int = Field(
        default=10_000, description="Validation stops collecting problems after this many (the file is rejected)."
    )

    indicators_file: Path | None = Field(
        default=None, description="TOML file with the four-chain indicator system; empty means the built-in default "
        "(src/silian/config/indicators.toml).")
    analysis_file: Path | None = Field(
        default=None, description="TOML file with analysis settings (demand sources: statistics set the total, shares and "
        "the duplicate-declaration rule; warning rule, school standards, coupling method); empty means the built-in "
        "default (src/silian/config/analysis.toml).")

    secret_key: str | None = Field(
        default=None, description="Key that signs session cookies; empty means a random key kept in <data_dir>/secret_key "
        "(created on first use, readable only by its owner). Set the same key on every server of one deployment.")
    session_hours: int = Field(default=8, description="How long a browser session lasts without activity, in hours.")
    token_days: int = Field(default=90, description="How long an API token is valid, in days (0 = no expiry).")
    max_request_bytes: int = Field(default=20 * 1024 * 1024, description="Largest request body the web server accepts "
                                   "(uploads included), in bytes.")
    login_max_failures: int = Field(default=5, description="Failed logins in a row before the account is locked.")
    login_lock_minutes: int = Field(default=15, description="How long an account stays locked after too many failed "
                                    "logins; each further failure doubles it (capped at 24 hours).")
    cookie_secure: bool = Field(default=False, description="Send the session cookie only over HTTPS (set true behind TLS).")

    def resolved_database_url(self) -> str:
        """The database URL in force: the explicit one, or the embedded SQLite default."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'silian.db'}"


def resolved_secret_key(settings: Settings) -> str:
    """The configured secret key, or the one kept in ``<data_dir>/secret_key`` (created with 0600 permissions)."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.data_dir / "secret_key"
    if not path.exists():
        import secrets
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first
            return path.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
