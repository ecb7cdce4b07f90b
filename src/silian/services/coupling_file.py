"""Coupling coordination of the rows of a CSV file: ``id`` plus one 0–1 score column per subsystem."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from silian.analytics.coupling import coupling_coordination
from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t
from silian.ingest.readers import ROW, read_table_file

ID_COLUMN = "id"
MAX_BYTES = 256 * 1024 * 1024

register_messages({
    "coupling_file_no_id": (
        "{path} 缺少 id 列：第一行表头须包含 id，其余每列是一个子系统的 0–1 得分（现有列：{columns}）",
        ("{path} has no id column: the header row must contain id, and every other column is one "
         "subsystem's 0–1 score (columns found: {columns})"),
    ),
    "coupling_file_not_number": (
        "{path} 第 {row} 行“{column}”不是数字：{value}；请填写 0–1 之间的数字，不带单位或百分号",
        ("{path}, row {row}, '{column}' is not a number: {value}; enter a number from 0 to 1, without units "
         "or a percent sign"),
    ),
    "coupling_file_row": ("{path} 第 {row} 行（id 为 {id}）", "{path}, row {row} (id {id})"),
    "coupling_weights_text": (
        "--weights 中有不是数字的值：{value}；请用逗号分隔的数字，如 {example}",
        ("--weights contains something that is not a number: {value}; use comma-separated numbers, "
         "e.g. {example}"),
    ),
})


def parse_weights(text: str | None) -> list[float] | None:
    """``"0.4,0.3,0.3"`` (ASCII or full-width commas) → ``[0.4, 0.3, 0.3]``; empty → ``None`` (equal)."""
    if text is None or not text.strip():
        return None
    parts = [p.strip() for p in text.replace("，", ",").split(",")]
    try:
        return [float(p) for p in parts]
    except ValueError:
        bad = next(p for p in parts if not _is_float(p))
        raise InvalidInput(t("coupling_weights_text", value=bad or "''", example="0.4,0.3,0.3")) from None


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def coupling_from_file(path: Path | str, method: str = "wang",
                       weights: Sequence[float] | None = None) -> list[dict[str, object]]:
    """Read ``path`` (CSV in UTF-8, UTF-8-BOM or GBK) and return ``{id, C, T, D, level}`` per row, in order.

    ``level`` is the coordination level's name in the current language. Missing ``id`` column, non-numeric
    cells, empty files and every check of :func:`silian.analytics.coupling.coupling_coordination` raise
    :class:`InvalidInput` naming the file, row (as numbered in the file, header = row 1) and column.
    """
    path = Path(path)
    frame = read_table_file(path, max_bytes=MAX_BYTES).frame
    columns = [c for c in frame.columns if c != ROW]
    id_column = next((c for c in columns if c.strip().lower() == ID_COLUMN), None)
    if id_column is None:
        raise InvalidInput(t("coupling_file_no_id", path=path.name, columns=t("list_joiner").join(columns) or "—"))
    subsystems = [c for c in columns if c != id_column]
    scores = _numeric(frame, subsystems, path)
    ids = [v if v is not None else "" for v in frame[id_column].to_list()]
    labels = [t("coupling_file_row", path=path.name, row=row, id=i or "—")
              for row, i in zip(frame[ROW].to_list(), ids, strict=True)]
    result = coupling_coordination(scores.to_numpy(), method, weights, names=subsystems, row_labels=labels)
    return [{"id": i, "C": float(c), "T": float(tt), "D": float(d), "level": level}
            for i, c, tt, d, level in zip(ids, result.C, result.T, result.D, result.level_names(), strict=True)]


def _numeric(frame: pl.DataFrame, columns: list[str], path: Path) -> pl.DataFrame:
    """Cast the score columns to float; a cell that is present but not a number is an error."""
    typed = frame.select(ROW, *[pl.col(c).cast(pl.Float64, strict=False) for c in columns])
    for column in columns:
        bad = frame.filter(pl.col(column).is_not_null() & typed[column].is_null())
        if bad.height:
            raise InvalidInput(t("coupling_file_not_number", path=path.name, row=bad[ROW][0], column=column,
                                 value=bad[column][0]))
    return typed.select(columns)
