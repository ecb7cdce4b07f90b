"""Job titles confirmed by a reviewer: the answers to the review queue, kept in the data folder and applied
before the model's guess.

The loop: ``silian postings import FILE --out OUT`` writes ``OUT/review_queue.csv`` (the titles whose best code
is more likely wrong than right, most postings first) with an empty column ``confirmed_code``. A reviewer fills
in the 大典 code of each title they can decide (a 细类 such as ``2-02-10-03``, or a coarser code such as
``4-01-02-00`` or ``4-01-02``) and leaves the rest empty; ``silian postings confirm OUT/review_queue.csv`` checks
the whole file (any bad row: nothing is stored, every problem is listed with row, column, value and fix) and
merges it into ``<data_dir>/classify/confirmed_titles.csv``. From then on ``silian classify`` and ``silian
postings import`` (both engines) give those titles the confirmed code with confidence 1, so their postings are
counted in demand instead of waiting for review. Titles match after the classifier's own cleaning (case,
surrounding spaces and line breaks ignored).
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: threads of one process only
    fcntl = None  # type: ignore[assignment]

from silian.analytics.classify.features import clean_titles
from silian.analytics.classify.reference import label_depth, pad_code
from silian.domain.errors import ImportRejected, InvalidInput, RowProblem
from silian.domain.messages import register_messages, t
from silian.ingest.readers import ROW, read_table_file

CONFIRMED_FILE = Path("classify") / "confirmed_titles.csv"
TITLE_COLUMNS = ("title", "岗位名称", "job_name")
CODE_COLUMNS = ("confirmed_code", "确认职业代码")
MAX_BYTES = 64 * 1024 * 1024
LEVEL_BY_DEPTH = {1: "大类", 2: "中类", 3: "小类", 4: "细类"}
# what Excel makes of a three-part code typed into a General cell (4-01-02 → 2002/4/1, 2002-04-01 00:00:00, 4/1/2002)
_EXCEL_DATE = re.compile(r"^(\d{4}[-/]\d{1,2}[-/]\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2})?)?|\d{1,2}/\d{1,2}/\d{2,4})$")

register_messages({
    "confirm_missing_column": (
        "{path} 中没有{what}列（应为 {wanted} 之一；现有列：{columns}）",
        "{path} has no {what} column (expected one of {wanted}; columns found: {columns})",
    ),
    "confirm_what_title": ("岗位名称", "job-title"),
    "confirm_what_code": ("确认代码", "confirmed-code"),
    "confirm_rejected": ("复核文件被拒绝：发现 {count} 个问题，已确认的岗位名称未做任何修改。",
                         "Review file rejected: {count} problems found; the confirmed titles were not changed."),
    "confirm_empty_title": ("岗位名称为空", "the job title is empty"),
    "confirm_empty_title_fix": ("填写岗位名称，或删除这一行", "fill in the job title or delete the row"),
    "confirm_bad_code": ("不是职业分类大典（2022）的代码", "not a code of the 职业分类大典 (2022)"),
    "confirm_bad_code_fix": (
        "填写如 2-02-10-03 的细类代码（或 4-01-02-00、4-01-02 这样的上级代码）；不能确定就留空",
        "write a 细类 code such as 2-02-10-03 (or a coarser one such as 4-01-02-00 or 4-01-02); leave it empty if unsure",
    ),
    "confirm_date_code": ("这是一个日期：Excel 把输入的代码（如 4-01-02）当成了日期", "this is a date: Excel turned the code typed (such as 4-01-02) into a date"),
    "confirm_date_code_fix": ("把这一列设为“文本”后重新输入，或写满四段（如 4-01-02-00，Excel 不会改动）",
                              "set the column to Text and type the code again, or write all four parts (such as 4-01-02-00, which Excel leaves alone)"),
    "confirm_conflict": ("同一岗位名称在第 {first} 行已确认为 {code}", "the same title was confirmed as {code} in row {first}"),
    "confirm_conflict_fix": ("同一岗位名称只保留一个代码", "keep one code per title"),
    "confirm_stored_bad": (("{path} 第 {row} 行的代码“{value}”不是职业分类大典（2022）的代码（文件被手工改过？）；改正或删除这一行，"
                           "或删除该文件后用 silian postings confirm 重新确认"),
                           ("{path} row {row}: '{value}' is not a 职业分类大典 (2022) code (was the file edited by hand?); fix or "
                           "delete the row, or delete the file and confirm again with silian postings confirm")),
})


@dataclass(frozen=True)
class Confirmation:
    title: str
    code: str


@dataclass(frozen=True)
class ReviewedFile:
    """The confirmations read from a reviewed file, and how many rows were left empty (not decided)."""

    confirmations: list[Confirmation]
    undecided: int


@dataclass(frozen=True)
class ConfirmCounts:
    added: int
    changed: int
    unchanged: int
    total: int
    undecided: int

    def as_dict(self) -> dict[str, int]:
        return self.__dict__.copy()


def title_key(title: str) -> str:
    """How titles are matched: the classifier's cleaning (lower case, no line breaks, stripped)."""
    return clean_titles([title])[0]


def _keys(titles: pl.Series) -> pl.Series:
    """:func:`title_key` of a column of titles (nulls as empty)."""
    return pl.Series(clean_titles([x or "" for x in titles.to_list()]), dtype=pl.String)


def confirmed_path(data_dir: Path) -> Path:
    return Path(data_dir) / CONFIRMED_FILE


def read_reviewed(path: Path, codes: Mapping[str, str]) -> ReviewedFile:
    """Read a filled-in review sheet (CSV in UTF-8, UTF-8-BOM or GBK, or .xlsx). ``codes`` maps every valid
    code to its name. Rows without a code are undecided and skipped; any other problem rejects the whole file."""
    frame = read_table_file(path, max_bytes=MAX_BYTES).frame
    title_column = _column(frame, TITLE_COLUMNS, path, "confirm_what_title")
    code_column = _column(frame, CODE_COLUMNS, path, "confirm_what_code")
    return check_rows(frame.select(ROW, title_column, code_column).iter_rows(), codes, file=path.name,
                      title_column=title_column, code_column=code_column)


def check_rows(rows: Iterable[tuple[int, str | None, str | None]], codes: Mapping[str, str], *, file: str,
               title_column: str = "title", code_column: str = "confirmed_code") -> ReviewedFile:
    """Check ``(row number, title, code)`` answers (from a file or a web form): rows without a code are
    undecided; an empty title, an unknown code or two codes for one title reject them all (ImportRejected)."""
    problems: list[RowProblem] = []
    first_row: dict[str, tuple[int, str]] = {}
    found: list[Confirmation] = []
    undecided = 0
    for row, raw_title, raw_code in rows:
        code = (raw_code or "").strip().replace("－", "-").replace("—", "-")
        if not code:
            undecided += 1
            continue
        title = (raw_title or "").strip()
        if not title:
            problems.append(RowProblem(file, row, title_column, title, t("confirm_empty_title"), t("confirm_empty_title_fix")))
            continue
        padded = pad_code(code) if code.count("-") < 3 else code
        if padded not in codes:
            date = _EXCEL_DATE.match(code)
            problems.append(RowProblem(file, row, code_column, raw_code, t("confirm_date_code" if date else "confirm_bad_code"),
                                       t("confirm_date_code_fix" if date else "confirm_bad_code_fix")))
            continue
        key = title_key(title)
        if key in first_row and first_row[key][1] != padded:
            problems.append(RowProblem(file, row, code_column, raw_code,
                                       t("confirm_conflict", first=first_row[key][0], code=first_row[key][1]),
                                       t("confirm_conflict_fix")))
            continue
        first_row.setdefault(key, (row, padded))
        found.append(Confirmation(title, padded))
    if problems:
        raise ImportRejected(t("confirm_rejected", count=len(problems)), problems)
    return ReviewedFile(found, undecided)


def _column(frame: pl.DataFrame, wanted: tuple[str, ...], path: Path, what: str) -> str:
    for name in wanted:
        if name in frame.columns:
            return name
    columns = [c for c in frame.columns if c != ROW]
    raise InvalidInput(t("confirm_missing_column", path=path, what=t(what), wanted=t("list_joiner").join(wanted),
                         columns=t("list_joiner").join(columns)))


def load_confirmed(data_dir: Path, names: Mapping[str, str] | None = None) -> dict[str, str]:
    """``{title key: code}`` of every confirmed title (empty when nothing was confirmed yet). With ``names``
    (every valid code), a file edited by hand into an unknown code raises InvalidInput naming the row."""
    path = confirmed_path(data_dir)
    if not path.is_file():
        return {}
    frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    confirmed = dict(zip(frame["title_key"].to_list(), frame["occupation_code"].to_list(), strict=True))
    if names is not None:
        for row, (key, code) in enumerate(confirmed.items(), start=2):
            if code not in names or not key:
                raise InvalidInput(t("confirm_stored_bad", path=path, row=row, value=code))
    return confirmed


def save_confirmed(data_dir: Path, reviewed: ReviewedFile, *, source: str, dry_run: bool = False) -> ConfirmCounts:
    """Merge ``reviewed`` into the confirmed titles (a title confirmed again takes the new code) and write the
    file atomically (a temporary file renamed over the old one). ``dry_run``: count only."""
    path = confirmed_path(data_dir)
    with _one_writer(path):
        return _merge(path, reviewed, source=source, dry_run=dry_run)


def _merge(path: Path, reviewed: ReviewedFile, *, source: str, dry_run: bool) -> ConfirmCounts:
    old = (pl.read_csv(path, infer_schema=False, encoding="utf8-lossy") if path.is_file()
           else pl.DataFrame(schema=dict.fromkeys(("title_key", "title", "occupation_code", "confirmed_at", "source"), pl.String)))
    stored = dict(zip(old["title_key"].to_list(), old["occupation_code"].to_list(), strict=True))
    now = datetime.now(UTC).isoformat(timespec="seconds")
    new_rows: dict[str, tuple[str, str, str, str, str]] = {}
    for item in reviewed.confirmations:
        key = title_key(item.title)
        new_rows[key] = (key, item.title, item.code, now, source)
    added = sum(key not in stored for key in new_rows)
    changed = sum(key in stored and stored[key] != row[2] for key, row in new_rows.items())
    unchanged = len(new_rows) - added - changed
    kept = old.filter(~pl.col("title_key").is_in(list(new_rows)))
    fresh = pl.DataFrame(list(new_rows.values()), schema=old.columns, orient="row")
    merged = pl.concat([kept, fresh]).sort("title_key")
    if not dry_run:
        _write_atomically(path, lambda temporary: merged.write_csv(temporary, include_bom=True))
    return ConfirmCounts(added, changed, unchanged, merged.height, reviewed.undecided)


_WRITERS = threading.Lock()


@contextmanager
def _one_writer(path: Path) -> Iterator[None]:
    """Serialise read-merge-write of the confirmed titles: across the threads of this process and, where the
    platform has ``fcntl`` (Linux, macOS), across processes too (``silian serve --workers N``, a CLI run)."""
    with _WRITERS:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.parent / ".confirmed_titles.lock", "a") as handle:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                if fcntl is not None:
                    fcntl.flock(handle, fcntl.LOCK_UN)


def _write_atomically(path: Path, write: Callable[[str], object]) -> None:
    """``write`` a temporary file beside ``path``, then rename it over ``path``: readers see the old file or the new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=path.suffix)
    os.close(handle)
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def apply_to_labels(labels: pl.DataFrame, confirmed: Mapping[str, str], names: Mapping[str, str]) -> pl.DataFrame:
    """Overwrite the model's answer for confirmed titles: ``labels`` has ``title`` and some of occupation_code,
    occupation_name, occupation_level, confidence, needs_review, backoff_*; a confirmed title gets its code with
    confidence 1 and is not sent to review."""
    if not confirmed or labels.height == 0:
        return labels
    code = _keys(labels["title"]).replace_strict(confirmed, default=None, return_dtype=pl.String)
    hit = code.is_not_null()
    if not hit.any():
        return labels
    name = code.replace_strict(dict(names), default=None, return_dtype=pl.String)
    level = code.map_elements(lambda c: LEVEL_BY_DEPTH[label_depth(c)], return_dtype=pl.String, skip_nulls=True)
    updates = {"occupation_code": code, "occupation_name": name, "occupation_level": level,
               "confidence": pl.Series([1.0] * labels.height), "needs_review": pl.Series([False] * labels.height),
               "backoff_code": code, "backoff_name": name, "backoff_level": level,
               "backoff_confidence": pl.Series([1.0] * labels.height)}
    return labels.with_columns([
        pl.when(pl.lit(hit)).then(pl.lit(value.cast(labels[column].dtype))).otherwise(pl.col(column)).alias(column)
        for column, value in updates.items() if column in labels.columns
    ])


def with_confirmed(classify: Callable[[list[str]], pl.DataFrame], confirmed: Mapping[str, str],
                   names: Mapping[str, str]) -> Callable[[list[str]], pl.DataFrame]:
    """A postings classifier (titles → labels frame) that answers confirmed titles from ``confirmed``.
    Picklable when ``classify`` is, so Spark executors can run it."""
    if not confirmed:
        return classify
    return _Confirmed(classify, dict(confirmed), dict(names))


class _Confirmed:
    def __init__(self, classify: Callable[[list[str]], pl.DataFrame], confirmed: dict[str, str], names: dict[str, str]):
        self.classify, self.confirmed, self.names = classify, confirmed, names

    def __call__(self, titles: list[str]) -> pl.DataFrame:
        return apply_to_labels(self.classify(titles), self.confirmed, self.names)


QUEUE_SCHEMA = {"title": pl.String, "postings": pl.Int64, "occupation_code": pl.String, "occupation_name": pl.String,
                "confidence": pl.Float64}


def _queue(queue: pl.DataFrame) -> pl.DataFrame:
    """The queue as given, or — an engine's queue without any title has no columns — an empty one with them."""
    return queue if queue.width else pl.DataFrame(schema=QUEUE_SCHEMA)


def review_sheet(queue: pl.DataFrame) -> pl.DataFrame:
    """The review queue as a sheet to fill in: its columns plus an empty ``confirmed_code``."""
    return _queue(queue).with_columns(pl.lit(None, dtype=pl.String).alias("confirmed_code"))


def confirmed_table(data_dir: Path, names: Mapping[str, str]) -> pl.DataFrame:
    """The confirmed titles with their codes' names, newest first."""
    path = confirmed_path(data_dir)
    columns = ("title", "occupation_code", "occupation_name", "confirmed_at", "source")
    if not path.is_file():
        return pl.DataFrame(schema=dict.fromkeys(columns, pl.String))
    frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    named = frame.with_columns(pl.col("occupation_code").replace_strict(dict(names), default=None,
                                                                        return_dtype=pl.String).alias("occupation_name"))
    return named.select(columns).sort(["confirmed_at", "title"], descending=[True, False])


REVIEW_QUEUE_FILE = Path("postings") / "review_queue.parquet"


def save_review_queue(data_dir: Path, queue: pl.DataFrame, *, source: str) -> Path:
    """Keep the review queue of the postings just loaded (``silian postings import --load``) for the web review
    page; the next load replaces it, as it replaces the demand."""
    path = Path(data_dir) / REVIEW_QUEUE_FILE
    meta = {"source": source, "saved_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M")}
    _write_atomically(path, lambda temporary: _queue(queue).write_parquet(temporary, metadata=meta))
    return path


def pending_review(data_dir: Path, confirmed: Mapping[str, str]) -> tuple[pl.DataFrame, dict[str, str]]:
    """The saved review queue without the titles confirmed since (most postings first), and where it came from;
    an empty queue when no postings were loaded."""
    path = Path(data_dir) / REVIEW_QUEUE_FILE
    empty = _queue(pl.DataFrame())
    if not path.is_file():
        return empty, {}
    try:
        queue, meta = pl.read_parquet(path), pl.read_parquet_metadata(path)
    except (OSError, pl.exceptions.ComputeError):
        return empty, {}
    return queue.filter(~_keys(queue["title"]).is_in(list(confirmed))), meta
