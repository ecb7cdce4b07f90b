"""Where the postings state lives: in the hub database (confirmed titles, the review queue and the salary
quantiles of the last load; :mod:`silian.storage.postings`). Versions before revision 0004 kept them as files in
the data folder; :func:`import_state_files` takes those in once, right after the schema is upgraded
(``ensure_schema``, ``silian db upgrade``), and renames each file to ``….imported`` so it is never taken twice.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from silian.domain.messages import register_messages, t

if TYPE_CHECKING:
    from silian.settings import Settings
    from silian.storage.database import Database
    from silian.storage.postings import ConfirmedTitle, Snapshot

OLD_CONFIRMED = Path("classify") / "confirmed_titles.csv"
OLD_REVIEW_QUEUE = Path("postings") / "review_queue.parquet"
OLD_SALARY_SUMMARY = Path("postings") / "salary_summary.parquet"
OLD_LOCK = Path("classify") / ".confirmed_titles.lock"
IMPORTED = ".imported"
UNREADABLE = ".unreadable"

register_messages(
    {
        "state_imported": (
            (
                "已把数据目录中的旧文件导入数据库：确认的岗位名称 {confirmed:,} 个，复核队列 {review_queue:,} 行，月薪分位数 "
                "{salary_summary:,} 行"
            ),
            (
                "Imported the old files of the data folder into the database: {confirmed:,} confirmed titles, "
                "{review_queue:,} review-queue rows, {salary_summary:,} salary-quantile rows"
            ),
        ),
    }
)


def old_state_files(data_dir: Path) -> list[Path]:
    """The state files of older versions still waiting in ``data_dir`` (not yet imported)."""
    return [Path(data_dir) / name for name in (OLD_CONFIRMED, OLD_REVIEW_QUEUE, OLD_SALARY_SUMMARY)
            if (Path(data_dir) / name).is_file()]


def import_state_files(db: Database, data_dir: Path) -> dict[str, int]:
    """Import the state files of older versions (``data_dir``) into the migrated tables in one transaction, then
    rename each to ``….imported``. Confirmed titles the table already holds keep their (newer) answer; a saved
    queue or salary summary is not replaced. A queue or summary file that cannot be read is renamed
    ``….unreadable`` (the old readers ignored it too); a confirmed-titles file that cannot be read raises and
    stays where it is, so no confirmation is lost. Returns the rows taken per kind ({} when nothing waited)."""
    from silian.storage.postings import REVIEW_QUEUE, SALARY_SUMMARY, import_old_state, state_ready
    waiting = old_state_files(data_dir)
    if not waiting or not state_ready(db):
        return {}
    data_dir = Path(data_dir)
    confirmed = _old_confirmed(data_dir / OLD_CONFIRMED)
    snapshots, unreadable = {}, []
    for name, path, read in ((REVIEW_QUEUE, data_dir / OLD_REVIEW_QUEUE, _old_queue),
                             (SALARY_SUMMARY, data_dir / OLD_SALARY_SUMMARY, _old_salaries)):
        if path.is_file():
            try:
                snapshots[name] = read(path)
            except (OSError, pl.exceptions.PolarsError):
                unreadable.append(path)
    taken = import_old_state(db, confirmed, snapshots)
    for path in waiting:
        _rename(path, UNREADABLE if path in unreadable else IMPORTED)
    (data_dir / OLD_LOCK).unlink(missing_ok=True)
    return {"confirmed": 0, REVIEW_QUEUE: 0, SALARY_SUMMARY: 0, **taken}


def state_database(settings: Settings, *, write: bool = False) -> Database:
    """The hub database holding the postings state. Writers (``write``) get it migrated, old files imported. Readers
    get it as it is — a database that does not exist yet or is not migrated reads as "nothing stored" and is not
    created — unless old state files wait in the data folder: then it is migrated and they are imported first, so
    no confirmation made with an older version is ever ignored."""
    from silian.services.hub_database import open_database
    db = open_database(settings)
    if write or old_state_files(settings.data_dir):
        if not db.is_current():
            db.upgrade()
        import_state_files(db, settings.data_dir)
    return db


def imported_message(taken: dict[str, int]) -> str:
    return t("state_imported", **taken)  # type: ignore[arg-type]


def _rename(path: Path, suffix: str) -> None:
    try:
        os.replace(path, path.with_name(path.name + suffix))
    except FileNotFoundError:  # another process took it in at the same moment (its rows are kept once: see above)
        pass


def _old_confirmed(path: Path) -> list[ConfirmedTitle]:
    from silian.services.postings.confirmed_titles import title_key
    from silian.storage.postings import ConfirmedTitle as Row
    if not path.is_file():
        return []
    frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    now = datetime.now(UTC).replace(microsecond=0)
    rows: dict[str, Row] = {}
    for row in frame.iter_rows(named=True):
        title, code = (row.get("title") or "").strip(), (row.get("occupation_code") or "").strip()
        key = row.get("title_key") or title_key(title)
        if key and code:
            rows[key] = Row(key, title or key, code, _moment(row.get("confirmed_at"), now), row.get("source") or "")
    return list(rows.values())


def _moment(text: str | None, default: datetime) -> datetime:
    try:
        moment = datetime.fromisoformat(text or "")
    except ValueError:
        return default
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _saved_at(meta: dict[str, str], *, utc: bool) -> datetime:
    """The ``saved_at`` (``%Y-%m-%d %H:%M``) of an old Parquet file: the queue wrote UTC, the salary summary local time."""
    try:
        moment = datetime.strptime(meta.get("saved_at", ""), "%Y-%m-%d %H:%M")
    except ValueError:
        return datetime.now(UTC).replace(microsecond=0)
    return moment.replace(tzinfo=UTC) if utc else moment.astimezone(UTC)


def _old_queue(path: Path) -> Snapshot:
    from silian.storage.postings import Snapshot as Saved
    meta = pl.read_parquet_metadata(path)
    return Saved(pl.read_parquet(path), meta.get("source", ""), _saved_at(meta, utc=True))


def _old_salaries(path: Path) -> Snapshot:
    from silian.storage.postings import Snapshot as Saved
    meta = pl.read_parquet_metadata(path)
    postings = meta.get("postings", "")
    return Saved(pl.read_parquet(path), meta.get("source", ""), _saved_at(meta, utc=False), meta.get("engine") or None,
                    int(postings) if postings.isdigit() else None)
