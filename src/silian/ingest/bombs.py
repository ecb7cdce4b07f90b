"""Refuse spreadsheets whose size after decompression or expansion is far beyond what they show on disk, before any
reader builds them in memory.

An .xlsx is a zip of XML parts. Three tricks turn a few kilobytes into gigabytes inside a reader:
* a part that inflates hundreds of times (a zip bomb) — refused when any part inflates more than
  ``MAX_INFLATE_RATIO`` times (the ratio Apache POI's ZipSecureFile uses) or all parts together exceed the limit;
* one long shared string referenced by many cells (the reader copies it into every cell) — refused when a shared
  string is longer than Excel's own cell limit (32,767 characters) or when the shared strings inflate as above;
* millions of short rows — refused when a sheet has more rows than Excel itself allows (1,048,576).
A CSV with more columns than Excel allows (16,384) is refused from its first line.

The same single pass over each sheet also notes its merged cells, and the workbook part tells which sheets are
hidden (:class:`WorkbookFacts`), so the reader can refuse merged cells clearly and pass hidden sheets over.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree.ElementTree import iterparse

from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t

MAX_INFLATE_RATIO = 100          # Apache POI: MIN_INFLATE_RATIO 0.01
EXCEL_MAX_CELL_CHARS = 32_767    # Excel specifications and limits
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?ref=\"([A-Z]+[0-9]+:[A-Z]+[0-9]+)\"")
_RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@dataclass
class WorkbookFacts:
    """What the safety pass learnt of a workbook: each sheet's merged ranges and which sheets are hidden (by name)."""

    merged: dict[str, list[str]] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)

register_messages({
    "bomb_inflates": (
        "文件解压后异常膨胀（{part} 解压后 {size:,} 字节，是压缩时的 {ratio:,.0f} 倍，上限 {limit} 倍），疑似恶意文件，已拒绝：{path}",
        ("The file inflates abnormally ({part}: {size:,} bytes, {ratio:,.0f} times its compressed size; limit {limit}); "
        "refused as a possible zip bomb: {path}"),
    ),
    "bomb_total": (
        "文件解压后共 {size:,} 字节，超过上限 {limit:,} 字节：{path}。请拆分文件后分批导入",
        "The file holds {size:,} bytes once unpacked, over the limit of {limit:,}: {path}. Split it and import the parts",
    ),
    "bomb_long_string": (
        "单元格文字超过 Excel 上限 {limit:,} 个字符（共享字符串 {length:,} 个字符），已拒绝：{path}",
        "A cell's text is longer than Excel allows ({length:,} characters, limit {limit:,}); refused: {path}",
    ),
    "bomb_rows": (
        "工作表“{sheet}”超过 Excel 上限 {limit:,} 行，已拒绝：{path}。请拆分文件后分批导入",
        "Sheet '{sheet}' has more than Excel's {limit:,} rows; refused: {path}. Split it and import the parts",
    ),
    "bomb_columns": (
        "文件第一行有 {columns:,} 列，超过 Excel 上限 {limit:,} 列，已拒绝：{path}",
        "The first line has {columns:,} columns, over Excel's {limit:,}; refused: {path}",
    ),
})


def check_xlsx(path: Path, *, max_unpacked: int) -> WorkbookFacts:
    """Raise :class:`InvalidInput` when the workbook at ``path`` would expand beyond reason (module docstring);
    otherwise its merged ranges and hidden sheets."""
    facts = WorkbookFacts()
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return facts  # not a zip: the reader says so in its own words
    with archive:
        infos = archive.infolist()
        total = sum(i.file_size for i in infos)
        if total > max_unpacked:
            raise InvalidInput(t("bomb_total", size=total, limit=max_unpacked, path=path))
        for info in infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > 1 << 20 and ratio > MAX_INFLATE_RATIO:
                raise InvalidInput(t("bomb_inflates", part=info.filename, size=info.file_size, ratio=ratio,
                                     limit=MAX_INFLATE_RATIO, path=path))
        names = {i.filename for i in infos}
        if "xl/sharedStrings.xml" in names:
            _check_shared_strings(archive, path)
        sheets = _sheet_parts(archive, names)
        for name in sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")):
            merged = _check_rows(archive, name, path)
            if merged:
                facts.merged[sheets.get(name, (Path(name).stem, False))[0]] = merged
        facts.hidden = {sheet for sheet, hidden in sheets.values() if hidden}
    return facts


def _sheet_parts(archive: zipfile.ZipFile, names: set[str]) -> dict[str, tuple[str, bool]]:
    """``{part: (sheet name, hidden)}`` from the workbook part and its relationships (empty when they are odd)."""
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return {}
    try:
        targets = {}
        with archive.open("xl/_rels/workbook.xml.rels") as fh:
            for _, element in iterparse(fh):
                if element.tag.endswith("Relationship"):
                    target = element.get("Target", "")
                    part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
                    targets[element.get("Id", "")] = part
        parts = {}
        with archive.open("xl/workbook.xml") as fh:
            for _, element in iterparse(fh):
                if element.tag.endswith("}sheet") or element.tag == "sheet":
                    part = targets.get(element.get(_RELATIONSHIP, ""), "")
                    parts[part] = (element.get("name", ""), element.get("state", "visible") != "visible")
        return parts
    except Exception:  # noqa: BLE001 — a malformed workbook part: the reader reports it in its own words
        return {}


def _check_shared_strings(archive: zipfile.ZipFile, path: Path) -> None:
    with archive.open("xl/sharedStrings.xml") as fh:
        for _, element in iterparse(fh, events=("end",)):
            if element.tag.endswith("}t") or element.tag == "t":
                length = len(element.text or "")
                if length > EXCEL_MAX_CELL_CHARS:
                    raise InvalidInput(t("bomb_long_string", length=length, limit=EXCEL_MAX_CELL_CHARS, path=path))
            element.clear()


def _check_rows(archive: zipfile.ZipFile, name: str, path: Path) -> list[str]:
    """Count the sheet's rows (refusing more than Excel allows) and return its merged ranges, in one pass."""
    rows, merged, tail = 0, [], b""
    with archive.open(name) as fh:
        while chunk := fh.read(1 << 20):
            data = tail + chunk
            tail = data[-64:]  # a tag cut at the boundary is whole in the next round: count it there
            rows += len(_ROW.findall(data)) - len(_ROW.findall(tail))
            merged += [m.decode() for m in _MERGE.findall(data)]
            del merged[len(merged) - len(_MERGE.findall(tail)):]
            if rows > EXCEL_MAX_ROWS:
                raise InvalidInput(t("bomb_rows", sheet=Path(name).stem, limit=EXCEL_MAX_ROWS, path=path))
    rows += len(_ROW.findall(tail))
    merged += [m.decode() for m in _MERGE.findall(tail)]
    if rows > EXCEL_MAX_ROWS:
        raise InvalidInput(t("bomb_rows", sheet=Path(name).stem, limit=EXCEL_MAX_ROWS, path=path))
    return list(dict.fromkeys(merged))


def check_csv_header(text_head: str, separator: str, path: Path) -> None:
    """Refuse a CSV whose first line has more columns than Excel allows."""
    first = text_head.split("\n", 1)[0]
    columns = first.count(separator) + 1
    if columns > EXCEL_MAX_COLUMNS:
        raise InvalidInput(t("bomb_columns", columns=columns, limit=EXCEL_MAX_COLUMNS, path=path))
