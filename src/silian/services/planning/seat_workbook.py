"""Students matched to seats from spreadsheets (the 学生与岗位匹配 page, ``silian match FILE.xlsx``): the workbook
read and checked row by row (:mod:`silian.ingest.matching.workbook`), matched by deferred acceptance (the same
solver as a JSON file), and the result as rows per student and per position for a page and an Excel file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from silian.ingest.matching.template import match_template
from silian.ingest.matching.workbook import MatchWorkbook, read_match_workbook
from silian.services.planning.seat_matching import MatchOutcome, outcome_of

__all__ = ["WorkbookMatch", "match_from_workbook", "match_template"]


@dataclass
class WorkbookMatch:
    """The outcome (the JSON file contract and counts) with the workbook's names, scores and choices."""

    outcome: MatchOutcome
    book: MatchWorkbook

    def student_rows(self) -> list[dict[str, Any]]:
        """One row per student, in the sheet's order: code, name, score, the seat and which choice it was."""
        seat = {s: p for p, students in self.outcome.result["matching"].items() for s in students}
        rows = []
        for student in self.book.data.students:
            position = seat.get(student)
            choices = self.book.choices.get(student, [])
            rows.append({"student": student, "name": self.book.student_names.get(student, ""),
                         "score": self.book.student_scores.get(student), "position": position or "",
                         "position_name": self.book.position_names.get(position or "", ""),
                         "employer": self.book.employers.get(position or "", ""),
                         "choice": choices.index(position) + 1 if position in choices else None,
                         "choices": len(choices)})
        return rows

    def position_rows(self) -> list[dict[str, Any]]:
        """One row per position, in the sheet's order: code, name, employer, seats, matched, left."""
        capacities = dict(zip(self.book.data.positions, self.book.data.capacities.tolist(), strict=True))
        return [{"position": p, "name": self.book.position_names.get(p, ""), "employer": self.book.employers.get(p, ""),
                 "capacity": int(capacities[p]), "matched": len(students), "left": int(capacities[p]) - len(students),
                 "students": students}
                for p, students in self.outcome.result["matching"].items()]


def match_from_workbook(path: Path, positions_path: Path | None = None, *, max_bytes: int, display: str | None = None,
                        positions_display: str | None = None) -> WorkbookMatch:
    """Read, check (every problem at once, :class:`ImportRejected`) and match by deferred acceptance."""
    book = read_match_workbook(path, positions_path, max_bytes=max_bytes, display=display,
                               positions_display=positions_display)
    return WorkbookMatch(outcome_of(book.data, "da"), book)
