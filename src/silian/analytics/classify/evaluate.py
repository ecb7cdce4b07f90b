"""Cross-validated accuracy of occupation classifiers at the four levels of the classification.

Scoring: a prediction is right at level ``l`` (1 大类 … 4 细类) when the first ``l`` parts of the predicted
and the expected four-part codes are equal. A label coded only to 小类 (``4-01-02-00``) is therefore matched
exactly only by the prediction ``4-01-02-00``; at the 小类 level any ``4-01-02-xx`` counts. Titles are split
into folds at random (plain shuffled K-fold: a third of the labels occur once, so stratification is not
possible); the classification's own names and aliases are always available to the model.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np
from sklearn.model_selection import KFold

from silian.analytics.classify.reference import LEVEL_NAMES, OccupationReference


class TitleClassifier(Protocol):
    def fit(self, titles: Sequence[str], labels: Sequence[str], *,
            reference: OccupationReference) -> Any: ...

    def predict(self, titles: Sequence[str]) -> np.ndarray: ...


def hierarchical_accuracy(predicted: Sequence[str | None], expected: Sequence[str]) -> dict[str, float]:
    """Share of titles whose prediction matches the expected code on its first 1, 2, 3 and 4 parts."""
    if len(predicted) != len(expected):
        raise ValueError(f"{len(predicted)} predictions for {len(expected)} expected labels")
    pred = [(p or "").split("-") for p in predicted]
    true = [e.split("-") for e in expected]
    n = max(len(true), 1)
    return {name: sum(p[:level] == t[:level] for p, t in zip(pred, true, strict=True)) / n
            for level, name in enumerate(LEVEL_NAMES, start=1)}


def cross_validate(make_model: Callable[[], TitleClassifier], titles: Sequence[str], labels: Sequence[str],
                   reference: OccupationReference, *, folds: int = 5, seed: int = 0,
                   review_threshold: float | None = None) -> dict[str, Any]:
    """Out-of-fold predictions of ``make_model()`` and their accuracy at every level.

    Returns the four accuracies keyed 大类/中类/小类/细类, plus ``n``, ``folds``, ``seed``, ``fit_seconds``
    (mean per fold), ``predicted`` and ``confidence`` (out-of-fold, per title) and, when the model has
    ``predict_top_k`` and ``review_threshold`` is given, the share of titles sent to review and the
    accuracy of those kept and of those sent.
    """
    titles, labels = list(titles), list(labels)
    predicted: list[str | None] = [None] * len(titles)
    confidence = np.full(len(titles), np.nan)
    fit_seconds = []
    for train, test in KFold(folds, shuffle=True, random_state=seed).split(titles):
        model = make_model()
        started = time.perf_counter()
        model.fit([titles[i] for i in train], [labels[i] for i in train], reference=reference)
        fit_seconds.append(time.perf_counter() - started)
        held_out = [titles[i] for i in test]
        if hasattr(model, "predict_top_k"):
            top = model.predict_top_k(held_out, 1)
            guesses, confidence[test] = top.labels[:, 0], top.confidences[:, 0]
        else:
            guesses = model.predict(held_out)
        for i, guess in zip(test, guesses, strict=True):
            predicted[i] = guess
    result: dict[str, Any] = hierarchical_accuracy(predicted, labels)
    result.update(n=len(titles), folds=folds, seed=seed, fit_seconds=float(np.mean(fit_seconds)))
    if review_threshold is not None and not np.isnan(confidence).all():
        result.update(review_summary(predicted, labels, confidence, review_threshold))
    result["predicted"] = predicted
    result["confidence"] = confidence
    return result


def review_summary(predicted: Sequence[str | None], expected: Sequence[str], confidence: np.ndarray,
                   threshold: float) -> dict[str, float]:
    """Share of titles below ``threshold`` (the review queue) and 细类 accuracy on either side of it."""
    right = np.asarray([p == e for p, e in zip(predicted, expected, strict=True)])
    queued = confidence < threshold
    return {
        "review_threshold": threshold,
        "review_share": float(queued.mean()),
        "accepted_accuracy": float(right[~queued].mean()) if (~queued).any() else float("nan"),
        "review_accuracy": float(right[queued].mean()) if queued.any() else float("nan"),
    }


def calibration_table(correct: np.ndarray, confidence: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    """Observed accuracy per confidence bin (equal width on [0, 1])."""
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    return [{"low": float(edges[b]), "high": float(edges[b + 1]), "n": int((which == b).sum()),
             "confidence": float(confidence[which == b].mean()) if (which == b).any() else float("nan"),
             "accuracy": float(correct[which == b].mean()) if (which == b).any() else float("nan")}
            for b in range(bins)]


class CharTfidfBaseline:
    """The plain baseline: character 1–3-gram TF-IDF of the title and a linear SVM (C = 0.5).

    Ignores the classification's names; predicts only labels seen in training.
    """

    def __init__(self, C: float = 0.5):
        self.C = C

    def fit(self, titles: Sequence[str], labels: Sequence[str], *,
            reference: OccupationReference | None = None) -> CharTfidfBaseline:
        """Learn from labelled titles (``reference`` is accepted and ignored)."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        self.vectorizer_ = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        self.svm_ = LinearSVC(C=self.C).fit(self.vectorizer_.fit_transform(titles), list(labels))
        return self

    def predict(self, titles: Sequence[str]) -> np.ndarray:
        """The predicted label per title."""
        return self.svm_.predict(self.vectorizer_.transform(list(titles)))
