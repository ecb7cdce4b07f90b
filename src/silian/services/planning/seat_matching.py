"""Matching students to seats from a JSON file (``silian match``): read and check (in
:mod:`silian.ingest.matching.check`), solve, write the result.

DA file (``--method da``)::

    {"students": {"s1": ["p2", "p1"], ...},
     "positions": {"p1": {"capacity": 2, "preferences": ["s3", "s1"]}, ...}}

Weights file (``--method weights``): students give scores (higher = preferred, positive) instead of ranks;
a position gives either ``preferences`` (whom it accepts, score 0) or ``scores`` (``{"s3": 8, ...}``, ≥ 0)::

    {"students": {"s1": {"p2": 9, "p1": 7.5}, ...},
     "positions": {"p1": {"capacity": 2, "scores": {"s3": 8, "s1": 6}}, ...}}

Result: ``{"matching": {"p1": ["s1", "s3"], ...}, "unmatched": ["s7", ...]}`` — positions in input order, each
position's students in the position's order (its ``preferences``, or its ``scores`` from high to low), the
unmatched students in input order. Every problem raises :class:`InvalidInput` naming the student or position.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from silian.analytics.matching import deferred_acceptance, max_weight_assignment
from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t
from silian.ingest.matching.check import METHODS, IntArray, MatchInput, read_match_bytes, read_match_file

__all__ = ["METHODS", "MatchInput", "MatchOutcome", "dump_match_json", "match_from_bytes", "match_from_file",
           "matching_result", "outcome_of", "read_match_bytes", "read_match_file", "solve", "write_match_file"]

register_messages({
    "match_cannot_write": ("无法写入 {path}：{detail}", "Cannot write {path}: {detail}"),
})


@dataclass
class MatchOutcome:
    """The result in the file contract (``result``) and counts for a summary line."""

    result: dict[str, Any]
    method: str
    n_students: int
    n_matched: int
    n_first_choice: int
    seats: int


def solve(data: MatchInput, method: str = "da") -> IntArray:
    """The position index of every student (``-1`` = unmatched) by ``method``."""
    if method == "da":
        return deferred_acceptance(data.student_ptr, data.student_choices, data.position_ptr, data.position_prefs,
                                   data.capacities)
    if method == "weights":
        return max_weight_assignment(data.student_ptr, data.student_choices, data.student_scores, data.position_ptr,  # type: ignore[arg-type]
                                     data.position_prefs, data.capacities, position_scores=data.position_scores)
    raise InvalidInput(t("match_unknown_method", method=method))


def matching_result(data: MatchInput, assigned: IntArray) -> dict[str, Any]:
    """The file contract: positions in input order with students in the position's order; unmatched in input order."""
    owner = np.repeat(np.arange(len(data.positions)), np.diff(data.position_ptr))
    seated = np.flatnonzero(assigned[data.position_prefs] == owner)
    bounds = np.searchsorted(owner[seated], np.arange(len(data.positions) + 1))
    names = [data.students[i] for i in data.position_prefs[seated].tolist()]
    matching = {p: names[bounds[i]:bounds[i + 1]] for i, p in enumerate(data.positions)}
    unmatched = [data.students[i] for i in np.flatnonzero(assigned < 0).tolist()]
    return {"matching": matching, "unmatched": unmatched}


def match_from_file(path: Path | str, method: str = "da") -> MatchOutcome:
    """Read, check and solve ``path``; the result in the file contract and counts for a summary."""
    return outcome_of(read_match_file(path, method), method)


def match_from_bytes(raw: bytes, method: str = "da", name: str = "request") -> MatchOutcome:
    """As :func:`match_from_file` for the file's content (an upload, a request body); ``name`` names it in errors."""
    return outcome_of(read_match_bytes(raw, method, name), method)


def outcome_of(data: MatchInput, method: str) -> MatchOutcome:
    """Solve checked input by ``method``: the result in the file contract and counts for a summary."""
    assigned = solve(data, method)
    has_choice = np.flatnonzero(np.diff(data.student_ptr) > 0)
    top_choice = data.student_choices[data.student_ptr[has_choice]]
    return MatchOutcome(result=matching_result(data, assigned), method=method, n_students=len(data.students),
                        n_matched=int(np.count_nonzero(assigned >= 0)),
                        n_first_choice=int(np.count_nonzero(assigned[has_choice] == top_choice)),
                        seats=int(data.capacities.sum()))


def dump_match_json(result: dict[str, Any]) -> str:
    """The result as JSON text: one line per position (fast for a million students, easy to read and diff)."""
    dumps = json.dumps
    lines = [f"  {dumps(p, ensure_ascii=False)}: {dumps(s, ensure_ascii=False)}" for p, s in result["matching"].items()]
    body = ",\n".join(lines)
    matching = "{\n" + body + "\n }" if lines else "{}"
    return f'{{\n "matching": {matching},\n "unmatched": {dumps(result["unmatched"], ensure_ascii=False)}\n}}\n'


def write_match_file(result: dict[str, Any], path: Path | str) -> Path:
    """Write the result to ``path`` (UTF-8) through a temporary file, so a failed run leaves no half file."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_text(dump_match_json(result), encoding="utf-8")
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise InvalidInput(t("match_cannot_write", path=path, detail=exc.strerror or exc)) from None
    return path
