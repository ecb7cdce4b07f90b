"""Domain exceptions: mapped in one place to CLI messages (and later HTTP responses)."""

from __future__ import annotations

from dataclasses import dataclass, field

from silian.domain.messages import register_messages, t

register_messages({
    "db_busy": ("数据库正忙：另一个导入或写入正在进行（已等待 {seconds} 秒）。没有做任何修改，请稍后重试。",
                ("The database is busy: another import or write is in progress (waited {seconds} s). Nothing was "
                "changed; please try again shortly.")),
})


class SilianError(Exception):
    """Base of all errors a user may see; ``message`` is already in the user's language."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(SilianError):
    exit_code = 4


class InvalidInput(SilianError):
    exit_code = 2


class PermissionDenied(SilianError):
    exit_code = 5


class DatabaseBusy(SilianError):
    """Another connection held the database's write lock for longer than the wait allowed (SQLite has one writer
    at a time); the write was rolled back. ``retry_after``: seconds worth waiting before trying again."""

    exit_code = 7
    retry_after = 5

    def __init__(self, waited_seconds: float):
        super().__init__(t("db_busy", seconds=f"{waited_seconds:g}"))
        self.waited_seconds = waited_seconds


@dataclass(frozen=True)
class RowProblem:
    """One problem in an imported file: where it is, what is wrong and how to fix it."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str
    fix: str

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
            "fix": self.fix,
        }


@dataclass
class ImportRejected(SilianError):
    """A whole file rejected; nothing was written. ``problems`` lists every problem found."""

    message: str
    problems: list[RowProblem] = field(default_factory=list)
    truncated: bool = False
    exit_code = 3

    def __post_init__(self) -> None:
        Exception.__init__(self, self.message)
