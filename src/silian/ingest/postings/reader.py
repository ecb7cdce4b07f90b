"""Read posting exports of any size as a lazy frame of strings: CSV (UTF-8, UTF-8-BOM, GBK/GB18030), Excel,
JSON Lines and Parquet. Non-UTF-8 CSV is transcoded to a temporary UTF-8 file in a streaming pass."""

from __future__ import annotations

import codecs
import tempfile
from pathlib import Path

import polars as pl

from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t

register_messages({
    "postings_bad_format": ("不支持的招聘数据文件格式：{path}（支持 .csv、.xlsx、.jsonl、.parquet）",
                            "Unsupported postings file: {path} (.csv, .xlsx, .jsonl and .parquet are supported)"),
    "postings_unreadable": ("招聘数据文件无法读取：{path}（{detail}）", "The postings file cannot be read: {path} ({detail})"),
})
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
SAMPLE_BYTES = 1 << 20


def detect_encoding(path: Path) -> str:
    """``utf-8-sig``, ``utf-8`` or ``gb18030`` from the first megabyte (a cut multi-byte character is allowed)."""
    head = path.open("rb").read(SAMPLE_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
            return encoding
        except UnicodeDecodeError:
            continue
    raise InvalidInput(t("file_bad_encoding", path=path.name))


def _utf8_copy(path: Path, encoding: str, folder: Path) -> Path:
    target = folder / (path.stem + ".utf8.csv")
    try:
        with path.open("r", encoding=encoding, newline="") as src, target.open("w", encoding="utf-8", newline="") as dst:
            while chunk := src.read(1 << 22):
                dst.write(chunk)
    except UnicodeDecodeError as exc:
        raise InvalidInput(t("file_bad_encoding", path=path.name)) from exc
    return target


def scan_postings(path: Path, workdir: Path | None = None) -> tuple[pl.LazyFrame, str]:
    """A lazy frame with every column as text, and what was read (encoding or format)."""
    if not path.is_file():
        raise InvalidInput(t("file_missing", path=path))
    if path.stat().st_size == 0:
        raise InvalidInput(t("file_empty", path=path.name))
    suffix = path.suffix.lower()
    try:
        if suffix in CSV_SUFFIXES:
            encoding = detect_encoding(path)
            source = path
            if encoding == "gb18030":
                source = _utf8_copy(path, encoding, workdir or Path(tempfile.mkdtemp(prefix="silian-postings-")))
            separator = "\t" if suffix == ".tsv" else ","
            lazy = pl.scan_csv(source, infer_schema=False, separator=separator, encoding="utf8")
            return lazy, encoding
        if suffix in JSONL_SUFFIXES:
            lazy = pl.scan_ndjson(path, infer_schema_length=1000)
            return lazy.select(pl.all().cast(pl.String)), "jsonl"
        if suffix == ".parquet":
            return pl.scan_parquet(path).select(pl.all().cast(pl.String)), "parquet"
        if suffix in (".xlsx", ".xlsm"):
            frame = pl.read_excel(path, infer_schema_length=0)
            return frame.lazy().select(pl.all().cast(pl.String)), "xlsx"
    except (pl.exceptions.ComputeError, OSError) as exc:
        raise InvalidInput(t("postings_unreadable", path=path.name, detail=str(exc).splitlines()[0][:200])) from exc
    raise InvalidInput(t("postings_bad_format", path=path.name))
