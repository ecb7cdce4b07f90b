"""Matching students to seats: hand-solved cases, stability checked directly, the `matching` package's
resident-optimal HospitalResident solution as reference, the weights variant against brute force, and the
file checks of ``silian match`` (messages name the student or position)."""

from __future__ import annotations

import itertools
import json
import random
import warnings
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from matching.games import HospitalResident

from silian.analytics.matching import deferred_acceptance, max_weight_assignment, mutual_pairs
from silian.domain.errors import InvalidInput
from silian.domain.messages import current_lang
from silian.services.planning.seat_matching import (
    dump_match_json,
    match_from_file,
    matching_result,
    read_match_file,
    solve,
)

Lists = list[list[int]]


def _csr(lists: Lists) -> tuple[np.ndarray, np.ndarray]:
    ptr = np.concatenate(([0], np.cumsum([len(x) for x in lists]))).astype(np.int64)
    return ptr, np.array([v for x in lists for v in x], dtype=np.int64)


def _da(students: Lists, positions: Lists, caps: list[int], sequential_below: int | None = None) -> list[int]:
    return deferred_acceptance(*_csr(students), *_csr(positions), caps, sequential_below=sequential_below).tolist()


def _random_market(rng: random.Random, n: int, p: int, max_cap: int = 3) -> tuple[Lists, Lists, list[int]]:
    """Random lists: students list random positions; positions list most applicants and some others."""
    students = [rng.sample(range(p), rng.randint(0, p)) for _ in range(n)]
    applicants = defaultdict(list)
    for s, lst in enumerate(students):
        for q in lst:
            applicants[q].append(s)
    positions = []
    for q in range(p):
        listed = [s for s in applicants[q] if rng.random() < 0.85] + rng.sample(range(n), rng.randint(0, min(n, 2)))
        listed = list(dict.fromkeys(listed))
        rng.shuffle(listed)
        positions.append(listed)
    return students, positions, [rng.randint(0, max_cap) for _ in range(p)]


def _check_valid(students: Lists, positions: Lists, caps: list[int], assigned: list[int]) -> None:
    load = defaultdict(int)
    for s, q in enumerate(assigned):
        if q >= 0:
            assert q in students[s] and s in positions[q], f"student {s} seated at {q} without mutual listing"
            load[q] += 1
    assert all(load[q] <= caps[q] for q in range(len(caps))), "capacity exceeded"


def _blocking_pairs(students: Lists, positions: Lists, caps: list[int], assigned: list[int]) -> list[tuple[int, int]]:
    """Pairs (s, p) listed by both who would both rather be together: the definition of instability."""
    rank = [{s: r for r, s in enumerate(lst)} for lst in positions]
    seated = defaultdict(list)
    for s, q in enumerate(assigned):
        if q >= 0:
            seated[q].append(s)
    blocks = []
    for s, lst in enumerate(students):
        for q in lst:  # in s's order: every q before s's own seat is preferred by s
            if q == assigned[s]:
                break
            if s not in rank[q]:
                continue
            worst = max((rank[q][x] for x in seated[q]), default=-1)
            if len(seated[q]) < caps[q] or rank[q][s] < worst:
                blocks.append((s, q))
    return blocks


def _reference(students: Lists, positions: Lists, caps: list[int]) -> list[int]:
    """The `matching` package's resident-optimal HospitalResident solution (clean=True drops one-sided entries).

    Positions without seats are left out: the package removes them only after its other checks and then fails
    on residents whose lists became empty. Leaving them out changes nothing: they can take nobody.
    """
    residents = {f"s{s}": [f"p{q}" for q in lst if caps[q]] for s, lst in enumerate(students)}
    hospitals = {f"p{q}": [f"s{s}" for s in lst] for q, lst in enumerate(positions) if caps[q]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        game = HospitalResident.create_from_dictionaries(residents, hospitals,
                                                         {f"p{q}": c for q, c in enumerate(caps) if c}, clean=True)
        solution = game.solve(optimal="resident")
    assigned = [-1] * len(students)
    for hospital, matched in solution.items():
        for resident in matched:
            assigned[int(resident.name[1:])] = int(hospital.name[1:])
    return assigned


# ---------------------------------------------------------------- hand-solved
def test_hand_solved_displacement() -> None:
    # s1 → p2 (held), s2 → p1 (held), s3 → p1 displaces s2 (p1 prefers s3), s2 has nothing left,
    # s5 → p2 is rejected (p2 holds s1, whom it prefers); s4 lists nothing.
    students = [[1, 0], [0], [0, 1], [], [1]]
    positions = [[2, 0, 1], [0, 2, 4]]
    assert _da(students, positions, [1, 1]) == [1, -1, 0, -1, -1]


def test_student_optimal_not_position_optimal() -> None:
    # two stable matchings: {s0-p0, s1-p1} (students' first choices) and {s0-p1, s1-p0} (positions' first)
    students = [[0, 1], [1, 0]]
    positions = [[1, 0], [0, 1]]
    assert _da(students, positions, [1, 1]) == [0, 1]


def test_capacity_chain_of_rejections() -> None:
    # p0 has 2 seats and ranks s2 > s1 > s0; all three want p0 first, p1 (1 seat) second; p1 ranks s0 > s1.
    students = [[0, 1], [0, 1], [0, 1]]
    positions = [[2, 1, 0], [0, 1]]
    assert _da(students, positions, [2, 1]) == [1, 0, 0]
    assert _da(students, positions, [0, 1]) == [1, -1, -1]  # a position with no seats takes nobody
    assert _da(students, positions, [3, 0]) == [0, 0, 0]


def test_mutual_listing_is_required() -> None:
    # p0 has free seats but does not list s1; p1 lists s0, who never listed p1
    students = [[0], [0, 1]]
    positions = [[0], [0, 1]]
    assert _da(students, positions, [5, 5]) == [0, 1]
    assert _da([[0], [0]], [[0]], [5]) == [0, -1]


def test_mutual_pairs_ranks_and_order() -> None:
    pairs = mutual_pairs(*_csr([[1, 0], [0]]), *_csr([[1], [0, 1]]))
    assert pairs.ptr.tolist() == [0, 1, 2] and pairs.position.tolist() == [1, 0]
    assert pairs.rank.tolist() == [0, 0] and pairs.source.tolist() == [0, 2]


def test_analytics_refuses_repeats_and_bad_arrays() -> None:
    with pytest.raises(ValueError, match="student lists a position twice"):
        _da([[0, 0]], [[0]], [1])
    with pytest.raises(ValueError, match="position lists a student twice"):
        _da([[0]], [[0, 0]], [1])
    with pytest.raises(ValueError, match="capacities"):
        _da([[0]], [[0]], [-1])
    with pytest.raises(ValueError, match="student_choices"):
        _da([[3]], [[0]], [1])
    with pytest.raises(ValueError, match="capacities must be integers"):
        _da([[0]], [[0]], [1.5])


# ---------------------------------------------------------------- random instances
@pytest.mark.parametrize("seed", range(40))
def test_stable_and_equal_to_matching_package(seed: int) -> None:
    rng = random.Random(seed)
    n, p = rng.randint(1, 60), rng.randint(1, 9)
    students, positions, caps = _random_market(rng, n, p)
    assigned = _da(students, positions, caps)
    _check_valid(students, positions, caps, assigned)
    assert _blocking_pairs(students, positions, caps, assigned) == []
    assert assigned == _reference(students, positions, caps)
    # all in parallel rounds, all one proposal at a time, and switching half-way: the same matching
    for below in (0, n + 1, max(n // 4, 1)):
        assert _da(students, positions, caps, sequential_below=below) == assigned


def test_long_chain_of_rejections() -> None:
    """x takes p0 from s0, s0 takes p1 from s1, …: one link per round in parallel; finished one by one."""
    m = 30_000
    students = [[i, i + 1] for i in range(m)] + [[0]]  # s_i lists p_i then p_{i+1}; x (= s_m) lists p0
    positions = [[m, 0]] + [[i - 1, i] for i in range(1, m)] + [[m - 1]]  # p_i prefers s_{i-1} to s_i
    assigned = _da(students, positions, [1] * (m + 1))
    assert assigned == [*range(1, m + 1), 0]


def test_checks_can_fail() -> None:
    """The stability and validity checks above catch a matching that is not stable or not valid."""
    students, positions, caps = [[0, 1], [1, 0]], [[1, 0], [0, 1]], [1, 1]
    assert _blocking_pairs(students, positions, caps, [-1, 1]) == [(0, 0), (0, 1)]  # free seat; preferred
    with pytest.raises(AssertionError, match="capacity"):
        _check_valid(students, positions, caps, [0, 0])
    with pytest.raises(AssertionError, match="mutual"):
        _check_valid([[0]], [[]], [1], [0])


def _all_matchings(students: Lists, positions: Lists, caps: list[int]):  # type: ignore[no-untyped-def]
    options = [[-1] + [q for q in lst if s in positions[q]] for s, lst in enumerate(students)]
    for assigned in itertools.product(*options):
        if all(list(assigned).count(q) <= c for q, c in enumerate(caps)):
            yield list(assigned)


@pytest.mark.parametrize("seed", range(25))
def test_student_optimal_among_all_stable_matchings(seed: int) -> None:
    rng = random.Random(1000 + seed)
    students, positions, caps = _random_market(rng, rng.randint(1, 6), rng.randint(1, 3), max_cap=2)
    ours = _da(students, positions, caps)
    stable = [m for m in _all_matchings(students, positions, caps) if not _blocking_pairs(students, positions, caps, m)]
    assert ours in stable

    def rank(s: int, q: int) -> int:
        return students[s].index(q) if q >= 0 else len(students[s])

    for other in stable:
        assert all(rank(s, ours[s]) <= rank(s, other[s]) for s in range(len(students)))


def test_stable_on_a_larger_market_with_popular_positions() -> None:
    """10,000 students × 500 positions, skewed popularity: many rounds of rejections, still stable."""
    rng = np.random.default_rng(7)
    n, p, k = 10_000, 500, 5
    popularity = rng.lognormal(0, 1, p)
    keys = -rng.gumbel(size=(n, p)).astype(np.float32) - np.log(popularity).astype(np.float32)
    top = np.argpartition(keys, k, axis=1)[:, :k]  # k distinct positions, drawn by popularity (Gumbel top-k)
    choices = np.take_along_axis(top, np.argsort(np.take_along_axis(keys, top, axis=1), axis=1), axis=1)
    students = choices.tolist()
    applicants = defaultdict(list)
    for s, lst in enumerate(students):
        for q in lst:
            applicants[q].append(s)
    merit = rng.random(n)
    positions = [sorted(applicants[q], key=lambda s: -merit[s])[: int(len(applicants[q]) * 0.9)] for q in range(p)]
    caps = rng.integers(0, 30, p).tolist()
    assigned = _da(students, positions, caps)
    _check_valid(students, positions, caps, assigned)
    assert _blocking_pairs(students, positions, caps, assigned) == []
    assert 0.5 * n < sum(q >= 0 for q in assigned) <= sum(caps)


# ---------------------------------------------------------------- weights variant
def _brute_best(students: Lists, positions: Lists, caps: list[int], weight: dict[tuple[int, int], float]) -> float:
    return max(sum(weight[s, q] for s, q in enumerate(m) if q >= 0) for m in _all_matchings(students, positions, caps))


@pytest.mark.parametrize("seed", range(30))
def test_weights_variant_matches_brute_force(seed: int) -> None:
    rng = random.Random(2000 + seed)
    students, positions, caps = _random_market(rng, rng.randint(1, 6), rng.randint(1, 3), max_cap=2)
    mine = [[rng.choice([1, 2, 3, 5.5]) for _ in lst] for lst in students]
    theirs = [[rng.choice([0, 0, 1, 4]) for _ in lst] for lst in positions]
    weight = {}
    for s, lst in enumerate(students):
        for q, score in zip(lst, mine[s], strict=True):
            if s in positions[q]:
                weight[s, q] = score + theirs[q][positions[q].index(s)]
    ptr, flat = _csr(students)
    pos_ptr, pos_flat = _csr(positions)
    assigned = max_weight_assignment(ptr, flat, [v for x in mine for v in x], pos_ptr, pos_flat, caps,
                                     position_scores=[v for x in theirs for v in x]).tolist()
    _check_valid(students, positions, caps, assigned)
    assert sum(weight[s, q] for s, q in enumerate(assigned) if q >= 0) == pytest.approx(
        _brute_best(students, positions, caps, weight))


def test_weights_variant_prefers_total_over_stability() -> None:
    # p0 (1 seat) ranks s0 first; DA gives p0 to s0; s0 barely cares (1 vs 0.9), s1 cares a lot (10 vs -)
    students, positions, caps = [[0, 1], [0]], [[0, 1], [0]], [1, 1]
    assert _da(students, positions, caps) == [0, -1]
    ptr, flat = _csr(students)
    assigned = max_weight_assignment(ptr, flat, [1.0, 0.9, 10.0], *_csr(positions), caps).tolist()
    assert assigned == [1, 0]


def test_weights_variant_refuses_bad_scores_and_huge_problems() -> None:
    ptr, flat = _csr([[0]])
    with pytest.raises(ValueError, match="student_scores"):
        max_weight_assignment(ptr, flat, [0.0], *_csr([[0]]), [1])
    with pytest.raises(ValueError, match="position_scores"):
        max_weight_assignment(ptr, flat, [1.0], *_csr([[0]]), [1], position_scores=[-1.0])
    with pytest.raises(InvalidInput, match="--method da"):
        max_weight_assignment(ptr, flat, [1.0], *_csr([[0]]), [1], max_pairs=0)


# ---------------------------------------------------------------- the file (service)
FILE = {"students": {"s1": ["p2", "p1"], "s2": ["p1"], "s3": ["p1", "p2"], "s4": [], "s5": ["p2"]},
        "positions": {"p1": {"capacity": 2, "preferences": ["s3", "s2", "s1"]},
                      "p2": {"capacity": 1, "preferences": ["s1", "s3", "s5"]},
                      "p3": {"capacity": 0, "preferences": []}}}


def _file(tmp_path: Path, data: object, name: str = "m.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_file_result_order_and_empty_positions(tmp_path: Path) -> None:
    outcome = match_from_file(_file(tmp_path, FILE))
    # students in p1's order (s3 before s2), p3 empty, unmatched in input order
    assert outcome.result == {"matching": {"p1": ["s3", "s2"], "p2": ["s1"], "p3": []}, "unmatched": ["s4", "s5"]}
    assert (outcome.n_students, outcome.n_matched, outcome.n_first_choice, outcome.seats) == (5, 3, 3, 3)
    assert list(json.loads(dump_match_json(outcome.result))["matching"]) == ["p1", "p2", "p3"]
    assert json.loads(dump_match_json(outcome.result)) == outcome.result
    assert json.loads(dump_match_json({"matching": {}, "unmatched": []})) == {"matching": {}, "unmatched": []}


def test_empty_markets(tmp_path: Path) -> None:
    empty = _file(tmp_path, {"students": {}, "positions": {}})
    assert match_from_file(empty).result == match_from_file(empty, "weights").result == {"matching": {}, "unmatched": []}
    idle = _file(tmp_path, {"students": {"a": []}, "positions": {"p": {"capacity": 0, "preferences": ["a"]}}})
    assert match_from_file(idle).result == {"matching": {"p": []}, "unmatched": ["a"]}


def test_weights_file_format(tmp_path: Path) -> None:
    data = {"students": {"a": {"x": 1, "y": 0.9}, "b": {"x": 10}},
            "positions": {"x": {"capacity": 1, "preferences": ["a", "b"]},
                          "y": {"capacity": 2, "scores": {"b": 3, "a": 5}}}}
    path = _file(tmp_path, data)
    assert match_from_file(path, "weights").result == {"matching": {"x": ["b"], "y": ["a"]}, "unmatched": []}
    parsed = read_match_file(path, "weights")
    assert parsed.position_prefs.tolist() == [0, 1, 0, 1]  # y's scores from high to low: a (5), b (3)
    assert matching_result(parsed, solve(parsed, "weights"))["matching"]["y"] == ["a"]


@pytest.mark.parametrize(("change", "words"), [
    (lambda d: d["students"]["s1"].append("p9"), ["s1", "p9", "未知岗位"]),
    (lambda d: d["positions"]["p1"]["preferences"].append("s9"), ["p1", "s9", "未知学生"]),
    (lambda d: d["students"]["s3"].append("p1"), ["s3", "p1", "第 1 和第 3 个志愿"]),
    (lambda d: d["positions"]["p2"]["preferences"].insert(0, "s5"), ["p2", "s5", "第 1 和第 4 位"]),
    (lambda d: d["positions"]["p2"].update(capacity=-1), ["p2", "capacity", "-1", "非负整数"]),
    (lambda d: d["positions"]["p2"].update(capacity=1.5), ["p2", "1.5"]),
    (lambda d: d["positions"]["p2"].update(capacity="2"), ["p2", '"2"']),
    (lambda d: d["positions"]["p2"].update(capacity=True), ["p2", "true"]),
    (lambda d: d["positions"]["p2"].pop("capacity"), ["p2", "缺少“capacity”"]),
    (lambda d: d["positions"]["p2"].update(rank=[]), ["p2", "rank"]),
    (lambda d: d["students"].update(s2="p1"), ["s2", "字符串"]),
    (lambda d: d["students"]["s2"].append(3), ["s2", "第 2 个志愿", "3"]),
    (lambda d: d["students"].update(s2={"p1": 3}), ["s2", "--method weights"]),
    (lambda d: d["positions"].update(p3=[]), ["p3", "列表"]),
    (lambda d: d["positions"]["p3"].update(preferences="s1"), ["p3", "preferences", "字符串"]),
    (lambda d: d["positions"]["p3"].update(preferences=[None]), ["p3", "null"]),
    (lambda d: d.pop("positions"), ["缺少“positions”"]),
    (lambda d: d.update(students=[]), ["students", "列表"]),
    (lambda d: d.update(extra=1), ["extra"]),
])
def test_file_problems_name_the_id(tmp_path: Path, change, words: list[str]) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(json.dumps(FILE))
    change(data)
    with pytest.raises(InvalidInput) as caught:
        read_match_file(_file(tmp_path, data))
    for word in words:
        assert word in caught.value.message, caught.value.message


@pytest.mark.parametrize(("text", "words"), [
    ("", ["空"]),
    ("   \n", ["空"]),
    ('{"students": {"s1": []', ["不是有效的 JSON", "第 1 行"]),
    ('{"students": {"s1": [], "s1": []}, "positions": {}}', ["students", "s1", "不止一次"]),
    ("[1, 2]", ["顶层", "列表"]),
])
def test_unreadable_files(tmp_path: Path, text: str, words: list[str]) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_match_file(_file(tmp_path, text))
    for word in words:
        assert word in caught.value.message, caught.value.message


@pytest.mark.parametrize(("data", "words"), [
    ({"students": {"a": ["x"]}, "positions": {"x": {"capacity": 1, "preferences": ["a"]}}}, ["a", "{岗位编号: 分数}", "da"]),
    ({"students": {"a": {"x": 0}}, "positions": {"x": {"capacity": 1, "preferences": ["a"]}}}, ["a", "x", "正数"]),
    ({"students": {"a": {"x": 1}}, "positions": {"x": {"capacity": 1}}}, ["x", "preferences", "scores"]),
    ({"students": {"a": {"x": 1}}, "positions": {"x": {"capacity": 1, "scores": {"a": -2}}}}, ["x", "a", "-2"]),
    ({"students": {"a": {"x": 1}}, "positions": {"x": {"capacity": 1, "scores": {"b": 1}}}}, ["x", "b", "未知学生"]),
])
def test_weights_file_problems(tmp_path: Path, data: dict, words: list[str]) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_match_file(_file(tmp_path, data), "weights")
    for word in words:
        assert word in caught.value.message, caught.value.message


def test_messages_in_english_and_missing_file(tmp_path: Path) -> None:
    data = json.loads(json.dumps(FILE))
    data["students"]["s1"].append("p9")
    token = current_lang.set("en")
    try:
        with pytest.raises(InvalidInput, match="Student s1 lists an unknown position: p9"):
            read_match_file(_file(tmp_path, data))
        with pytest.raises(InvalidInput, match="not found"):
            read_match_file(tmp_path / "nope.json")
        with pytest.raises(InvalidInput, match="Unknown matching method: gs"):
            read_match_file(_file(tmp_path, FILE), "gs")
    finally:
        current_lang.reset(token)


def test_gbk_and_bom_files(tmp_path: Path) -> None:
    data = {"students": {"张三": ["数控订单班"]}, "positions": {"数控订单班": {"capacity": 1, "preferences": ["张三"]}}}
    text = json.dumps(data, ensure_ascii=False)
    for encoding in ("gb18030", "utf-8-sig"):
        path = tmp_path / f"{encoding}.json"
        path.write_bytes(text.encode(encoding))
        assert match_from_file(path).result == {"matching": {"数控订单班": ["张三"]}, "unmatched": []}
