"""Job titles confirmed by a reviewer: the answers to the review queue, kept in the hub database (table
``confirmed_titles``) and applied before the model's guess.

The loop: ``silian postings import FILE --out OUT`` writes ``OUT/review_queue.csv`` (the titles whose best code
is more likely wrong than right, most postings first) with an empty column ``confirmed_code``. A reviewer fills
in the 大典 code of each title they can decide (a 细类 such as ``2-02-10-03``, or a coarser code such as
``4-01-02-00`` or ``4-01-02``) and leaves the rest empty; ``silian postings confirm OUT/review_queue.csv`` checks
the whole file (any bad row: nothing is stored, every problem is listed with row, column, value and fix) and
merges it into the table in one transaction. From then on ``silian classify`` and ``silian postings import``
(both engines) give those titles the confirmed code with confidence 1, so their postings are counted in demand
instead of waiting for review. Titles match after the classifier's own cleaning (case, surrounding spaces and
line breaks ignored). The review queue of the postings last loaded is kept in the hub too
(``posting_review_queue``), for the web review page. SQL: :mod:`silian.storage.postings`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from silian.analytics.classify.features import clean_titles
from silian.analytics.classify.reference import label_depth, pad_code
from silian.domain.errors import ImportRejected, InvalidInput, RowProblem
from silian.domain.messages import register_messages, t
from silian.ingest.readers import ROW, read_table_file

if TYPE_CHECKING:
    from silian.storage.database import Database

TITLE_COLUMNS = ("title", "岗位名称", "job_name")
CODE_COLUMNS = ("confirmed_code", "确认职业代码")
MAX_BYTES = 64 * 1024 * 1024
LEVEL_BY_DEPTH = {1: "大类", 2: "中类", 3: "小类", 4: "细类"}
# what Excel makes of a three-part code typed into a General cell (4-01-02 → 2002/4/1, 2002-04-01 00:00:00, 4/1/2002)
_EXCEL_DATE = re.compile(r"^(\d{4}[-/]\d{1,2}[-/]\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2})?)?|\d{1,2}/\d{1,2}/\d{2,4})$")

register_messages(
    {
        "confirm_missing_column": (
            "{path} 中没有{what}列（应为 {wanted} 之一；现有列：{columns}）",
            "{path} has no {what} column (expected one of {wanted}; columns found: {columns})",
        ),
        "confirm_what_title": ("岗位名称", "job-title"),
        "confirm_what_code": ("确认代码", "confirmed-code"),
        "confirm_rejected": (
            "复核文件被拒绝：发现 {count} 个问题，已确认的岗位名称未做任何修改。",
            "Review file rejected: {count} problems found; the confirmed titles were not changed.",
        ),
        "confirm_empty_title": ("岗位名称为空", "the job title is empty"),
        "confirm_empty_title_fix": ("填写岗位名称，或删除这一行", "fill in the job title or delete the row"),
        "confirm_bad_code": ("不是职业分类大典（2022）的代码", "not a code of the 职业分类大典 (2022)"),
        "confirm_bad_code_fix": (
            "填写如 2-02-10-03 的细类代码（或 4-01-02-00、4-01-02 这样的上级代码）；不能确定就留空",
            "write a 细类 code such as 2-02-10-03 (or a coarser one such as 4-01-02-00 or 4-01-02); leave it empty if unsure",
        ),
        "confirm_date_code": (
            "这是一个日期：Excel 把输入的代码（如 4-01-02）当成了日期",
            "this is a date: Excel turned the code typed (such as 4-01-02) into a date",
        ),
        "confirm_date_code_fix": (
            "把这一列设为“文本”后重新输入，或写满四段（如 4-01-02-00，Excel 不会改动）",
            (
                "set the column to Text and type the code again, or write all four part"
                "s (such as 4-01-02-00, which Excel leaves alone)"
            ),
        ),
        "confirm_conflict": (
            "同一岗位名称在第 {first} 行已确认为 {code}",
            "the same title was confirmed as {code} in row {first}",
        ),
        "confirm_conflict_fix": ("同一岗位名称只保留一个代码", "keep one code per title"),
        "confirm_stored_bad": (
            (
                "{path} 中岗位名称“{title}”的代码“{value}”不是职业分类大典（2022）的代码（被手工改过？）；"
                "用 silian postings confirm 重新确认这个岗位名称即可改正"
            ),
            (
                "{path}: the code '{value}' of the title '{title}' is not a 职业分类大典 (2022) code (was it edited "
                "by hand?); confirm the title again with silian postings confirm to correct it"
            ),
        ),
    }
)


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


def confirmed_location(db: Database) -> str:
    """Where the confirmed titles are kept, for messages: the table and the database (password hidden)."""
    from silian.storage.postings import CONFIRMED_TABLE
    return f"{CONFIRMED_TABLE} @ {db.display_url}"


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


def load_confirmed(db: Database, names: Mapping[str, str] | None = None) -> dict[str, str]:
    """``{title key: code}`` of every confirmed title (empty when nothing was confirmed yet, or the database does
    not exist or is not migrated yet: nothing is created). With ``names`` (every valid code), a code edited by hand
    into an unknown one raises InvalidInput naming the title."""
    from silian.storage.postings import read_confirmed
    stored = read_confirmed(db)
    if names is not None:
        for row in stored:
            if row.occupation_code not in names or not row.title_key:
                raise InvalidInput(t("confirm_stored_bad", path=confirmed_location(db), title=row.title,
                                     value=row.occupation_code))
    return {row.title_key: row.occupation_code for row in stored}


def save_confirmed(db: Database, reviewed: ReviewedFile, *, source: str, dry_run: bool = False) -> ConfirmCounts:
    """Merge ``reviewed`` into the confirmed titles (a title confirmed again takes the new code) in one
    transaction: an upsert per title, so simultaneous saves (two admins, ``silian serve --workers N``, a CLI run)
    all arrive. ``dry_run``: count only. The database must be migrated (``ensure_schema``) unless ``dry_run``."""
    from silian.storage.postings import ConfirmedTitle, merge_confirmed, state_ready
    now = datetime.now(UTC).replace(microsecond=0)
    new_rows: dict[str, ConfirmedTitle] = {}
    for item in reviewed.confirmations:
        key = title_key(item.title)
        new_rows[key] = ConfirmedTitle(key, item.title, item.code, now, source)
    if dry_run and not state_ready(db):  # nothing stored yet, and a dry run creates nothing
        stored, total = {}, len(new_rows)  # type: ignore[var-annotated]
    else:
        stored, total = merge_confirmed(db, list(new_rows.values()), dry_run=dry_run)
    added = sum(key not in stored for key in new_rows)
    changed = sum(key in stored and stored[key] != row.occupation_code for key, row in new_rows.items())
    unchanged = len(new_rows) - added - changed
    return ConfirmCounts(added, changed, unchanged, total, reviewed.undecided)


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


def confirmed_table(db: Database, names: Mapping[str, str]) -> pl.DataFrame:
    """The confirmed titles with their codes' names, newest first (``confirmed_at`` as ISO text in UTC)."""
    from silian.storage.postings import read_confirmed
    columns = ("title", "occupation_code", "occupation_name", "confirmed_at", "source")
    rows = [(r.title, r.occupation_code, names.get(r.occupation_code), r.confirmed_at.isoformat(timespec="seconds"), r.source)
            for r in read_confirmed(db)]
    frame = pl.DataFrame(rows, schema=dict.fromkeys(columns, pl.String), orient="row")
    return frame.sort(["confirmed_at", "title"], descending=[True, False])


def save_review_queue(db: Database, queue: pl.DataFrame, *, source: str) -> None:
    """Keep the review queue of the postings just loaded (``silian postings import --load``) for the web review
    page; the next load replaces it (one transaction), as it replaces the demand."""
    from silian.storage.postings import REVIEW_QUEUE, Snapshot, replace_snapshot
    replace_snapshot(db, REVIEW_QUEUE, Snapshot(_queue(queue), source, datetime.now(UTC)))


def pending_review(db: Database, confirmed: Mapping[str, str]) -> tuple[pl.DataFrame, dict[str, str]]:
    """The saved review queue without the titles confirmed since (most postings first), and where it came from
    (``source``, ``saved_at`` in local time); an empty queue when no postings were loaded."""
    from silian.storage.postings import REVIEW_QUEUE, read_snapshot
    saved = read_snapshot(db, REVIEW_QUEUE)
    if saved is None:
        return _queue(pl.DataFrame()), {}
    queue = _queue(_without_empty_candidates(saved.frame.drop("position")))
    meta = {"source": saved.source, "saved_at": local_minute(saved.saved_at)}
    return queue.filter(~_keys(queue["title"]).is_in(list(confirmed))), meta


def _without_empty_candidates(queue: pl.DataFrame) -> pl.DataFrame:
    """The queue without the candidate columns (``…_2``, ``…_3``) no title has: the table holds three candidates,
    a queue saved with fewer (or an empty queue) reads back as it was saved."""
    empty = [column for rank in ("_2", "_3")
             for group in [[f"occupation_code{rank}", f"occupation_name{rank}", f"confidence{rank}"]]
             if all(queue[c].null_count() == queue.height for c in group) for column in group]
    return queue.drop(empty)


def local_minute(moment: datetime) -> str:
    """A saved moment as the pages show it: local time to the minute."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")
