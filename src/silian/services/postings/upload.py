"""A postings export uploaded in the browser: kept for its owner until it is imported (or a few hours pass),
its columns auto-mapped (presets and header matching, :func:`silian.ingest.postings.mapping.choose_mapping`),
the mapping changed by a person, a preview of what the pipeline would keep and drop (by reason, with examples),
then imported exactly as ``silian postings import FILE --load`` does (:func:`.importing.import_postings`), audited.

Only the city admin loads posting demand into the hub (it is the region's demand, not one enterprise's).
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import IO, Any

import polars as pl

from silian.domain.access import Principal
from silian.domain.errors import InvalidInput, NotFound, PermissionDenied
from silian.domain.messages import MESSAGES, register_messages, t
from silian.ingest.postings.mapping import ColumnMapping, choose_mapping
from silian.ingest.postings.reader import scan_postings
from silian.services.hub_database import Database
from silian.settings import Settings

UPLOADS = Path("uploads") / "postings"
SUFFIXES = (".csv", ".xlsx")
KEEP_SECONDS = 6 * 3600
CITY_SLOTS = ("city", "city_2", "city_3", "city_4")
# the fields a person maps, in the order the page shows them
FIELDS = ("title", "company", *CITY_SLOTS, "county", "salary", "salary_low", "salary_high", "months", "education",
          "experience", "date", "industry_text", "description", "url", "posting_id")
REQUIRED = ("title",)
SALARY_UNITS = ("", "k", "w")
SAMPLES = 3
EXAMPLES = 5
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")

register_messages(
    {
        "pu_forbidden": ("只有市级管理员可以导入招聘数据", "Only the city admin may import postings"),
        "pu_bad_type": (
            "请上传 .csv（UTF-8、UTF-8-BOM 或 GBK）或 .xlsx 文件：{name}",
            "Upload a .csv (UTF-8, UTF-8 with BOM or GBK) or .xlsx file: {name}",
        ),
        "pu_gone": (
            "找不到这次上传（可能已导入或已过期）：请重新上传文件",
            "This upload is gone (imported or expired): upload the file again",
        ),
        "pu_need_title": (
            "必须指定“岗位名称”对应的列：没有岗位名称就无法判断职业，也就无法计入需求",
            "Choose the column of the job title: without it no posting can be classified or counted",
        ),
        "pu_unknown_column": ("文件中没有列“{column}”", "The file has no column '{column}'"),
        "pu_column_twice": (
            "列“{column}”同时用作“{first}”和“{second}”；每列只能对应一个字段",
            "Column '{column}' is used for both '{first}' and '{second}'; map each column once",
        ),
        "pu_salary_both": (
            "薪资只能二选一：一列薪资文本（如 6-8K·13薪），或“薪资下限/上限”两列数字",
            "Give the salary one way: one text column (such as 6-8K·13薪) or the low/high number columns",
        ),
        "pu_salary_high_alone": (
            "只有“薪资上限”没有“薪资下限”：请同时指定下限列",
            "A salary upper bound without a lower bound: choose the lower-bound column too",
        ),
        "pu_field_title": ("岗位名称", "Job title"),
        "pu_field_company": ("公司名称", "Company"),
        "pu_field_city": ("工作地点", "Place"),
        "pu_field_city_2": ("工作地点（备选 2）", "Place (fallback 2)"),
        "pu_field_city_3": ("工作地点（备选 3）", "Place (fallback 3)"),
        "pu_field_city_4": ("工作地点（备选 4）", "Place (fallback 4)"),
        "pu_field_county": ("区县", "County"),
        "pu_field_salary": ("薪资（文本，如 6-8K·13薪）", "Salary (text such as 6-8K·13薪)"),
        "pu_field_salary_low": ("薪资下限（数字）", "Salary low (number)"),
        "pu_field_salary_high": ("薪资上限（数字）", "Salary high (number)"),
        "pu_field_months": ("每年发薪月数", "Months paid a year"),
        "pu_field_education": ("学历要求", "Education"),
        "pu_field_experience": ("经验要求", "Experience"),
        "pu_field_date": ("发布日期", "Date posted"),
        "pu_field_industry_text": ("行业", "Industry"),
        "pu_field_description": ("岗位描述", "Description"),
        "pu_field_url": ("链接", "Link"),
        "pu_field_posting_id": ("岗位编号", "Posting id"),
        "pu_field_place": ("工作地点", "Place"),
        "pu_field_salary_short": ("薪资", "Salary"),
        "pu_drop_duplicates": (
            "重复发布（同一岗位名称、公司、城市与薪资，合并为一条）",
            "Reposts (same title, company, city and salary: merged into one)",
        ),
        "pu_drop_review": (
            "岗位名称置信度低，进入人工复核队列（复核前不计入需求）",
            "Low-confidence titles: wait in the review queue (not counted until reviewed)",
        ),
        "pu_drop_no_place_or_date": (
            "没有可识别的工作地点或发布日期（无法归入地区或月份）",
            "No recognisable place or date (cannot be put in a region or month)",
        ),
        "pu_reason_line": ("{field}：{reason}", "{field}: {reason}"),
        "pu_reason_empty": ("为空", "empty"),
        "pu_reason_no_number": ("没有数字", "no number"),
        "pu_reason_low_above_high": ("下限高于上限", "low above high"),
        "pu_reason_implausible_amount": ("金额不合理", "implausible amount"),
        "pu_reason_unknown_education": ("无法识别的学历", "unknown education"),
        "pu_reason_unknown_experience": ("无法识别的经验要求", "unknown experience"),
        "pu_reason_province_only": ("只有省份", "province only"),
        "pu_reason_unknown_place": ("无法识别的地点", "unknown place"),
        "pu_reason_impossible_date": ("不存在的日期", "impossible date"),
        "pu_reason_unknown_date": ("无法识别的日期", "unknown date"),
    }
)


@dataclass(frozen=True)
class StoredUpload:
    """An uploaded file waiting for its preview and import; only its owner finds it."""

    token: str
    owner: int
    path: Path

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class FileColumns:
    """The file's columns, a few values of each, and how it was read (encoding or xlsx)."""

    columns: list[str]
    samples: dict[str, list[str]]
    source: str


@dataclass(frozen=True)
class Reason:
    """Why rows are dropped (or kept with a field left empty): the words, how many rows, a few examples."""

    key: str
    label: str
    count: int
    examples: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PostingsPreview:
    """What the import would do with the file as mapped: rows read, kept (counted in demand), dropped by reason,
    and the rows kept with a field that could not be read (by reason)."""

    rows: int
    kept: int
    dropped: list[Reason]
    unreadable: list[Reason]
    demand_records: int
    mapping: ColumnMapping


def require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise PermissionDenied(t("pu_forbidden"))


# ---------------------------------------------------------------- keeping the upload
def _root(settings: Settings) -> Path:
    return Path(settings.data_dir) / UPLOADS


def _safe_name(filename: str) -> str:
    name = Path(filename.replace("\\", "/")).name.strip() or "postings.csv"
    return re.sub(r"[^\w.\-\u4e00-\u9fff（）()]+", "_", name)[-120:]


def store_upload(settings: Settings, principal: Principal, stream: IO[bytes], filename: str) -> StoredUpload:
    """Keep the file for its owner (the city admin) under a new token; older uploads are removed."""
    require_admin(principal)
    name = _safe_name(filename)
    if Path(name).suffix.lower() not in SUFFIXES:
        raise InvalidInput(t("pu_bad_type", name=filename))
    clean_up(settings)
    token = secrets.token_urlsafe(12)
    folder = _root(settings) / str(principal.user_id) / token
    folder.mkdir(parents=True)
    path = folder / name
    with path.open("wb") as out:
        shutil.copyfileobj(stream, out, 1 << 20)
    return StoredUpload(token, int(principal.user_id or 0), path)


def find_upload(settings: Settings, principal: Principal, token: str) -> StoredUpload:
    """The owner's upload ``token`` (NotFound when it is not theirs, imported or expired)."""
    require_admin(principal)
    folder = _root(settings) / str(principal.user_id) / token
    files = [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES] if _TOKEN.match(token) \
        and folder.is_dir() else []
    if not files:
        raise NotFound(t("pu_gone"))
    return StoredUpload(token, int(principal.user_id or 0), files[0])


def remove_upload(upload: StoredUpload) -> None:
    shutil.rmtree(upload.path.parent, ignore_errors=True)


def clean_up(settings: Settings, now: float | None = None) -> int:
    """Remove uploads older than :data:`KEEP_SECONDS`; how many."""
    now = time.time() if now is None else now
    gone = 0
    root = _root(settings)
    for folder in root.glob("*/*") if root.is_dir() else ():
        if folder.is_dir() and now - folder.stat().st_mtime > KEEP_SECONDS:
            shutil.rmtree(folder, ignore_errors=True)
            gone += 1
    return gone


# ---------------------------------------------------------------- the mapping
def file_columns(upload: StoredUpload) -> FileColumns:
    """The file's header and the first non-empty values of each column (InvalidInput when it cannot be read)."""
    with tempfile.TemporaryDirectory(prefix="silian-postings-") as work:  # a GBK file's UTF-8 copy, not beside it
        lazy, source = scan_postings(upload.path, workdir=Path(work))
        head = lazy.head(200).collect()
    samples = {c: [v for v in head[c].drop_nulls().str.strip_chars().unique(maintain_order=True).to_list() if v][:SAMPLES]
               for c in head.columns}
    return FileColumns(list(head.columns), samples, source)


def choices_of(mapping: ColumnMapping) -> dict[str, str]:
    """``{field: column}`` of a mapping ("" for a field left out); the city columns fill the city slots."""
    chosen = {name: getattr(mapping, name) or "" for name in FIELDS if name not in CITY_SLOTS}
    chosen.update({slot: (mapping.city[i] if i < len(mapping.city) else "") for i, slot in enumerate(CITY_SLOTS)})
    return chosen


def auto_choices(columns: list[str]) -> tuple[dict[str, str], str, str]:
    """The automatic mapping as choices, its salary unit and the preset it came from; without a title column
    every field is empty except those header matching finds (the title stays for the person to choose)."""
    try:
        mapping = choose_mapping(columns)
    except InvalidInput:
        return {name: "" for name in FIELDS}, "", ""
    return choices_of(mapping), mapping.salary_unit, mapping.name


def mapping_from_choices(choices: Mapping[str, str], columns: list[str], salary_unit: str = "",
                         name: str = "web") -> tuple[ColumnMapping | None, dict[str, str]]:
    """The mapping a person chose, or None and the problems by field (beside each drop-down on the page)."""
    problems: dict[str, str] = {}
    picked = {f: (choices.get(f) or "").strip() for f in FIELDS}
    seen: dict[str, str] = {}
    for fld, column in picked.items():
        if not column:
            continue
        if column not in columns:
            problems[fld] = t("pu_unknown_column", column=column)
        elif column in seen:
            problems[fld] = t("pu_column_twice", column=column, first=t(f"pu_field_{seen[column]}"),
                              second=t(f"pu_field_{fld}"))
        else:
            seen[column] = fld
    if not picked["title"]:
        problems["title"] = t("pu_need_title")
    if picked["salary"] and (picked["salary_low"] or picked["salary_high"]):
        problems["salary"] = t("pu_salary_both")
    elif picked["salary_high"] and not picked["salary_low"]:
        problems["salary_high"] = t("pu_salary_high_alone")
    if problems:
        return None, problems
    single = {f: (picked[f] or None) for f in FIELDS if f not in CITY_SLOTS and f != "title"}
    cities = tuple(picked[slot] for slot in CITY_SLOTS if picked[slot])
    unit = salary_unit if salary_unit in SALARY_UNITS else ""
    return ColumnMapping(name=name, title=picked["title"], city=cities, salary_unit=unit, **single), {}  # type: ignore[arg-type]


# ---------------------------------------------------------------- preview and import
def _reason_label(reason: str) -> str:
    """``place: province only`` in words: 工作地点：只有省份."""
    fld, _, what = reason.partition(": ")
    key = f"pu_reason_{what.replace(' ', '_')}"
    field_words = t("pu_field_salary_short") if fld == "salary" else t(f"pu_field_{fld}") if fld in (*FIELDS, "place") \
        else fld
    return t("pu_reason_line", field=field_words, reason=t(key) if key in MESSAGES else what)


def _examples(samples: pl.DataFrame, reason: str, mapping: ColumnMapping) -> list[str]:
    """Up to :data:`EXAMPLES` rows with ``reason``: the title and the value that could not be read."""
    if samples.height == 0:
        return []
    hits = samples.filter(pl.col("problems").list.contains(reason)).head(EXAMPLES)
    fld = reason.partition(": ")[0]
    columns = {"salary": [mapping.salary or mapping.salary_low or ""], "place": list(mapping.city) + [mapping.county or ""],
               "education": [mapping.education or ""], "experience": [mapping.experience or ""],
               "date": [mapping.date or ""], "title": [mapping.title]}.get(fld, [])
    out = []
    for title, raw in hits.select("title", "raw").iter_rows():
        record = json.loads(raw) if raw else {}
        value = next((str(record[c]) for c in columns if c and record.get(c) not in (None, "")), "")
        out.append(f"{title or '—'}：{value}" if value else (title or "—"))
    return out


def preview_upload(db: Database, principal: Principal, upload: StoredUpload, mapping: ColumnMapping) -> PostingsPreview:
    """Run the pipeline over the upload as mapped, load nothing; what would be kept and dropped, and why."""
    require_admin(principal)
    from silian.services.postings.classifier import code_names
    from silian.services.postings.confirmed_titles import load_confirmed
    from silian.services.postings.engines import run_pipeline
    from silian.services.postings.local import place_resolver

    result = run_pipeline(upload.path, mapping=mapping, places=place_resolver(db), confirmed=load_confirmed(db, code_names()))
    review = result.review_queue.get_column("title").head(EXAMPLES).to_list() if result.review_queue.height else []
    place_or_date = [r for r in result.problems_by_reason if r.startswith(("place: ", "date: "))]
    per_reason = [_examples(result.problem_samples, r, mapping) for r in place_or_date]
    unplaced = [e for group in zip_longest(*per_reason) for e in group if e][:EXAMPLES]  # some of every reason
    dropped = [Reason("duplicates", t("pu_drop_duplicates"), result.duplicates_removed),
               Reason("review", t("pu_drop_review"), result.review_postings, review),
               Reason("no_place_or_date", t("pu_drop_no_place_or_date"), result.no_place_or_date, unplaced)]
    unreadable = [Reason(r, _reason_label(r), n, _examples(result.problem_samples, r, mapping))
                  for r, n in result.problems_by_reason.items()]
    return PostingsPreview(rows=result.rows, kept=result.classified - result.no_place_or_date, dropped=dropped,
                           unreadable=unreadable, demand_records=result.aggregates.height, mapping=mapping)


def import_upload(db: Database, settings: Settings, principal: Principal, upload: StoredUpload, mapping: ColumnMapping,
                  *, client: str = "") -> dict[str, Any]:
    """Import the upload as mapped into the hub (as ``silian postings import FILE --load``), audit it, forget the
    upload; the import's summary (``rows``, ``postings``, ``loaded``, ``review_postings``, ``notes``, …)."""
    require_admin(principal)
    from silian.services.accounts import write_audit
    from silian.services.postings.classifier import code_names
    from silian.services.postings.confirmed_titles import load_confirmed
    from silian.services.postings.importing import PostingsImport, import_postings

    job = PostingsImport(file=upload.path, mapping=mapping, load=True, confirmed=load_confirmed(db, code_names()))
    _, summary = import_postings(job, settings=settings, database=db)
    with db.begin() as conn:
        write_audit(conn, principal, "postings_import", "demand", upload.name, None,
                    {"file": upload.name, "mapping": {k: v for k, v in choices_of(mapping).items() if v},
                     **{k: summary.get(k) for k in ("rows", "postings", "review_postings", "loaded")}}, client)
    remove_upload(upload)
    return summary
