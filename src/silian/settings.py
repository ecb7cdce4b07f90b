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

    data_dir: Path = Field(default_factory=default_data_dir, description="Folder for the embedded SQLite database (default $XDG_DATA_HOME/silian, i.e. ~/.local/share/silian).")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; empty means SQLite at <data_dir>/silian.db. "
        "PostgreSQL: postgresql+psycopg://user@host:5432/dbname",
    )
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
        default=None, description="TOML file with analysis settings (demand blend, warning rule, school standards, "
        "coupling method); empty means the built-in default (src/silian/config/analysis.toml).")

    def resolved_database_url(self) -> str:
        """The database URL in force: the explicit one, or the embedded SQLite default."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'silian.db'}"
