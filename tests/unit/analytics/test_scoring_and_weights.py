"""Fixed-benchmark and min–max scores, the entropy weights' variation threshold, AHP with Saaty's consistency check,
combined weights, and the indicator file's benchmarks and weight schemes — on hand-checkable numbers."""

from __future__ import annotations

import numpy as np
import pytest

from silian.analytics.entropy import coefficient_of_variation, entropy_weights
from silian.analytics.scoring import benchmark_scores, check_normalisation, minmax_scores
from silian.analytics.weighting import ahp_weights, combined_weights
from silian.domain.errors import InvalidInput
from silian.domain.indicators import build_system
from silian.services.indicator_weights import chain_weights

CHAINS = ("education", "talent", "industry", "innovation")


def test_benchmark_scores_by_hand_both_directions_and_clipped() -> None:
    X = np.array([[30.0, 16.8], [40.0, 30.0], [60.0, 45.0], [20.0, 20.0]])
    z = benchmark_scores(X, floors=[30, 40], targets=[50, 20])  # + (双师型 30 → 50), − (生师比 40 → 20)
    assert z[:, 0].tolist() == pytest.approx([0.0, 0.5, 1.0, 0.0])
    assert z[:, 1].tolist() == pytest.approx([1.0, 0.5, 0.0, 1.0])  # 16.8 : 1 is inside the standard: full score


def test_a_benchmark_score_does_not_depend_on_the_other_rows() -> None:
    """The artefact the issue describes: min–max over a window gives the window's worst row 0 and rescores every row
    when a row is added; a fixed benchmark does neither."""
    years = np.array([[24.1], [24.2], [24.3]])
    more = np.vstack([years, [[25.0]]])
    fixed = benchmark_scores(years, [0.0], [26.2])
    assert benchmark_scores(more, [0.0], [26.2])[:3].tolist() == fixed.tolist()
    assert fixed.min() > 0.9
    window = minmax_scores(years, rescale=0.0)
    assert window[0, 0] == 0.0 and minmax_scores(more, rescale=0.0)[1, 0] != window[1, 0]


def test_minmax_scores_rescale_reference_and_constant_columns() -> None:
    X = np.array([[1.0, 5.0, 2.0], [3.0, 5.0, 4.0]])
    z = minmax_scores(X, ["+", "+", "-"], rescale=0.01)
    assert z[:, 0].tolist() == pytest.approx([0.01, 0.99])
    assert z[:, 1].tolist() == [0.5, 0.5]                      # constant: says nothing either way
    assert z[:, 2].tolist() == pytest.approx([0.99, 0.01])
    panel = np.array([[0.0, 5.0, 0.0], [4.0, 6.0, 8.0]])
    against = minmax_scores(X, ["+", "+", "-"], reference=panel, rescale=0.0)
    assert against[:, 0].tolist() == pytest.approx([0.25, 0.75]) and against[:, 2].tolist() == pytest.approx([0.75, 0.5])


def test_scoring_errors_name_the_problem() -> None:
    with pytest.raises(InvalidInput, match="x2"):
        benchmark_scores(np.ones((2, 2)), [0, 1], [1, 1])
    with pytest.raises(InvalidInput, match="benchmark"):
        check_normalisation("zscore")
    with pytest.raises(InvalidInput, match="0.5"):
        minmax_scores(np.ones((2, 1)), rescale=0.5)


def test_entropy_gives_no_weight_to_a_near_constant_indicator() -> None:
    """生师比 16.709 → 16.772 (0.37 %) against two indicators moving 10–20 %: without the threshold min–max stretches
    the tiny series to [0, 1] and it takes the largest weight; with CV below 1 % it gets 0 and a warning."""
    ratio = [16.709, 16.725, 16.754, 16.772, 16.765, 16.763]
    funding = [8678.0, 9171.0, 9749.0, 10313.0, 10798.0, 11433.0]
    dual = [51.3, 53.2, 55.0, 56.8, 58.4, 59.9]
    X = np.column_stack([ratio, funding, dual])
    loose = entropy_weights(X, ["-", "+", "+"])
    assert loose.weights_[0] == max(loose.weights_)
    strict = entropy_weights(X, ["-", "+", "+"], min_cv=0.01, names=["生师比", "生均拨款", "双师型"])
    assert strict.weights_[0] == 0.0 and strict.weights_.sum() == pytest.approx(1.0)
    assert strict.no_variation_.tolist() == [True, False, False]
    assert any("生师比" in w and "0.14%" in w and "1.00%" in w for w in strict.warnings)
    assert coefficient_of_variation(X)[0] == pytest.approx(np.std(ratio) / np.mean(ratio))


def test_ahp_recovers_consistent_weights_with_cr_zero() -> None:
    w = np.array([0.5, 0.3, 0.2])
    result = ahp_weights(w[:, None] / w[None, :])
    assert result.weights_ == pytest.approx(w) and result.lambda_max_ == pytest.approx(3.0) and result.cr_ == pytest.approx(0, abs=1e-9)


def test_ahp_saaty_example_and_its_consistency_ratio() -> None:
    A = [[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]]
    result = ahp_weights(A)
    assert result.weights_ == pytest.approx([0.637, 0.258, 0.105], abs=1e-3)
    assert result.lambda_max_ == pytest.approx(3.0385, abs=1e-4)
    assert result.ci_ == pytest.approx((result.lambda_max_ - 3) / 2) and result.ri_ == 0.58
    assert result.cr_ == pytest.approx(0.0332, abs=1e-3)


@pytest.mark.parametrize(("matrix", "words"), [
    ([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]], ["[weights.ahp.education]", "CR", "≥ 0.10"]),
    ([[1, 2], [2, 1]], ["[weights.ahp.education]", "互反"]),
    ([[1, 2, 3], [0.5, 1, 0]], ["[weights.ahp.education]", "n × n"]),
    ([[1, -2], [-0.5, 1]], ["[weights.ahp.education]", "正数"]),
])
def test_ahp_errors_name_the_matrix(matrix: list[list[float]], words: list[str]) -> None:
    with pytest.raises(InvalidInput) as err:
        ahp_weights(matrix, name="[weights.ahp.education]")
    assert all(w in err.value.message for w in words), err.value.message


def test_combined_weights_are_a_normalised_linear_mix() -> None:
    assert combined_weights([1, 1, 2], [0.0, 0.5, 0.5], 0.5).tolist() == pytest.approx([0.125, 0.375, 0.5])
    with pytest.raises(InvalidInput):
        combined_weights([1, 1], [1, 1], 1.5)


def _system(extra: dict[str, object] | None = None, **indicator: object) -> dict[str, object]:
    raw: dict[str, object] = {"indicators": [
        {"key": f"{c}_{k}", "chain": c, "formula": "count(major_points)",
         "benchmark": {"floor": 0, "target": 10, "kind": "expert", "source": "test"}, **indicator}
        for c in CHAINS for k in ("a", "b", "c")]}
    raw.update(extra or {})
    return raw


def test_the_indicator_file_carries_benchmarks_per_level() -> None:
    raw = _system()
    raw["indicators"][0]["benchmark"]["county"] = {"floor": 1, "target": 5, "source": "county scale"}  # type: ignore[index]
    spec = build_system(raw).indicators[0]
    assert (spec.benchmark.floor, spec.benchmark.target) == (0, 10)  # type: ignore[union-attr]
    county = spec.benchmark_for("county")
    assert (county.floor, county.target, county.kind, county.source) == (1, 5, "expert", "county scale")  # type: ignore[union-attr]
    assert spec.benchmark_for("city") == spec.benchmark


@pytest.mark.parametrize(("benchmark", "words"), [
    ({"floor": 10, "target": 0, "kind": "expert", "source": "x"}, ["education_a", "target > floor"]),
    ({"floor": 0, "target": 10, "kind": "guess", "source": "x"}, ["education_a", "kind"]),
    ({"floor": 0, "target": 10, "kind": "expert"}, ["education_a", "source"]),
    ({"floor": "low", "target": 10, "kind": "expert", "source": "x"}, ["education_a", "floor"]),
])
def test_a_wrong_benchmark_is_an_error_naming_the_indicator(benchmark: dict[str, object], words: list[str]) -> None:
    raw = _system()
    raw["indicators"][0]["benchmark"] = benchmark  # type: ignore[index]
    with pytest.raises(InvalidInput) as err:
        build_system(raw)
    assert all(w in err.value.message for w in words), err.value.message


def test_fixed_weights_equal_expert_and_ahp_and_the_cr_check() -> None:
    by_chain = {c: [s for s in build_system(_system()).indicators if s.chain == c] for c in CHAINS}
    panel = {c: np.ones((1, 3)) for c in CHAINS}
    equal = chain_weights(build_system(_system()), by_chain, panel)
    assert equal.weights["education"].tolist() == pytest.approx([1 / 3] * 3) and "等权" in equal.description
    raw = _system({"weights": {"scheme": "expert"}})
    for item, weight in zip(raw["indicators"], [1.0, 1.0, 2.0] * 4, strict=True):  # type: ignore[arg-type]
        item["weight"] = weight
    expert = build_system(raw)
    expert_chains = {c: [s for s in expert.indicators if s.chain == c] for c in CHAINS}
    assert chain_weights(expert, expert_chains, panel).weights["talent"].tolist() == pytest.approx([0.25, 0.25, 0.5])
    with pytest.raises(InvalidInput, match="education_a"):
        build_system(_system({"weights": {"scheme": "expert"}}))
    matrices = {c: {"indicators": [f"{c}_a", f"{c}_b", f"{c}_c"], "matrix": [[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]]}
                for c in CHAINS}
    ahp = build_system(_system({"weights": {"scheme": "ahp", "ahp": matrices}}))
    result = chain_weights(ahp, by_chain, panel)
    assert result.weights["industry"].tolist() == pytest.approx([0.637, 0.258, 0.105], abs=1e-3)
    assert "0.033" in result.description
    matrices["innovation"]["matrix"] = [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]
    bad = build_system(_system({"weights": {"scheme": "ahp", "ahp": matrices}}))
    with pytest.raises(InvalidInput, match=r"\[weights\.ahp\.innovation\]"):
        chain_weights(bad, by_chain, panel)


def test_entropy_and_combined_weighting_say_what_they_did() -> None:
    system = build_system(_system())
    by_chain = {c: [s for s in system.indicators if s.chain == c] for c in CHAINS}
    rng = np.random.default_rng(7)
    panel = {c: np.column_stack([16.7 + rng.normal(0, 0.01, 8), 100 + rng.normal(0, 20, 8), 50 + rng.normal(0, 9, 8)])
             for c in CHAINS}
    entropy = chain_weights(system, by_chain, panel, weighting="entropy", min_cv=0.01)
    assert entropy.weights["education"][0] == 0.0 and "education_a" in entropy.zeroed
    assert "熵权" in entropy.description and "1%" in entropy.description
    combined = chain_weights(system, by_chain, panel, weighting="combined", alpha=0.5)
    assert combined.weights["education"][0] == pytest.approx(0.5 / 3)
    with pytest.raises(InvalidInput, match="fixed"):
        chain_weights(system, by_chain, panel, weighting="magic")


def test_an_inconsistent_ahp_file_is_refused_when_loaded(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from silian.services.config import default_config_text, indicator_system
    from silian.settings import Settings

    text = default_config_text("indicators.toml").replace('scheme = "equal"', 'scheme = "ahp"')
    keys = {c: [line.split('"')[1] for line in text.splitlines() if line.startswith(f'key = "{c[:3]}')] for c in CHAINS}
    for chain, own in keys.items():
        n = len(own)
        good = [[1.0] * n for _ in range(n)]
        bad = [[1.0, 9.0, 1 / 9, *[1.0] * (n - 3)], [1 / 9, 1.0, 9.0, *[1.0] * (n - 3)], [9.0, 1 / 9, 1.0, *[1.0] * (n - 3)],
               *[[1.0] * n for _ in range(n - 3)]]
        matrix = bad if chain == "talent" else good
        text += f"\n[weights.ahp.{chain}]\nindicators = {own!r}\nmatrix = {matrix!r}\n".replace("'", '"')
    path = tmp_path / "ahp.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as err:
        indicator_system(Settings(indicators_file=path))
    assert "ahp.toml [weights.ahp.talent]" in err.value.message and "CR" in err.value.message
