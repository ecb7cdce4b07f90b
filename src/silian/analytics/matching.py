"""Matching students to order-class / apprenticeship / internship seats (订单班、学徒制、实习岗位).

Method card: ``docs/methods/matching.md``. Two methods on the same integer-indexed input, both returning
the position index of every student (``-1`` = unmatched):

- :func:`deferred_acceptance` — student-proposing deferred acceptance with capacities (Gale & Shapley 1962;
  Roth 1984): the stable matching that every student likes at least as well as any other stable matching.
- :func:`max_weight_assignment` — the assignment of largest total score when preferences are scores, solved
  as a transportation linear programme (totally unimodular, so the simplex optimum is 0/1) with HiGHS.

Preference lists are given in compressed form (CSR): the choices of student ``s`` are
``student_choices[student_ptr[s]:student_ptr[s + 1]]``, best first; the list of position ``p`` is
``position_prefs[position_ptr[p]:position_ptr[p + 1]]``, best first. A student can only be matched to a
position that lists them and that they list (mutual listing); entries of one side that the other side does not
list are ignored.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import linprog

from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
UNMATCHED = -1
MAX_WEIGHT_PAIRS = 2_000_000

register_messages({
    "matching_too_many_pairs": (
        "按分数求最大权匹配的规模过大：{pairs:,} 个双方互选的组合（上限 {limit:,}）；请改用 --method da，或按地区、专业分批匹配",
        ("The score-based (maximum-weight) matching is too large: {pairs:,} pairs listed by both sides "
         "(limit {limit:,}); use --method da, or match in batches (by region or major)"),
    ),
})


@dataclass(frozen=True)
class MutualPairs:
    """The pairs acceptable to both sides, grouped by student in the student's order (CSR).

    Attributes
    ----------
    ptr : ndarray of int64, shape (n_students + 1,)
        Student ``s``'s pairs are ``ptr[s]:ptr[s + 1]``.
    position : ndarray of int32
        The position of each pair.
    rank : ndarray of int64
        The student's rank in that position's list (0 = the position's first choice).
    source : ndarray of int64
        Index of each pair in the original ``student_choices`` (to carry per-pair data such as scores).
    """

    ptr: IntArray
    position: npt.NDArray[np.int32]
    rank: IntArray
    source: IntArray

    @property
    def student(self) -> IntArray:
        """The student of each pair."""
        return np.repeat(np.arange(self.ptr.size - 1, dtype=np.int64), np.diff(self.ptr))


def _owners(ptr: npt.ArrayLike, name: str) -> IntArray:
    ptr = _integers(ptr, name)
    if ptr.ndim != 1 or ptr.size == 0 or ptr[0] != 0 or np.any(np.diff(ptr) < 0):
        raise ValueError(f"{name} must start at 0 and never decrease")
    return np.repeat(np.arange(ptr.size - 1, dtype=np.int64), np.diff(ptr))


def _integers(values: npt.ArrayLike, name: str) -> IntArray:
    given = np.asarray(values)
    if given.size and not np.issubdtype(given.dtype, np.integer):
        raise ValueError(f"{name} must be integers, not {given.dtype}")
    return given.astype(np.int64, copy=False)


def _indices(values: npt.ArrayLike, size: int, upper: int, name: str) -> IntArray:
    values = _integers(values, name)
    if values.shape != (size,):
        raise ValueError(f"{name} must have {size} entries (the last pointer), not {values.shape}")
    if values.size and (values.min() < 0 or values.max() >= upper):
        raise ValueError(f"{name} must hold indices in [0, {upper})")
    return values


def mutual_pairs(student_ptr: npt.ArrayLike, student_choices: npt.ArrayLike, position_ptr: npt.ArrayLike,
                 position_prefs: npt.ArrayLike) -> MutualPairs:
    """Keep the (student, position) pairs that both list, with the position's rank of the student.

    Parameters
    ----------
    student_ptr, student_choices : array_like of int
        Students' choice lists in CSR form, best first (position indices).
    position_ptr, position_prefs : array_like of int
        Positions' preference lists in CSR form, best first (student indices).

    Returns
    -------
    MutualPairs
        In each student's order. Runs in O(L log L) for L list entries in all (two sorts).

    Raises
    ------
    ValueError
        Malformed arrays, or an entry listed twice in one list.
    """
    stu_owner = _owners(student_ptr, "student_ptr")
    pos_owner = _owners(position_ptr, "position_ptr")
    n_students, n_positions = int(np.asarray(student_ptr).size - 1), int(np.asarray(position_ptr).size - 1)
    choices = _indices(student_choices, stu_owner.size, n_positions, "student_choices")
    prefs = _indices(position_prefs, pos_owner.size, n_students, "position_prefs")
    # both sides' entries as keys position · n_students + student, sorted
    pos_keys = pos_owner * n_students + prefs
    pos_order = np.argsort(pos_keys, kind="stable")  # already grouped by position: nearly sorted
    pos_keys = pos_keys[pos_order]
    stu_order = _stable_order(choices, n_positions)  # students are ascending already: order by position
    stu_keys = choices[stu_order] * n_students + stu_owner[stu_order]
    _refuse_repeats(pos_keys, "a position lists a student twice")
    _refuse_repeats(stu_keys, "a student lists a position twice")
    at = np.minimum(np.searchsorted(pos_keys, stu_keys), max(pos_keys.size - 1, 0))
    found = np.zeros(stu_keys.size, dtype=bool)
    rank = np.zeros(stu_keys.size, dtype=np.int64)
    if pos_keys.size:
        found[stu_order] = pos_keys[at] == stu_keys
        rank[stu_order] = pos_order[at] - np.asarray(position_ptr, dtype=np.int64)[stu_keys // max(n_students, 1)]
    keep = np.flatnonzero(found)
    counts = np.bincount(stu_owner[keep], minlength=n_students)
    ptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    return MutualPairs(ptr=ptr, position=choices[keep].astype(np.int32), rank=rank[keep], source=keep)


def _stable_order(keys: IntArray, n_keys: int) -> IntArray:
    """``argsort(keys, kind="stable")``, as one radix pass when the keys fit in 16 bits (most inputs)."""
    if n_keys <= 1 << 16:
        return np.argsort(keys.astype(np.uint16), kind="stable")
    return np.argsort(keys, kind="stable")


def _refuse_repeats(sorted_keys: IntArray, what: str) -> None:
    if sorted_keys.size > 1 and np.any(sorted_keys[1:] == sorted_keys[:-1]):
        raise ValueError(what)


def _capacities(capacities: npt.ArrayLike, n_positions: int) -> IntArray:
    caps = _integers(capacities, "capacities")
    if caps.shape != (n_positions,) or (caps.size and caps.min() < 0):
        raise ValueError(f"capacities must be {n_positions} non-negative integers")
    return caps


def deferred_acceptance(student_ptr: npt.ArrayLike, student_choices: npt.ArrayLike, position_ptr: npt.ArrayLike,
                        position_prefs: npt.ArrayLike, capacities: npt.ArrayLike, *,
                        sequential_below: int | None = None) -> IntArray:
    """Student-proposing deferred acceptance with capacities: the student-optimal stable matching.

    Parameters
    ----------
    student_ptr, student_choices : array_like of int
        Students' choice lists in CSR form, best first (position indices).
    position_ptr, position_prefs : array_like of int
        Positions' preference lists in CSR form, best first (student indices).
    capacities : array_like of int
        Seats of every position (0 allowed).
    sequential_below : int, optional
        Finish one proposal at a time once fewer students than this are free (default ``n_students // 256``,
        at least 1). The result does not depend on it; only the running time does.

    Returns
    -------
    ndarray of int64, shape (n_students,)
        The position of every student, ``-1`` if unmatched. Stable: no student and position that list each
        other would both rather have each other (the position having a free seat or a worse student); every
        student does at least as well as in any other stable matching. Deterministic.

    Notes
    -----
    Rounds run in parallel (as in the original paper): every free student proposes to the next position on
    their list; each position that received proposals keeps its best ``capacity`` among those it holds and the
    new proposers, and rejects the rest. Each round is a few vectorised passes over the students, so random
    markets (a few dozen rounds) take O(rounds · n_students + L log L) for L list entries. A long chain of
    rejections would need one round per link; so once few students are free the rest runs one proposal at a
    time (McVitie & Wilson 1971) with a heap of holders per position, O(log capacity) per proposal. The order
    of proposals does not change the outcome of deferred acceptance, so both phases give the same matching.
    """
    pairs = mutual_pairs(student_ptr, student_choices, position_ptr, position_prefs)
    caps = _capacities(capacities, np.asarray(position_ptr).size - 1)
    n_students = pairs.ptr.size - 1
    below = max(n_students // 256, 1) if sequential_below is None else sequential_below
    return _propose_until_stable(pairs, caps, below)


def _propose_until_stable(pairs: MutualPairs, caps: IntArray, sequential_below: int) -> IntArray:
    n_students = pairs.ptr.size - 1
    cursor = pairs.ptr[:-1].copy()  # the pair each student is holding or proposing with
    end = pairs.ptr[1:]
    held = np.full(n_students, UNMATCHED, dtype=np.int64)  # index of the pair a position holds
    touched = np.zeros(caps.size, dtype=bool)
    span = int(pairs.rank.max()) + 1 if pairs.rank.size else 1
    proposers = np.flatnonzero(cursor < end)
    while proposers.size >= max(sequential_below, 1):
        offered = pairs.position[cursor[proposers]]
        touched[offered] = True
        holders = np.flatnonzero(held >= 0)
        holders = holders[touched[pairs.position[held[holders]]]]
        touched[offered] = False
        students = np.concatenate((holders, proposers))
        pair = cursor[students]
        position = pairs.position[pair].astype(np.int64)
        order = np.argsort(position * span + pairs.rank[pair])
        students, position = students[order], position[order]
        first = np.flatnonzero(np.concatenate(([True], position[1:] != position[:-1])))
        seat = np.arange(students.size) - np.repeat(first, np.diff(np.append(first, students.size)))
        accepted = seat < caps[position]
        held[students[accepted]] = cursor[students[accepted]]
        rejected = students[~accepted]
        held[rejected] = UNMATCHED
        cursor[rejected] += 1
        proposers = rejected[cursor[rejected] < end[rejected]]
    if proposers.size:
        _propose_one_by_one(pairs, caps, cursor, held, proposers.tolist())
    assigned = np.full(n_students, UNMATCHED, dtype=np.int64)
    matched = held >= 0
    assigned[matched] = pairs.position[held[matched]]
    return assigned


def _propose_one_by_one(pairs: MutualPairs, caps: IntArray, cursor: IntArray, held: IntArray,
                        free: list[int]) -> None:
    """Deferred acceptance one proposal at a time from the current state; updates ``cursor`` and ``held``."""
    holders = np.flatnonzero(held >= 0)
    where = pairs.position[held[holders]]
    order = np.argsort(where, kind="stable")
    holders, bounds = holders[order], np.searchsorted(where[order], np.arange(caps.size + 1))
    heaps: dict[int, list[tuple[int, int]]] = {}  # position → (−rank, student) of its holders, worst on top
    position, rank, end = pairs.position, pairs.rank, pairs.ptr[1:]
    while free:
        student = free.pop()
        at, stop = int(cursor[student]), int(end[student])
        while at < stop:
            p, r = int(position[at]), int(rank[at])
            heap = heaps.get(p)
            if heap is None:
                heap = heaps[p] = [(-int(rank[held[h]]), int(h)) for h in holders[bounds[p]:bounds[p + 1]]]
                heapq.heapify(heap)
            if len(heap) < caps[p]:
                heapq.heappush(heap, (-r, student))
                break
            if heap and -heap[0][0] > r:
                _, loser = heapq.heapreplace(heap, (-r, student))
                held[loser] = UNMATCHED
                cursor[loser] += 1
                free.append(loser)
                break
            at += 1
        cursor[student] = at
        held[student] = at if at < stop else UNMATCHED


def max_weight_assignment(student_ptr: npt.ArrayLike, student_choices: npt.ArrayLike, student_scores: npt.ArrayLike,
                          position_ptr: npt.ArrayLike, position_prefs: npt.ArrayLike, capacities: npt.ArrayLike, *,
                          position_scores: npt.ArrayLike | None = None, max_pairs: int = MAX_WEIGHT_PAIRS) -> IntArray:
    """The assignment of largest total weight, with capacities and mutual listing.

    Parameters
    ----------
    student_ptr, student_choices : array_like of int
        Students' lists in CSR form (position indices); the order does not matter here.
    student_scores : array_like of float
        The student's score of each entry of ``student_choices`` (higher = preferred); finite and positive,
        so seating a student never lowers the total.
    position_ptr, position_prefs : array_like of int
        Positions' lists in CSR form (student indices): whom each position accepts.
    capacities : array_like of int
        Seats of every position.
    position_scores : array_like of float, optional
        The position's score of each entry of ``position_prefs`` (finite, ≥ 0); default 0. The weight of a
        pair is the student's score plus the position's score.
    max_pairs : int
        Refuse (:class:`InvalidInput`) problems with more mutual pairs than this: the solver's time grows
        faster than linearly (about 90 s for 2 million pairs on one core).

    Returns
    -------
    ndarray of int64, shape (n_students,)
        The position of every student, ``-1`` if unmatched: maximises the sum of the weights of the matched
        pairs. Not necessarily stable; maximal (no unmatched student fits a free seat they and the position
        both listed). Among equally good assignments, the one the solver reaches (deterministic).

    Notes
    -----
    The linear programme max Σ w·x subject to Σ_p x_sp ≤ 1 for every student, Σ_s x_sp ≤ capacity_p for
    every position and 0 ≤ x ≤ 1 has the incidence matrix of a bipartite graph, which is totally unimodular,
    so its basic optimal solutions are 0/1: the dual simplex of HiGHS (``scipy.optimize.linprog``,
    ``method="highs-ds"``) returns one, which is the maximum-weight b-matching.
    """
    pairs = mutual_pairs(student_ptr, student_choices, position_ptr, position_prefs)
    caps = _capacities(capacities, np.asarray(position_ptr).size - 1)
    if pairs.position.size > max_pairs:
        raise InvalidInput(t("matching_too_many_pairs", pairs=pairs.position.size, limit=max_pairs))
    weight = _pair_weights(pairs, student_scores, np.asarray(student_choices).size, position_ptr, position_scores)
    return _solve_transport(pairs, weight, caps)


def _pair_weights(pairs: MutualPairs, student_scores: npt.ArrayLike, n_choices: int, position_ptr: npt.ArrayLike,
                  position_scores: npt.ArrayLike | None) -> FloatArray:
    """Student's score plus position's score of every mutual pair."""
    mine = np.asarray(student_scores, dtype=np.float64)
    if mine.shape != (n_choices,) or not np.all(np.isfinite(mine)) or np.any(mine <= 0):
        raise ValueError(f"student_scores must be {n_choices} finite positive numbers")
    weight = mine[pairs.source]
    if position_scores is not None:
        starts = np.asarray(position_ptr, dtype=np.int64)
        theirs = np.asarray(position_scores, dtype=np.float64)
        if theirs.shape != (int(starts[-1]),) or not np.all(np.isfinite(theirs)) or np.any(theirs < 0):
            raise ValueError(f"position_scores must be {int(starts[-1])} finite numbers ≥ 0")
        weight = weight + theirs[starts[pairs.position] + pairs.rank]
    return weight


def _solve_transport(pairs: MutualPairs, w: FloatArray, caps: IntArray) -> IntArray:
    n_students, n_pairs = pairs.ptr.size - 1, pairs.position.size
    assigned = np.full(n_students, UNMATCHED, dtype=np.int64)
    if n_pairs == 0:
        return assigned
    column = np.arange(n_pairs)
    rows = np.concatenate((pairs.student, n_students + pairs.position.astype(np.int64)))
    incidence = sp.csc_array((np.ones(2 * n_pairs), (rows, np.concatenate((column, column)))),
                             shape=(n_students + caps.size, n_pairs))
    bounds = np.concatenate((np.ones(n_students), caps.astype(np.float64)))
    result = linprog(-w, A_ub=incidence, b_ub=bounds, bounds=(0, 1), method="highs-ds")
    if result.status != 0 or np.abs(result.x - np.round(result.x)).max() > 1e-6:
        raise RuntimeError(f"the assignment solver did not return a 0/1 optimum: {result.message}")
    chosen = result.x > 0.5
    assigned[pairs.student[chosen]] = pairs.position[chosen]
    return assigned
