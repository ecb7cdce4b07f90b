"""Every method card exists, has its sections, names the vectors that check it, and is in the index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
METHODS = ROOT / "docs" / "methods"
VECTORS = json.loads((ROOT / "tests" / "data" / "methods_public.json").read_text(encoding="utf-8"))
CARDS = {
    "coupling.md": ["ccdm_n4_equal_weights", "ccdm_n2_illustrations", "wang2021_consistency_n2"],
    "entropy_weights.md": ["entropy_raw_proportions", "entropy_directions_rescaled"],
    "topsis.md": ["topsis_minmax", "topsis_vector_norm"],
    "grey_relational.md": ["grey_relational"],
    "obstacle_degree.md": [],
    "structural_deviation.md": ["mismatch_and_deviation"],
    "dissimilarity_index.md": ["mismatch_and_deviation"],
    "sahin_mismatch.md": ["mismatch_and_deviation"],
}


@pytest.mark.parametrize(("card", "vectors"), list(CARDS.items()))
def test_card_has_every_section(card: str, vectors: list[str]) -> None:
    text = (METHODS / card).read_text(encoding="utf-8")
    for heading in ("## Formula", "## Inputs", "## Direction", "## Edge cases", "## Reference", "## Test vectors"):
        assert heading in text, f"{card}: {heading}"
    for name in vectors:
        assert name in VECTORS and name in text, f"{card}: {name}"
    assert card in (METHODS / "README.md").read_text(encoding="utf-8")


def test_every_published_vector_is_on_a_card() -> None:
    text = "".join((METHODS / card).read_text(encoding="utf-8") for card in CARDS)
    assert all(name in text for name in VECTORS if not name.startswith("_"))

