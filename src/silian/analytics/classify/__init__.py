"""Occupation classification of job-posting titles (职业分类大典 2022): features, estimator, evaluation.

Pure: takes titles, labels and the classification as a table; the packaged data and the default model
live in ``silian.services.postings.classifier``. Method card: ``docs/methods/occupation_classifier.md``.
"""

from silian.analytics.classify.evaluate import calibration_table, cross_validate, hierarchical_accuracy
from silian.analytics.classify.model import OccupationClassifier, TopK
from silian.analytics.classify.reference import (
    LEVEL_NAMES,
    OccupationReference,
    code_prefix,
    label_depth,
    pad_code,
    strip_marker,
)

__all__ = [
    "LEVEL_NAMES",
    "OccupationClassifier",
    "OccupationReference",
    "TopK",
    "calibration_table",
    "code_prefix",
    "cross_validate",
    "hierarchical_accuracy",
    "label_depth",
    "pad_code",
    "strip_marker",
]
