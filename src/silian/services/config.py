"""The analysis configuration in force: the indicator system and the analysis settings, from the package's
defaults (``silian/config/*.toml``) or from the files named in the settings."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from silian.analytics.weighting import ahp_weights
from silian.domain.errors import InvalidInput
from silian.domain.indicators import IndicatorSystem, build_system
from silian.domain.messages import register_messages, t
from silian.settings import Settings

register_messages({
    "config_missing": ("找不到配置文件：{path}", "Configuration file not found: {path}"),
    "config_bad_toml": ("配置文件 {path} 不是有效的 TOML：{detail}", "Configuration file {path} is not valid TOML: {detail}"),
    "config_missing_key": ("配置文件 {path} 缺少 [{section}] {key}", "Configuration file {path} lacks [{section}] {key}"),
})


def default_config_text(name: str) -> str:
    """The text of a built-in configuration file (``indicators.toml`` or ``analysis.toml``)."""
    return resources.files("silian.config").joinpath(name).read_text(encoding="utf-8")


def _load(name: str, path: Path | None) -> tuple[dict[str, Any], str]:
    if path is None:
        text, label = default_config_text(name), f"silian/config/{name}"
    else:
        if not path.exists():
            raise InvalidInput(t("config_missing", path=path))
        text, label = path.read_text(encoding="utf-8-sig"), str(path)
    try:
        return tomllib.loads(text), label
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(t("config_bad_toml", path=label, detail=exc)) from exc


@dataclass(frozen=True)
class AnalysisConfig:
    """The parsed analysis settings (sections of analysis.toml) and where they came from."""

    raw: dict[str, Any]
    source: str

    def section(self, name: str) -> dict[str, Any]:
        return dict(self.raw.get(name, {}))

    def value(self, section: str, key: str) -> Any:
        try:
            return self.raw[section][key]
        except KeyError as exc:
            raise InvalidInput(t("config_missing_key", path=self.source, section=section, key=key)) from exc


@lru_cache(maxsize=8)
def _indicator_system(path: Path | None) -> IndicatorSystem:
    raw, label = _load("indicators.toml", path)
    system = build_system(raw, source=label)
    for matrix in system.ahp:  # an inconsistent judgement matrix (CR ≥ 0.10) is an error naming it, at load time
        ahp_weights(matrix.matrix, name=f"{label} [weights.ahp.{matrix.chain}]")
    return system


@lru_cache(maxsize=8)
def _analysis_config(path: Path | None) -> AnalysisConfig:
    raw, label = _load("analysis.toml", path)
    return AnalysisConfig(raw=raw, source=label)


def indicator_system(settings: Settings | None = None) -> IndicatorSystem:
    """The indicator system in force (cached per file)."""
    return _indicator_system((settings or Settings()).indicators_file)


def analysis_config(settings: Settings | None = None) -> AnalysisConfig:
    """The analysis settings in force (cached per file)."""
    return _analysis_config((settings or Settings()).analysis_file)
