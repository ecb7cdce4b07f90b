"""Candidate generation and the features the re-ranker scores, vectorised over a batch of titles.

Two sources propose candidates for each title: the ridge scores over the labels seen in training, and the
similarity of the title to the classification's own names and aliases (every label, seen or not). Each
candidate is then described by the numbers in :data:`FEATURE_NAMES`, which a gradient-boosted tree model
turns into the probability that the candidate is the right label.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FEATURE_NAMES = (
    "ridge_score",      # ridge score of the candidate (NaN: label never seen in training)
    "ridge_margin",     # ridge score minus the title's best ridge score
    "ridge_position",   # position in the ridge list (n_candidates when not proposed by it)
    "name_similarity",  # cosine of the title with the label's names and aliases
    "name_margin",      # that similarity minus the title's best name similarity
    "name_position",    # position in the name list
    "depth",            # 1 大类 … 4: how specific the label is
)


@dataclass
class Evidence:
    """Base scores for a batch of ``n`` titles: ``ridge`` n × classes, ``names`` n × labels.

    ``own_label`` is each training title's own label position (its label counts one title fewer when
    the title is left out), -1 outside training.
    """

    ridge: np.ndarray
    names: np.ndarray
    own_label: np.ndarray


@dataclass
class Proposals:
    """Each source's ``m`` best labels per title (best first) and the merged slots (-1: a repeat)."""

    ridge: np.ndarray
    names: np.ndarray
    slots: np.ndarray


def top_columns(scores: np.ndarray, m: int) -> np.ndarray:
    """Column indices of each row's ``m`` best scores, best first; ties go to the lower column.

    ``m`` passes of ``argmax`` beat a partial sort for the few candidates needed here.
    """
    m = min(m, scores.shape[1])
    work = scores.copy()
    rows = np.arange(scores.shape[0])
    out = np.empty((scores.shape[0], m), dtype=np.int64)
    for j in range(m):
        out[:, j] = best = work.argmax(axis=1)
        work[rows, best] = -np.inf
    return out


def propose(evidence: Evidence, class_label: np.ndarray, m: int) -> Proposals:
    """The sources' proposals; ``slots`` is n × 2m label positions with -1 for a repeat."""
    ridge = class_label[top_columns(evidence.ridge, m)]
    names = top_columns(evidence.names, m)
    slots = np.hstack([ridge, names]).astype(np.int64)
    repeat = (names[:, :, None] == ridge[:, None, :]).any(axis=2)
    slots[:, ridge.shape[1]:][repeat] = -1
    return Proposals(ridge, names, slots)


def _positions(slots: np.ndarray, proposed: np.ndarray) -> np.ndarray:
    """Position of each slot's label in the row's ``proposed`` list (its length when absent)."""
    hit = slots[:, :, None] == proposed[:, None, :]
    return np.where(hit.any(axis=2), hit.argmax(axis=2), proposed.shape[1]).astype(np.float32)


def candidate_features(evidence: Evidence, proposals: Proposals, label_class: np.ndarray,
                       counts: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """n × slots × len(FEATURE_NAMES) features (slots equal to -1 get arbitrary values)."""
    slots = proposals.slots
    n = slots.shape[0]
    safe = np.maximum(slots, 0)
    rows = np.arange(n)[:, None]
    cls = label_class[safe]
    seen = (cls >= 0) & (counts[safe] - (safe == evidence.own_label[:, None]) > 0)
    ridge = np.where(seen, evidence.ridge[rows, np.maximum(cls, 0)], np.nan)
    best_two = -np.partition(-evidence.ridge, 1, axis=1)[:, :2]
    names = evidence.names[rows, safe]
    name_best = evidence.names.max(axis=1, keepdims=True)
    columns = [
        ridge, ridge - best_two[:, :1],
        _positions(slots, proposals.ridge),
        names, names - name_best, _positions(slots, proposals.names),
        depth[safe],
    ]
    return np.stack([np.asarray(c, dtype=np.float32) for c in columns], axis=2)
