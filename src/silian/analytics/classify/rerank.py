"""Candidate generation and the features the re-ranker scores, all vectorised over a batch of titles.

Three sources propose candidates for each title: the ridge scores over the labels seen in training, the
similarity of the title to the classification's own names and aliases (every label, seen or not), and
the labels of the title's nearest labelled titles. Each candidate is then described by a fixed set of
numbers (:data:`FEATURE_NAMES`) that a gradient-boosted tree model turns into the probability that the
candidate is the right label.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FEATURE_NAMES = (
    "ridge_score",        # ridge score of the candidate (NaN: label never seen in training)
    "ridge_margin",       # ridge score minus the title's best ridge score
    "ridge_position",     # position in the ridge list (n_candidates when not proposed by it)
    "name_similarity",    # best cosine of the title with one of the label's names or aliases
    "name_margin",        # that similarity minus the title's best name similarity
    "name_position",      # position in the name list
    "neighbor_best",      # best cosine with a labelled neighbour carrying the label
    "neighbor_vote",      # sum of the cosines of the neighbours carrying the label
    "neighbor_position",  # position in the neighbour-vote list
    "neighbor_top",       # cosine of the title's nearest labelled neighbour (any label)
    "depth",              # 1 大类 … 4: how specific the label is
    "title_length",       # characters in the title
)


@dataclass
class Evidence:
    """Base scores for a batch of ``n`` titles.

    ``ridge`` is n × classes, ``names`` n × labels; ``neighbor_labels``/``neighbor_sims`` n × k (label
    positions and cosines of the k nearest labelled titles, best first); ``own_label`` is the title's own
    label position during training (its count is left out of ``log_count``), else -1.
    """

    ridge: np.ndarray
    names: np.ndarray
    neighbor_labels: np.ndarray
    neighbor_sims: np.ndarray
    title_length: np.ndarray
    own_label: np.ndarray


def _top_columns(scores: np.ndarray, m: int) -> np.ndarray:
    """Column indices of each row's ``m`` best scores, best first; ties go to the lower column."""
    m = min(m, scores.shape[1])
    part = np.argpartition(-scores, m - 1, axis=1)[:, :m]
    vals = np.take_along_axis(scores, part, axis=1)
    order = np.lexsort((part, -vals), axis=1)
    return np.take_along_axis(part, order, axis=1)


def neighbor_votes(labels: np.ndarray, sims: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the ``m`` labels with the largest summed neighbour cosine (-1 pads), and their sums."""
    n, k = labels.shape
    same = labels[:, :, None] == labels[:, None, :]
    votes = (same * sims[:, None, :]).sum(axis=2)
    first = ~np.triu(same, 1).any(axis=1)  # keep the first occurrence of each label
    votes = np.where(first & (sims > 0), votes, -1.0)
    order = np.lexsort((labels, -votes), axis=1)[:, :m]
    top = np.take_along_axis(labels, order, axis=1)
    top_votes = np.take_along_axis(votes, order, axis=1)
    top = np.where(top_votes > 0, top, -1)
    if top.shape[1] < m:
        top = np.hstack([top, np.full((n, m - top.shape[1]), -1, dtype=top.dtype)])
    return top, top_votes


@dataclass
class Proposals:
    """Each source's ``m`` best labels per title (best first, -1 pads) and the merged candidate slots."""

    ridge: np.ndarray
    names: np.ndarray
    votes: np.ndarray
    slots: np.ndarray


def propose(evidence: Evidence, class_label: np.ndarray, m: int) -> Proposals:
    """The three sources' proposals; ``slots`` is n × 3m label positions with -1 for a repeat."""
    ridge = class_label[_top_columns(evidence.ridge, m)]
    names = _top_columns(evidence.names, m)
    votes, _ = neighbor_votes(evidence.neighbor_labels, evidence.neighbor_sims, m)
    slots = np.hstack([ridge, names, votes[:, :m]]).astype(np.int64)
    earlier = (slots[:, :, None] == slots[:, None, :]) & np.tril(np.ones((slots.shape[1],) * 2, bool), -1)
    return Proposals(ridge, names, votes[:, :m], np.where(earlier.any(axis=2) | (slots < 0), -1, slots))


def _positions(slots: np.ndarray, proposed: np.ndarray) -> np.ndarray:
    """Position of each slot's label in the row's ``proposed`` list (its length when absent)."""
    hit = slots[:, :, None] == proposed[:, None, :]
    return np.where(hit.any(axis=2), hit.argmax(axis=2), proposed.shape[1]).astype(np.float32)


def candidate_features(evidence: Evidence, proposals: Proposals, label_class: np.ndarray,
                       counts: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """n × slots × len(FEATURE_NAMES) features (slots equal to -1 get arbitrary values)."""
    slots = proposals.slots
    n, s = slots.shape
    safe = np.maximum(slots, 0)
    rows = np.arange(n)[:, None]
    cls = label_class[safe]
    count = counts[safe] - (safe == evidence.own_label[:, None])
    ridge = np.where((cls >= 0) & (count > 0), evidence.ridge[rows, np.maximum(cls, 0)], np.nan)
    ridge_best = evidence.ridge.max(axis=1, keepdims=True)
    names = evidence.names[rows, safe]
    name_best = evidence.names.max(axis=1, keepdims=True)
    nb_hit = evidence.neighbor_labels[:, None, :] == safe[:, :, None]
    nb_sims = np.where(nb_hit, evidence.neighbor_sims[:, None, :], 0)
    columns = [
        ridge, ridge - ridge_best, _positions(slots, proposals.ridge),
        names, names - name_best, _positions(slots, proposals.names),
        nb_sims.max(axis=2), nb_sims.sum(axis=2), _positions(slots, proposals.votes),
        np.broadcast_to(evidence.neighbor_sims[:, :1], (n, s)),
        depth[safe],
        np.broadcast_to(evidence.title_length[:, None], (n, s)),
    ]
    return np.stack([np.asarray(c, dtype=np.float32) for c in columns], axis=2)
