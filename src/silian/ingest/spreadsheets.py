"""Write templates and exports that round-trip with :func:`silian.ingest.readers.read_table_file`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl
import xlsxwriter

from silian.domain.cells import defuse
from silian.domain.credit_code import check_character
from silian.domain.errors import InvalidInput
from silian.domain.messages import current_lang, t
from silian.domain.tables import Field, TableSpec
from silian.ingest.headers import import_fields

KIND_LABELS = {"str": ("文本", "text"), "int": ("整数", "whole number"), "float": ("数字", "number"),
               "bool": ("是/否", "yes/no"), "period": ("年或年月", "year or year-month")}


# a valid value per code check (real catalogue codes), shown as the template's example
_CREDIT_CODE_EXAMPLE = "91410100MA40000A0" + check_character("91410100MA40000A0")
CHECK_EXAMPLES = {"region": "410102", "institution": "4141010001", "enterprise": _CREDIT_CODE_EXAMPLE,
                  "credit_code": _CREDIT_CODE_EXAMPLE, "major": "460103", "occupation": "2-02-07-07", "industry": "39"}
KIND_EXAMPLES = {"int": "120", "float": "35.5", "bool": "是", "period": "2024-06", "str": "示例"}
# columns Excel must keep as text: codes (it drops leading zeros and rounds 18-digit numbers)
TEXT_CHECKS = frozenset({"region", "institution", "enterprise", "credit_code", "major", "occupation", "industry"})


def _header(f: Field) -> str:
    return f.en if current_lang.get() == "en" else f.zh


def choice_labels(f: Field) -> list[str]:
    """What a user picks from: the Chinese label of each choice (the stored value when it has none)."""
    return [f.label(c) for c in f.choices]


def example_value(f: Field) -> str:
    """A valid example for the column: its own, else from its choices, its code check or its kind."""
    if f.example:
        return f.example
    if f.choices:
        return choice_labels(f)[0]
    if f.check in CHECK_EXAMPLES:
        return CHECK_EXAMPLES[f.check]
    if f.kind == "int" and f.low is not None and f.low >= 1900:
        return "2024"  # a year
    return KIND_EXAMPLES.get(f.kind, "")


def is_code_column(f: Field) -> bool:
    return f.check in TEXT_CHECKS or f.name.endswith("_code") or f.name == "code"


def _instructions(spec: TableSpec) -> list[list[str]]:
    en = current_lang.get() == "en"
    head = ["列名", "英文列名", "字段", "必填", "类型", "可选值", "示例", "说明"]
    rows = [head]
    for f in import_fields(spec):
        kind = KIND_LABELS[f.kind][1 if en else 0]
        if is_code_column(f):
            kind += "（文本格式）" if not en else " (as text)"
        required = ("yes" if en else "是") if f.required else ""
        example = example_value(f) if f.name != "is_generated" else "否"
        rows.append([f.zh, f.en, f.name, required, kind, "、".join(choice_labels(f)), example, f.help])
    key = "+".join(spec.field(k).zh for k in spec.key)
    rows += [[], ["唯一键（重复导入时据此更新）", key], ["说明", spec.help or ""],
             ["文件格式", "xlsx（数据写在“数据”工作表）或 csv（UTF-8、UTF-8-BOM、GBK 均可）"],
             ["代码列", "代码列已设为文本格式：请勿改成数字（Excel 会去掉前导 0，并把 18 位信用代码的末几位变成 0）"],
             ["日期", "时期可写 2024 或 2024-06；Excel 把 2024-06 变成日期也可以"],
             [], ["示例行（每列一个合法取值，可复制到“数据”表第 2 行起修改后填写）"],
             [_header(f) for f in spec.fields], [example_value(f) for f in spec.fields]]
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
    text = workbook.add_format({"num_format": "@"})  # codes stay text: no lost leading zeros, no rounded digits
    for col, f in enumerate(spec.fields):
        data.write(0, col, _header(f), required if f.required else optional)
        data.set_column(col, col, max(12, len(_header(f)) * 2 + 2), text if is_code_column(f) else None)
        data.write_comment(0, col, f"{f.help}\n示例：{example_value(f)}" if f.help else f"示例：{example_value(f)}")
        if f.choices:
            data.data_validation(1, col, 100_000, col, {"validate": "list", "source": choice_labels(f)})
        elif f.kind == "bool":
            data.data_validation(1, col, 100_000, col, {"validate": "list", "source": ["是", "否"]})
    data.freeze_panes(1, 0)
    _write_rows(workbook.add_worksheet("说明"), _instructions(spec))
    workbook.close()


def _write_rows(sheet, rows: list[list[str]]) -> None:  # type: ignore[no-untyped-def]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)  # text, never a formula or a number Excel reformats
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 7, 18)


def export_frame(spec: TableSpec, frame: pl.DataFrame, path: Path, *, note: str) -> None:
    """Write ``frame`` (fields + is_generated) as .xlsx or .csv (UTF-8 with BOM, so Excel reads it). Text never
    becomes a formula: .xlsx cells are written as strings, CSV text cells that start like a formula get a '."""
    fields = import_fields(spec)
    shown = frame.select(
        [_cell(f).alias(_header(f)) for f in fields]
    )
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        text = [_header(f) for f in fields if f.kind in ("str", "period")]
        safe = shown.with_columns(pl.col(text).map_elements(defuse, return_dtype=pl.String)) if shown.height else shown
        path.write_bytes(b"\xef\xbb\xbf" + safe.write_csv().encode("utf-8"))
    elif suffix == ".xlsx":
        workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
        data = workbook.add_worksheet("数据")
        data.write_row(0, 0, shown.columns, workbook.add_format({"bold": True}))
        for r, row in enumerate(shown.iter_rows(), start=1):
            for c, value in enumerate(row):
                if isinstance(value, str):
                    data.write_string(r, c, value)
                elif value is not None:
                    data.write(r, c, value)
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
    if f.aliases:  # the Chinese label (re-imports as the same value)
        return col.replace_strict({c: f.label(c) for c in f.choices}, default=col)
    if f.kind == "str":
        return pl.when(col == "").then(None).otherwise(col)
    return col


def inert_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every text cell that starts like a formula marked as text (see :mod:`silian.domain.cells`),
    for frames written straight to CSV (scraped job titles, review queues, recommendations)."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not text or frame.height == 0:
        return frame
    return frame.with_columns(pl.col(text).map_elements(defuse, return_dtype=pl.String))
