"""Read a user's spreadsheet (.xlsx or .csv in UTF-8, UTF-8-BOM or GBK) into a frame of strings.

The frame keeps the file's own row numbers in ``__row`` (the header is row 1), so every later error can
point at the row the user sees in Excel.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import fastexcel
import polars as pl

from silian.domain.cells import DEFUSED_PATTERN
from silian.domain.errors import InvalidInput
from silian.domain.messages import t
from silian.ingest.bombs import WorkbookFacts, check_csv_header, check_xlsx

ROW = "__row"
UNPACKED_FACTOR = 4  # an .xlsx may hold up to 4 × the file-size limit once unpacked
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
DATA_SHEETS = ("数据", "data", "Data")
INSTRUCTION_SHEETS = ("说明", "instructions", "Instructions")


@dataclass
class RawTable:
    """A file's rows as strings (nulls for empty cells), with ``__row`` and the encoding or sheet read."""

    frame: pl.DataFrame
    source: str  # e.g. "utf-8-sig", "gb18030", "sheet 数据"


def read_table_file(path: Path, *, sheet: str | None = None, max_bytes: int) -> RawTable:
    """Read ``path``; raise :class:`InvalidInput` with a clear message for anything unreadable."""
    if not path.is_file():
        raise InvalidInput(t("file_missing", path=path))
    size = path.stat().st_size
    if size == 0:
        raise InvalidInput(t("file_empty", path=path))
    if size > max_bytes:
        raise InvalidInput(t("file_too_big", path=path, size=size, limit=max_bytes))
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(XLSX_MAGIC):
        facts = check_xlsx(path, max_unpacked=UNPACKED_FACTOR * max_bytes)  # before any reader expands it in memory
        raw = _read_xlsx(path, sheet, facts)
    elif head.startswith(OLE_MAGIC) or path.suffix.lower() not in (".csv", ".txt", ".tsv"):
        raise InvalidInput(t("file_not_spreadsheet", path=path))
    else:
        raw = _read_csv(path)
    return _drop_blank_rows(raw, path)


def decode_text(data: bytes, path: Path) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 with BOM, UTF-16 with BOM (Excel's and WPS's "Unicode text"), UTF-8, then GB18030
    (a superset of GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise InvalidInput(t("file_bad_encoding", path=path)) from None
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise InvalidInput(t("file_bad_encoding", path=path))


def _read_csv(path: Path) -> RawTable:
    data = path.read_bytes()
    unicode_text = data.startswith((b"\xff\xfe", b"\xfe\xff"))  # UTF-16: NUL bytes are part of the encoding
    if b"\x00" in data[:4096] and not unicode_text:
        raise InvalidInput(t("file_not_spreadsheet", path=path))
    try:
        text, encoding = decode_text(data, path)
    except UnicodeDecodeError as exc:
        raise InvalidInput(t("file_bad_encoding", path=path)) from exc
    if "\x00" in text[:4096]:
        raise InvalidInput(t("file_not_spreadsheet", path=path))
    separator = "\t" if path.suffix.lower() == ".tsv" or _tab_separated(text) else ","
    end = text.find("\n", 0, 1 << 24)  # the header line (a slice of it: not a copy of the whole file)
    check_csv_header(text[: end if end >= 0 else 1 << 24], separator, path)
    try:
        frame = pl.read_csv(
            _utf8_bytes(data, text, encoding),
            separator=separator,
            infer_schema=False,
            truncate_ragged_lines=False,
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise InvalidInput(t("file_unreadable", path=path, detail=str(exc).splitlines()[0])) from exc
    return RawTable(frame.with_row_index(ROW, offset=2), encoding)


def _tab_separated(text: str) -> bool:
    """Excel's "Unicode text" (and many exports named .csv) separate by tabs: a header line with tabs and no comma."""
    header = text[: text.find("\n")] if "\n" in text[:65536] else text[:65536]
    return "\t" in header and "," not in header


def _utf8_bytes(data: bytes, text: str, encoding: str) -> bytes | io.BytesIO:
    """The file as UTF-8 for the CSV parser: its own bytes when it already is (no second 50 MB copy)."""
    if encoding == "utf-8":
        return data
    if encoding == "utf-8-sig":
        return data[3:]
    return io.BytesIO(text.encode("utf-8"))


def _read_xlsx(path: Path, sheet: str | None, facts: WorkbookFacts) -> RawTable:
    """The chosen sheet as text. Hidden sheets are passed over when the sheet is chosen automatically (a named one
    is read). A sheet with merged cells is refused, naming the ranges: a merged block holds its value in its first
    cell only, so the other rows would silently read as empty."""
    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as exc:  # calamine raises its own types for corrupt archives
        raise InvalidInput(t("file_not_spreadsheet", path=path)) from exc
    names = reader.sheet_names if sheet is not None else [n for n in reader.sheet_names if n not in facts.hidden]
    name = _choose_sheet(names or reader.sheet_names, sheet)
    if facts.merged.get(name):
        ranges = facts.merged[name]
        shown = "、".join(ranges[:5]) + (t("xlsx_more_merged", count=len(ranges)) if len(ranges) > 5 else "")
        raise InvalidInput(t("xlsx_merged", sheet=name, ranges=shown, path=path.name))
    try:
        frame = reader.load_sheet(name, header_row=0, dtypes="string").to_polars()
    except Exception as exc:
        raise InvalidInput(t("file_unreadable", path=path, detail=str(exc).splitlines()[0])) from exc
    frame = frame.select([c for c in frame.columns if not c.startswith("__UNNAMED__")])
    return RawTable(frame.with_row_index(ROW, offset=2), f"sheet {name}")


def _choose_sheet(names: list[str], wanted: str | None) -> str:
    if wanted is not None:
        if wanted in names:
            return wanted
        raise InvalidInput(t("sheet_missing", sheet=wanted, sheets="、".join(names)))
    for name in DATA_SHEETS:
        if name in names:
            return name
    candidates = [n for n in names if n not in INSTRUCTION_SHEETS]
    if len(candidates) == 1:
        return candidates[0]
    raise InvalidInput(t("sheet_missing", sheet=DATA_SHEETS[0], sheets="、".join(names)))


def _drop_blank_rows(raw: RawTable, path: Path) -> RawTable:
    frame = raw.frame
    if not frame.columns or frame.columns == [ROW]:
        raise InvalidInput(t("no_rows", path=path))
    values = [c for c in frame.columns if c != ROW]
    stripped = [pl.col(c).cast(pl.String).str.strip_chars() for c in values]
    frame = frame.with_columns([pl.when(text == "").then(None).otherwise(text).alias(c) for c, text in zip(values, stripped, strict=True)])
    # the ' an export puts before text that starts like a formula (=, +, -, @) is not part of the value; the
    # pattern runs only on columns holding a value that starts with ' (a regex over every cell of a million-row
    # file costs more than reading it)
    marked = frame.select([pl.col(c).str.starts_with("'").any() for c in values]).row(0)
    frame = frame.with_columns([pl.col(c).str.replace(DEFUSED_PATTERN, "$1") for c, hit in zip(values, marked, strict=True) if hit])
    frame = frame.filter(~pl.all_horizontal(pl.col(values).is_null()))
    if frame.height == 0:
        raise InvalidInput(t("no_rows", path=path))
    return RawTable(frame, raw.source)
