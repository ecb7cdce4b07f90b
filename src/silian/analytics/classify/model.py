"""Occupation classifier for job-posting titles: 职业分类大典 2022 labels with calibrated confidences.

The estimator has two stages:

1. **Evidence.** Each title becomes a TF-IDF row (:mod:`.features`). Two sources read it: a ridge
   regression of the one-hot labels on the TF-IDF rows (solved in its dual form, so the exact
   leave-one-out scores of the training titles come for free), and the cosine of the title's character
   1–2-grams with every label's names and aliases in the classification.
2. **Re-ranking.** Each source proposes ``n_candidates`` labels; a gradient-boosted tree model
   (scikit-learn ``HistGradientBoostingClassifier``) scores every candidate from the features in
   :data:`.rerank.FEATURE_NAMES`. It is trained on the training titles' leave-one-out evidence, so it
   learns how far to trust each source on titles it has not seen.

A candidate's confidence is its re-ranker probability, divided by the sum over the title's candidates
when that sum exceeds 1. Method card: ``docs/methods/occupation_classifier.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits

from silian.analytics.classify.features import NgramTfidf, l2_normalize_rows
from silian.analytics.classify.reference import LABEL_PATTERN, OccupationReference, label_depth
from silian.analytics.classify.rerank import Evidence, candidate_features, propose

BATCH = 1024
GROUP_MARGIN = 0.05  # a 大类 must outweigh the best candidate's 大类 by this much to come first
DENSE_FEATURES = 8192  # ridge weights kept dense for the most frequent features (8192 × classes float32)


@dataclass
class TopK:
    """The ``k`` best labels per title (None pads) and their confidences (NaN pads)."""

    labels: np.ndarray
    confidences: np.ndarray


class OccupationClassifier:
    """Classify job-posting titles to 职业分类大典 labels (``2-02-10-03``; coarser labels end in ``-00``).

    Parameters
    ----------
    alpha : float
        Ridge penalty of the dual ridge regression.
    coef_density : float
        Share of the ridge weights kept (largest magnitudes).
    n_candidates : int
        Candidates proposed by each of the two sources.
    n_trees, learning_rate, max_leaf_nodes : int, float, int
        Size of the gradient-boosted re-ranker.
    random_state : int
        Seed of the re-ranker (the rest is deterministic).

    Attributes
    ----------
    reference_ : OccupationReference
        Labels that can be predicted, with their names.
    classes_ : numpy.ndarray
        Labels seen in training (the ridge's columns).
    coef_ : scipy.sparse.csr_matrix
        Pruned ridge weights, features × classes (also kept as ``dense_coef_`` for the most frequent
        features and ``sparse_coef_`` for the rest, which is what prediction uses).
    reranker_ : HistGradientBoostingClassifier
        The candidate scorer.
    """

    def __init__(self, alpha: float = 0.3, coef_density: float = 0.03, n_candidates: int = 4, n_trees: int = 40,
                 learning_rate: float = 0.2, max_leaf_nodes: int = 15, random_state: int = 0):
        self.alpha = alpha
        self.coef_density = coef_density
        self.n_candidates = n_candidates
        self.n_trees = n_trees
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.random_state = random_state

    # ------------------------------------------------------------------ fit
    def fit(self, titles: Sequence[str], labels: Sequence[str], *,
            reference: OccupationReference) -> OccupationClassifier:
        """Learn from labelled ``titles``; ``reference`` supplies every label's names and aliases.

        Runs on one thread (BLAS and OpenMP), so that the fitted model is the same on every machine and run.
        """
        with threadpool_limits(limits=1):
            return self._fit(titles, labels, reference)

    def _fit(self, titles: Sequence[str], labels: Sequence[str], reference: OccupationReference) -> OccupationClassifier:
        titles, labels = _check_training(titles, labels)
        missing = sorted(set(labels) - set(reference.labels))
        if missing:
            raise ValueError(f"{len(missing)} training labels are not in the reference (e.g. {missing[:3]}); "
                             "build it with OccupationReference.from_frame(..., extra_labels=labels)")
        self.reference_ = reference
        index = reference.index()
        self._fit_label_tables(labels, index)
        self.title_tfidf_ = NgramTfidf((1, 2, 3), affixes=True).fit(titles)
        train = self.title_tfidf_.transform(titles)
        loo_ridge = self._fit_ridge(train) * _held_out_rescale(train)[:, None]
        alone = self.label_counts_[self.train_label_] == 1  # left out, the title's label is unknown
        loo_ridge[alone, self._class_of_title[alone]] = -np.inf
        self._fit_names()
        own = self.train_label_.astype(np.int64)
        evidence = Evidence(loo_ridge.astype(np.float32), self._name_scores(titles), own)
        feats, slots = self._features(evidence, self.n_candidates)
        valid = slots >= 0
        target = (slots == own[:, None])[valid]
        self.reranker_ = HistGradientBoostingClassifier(
            max_iter=self.n_trees, learning_rate=self.learning_rate, max_leaf_nodes=self.max_leaf_nodes,
            early_stopping=False, random_state=self.random_state,
        ).fit(feats[valid], target.astype(np.int8))
        return self

    def _fit_label_tables(self, labels: list[str], index: dict[str, int]) -> None:
        self.classes_, class_of_title = np.unique(np.asarray(labels, dtype=object), return_inverse=True)
        self.class_label_ = np.asarray([index[c] for c in self.classes_], dtype=np.int64)
        n_labels = len(self.reference_.labels)
        self.label_class_ = np.full(n_labels, -1, dtype=np.int64)
        self.label_class_[self.class_label_] = np.arange(len(self.classes_))
        self.train_label_ = self.class_label_[class_of_title].astype(np.int32)
        self.label_counts_ = np.bincount(self.train_label_, minlength=n_labels).astype(np.float32)
        self.label_depth_ = np.asarray([label_depth(label) for label in self.reference_.labels], dtype=np.float32)
        self.label_major_ = np.asarray([int(label[0]) for label in self.reference_.labels], dtype=np.int64)
        self._class_of_title = class_of_title

    def _fit_ridge(self, train: sp.csr_matrix) -> np.ndarray:
        """Solve the dual ridge (K + αI) A = Y; return the exact leave-one-out scores of the training titles,
        Y − A / diag((K + αI)⁻¹)."""
        n = train.shape[0]
        wide = train.astype(np.float64)
        system = (wide @ wide.T).toarray().T  # symmetric: the transpose is the Fortran-ordered view
        system.flat[::n + 1] += self.alpha
        onehot = np.zeros((n, len(self.classes_)))
        onehot[np.arange(n), self._class_of_title] = 1
        lower, info = sla.lapack.dpotrf(system, lower=1, clean=1, overwrite_a=1)
        if info != 0:  # pragma: no cover - positive definite for alpha > 0
            raise np.linalg.LinAlgError(f"ridge system is not positive definite (info {info})")
        dual, _ = sla.lapack.dpotrs(lower, onehot, lower=1)
        inverse_lower, _ = sla.lapack.dtrtri(lower, lower=1, overwrite_c=1)
        hat_diag = np.einsum("ij,ij->j", inverse_lower, inverse_lower)  # diag of (K + αI)⁻¹
        del lower, inverse_lower, system
        self.coef_ = _prune(np.asarray(train.T @ dual, dtype=np.float32), self.coef_density)
        self._split_coef(np.bincount(train.indices, minlength=train.shape[1]))
        return onehot - dual / hat_diag[:, None]

    def _split_coef(self, df: np.ndarray) -> None:
        """Keep the rows of the most frequent features dense (fast product), the rest sparse (small)."""
        frequent = np.zeros(len(df), dtype=bool)
        frequent[np.argsort(-df, kind="stable")[:DENSE_FEATURES]] = True
        self.frequent_ = frequent
        self.column_in_part_ = (np.cumsum(frequent) - 1) * frequent + (np.cumsum(~frequent) - 1) * ~frequent
        self.dense_coef_ = self.coef_[np.flatnonzero(frequent)].toarray()
        self.sparse_coef_ = self.coef_[np.flatnonzero(~frequent)].tocsr()

    def _ridge_scores(self, rows: sp.csr_matrix) -> np.ndarray:
        """``rows @ coef_``, split by feature frequency: dense product plus sparse product."""
        parts = []
        row_of = np.repeat(np.arange(rows.shape[0]), np.diff(rows.indptr))
        for keep, width in ((self.frequent_, self.dense_coef_.shape[0]), (~self.frequent_, self.sparse_coef_.shape[0])):
            mask = keep[rows.indices]
            indptr = np.concatenate([[0], np.cumsum(np.bincount(row_of[mask], minlength=rows.shape[0]))])
            parts.append(sp.csr_matrix((rows.data[mask], self.column_in_part_[rows.indices[mask]], indptr),
                                       shape=(rows.shape[0], width)))
        return np.asarray(parts[0] @ self.dense_coef_) + (parts[1] @ self.sparse_coef_).toarray()

    def _fit_names(self) -> None:
        """One l2-normalised vector per label: the sum of its names' and aliases' TF-IDF rows."""
        texts = list(self.reference_.texts)
        self.name_tfidf_ = NgramTfidf((1, 2), affixes=False).fit(texts)
        owner = sp.csr_matrix((np.ones(len(texts), dtype=np.float32), (self.reference_.text_label,
                                                                       np.arange(len(texts)))),
                              shape=(len(self.reference_.labels), len(texts)))
        self.name_matrix_ = l2_normalize_rows((owner @ self.name_tfidf_.transform(texts)).tocsr()).T.tocsr()

    # ------------------------------------------------------------------ evidence
    def _name_scores(self, titles: Sequence[str]) -> np.ndarray:
        """n × labels: cosine of each title with each label's names (0 for labels without names)."""
        return (self.name_tfidf_.transform(titles) @ self.name_matrix_).toarray()

    def _evidence(self, titles: Sequence[str]) -> Evidence:
        ridge = self._ridge_scores(self.title_tfidf_.transform(titles))
        return Evidence(ridge, self._name_scores(titles), np.full(len(titles), -1, dtype=np.int64))

    def _features(self, evidence: Evidence, m: int) -> tuple[np.ndarray, np.ndarray]:
        proposals = propose(evidence, self.class_label_, m)
        feats = candidate_features(evidence, proposals, self.label_class_, self.label_counts_, self.label_depth_)
        return feats, proposals.slots

    # ------------------------------------------------------------------ predict
    def candidate_scores(self, titles: Sequence[str], m: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Candidate label positions (n × slots, -1 empty) and their confidences (0 for empty slots)."""
        m = m or self.n_candidates
        titles = _check_titles(titles)
        slots_out, conf_out = [], []
        for start in range(0, len(titles), BATCH):
            chunk = list(titles[start:start + BATCH])
            feats, slots = self._features(self._evidence(chunk), m)
            valid = slots >= 0
            proba = np.zeros(slots.shape, dtype=np.float64)
            if valid.any():
                proba[valid] = self.reranker_.predict_proba(feats[valid])[:, 1]
            proba /= np.maximum(proba.sum(axis=1, keepdims=True), 1.0)
            slots_out.append(slots)
            conf_out.append(proba)
        if not slots_out:
            return np.zeros((0, 2 * m), dtype=np.int64), np.zeros((0, 2 * m))
        return np.vstack(slots_out), np.vstack(conf_out)

    def predict_top_k(self, titles: Sequence[str], k: int = 1) -> TopK:
        """The ``k`` most likely labels per title, best first, with confidences."""
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        slots, conf = self.candidate_scores(titles, max(self.n_candidates, k))
        order = rank_candidates(slots, conf, self.label_major_)[:, :k]
        top = np.take_along_axis(slots, order, axis=1)
        top_conf = np.take_along_axis(conf, order, axis=1)
        labels = np.asarray(self.reference_.labels, dtype=object)
        out = np.where(top >= 0, labels[np.maximum(top, 0)], None)
        return TopK(out, np.where(top >= 0, top_conf, np.nan))  # type: ignore[arg-type]

    def predict(self, titles: Sequence[str]) -> np.ndarray:
        """The most likely label per title."""
        return self.predict_top_k(titles, 1).labels[:, 0]


def rank_candidates(slots: np.ndarray, conf: np.ndarray, major: np.ndarray | None = None) -> np.ndarray:
    """Per row, the slot order, best first; empty slots last.

    Without ``major``: by confidence. With ``major`` (each label's 大类, 1–9 or 0 for none), 大类 first: the
    candidates of the 大类 with the largest summed confidence come first (when that sum beats the best
    candidate's own 大类 by :data:`GROUP_MARGIN`), each group by confidence. Summing
    over a 大类 pools the evidence of near-synonymous labels (营销员, 商品营业员 … all in 大类 4), which picks the
    right 大类 more often than the single best label does (cross-validated: 大类 +1 point, 细类 unchanged;
    method card). Ties keep the proposal order (ridge list first).
    """
    valid = slots >= 0
    score = np.where(valid, conf, -1.0)
    position = np.broadcast_to(np.arange(slots.shape[1]), slots.shape)
    flat = np.lexsort((position, -score), axis=1)
    if major is None or slots.shape[1] == 0:
        return flat
    n, width = slots.shape
    rows = np.repeat(np.arange(n), width)
    groups = np.where(valid, major[np.maximum(slots, 0)], 0)
    mass = np.zeros((n, int(major.max(initial=0)) + 1))
    np.add.at(mass, (rows, groups.ravel()), np.where(valid, conf, 0.0).ravel())
    mass[:, 0] = -1.0  # the empty slots' group never wins
    # the heaviest 大类; on equal mass, the one holding the candidate ranked first by confidence
    heaviest = valid & np.isclose(np.take_along_axis(mass, groups, axis=1), mass.max(axis=1, keepdims=True), rtol=0, atol=1e-12)
    first = np.take_along_axis(flat, np.take_along_axis(heaviest, flat, axis=1).argmax(axis=1)[:, None], axis=1)
    winner = np.take_along_axis(groups, first, axis=1)[:, 0]
    at = np.arange(n)
    top_group = groups[at, flat[:, 0]]
    winner = np.where(mass[at, winner] >= mass[at, top_group] + GROUP_MARGIN, winner, top_group)
    outside = (groups != winner[:, None]) | ~valid
    return np.lexsort((position, -score, outside), axis=1)


def _held_out_rescale(train: sp.csr_matrix) -> np.ndarray:
    """Per training row, 1 / the norm of its features that other rows share (0 when none).

    A title left out of training loses the features only it has: its row, seen from the other titles,
    is the row restricted to shared features and re-normalised. Any score that is linear in the row and
    ignores the title's private features (leave-one-out ridge, cosine with another title) scales by this.
    """
    df = np.bincount(train.indices, minlength=train.shape[1])
    shared = np.where(df[train.indices] >= 2, train.data.astype(np.float64), 0.0)
    rows = np.repeat(np.arange(train.shape[0]), np.diff(train.indptr))
    norms = np.sqrt(np.bincount(rows, weights=shared ** 2, minlength=train.shape[0]))
    return np.where(norms > 0, 1 / np.maximum(norms, 1e-12), 0.0)


def _prune(weights: np.ndarray, density: float) -> sp.csr_matrix:
    """Keep the largest ``density`` share of the weights by magnitude (ties at the cut are kept)."""
    if density >= 1:
        return sp.csr_matrix(weights)
    magnitude = np.abs(weights)
    cut = np.partition(magnitude.ravel(), int((1 - density) * magnitude.size))[int((1 - density) * magnitude.size)]
    return sp.csr_matrix(np.where(magnitude >= cut, weights, 0))


def _check_titles(titles: Sequence[str | None]) -> list[str]:
    return ["" if t is None else str(t) for t in titles]


def _check_training(titles: Sequence[str], labels: Sequence[str]) -> tuple[list[str], list[str]]:
    if len(titles) != len(labels):
        raise ValueError(f"{len(titles)} titles but {len(labels)} labels; give one label per title")
    bad = [label for label in labels if not isinstance(label, str) or not LABEL_PATTERN.match(label)]
    if bad:
        raise ValueError(f"{len(bad)} labels are not four-part 大典 codes like 2-02-10-03 (e.g. {bad[:3]}); "
                         "pad coarser codes with -00 and drop unlabelled rows")
    if len(set(labels)) < 2:
        raise ValueError("training needs titles of at least two different labels")
    return _check_titles(titles), list(labels)
