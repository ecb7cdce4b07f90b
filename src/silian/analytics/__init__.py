"""Pure analytics over numpy arrays and polars frames: coupling coordination, entropy weights, TOPSIS,
grey relational analysis, obstacle degrees and supply–demand mismatch. One method card per index lives in
``docs/methods/``; the published test vectors are checked in ``tests/unit/analytics/``."""

from silian.analytics.coupling import (
    COORDINATION_LEVELS,
    CoordinationLevel,
    CouplingResult,
    coordination_level,
    coordination_levels,
    coupling_coordination,
    lag_descriptions,
    lag_pairs,
)
from silian.analytics.entropy import EntropyResult, entropy_weights
from silian.analytics.grey import GreyResult, grey_relational
from silian.analytics.mismatch import (
    DeviationResult,
    dissimilarity_index,
    sahin_mismatch_index,
    structural_deviation,
)
from silian.analytics.obstacle import ObstacleResult, obstacle_degree
from silian.analytics.topsis import TopsisResult, topsis

__all__ = [
    "COORDINATION_LEVELS",
    "CoordinationLevel",
    "CouplingResult",
    "DeviationResult",
    "EntropyResult",
    "GreyResult",
    "ObstacleResult",
    "TopsisResult",
    "coordination_level",
    "coordination_levels",
    "coupling_coordination",
    "dissimilarity_index",
    "entropy_weights",
    "grey_relational",
    "lag_descriptions",
    "lag_pairs",
    "obstacle_degree",
    "sahin_mismatch_index",
    "structural_deviation",
    "topsis",
]
