"""Write templates and exports that round-trip with :func:`silian.ingest.readers.read_table_file`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl
import xlsxwriter

from silian.domain.errors import InvalidInput
from silian.domain.messages import current_lang, t
from silian.domain.tables import Field, TableSpec
from silian.ingest.headers import import_fields

KIND_LABELS = {"str": ("文本", "text"), "int": ("整数", "whole number"), "float": ("数字", "number"),
               "bool": ("是/否", "yes/no"), "period": ("年或年月", "year or year-month")}


def _header(f: Field) -> str:
    return f.en if current_lang.get() == "en" else f.zh


def _instructions(spec: TableSpec) -> list[list[str]]:
    en = current_lang.get() == "en"
    head = ["列名", "英文列名", "字段", "必填", "类型", "可选值", "说明"]
    rows = [head]
    for f in import_fields(spec):
        kind = KIND_LABELS[f.kind][1 if en else 0]
        required = ("yes" if en else "是") if f.required else ""
        rows.append([f.zh, f.en, f.name, required, kind, "、".join(f.choices), f.help])
    key = "+".join(spec.field(k).zh for k in spec.key)
    rows += [[], ["唯一键（重复导入时据此更新）", key], ["说明", spec.help or ""],
             ["文件格式", "xlsx（数据写在“数据”工作表）或 csv（UTF-8、UTF-8-BOM、GBK 均可）"]]
    return rows


def write_template(spec: TableSpec, path: Path) -> None:
    """An .xlsx template: a ``数据`` sheet with headers (required ones red, drop-downs for choices) and
    a ``说明`` sheet describing every column."""
    if path.suffix.lower() != ".xlsx":
        raise InvalidInput(t("unsupported_export", path=path))
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path))
    data = workbook.add_worksheet("数据")
    required = workbook.add_format({"bold": True, "font_color": "#C00000", "bg_color": "#FDE9E7", "border": 1})
    optional = workbook.add_format({"bold": True, "bg_color": "#EEF3FA", "border": 1})
    for col, f in enumerate(spec.fields):
        data.write(0, col, _header(f), required if f.required else optional)
        data.set_column(col, col, max(12, len(_header(f)) * 2 + 2), None)
        if f.help:
            data.write_comment(0, col, f.help)
        if f.choices:
            data.data_validation(1, col, 100_000, col, {"validate": "list", "source": list(f.choices)})
        elif f.kind == "bool":
            data.data_validation(1, col, 100_000, col, {"validate": "list", "source": ["是", "否"]})
    data.freeze_panes(1, 0)
    _write_rows(workbook.add_worksheet("说明"), _instructions(spec))
    workbook.close()


def _write_rows(sheet, rows: list[list[str]]) -> None:  # type: ignore[no-untyped-def]
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 6, 18)


def export_frame(spec: TableSpec, frame: pl.DataFrame, path: Path, *, note: str) -> None:
    """Write ``frame`` (fields + is_generated) as .xlsx or .csv (UTF-8 with BOM, so Excel reads it)."""
    fields = import_fields(spec)
    shown = frame.select(
        [_cell(f).alias(_header(f)) for f in fields]
    )
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        path.write_bytes(b"\xef\xbb\xbf" + shown.write_csv().encode("utf-8"))
    elif suffix == ".xlsx":
        workbook = xlsxwriter.Workbook(str(path))
        data = workbook.add_worksheet("数据")
        data.write_row(0, 0, shown.columns, workbook.add_format({"bold": True}))
        for r, row in enumerate(shown.iter_rows(), start=1):
            data.write_row(r, 0, ["" if v is None else v for v in row])
        data.freeze_panes(1, 0)
        info = [["表", f"{spec.zh}（{spec.name}）"], ["导出时间", datetime.now().isoformat(timespec="seconds")],
                ["行数", str(frame.height)], ["数据来源", note]]
        _write_rows(workbook.add_worksheet("说明"), info + [[]] + _instructions(spec))
        workbook.close()
    else:
        raise InvalidInput(t("unsupported_export", path=path))


def _cell(f: Field) -> pl.Expr:
    col = pl.col(f.name)
    if f.kind == "bool":
        return pl.when(col).then(pl.lit("是")).when(~col).then(pl.lit("否")).otherwise(None)
    if f.kind == "str":
        return pl.when(col == "").then(None).otherwise(col)
    return col
