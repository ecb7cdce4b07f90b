"""Job-posting titles → 职业分类大典 2022 occupations, then → vocational majors and industries.

The default classifier is trained once per process, at first use, from the packaged labelled titles
(``silian/classify_data/``) and the classification's own names and aliases (``silian.catalog``): about
5–8 s on one core, no download. Method card: ``docs/methods/occupation_classifier.md``.

Review queue: a title whose best candidate has a confidence below :data:`REVIEW_THRESHOLD` (or that is
empty) is marked ``needs_review``; it is still given its best guess, but should be checked by a person
before it is counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from threadpoolctl import threadpool_limits

from silian.analytics.classify import (
    LEVEL_NAMES,
    OccupationClassifier,
    OccupationReference,
    code_prefix,
    cross_validate,
    label_depth,
)
from silian.analytics.classify.evaluate import CharTfidfBaseline
from silian.analytics.classify.model import rank_candidates
from silian.catalog import get_catalog
from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t
from silian.ingest.readers import ROW, read_table_file

REVIEW_THRESHOLD = 0.5
DESCRIPTION_WEIGHT = 0.5
DESCRIPTION_CHARS = 120
MAX_BYTES = 512 * 1024 * 1024
TRAINING_FILE = "job_titles_labeled_train.csv"
RESULT_COLUMNS = ("occupation_code", "occupation_name", "confidence", "needs_review")

register_messages({
    "classify_missing_column": (
        "{path} 中没有“{column}”列（现有列：{columns}）；请用 --column 指定岗位名称所在的列",
        "{path} has no column '{column}' (columns found: {columns}); name the job-title column with --column",
    ),
    "classify_no_titles": (
        "{path} 的“{column}”列没有任何岗位名称",
        "Column '{column}' of {path} holds no job titles",
    ),
    "classify_bad_top_k": ("--top-k 须为 1 到 {limit} 之间的整数，收到 {value}",
                           "--top-k must be a whole number from 1 to {limit}, got {value}"),
})
MAX_TOP_K = 10


# ---------------------------------------------------------------------------- data and default model
def _data_file(name: str) -> Path:
    return Path(str(resources.files("silian") / "classify_data" / name))


@lru_cache(maxsize=1)
def labelled_titles() -> pl.DataFrame:
    """The packaged labelled titles: job_name, expected_code, expected_name (rows without a code kept)."""
    return pl.read_csv(_data_file(TRAINING_FILE), infer_schema=False)


def training_pairs() -> tuple[list[str], list[str]]:
    """Titles and their codes, rows without a code left out."""
    frame = labelled_titles().drop_nulls(["job_name", "expected_code"])
    return frame["job_name"].to_list(), frame["expected_code"].to_list()


@lru_cache(maxsize=1)
def occupation_reference() -> OccupationReference:
    """Every 大典 code (all four levels) with its names and aliases, plus any training code it lacks."""
    return OccupationReference.from_frame(get_catalog().occupations, extra_labels=training_pairs()[1])


@lru_cache(maxsize=1)
def default_classifier() -> OccupationClassifier:
    """The default model, trained on first use and kept for the life of the process."""
    titles, labels = training_pairs()
    return OccupationClassifier().fit(titles, labels, reference=occupation_reference())


# ---------------------------------------------------------------------------- classification
def classify_titles(titles: Sequence[str | None], descriptions: Sequence[str | None] | None = None,
                    top_k: int = 1, *, classifier: OccupationClassifier | None = None,
                    review_threshold: float = REVIEW_THRESHOLD) -> pl.DataFrame:
    """One row per title, in order: ``title``, ``occupation_code`` (``2-02-10-03``; coarser codes end in
    ``-00``), ``occupation_name``, ``occupation_level`` (细类 … 大类), ``confidence`` (0–1), ``needs_review``,
    ``backoff_code``/``backoff_name``/``backoff_level``/``backoff_confidence`` (the most specific level
    of the best guess whose summed confidence reaches the threshold, null if none) and ``alternatives``
    (the next ``top_k - 1`` candidates as {code, name, confidence}).

    ``descriptions``, when given, are pooled with the title's candidates (:func:`_mix_descriptions`; an
    unvalidated heuristic, see the method card).
    Identical titles are classified once.
    """
    _check_top_k(top_k)
    model = classifier or default_classifier()
    cleaned = ["" if x is None else str(x).strip() for x in titles]
    if descriptions is not None and len(descriptions) != len(cleaned):
        raise ValueError(f"{len(cleaned)} titles but {len(descriptions)} descriptions")
    slots, conf = _candidates(model, cleaned, descriptions, top_k)
    return _result_frame(model, cleaned, slots, conf, top_k, review_threshold)


def _candidates(model: OccupationClassifier, titles: list[str], descriptions: Sequence[str | None] | None,
                top_k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per title, candidate label positions and confidences, best first (-1 / 0 pad)."""
    m = max(model.n_candidates, top_k)
    unique, inverse = np.unique(np.asarray(titles, dtype=object), return_inverse=True)
    slots, conf = model.candidate_scores(list(unique), m)
    slots, conf = slots[inverse], conf[inverse]
    if descriptions is not None:
        slots, conf = _mix_descriptions(model, slots, conf, descriptions, m)
    order = rank_candidates(slots, conf)
    slots, conf = np.take_along_axis(slots, order, axis=1), np.take_along_axis(conf, order, axis=1)
    conf = np.where(slots >= 0, conf, 0.0)
    empty = np.asarray([not x for x in titles]) if titles else np.zeros(0, bool)
    slots[empty], conf[empty] = -1, 0.0
    return slots, conf


def _mix_descriptions(model: OccupationClassifier, slots: np.ndarray, conf: np.ndarray,
                      descriptions: Sequence[str | None], m: int) -> tuple[np.ndarray, np.ndarray]:
    """Pool title candidates with candidates from the start of the description, each source weighted by its
    own best confidence, the description's discounted by DESCRIPTION_WEIGHT."""
    rows = [i for i, d in enumerate(descriptions) if d and str(d).strip()]
    if not rows:
        return slots, conf
    texts = [str(descriptions[i]).strip()[:DESCRIPTION_CHARS] for i in rows]
    d_slots, d_conf = model.candidate_scores(texts, m)
    width = slots.shape[1] + d_slots.shape[1]
    out_slots = np.hstack([slots, np.full((len(slots), d_slots.shape[1]), -1)])
    out_conf = np.hstack([conf, np.zeros((len(slots), d_slots.shape[1]))])
    for j, i in enumerate(rows):
        title_weight = float(conf[i].max(initial=0.0))
        text_weight = DESCRIPTION_WEIGHT * float(d_conf[j].max(initial=0.0))
        if title_weight + text_weight <= 0:
            continue
        mixed: dict[int, float] = {}
        for source_slots, source_conf, weight in ((slots[i], conf[i], title_weight), (d_slots[j], d_conf[j], text_weight)):
            for s, c in zip(source_slots, source_conf, strict=True):
                if s >= 0:
                    mixed[int(s)] = mixed.get(int(s), 0.0) + weight * c / (title_weight + text_weight)
        ranked = sorted(mixed.items(), key=lambda kv: (-kv[1], kv[0]))[:width]
        out_slots[i], out_conf[i] = -1, 0.0
        out_slots[i, :len(ranked)] = [k for k, _ in ranked]
        out_conf[i, :len(ranked)] = [v for _, v in ranked]
    return out_slots, out_conf


def _result_frame(model: OccupationClassifier, titles: list[str], slots: np.ndarray, conf: np.ndarray,
                  top_k: int, threshold: float) -> pl.DataFrame:
    labels = np.asarray(model.reference_.labels + (None,), dtype=object)
    names = np.asarray(model.reference_.names + (None,), dtype=object)
    best = np.where(slots[:, 0] >= 0, slots[:, 0], -1) if len(titles) else np.zeros(0, int)
    codes = labels[best]
    backoff = [_backoff(labels[row], c, threshold) for row, c in zip(slots, conf, strict=True)]
    name_of = dict(zip(model.reference_.labels, model.reference_.names, strict=True))
    alternatives = [[{"code": labels[s], "name": names[s], "confidence": float(c)}
                     for s, c in zip(row[1:top_k], cs[1:top_k], strict=True) if s >= 0]
                    for row, cs in zip(slots, conf, strict=True)]
    confidence = conf[:, 0] if len(titles) else np.zeros(0)
    return pl.DataFrame({
        "title": titles,
        "occupation_code": list(codes),
        "occupation_name": list(names[best]),
        "occupation_level": [LEVEL_NAMES[label_depth(c) - 1] if c else None for c in codes],
        "confidence": confidence.astype(np.float64),
        "needs_review": (confidence < threshold) | (best < 0),
        "backoff_code": [b[0] for b in backoff],
        "backoff_name": [name_of.get(b[0]) if b[0] else None for b in backoff],
        "backoff_level": [LEVEL_NAMES[b[1] - 1] if b[0] else None for b in backoff],
        "backoff_confidence": [b[2] for b in backoff],
        "alternatives": alternatives,
    }, schema_overrides={"occupation_code": pl.String, "occupation_name": pl.String,
                         "occupation_level": pl.String, "backoff_code": pl.String, "backoff_name": pl.String,
                         "backoff_level": pl.String, "backoff_confidence": pl.Float64,
                         "alternatives": pl.List(pl.Struct({"code": pl.String, "name": pl.String,
                                                            "confidence": pl.Float64}))})


def _backoff(codes: np.ndarray, conf: np.ndarray, threshold: float) -> tuple[str | None, int, float | None]:
    """The most specific ancestor of the best code whose candidates' summed confidence reaches ``threshold``."""
    if codes[0] is None:
        return None, 0, None
    for level in range(label_depth(codes[0]), 0, -1):
        prefix = code_prefix(codes[0], level)
        total = float(sum(c for code, c in zip(codes, conf, strict=True)
                          if code is not None and code_prefix(code, level) == prefix))
        if total >= threshold:
            return prefix, level, min(total, 1.0)
    return None, 0, None


def _check_top_k(top_k: int) -> None:
    if not isinstance(top_k, int) or not 1 <= top_k <= MAX_TOP_K:
        raise InvalidInput(t("classify_bad_top_k", limit=MAX_TOP_K, value=top_k))


# ---------------------------------------------------------------------------- files
def classify_csv(path: Path | str, *, column: str = "job_name", output: Path | str, top_k: int = 1,
                 description_column: str | None = None, review_threshold: float = REVIEW_THRESHOLD) -> int:
    """Classify one column of a CSV (UTF-8, UTF-8-BOM or GBK) or .xlsx file into ``output`` (CSV, UTF-8
    with BOM so that Excel shows the Chinese): the input columns, then occupation_code, occupation_name,
    confidence, needs_review and, for ``top_k`` > 1, occupation_code_2, occupation_name_2, confidence_2, …
    Returns the number of rows written. Raises InvalidInput for a missing column, an empty file or an
    unreadable encoding."""
    _check_top_k(top_k)
    path = Path(path)
    frame = read_table_file(path, max_bytes=MAX_BYTES).frame.drop(ROW)
    for wanted in (column, description_column):
        if wanted is not None and wanted not in frame.columns:
            raise InvalidInput(t("classify_missing_column", path=path, column=wanted,
                                 columns=t("list_joiner").join(frame.columns)))
    if frame[column].drop_nulls().len() == 0:
        raise InvalidInput(t("classify_no_titles", path=path, column=column))
    descriptions = frame[description_column].to_list() if description_column else None
    result = classify_titles(frame[column].to_list(), descriptions, top_k, review_threshold=review_threshold)
    out = frame.drop([c for c in frame.columns if c in _output_columns(top_k)])
    out = out.with_columns([result[c] for c in RESULT_COLUMNS])
    for rank in range(2, top_k + 1):
        alt = result["alternatives"].list.get(rank - 2, null_on_oob=True)
        out = out.with_columns(alt.struct.field("code").alias(f"occupation_code_{rank}"),
                               alt.struct.field("name").alias(f"occupation_name_{rank}"),
                               alt.struct.field("confidence").alias(f"confidence_{rank}"))
    out.write_csv(Path(output), include_bom=True)
    return out.height


def _output_columns(top_k: int) -> set[str]:
    extra = {f"{c}_{r}" for r in range(2, top_k + 1) for c in ("occupation_code", "occupation_name", "confidence")}
    return set(RESULT_COLUMNS) | extra


# ---------------------------------------------------------------------------- crosswalks
@dataclass(frozen=True)
class MajorsAndIndustries:
    """``majors``: occupation_code, major_code, major_name, education_level, match ("exact" or, for a
    code above 细类, "within"). ``industries``: occupation_code, industry_code (GB/T 4754 大类),
    industry_name, weight (mean of the linked majors' weights, summing to 1 per occupation), n_majors."""

    majors: pl.DataFrame
    industries: pl.DataFrame


def to_majors_and_industries(codes: Sequence[str | None]) -> MajorsAndIndustries:
    """Vocational majors that train for each occupation code (MOHRSS 2023 crosswalk), and the industries
    those majors serve (the project's major → industry crosswalk)."""
    wanted = sorted({c for c in codes if c})
    crosswalk = get_catalog().major_occupations
    parts = []
    for code in wanted:
        depth = label_depth(code)
        prefix = "-".join(code.split("-")[:depth])
        exact = crosswalk.filter(pl.col("occupation_code") == code)
        rows = exact if exact.height or depth == 4 else crosswalk.filter(
            pl.col("occupation_code").str.starts_with(prefix + "-"))
        parts.append(rows.select(pl.lit(code).alias("occupation_code"), "major_code", "major_name",
                                 pl.col("level").alias("education_level"),
                                 pl.lit("exact" if exact.height else "within").alias("match")).unique(
            ["major_code", "education_level"], maintain_order=True))
    schema = {"occupation_code": pl.String, "major_code": pl.String, "major_name": pl.String,
              "education_level": pl.String, "match": pl.String}
    majors = pl.concat(parts) if parts else pl.DataFrame(schema=schema)
    links = get_catalog().major_industries("major").select(
        "major_code", pl.col("level").alias("education_level"), "industry_code", "industry_name", "weight")
    joined = majors.join(links, on=["major_code", "education_level"], how="inner")
    industries = (joined.group_by("occupation_code", "industry_code", "industry_name")
                  .agg(pl.col("weight").sum(), pl.len().alias("n_majors"))
                  .with_columns(pl.col("weight") / pl.col("weight").sum().over("occupation_code"))
                  .sort(["occupation_code", "weight", "industry_code"], descending=[False, True, False]))
    return MajorsAndIndustries(majors=majors, industries=industries.with_columns(pl.col("n_majors").cast(pl.Int64)))


# ---------------------------------------------------------------------------- evaluation
def evaluate_cv(folds: int = 5, seed: int = 0, *, baseline: bool = False,
                review_threshold: float = REVIEW_THRESHOLD) -> dict[str, Any]:
    """Cross-validated accuracy of the default model on the packaged titles at 大类/中类/小类/细类, the
    review-queue share and the 细类 accuracy of the titles kept; ``baseline=True`` adds the plain
    character TF-IDF + linear SVM baseline's 细类 and 大类 accuracy under the same folds."""
    titles, labels = training_pairs()
    reference = occupation_reference()
    with threadpool_limits(limits=1):
        result = cross_validate(OccupationClassifier, titles, labels, reference, folds=folds, seed=seed,
                                review_threshold=review_threshold)
        scores: dict[str, Any] = {level: result[level] for level in LEVEL_NAMES}
        scores.update(review_share=result["review_share"], accepted_accuracy=result["accepted_accuracy"],
                      review_threshold=review_threshold, n_titles=result["n"], folds=folds, seed=seed,
                      fit_seconds=f"{result['fit_seconds']:.1f} s")
        if baseline:
            base = cross_validate(CharTfidfBaseline, titles, labels, reference, folds=folds, seed=seed)
            scores.update(baseline_细类=base["细类"], baseline_大类=base["大类"])
    return scores
