"""One settings class for the whole application (environment prefix ``SILIAN_``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
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
    session_hours: int = Field(default=8, description="A browser session ends after this many hours without activity "
                               "(each request moves the limit on).")
    session_max_hours: int = Field(default=24, description="A browser session ends this many hours after the login, "
                                   "however active it is (the absolute limit; log in again).")
    token_days: int = Field(default=90, description="How long an API token is valid, in days (0 = no expiry). One token "
                            "per user and client name: a new login for the same name replaces the old token.")
    max_request_bytes: int = Field(default=20 * 1024 * 1024, description="Largest request body the web server accepts "
                                   "(uploads included), in bytes.")
    login_max_failures: int = Field(default=5, description="Wrong passwords in a row for one account from one address "
                                    "before that address must wait (other addresses are not affected).")
    login_lock_minutes: int = Field(default=15, description="The first wait after too many wrong passwords from one "
                                    "address; each further wrong password from there doubles it, up to "
                                    "login_lock_max_minutes. An admin can end it (`silian user unlock`).")
    login_lock_max_minutes: int = Field(default=60, description="The longest wait one address can be given for one "
                                        "account (a lockout never lasts longer, so nobody can lock a user out for good).")
    cookie_secure: bool | None = Field(default=None, description="Send the session cookie only over HTTPS: true always, "
                                       "false never (refused when SILIAN_ENV=production); empty = automatic: Secure "
                                       "unless the request came over plain HTTP to a loopback address.")
    env: str = Field(default="development", description="development (default) or production: in production "
                     "`silian serve` refuses to start with insecure settings (no SILIAN_SECRET_KEY, "
                     "SILIAN_COOKIE_SECURE=false, active demo accounts) and says what to change.")
    rate_limit_login: str = Field(
        default="10/minute", description="Login attempts allowed per client address (API token and login page "
        "together), e.g. 10/minute; 0 turns the limit off. Beyond it: 429 with Retry-After.")
    rate_limit_anonymous: str = Field(
        default="120/minute", description="Requests allowed per client address without a signed-in session or API "
        "token (the public dashboard and analysis API; static files are not counted); 0 turns the limit off.")
    rate_limit_signed_in: str = Field(
        default="1200/minute", description="Requests allowed per client address that carry a session or API token "
        "(bounds floods of made-up tokens too); 0 turns the limit off.")
    api_docs: str = Field(
        default="login", description="Who may read the API documentation (/api/docs, /api/v1/openapi.json): login "
        "(signed-in users), public (everyone) or off.")

    metrics_access: Literal["off", "loopback", "token"] = Field(
        default="loopback", description="Who may read the Prometheus metrics at /metrics: off, loopback (callers on "
        "this machine only; behind a reverse proxy on the same machine, block /metrics there or use token) or token "
        "(a bearer token, SILIAN_METRICS_TOKEN).")
    metrics_token: str | None = Field(default=None, description="The bearer token /metrics asks for when "
                                      "SILIAN_METRICS_ACCESS=token (empty: nobody may read them).")

    @field_validator("rate_limit_login", "rate_limit_anonymous", "rate_limit_signed_in")
    @classmethod
    def _rate(cls, value: str) -> str:
        value = value.strip()
        if value not in ("", "0"):
            from limits import parse

            try:
                parse(value)
            except ValueError as exc:
                raise ValueError(f"not a rate such as 10/minute or 100/hour: {value!r}") from exc
        return value

    @field_validator("api_docs")
    @classmethod
    def _docs(cls, value: str) -> str:
        if value not in ("login", "public", "off"):
            raise ValueError(f"api_docs must be login, public or off, not {value!r}")
        return value

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
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first
            return path.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
