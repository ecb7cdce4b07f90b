"""Job-posting titles → 职业分类大典 2022 occupations, then → vocational majors and industries.

The default classifier is trained once per process, at first use, from the packaged labelled titles
(``silian/catalog/data/classify/``) and the classification's own names and aliases (``silian.catalog``): about
5–8 s on one core, no download. Method card: ``docs/methods/occupation_classifier.md``.

Review queue: a title whose best candidate has a confidence below :data:`REVIEW_THRESHOLD` (or that is
empty) is marked ``needs_review``; it is still given its best guess, but should be checked by a person
before it is counted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
from silian.ingest.spreadsheets import inert_frame
from silian.services.postings.confirmed_titles import apply_to_labels, title_key

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
    return Path(str(resources.files("silian.catalog") / "data" / "classify" / name))


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
def code_names() -> dict[str, str]:
    """Every code the classifier can give (all four levels, ``-00`` padded) → its name."""
    reference = occupation_reference()
    return dict(zip(reference.labels, reference.names, strict=True))


@lru_cache(maxsize=1)
def default_classifier() -> OccupationClassifier:
    """The default model, trained on first use and kept for the life of the process."""
    titles, labels = training_pairs()
    return OccupationClassifier().fit(titles, labels, reference=occupation_reference())


_confirmed_models: dict[tuple[tuple[str, str], ...], OccupationClassifier] = {}


def classifier_for(confirmed: Mapping[str, str] | None) -> OccupationClassifier:
    """The default model, or — when a reviewer confirmed titles — the model trained on the packaged titles plus
    the confirmed ones (a confirmed title replaces packaged rows of the same title), so that variants of a
    confirmed title (储备干部（包吃住）, 储备干部/管培生) follow it too. Kept for the life of the process, one set of
    confirmations at a time; training takes as long as the default model's."""
    if not confirmed:
        return default_classifier()
    key = _confirmed_key(confirmed)
    if key not in _confirmed_models:
        titles, labels = training_pairs()
        kept = [(title, label) for title, label in zip(titles, labels, strict=True) if title_key(title) not in confirmed]
        pairs = kept + list(key)
        _confirmed_models.clear()
        _confirmed_models[key] = OccupationClassifier().fit([p[0] for p in pairs], [p[1] for p in pairs],
                                                            reference=occupation_reference())
    return _confirmed_models[key]


def model_is_trained(confirmed: Mapping[str, str] | None) -> bool:
    """Whether this process already holds the model :func:`classifier_for` gives for ``confirmed``."""
    if confirmed:
        return _confirmed_key(confirmed) in _confirmed_models
    return default_classifier.cache_info().currsize > 0


def _confirmed_key(confirmed: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(confirmed.items()))


# ---------------------------------------------------------------------------- classification
def classify_titles(titles: Sequence[str | None], descriptions: Sequence[str | None] | None = None,
                    top_k: int = 1, *, classifier: OccupationClassifier | None = None,
                    review_threshold: float = REVIEW_THRESHOLD,
                    confirmed: Mapping[str, str] | None = None) -> pl.DataFrame:
    """One row per title, in order: ``title``, ``occupation_code`` (``2-02-10-03``; coarser codes end in
    ``-00``), ``occupation_name``, ``occupation_level`` (细类 … 大类), ``confidence`` (0–1), ``needs_review``,
    ``backoff_code``/``backoff_name``/``backoff_level``/``backoff_confidence`` (the most specific level
    of the best guess whose summed confidence reaches the threshold, null if none) and ``alternatives``
    (the next ``top_k - 1`` candidates as {code, name, confidence}).

    ``descriptions``, when given, are pooled with the title's candidates (:func:`_mix_descriptions`; an
    unvalidated heuristic, see the method card).
    Identical titles are classified once. ``confirmed`` (title key → code, from
    :func:`silian.services.postings.confirmed_titles.load_confirmed`): titles a reviewer confirmed get their code with
    confidence 1 and are not sent to review, and (without ``classifier``) the model is the one trained with
    them too (:func:`classifier_for`).
    """
    _check_top_k(top_k)
    model = classifier or classifier_for(confirmed)
    cleaned = ["" if x is None else str(x).strip() for x in titles]
    if descriptions is not None and len(descriptions) != len(cleaned):
        raise ValueError(f"{len(cleaned)} titles but {len(descriptions)} descriptions")
    slots, conf = _candidates(model, cleaned, descriptions, top_k)
    frame = _result_frame(model, cleaned, slots, conf, top_k, review_threshold)
    if confirmed:
        frame = apply_to_labels(frame, confirmed, dict(zip(model.reference_.labels, model.reference_.names, strict=True)))
    return frame


def _candidates(model: OccupationClassifier, titles: list[str], descriptions: Sequence[str | None] | None,
                top_k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per title, candidate label positions and confidences, best first (-1 / 0 pad)."""
    m = max(model.n_candidates, top_k)
    first: dict[str, int] = {}
    inverse = np.fromiter((first.setdefault(x, len(first)) for x in titles), dtype=np.int64, count=len(titles))
    slots, conf = model.candidate_scores(list(first), m)
    slots, conf = slots[inverse], conf[inverse]
    if descriptions is not None:
        slots, conf = _mix_descriptions(model, slots, conf, descriptions, m)
    order = rank_candidates(slots, conf, model.label_major_)
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


@dataclass(frozen=True)
class _LabelTables:
    """Per reference label: code, name, level name and the positions of its ancestors at levels 1–4."""

    codes: np.ndarray
    names: np.ndarray
    levels: np.ndarray
    depth: np.ndarray
    ancestors: np.ndarray


@lru_cache(maxsize=4)
def _label_tables(reference: OccupationReference) -> _LabelTables:
    index = reference.index()
    depth = np.asarray([label_depth(c) for c in reference.labels] + [0])
    ancestors = np.asarray([[index.get(code_prefix(c, level), -1) if level <= label_depth(c) else i
                             for level in range(1, 5)] for i, c in enumerate(reference.labels)] + [[-1] * 4])
    return _LabelTables(np.asarray(reference.labels + (None,), dtype=object),
                        np.asarray(reference.names + (None,), dtype=object),
                        np.asarray((*LEVEL_NAMES, None), dtype=object)[depth - 1], depth, ancestors)


def _result_frame(model: OccupationClassifier, titles: list[str], slots: np.ndarray, conf: np.ndarray,
                  top_k: int, threshold: float) -> pl.DataFrame:
    tables = _label_tables(model.reference_)
    best = slots[:, 0] if len(titles) else np.zeros(0, dtype=np.int64)
    backoff, backoff_conf = _backoff(tables, slots, conf, threshold)
    confidence = conf[:, 0] if len(titles) else np.zeros(0)
    frame = pl.DataFrame({
        "title": titles,
        "occupation_code": tables.codes[best].tolist(),
        "occupation_name": tables.names[best].tolist(),
        "occupation_level": tables.levels[best].tolist(),
        "confidence": confidence.astype(np.float64),
        "needs_review": (confidence < threshold) | (best < 0),
        "backoff_code": tables.codes[backoff].tolist(),
        "backoff_name": tables.names[backoff].tolist(),
        "backoff_level": tables.levels[backoff].tolist(),
        "backoff_confidence": backoff_conf,
    }, schema_overrides={c: pl.String for c in ("occupation_code", "occupation_name", "occupation_level",
                                                "backoff_code", "backoff_name", "backoff_level")})
    return frame.with_columns(_alternatives(tables, slots[:, 1:top_k], conf[:, 1:top_k]))


def _backoff(tables: _LabelTables, slots: np.ndarray, conf: np.ndarray,
             threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """The most specific ancestor of each best code whose candidates' summed confidence reaches
    ``threshold`` (position -1 and NaN when none)."""
    n = len(slots)
    ancestors = tables.ancestors[slots]  # n × slots × 4 (slot -1 reads the padding row)
    same = (ancestors == ancestors[:, :1, :]) & (slots >= 0)[:, :, None]
    totals = (same * conf[:, :, None]).sum(axis=1)  # n × 4: mass within the best code's ancestor per level
    depth = tables.depth[slots[:, 0]] if n else np.zeros(0, dtype=np.int64)
    reach = (totals >= threshold) & (np.arange(1, 5)[None, :] <= depth[:, None])
    level = np.where(reach.any(axis=1), 3 - np.argmax(reach[:, ::-1], axis=1), -1)
    rows = np.arange(n)
    chosen = np.where(level >= 0, ancestors[rows, 0, np.maximum(level, 0)], -1)
    return chosen, np.where(chosen >= 0, np.minimum(totals[rows, np.maximum(level, 0)], 1.0), np.nan)


def _alternatives(tables: _LabelTables, slots: np.ndarray, conf: np.ndarray) -> pl.Series:
    """List column of {code, name, confidence} for the runner-up candidates (empty slots left out)."""
    n, k = slots.shape
    if k == 0:  # one empty slot per row gives every row an empty list
        slots, conf, k = np.full((n, 1), -1), np.zeros((n, 1)), 1
    flat = pl.DataFrame({"code": tables.codes[slots.ravel()].tolist(), "name": tables.names[slots.ravel()].tolist(),
                         "confidence": np.where(slots >= 0, conf, np.nan).ravel()},
                        schema_overrides={"code": pl.String, "name": pl.String, "confidence": pl.Float64})
    structs = flat.select(pl.when(pl.col("code").is_not_null()).then(pl.struct("code", "name", "confidence"))
                          .alias("alternatives")).to_series()
    return structs.reshape((n, k)).arr.to_list().list.drop_nulls().alias("alternatives")


def _check_top_k(top_k: int) -> None:
    if not isinstance(top_k, int) or not 1 <= top_k <= MAX_TOP_K:
        raise InvalidInput(t("classify_bad_top_k", limit=MAX_TOP_K, value=top_k))


# ---------------------------------------------------------------------------- files
def classify_csv(path: Path | str, *, column: str = "job_name", output: Path | str, top_k: int = 1,
                 description_column: str | None = None, review_threshold: float = REVIEW_THRESHOLD,
                 confirmed: Mapping[str, str] | None = None) -> int:
    """Classify one column of a CSV (UTF-8, UTF-8-BOM or GBK) or .xlsx file into ``output`` (CSV, UTF-8
    with BOM so that Excel shows the Chinese): the input columns, then occupation_code, occupation_name,
    confidence, needs_review and, for ``top_k`` > 1, occupation_code_2, occupation_name_2, confidence_2, …
    Returns the number of rows written. Raises InvalidInput for a missing column, an empty file or an
    unreadable encoding. ``confirmed``: titles a reviewer confirmed (see :func:`classify_titles`)."""
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
    result = classify_titles(frame[column].to_list(), descriptions, top_k, review_threshold=review_threshold,
                             confirmed=confirmed)
    out = frame.drop([c for c in frame.columns if c in _output_columns(top_k)])
    out = out.with_columns([result[c] for c in RESULT_COLUMNS]).with_columns(alternative_columns(result, top_k))
    inert_frame(out).write_csv(Path(output), include_bom=True)
    return out.height


def alternative_columns(result: pl.DataFrame, top_k: int) -> list[pl.Series]:
    """``occupation_code_2``, ``occupation_name_2``, ``confidence_2``, … up to ``top_k`` from the ``alternatives``
    of :func:`classify_titles` (null where there are fewer candidates)."""
    columns = []
    for rank in range(2, top_k + 1):
        alt = result["alternatives"].list.get(rank - 2, null_on_oob=True)
        columns += [alt.struct.field("code").alias(f"occupation_code_{rank}"),
                    alt.struct.field("name").alias(f"occupation_name_{rank}"),
                    alt.struct.field("confidence").alias(f"confidence_{rank}")]
    return columns


def review_candidates(queue: pl.DataFrame, *, top_k: int = 3, confirmed: Mapping[str, str] | None = None) -> pl.DataFrame:
    """The review queue (``title`` and the model's guess) with the model's next candidates beside it
    (``occupation_code_2``, … as :func:`alternative_columns`): the right code is among the best three for about
    81 % of titles against 64 % for the best one (method card), so a reviewer mostly picks rather than searches."""
    if queue.height == 0:
        return queue
    result = classify_titles(queue["title"].to_list(), top_k=top_k, confirmed=confirmed)
    return queue.with_columns(alternative_columns(result, top_k))


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
