"""Occupation classifier: features, estimator (toy data), the default model and the file service."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from silian.analytics.classify import (
    OccupationClassifier,
    OccupationReference,
    code_prefix,
    cross_validate,
    hierarchical_accuracy,
    label_depth,
    pad_code,
    strip_marker,
)
from silian.analytics.classify.features import NgramTfidf, clean_titles, title_heads
from silian.domain.errors import InvalidInput
from silian.domain.messages import current_lang
from silian.services.postings import classifier as service

# ---------------------------------------------------------------------------- toy data (hand-checkable)
TOY_OCCUPATIONS = pl.DataFrame({
    "code": ["2-02-10", "2-02-10-03", "4-01-02", "4-01-02-01", "4-04-05-03", "6-18-01-01", "2-05-08-01"],
    "name": ["计算机与应用工程技术人员", "计算机软件工程技术人员S", "销售人员", "营销员", "呼叫中心服务员S", "车工",
             "内科护士"],
    "aliases": [None, "软件工程师,Java开发", None, "销售代表", "客服专员,电话客服", "车床工", None],
})
TOY_TRAINING = {
    "2-02-10-03": ["Java开发工程师", "软件开发工程师", "前端开发工程师", "后端开发", "Python开发工程师", "软件工程师",
                   "高级Java开发", "C++软件开发", "安卓开发工程师", "测试开发工程师"],
    "4-01-02-01": ["销售代表", "销售专员", "电话销售", "销售顾问", "大客户销售", "销售经理", "渠道销售", "区域销售代表",
                   "汽车销售顾问", "房产销售"],
    "4-04-05-03": ["客服专员", "电话客服", "在线客服", "售后客服", "淘宝客服", "客服代表", "呼叫中心客服", "客服坐席",
                   "夜班客服", "客服主管"],
    "6-18-01-01": ["车工", "数控车工", "普通车工", "车床工", "车床师傅", "车工学徒", "熟练车工", "车床操作工", "仪表车工",
                   "车工师傅"],
}


def toy_training() -> tuple[list[str], list[str]]:
    titles = [t for titles in TOY_TRAINING.values() for t in titles]
    labels = [code for code, titles in TOY_TRAINING.items() for _ in titles]
    return titles, labels


@pytest.fixture(scope="module")
def toy_reference() -> OccupationReference:
    return OccupationReference.from_frame(TOY_OCCUPATIONS)


@pytest.fixture(scope="module")
def toy_model(toy_reference: OccupationReference) -> OccupationClassifier:
    titles, labels = toy_training()
    return OccupationClassifier(n_candidates=3).fit(titles, labels, reference=toy_reference)


# ---------------------------------------------------------------------------- codes and reference
def test_codes_pad_prefix_and_depth() -> None:
    assert pad_code("2-02") == "2-02-00-00"
    assert pad_code("2") == "2-00-00-00"
    assert pad_code("2-02-10-03") == "2-02-10-03"
    assert code_prefix("2-06-07-02", 3) == "2-06-07-00"
    assert code_prefix("2-06-07-02", 1) == "2-00-00-00"
    assert [label_depth(c) for c in ("2-00-00-00", "2-02-00-00", "4-01-02-00", "4-01-02-01")] == [1, 2, 3, 4]


def test_markers_are_stripped_only_after_chinese() -> None:
    assert strip_marker("全媒体运营师S") == "全媒体运营师"
    assert strip_marker("地理信息系统工程技术人员L/S") == "地理信息系统工程技术人员"
    assert strip_marker("CFO") == "CFO"
    assert strip_marker("IOS") == "IOS"


def test_reference_labels_names_and_aliases(toy_reference: OccupationReference) -> None:
    assert "2-02-10-00" in toy_reference.labels and "4-01-02-00" in toy_reference.labels
    assert toy_reference.name_of(["4-04-05-03", "9-99-99-99"]) == ["呼叫中心服务员", None]
    texts = {toy_reference.texts[i] for i in np.flatnonzero(
        toy_reference.text_label == toy_reference.index()["2-02-10-03"])}
    assert texts == {"计算机软件工程技术人员", "软件工程师", "Java开发"}


# ---------------------------------------------------------------------------- features
def test_title_heads_drop_brackets_salaries_and_perks() -> None:
    heads = title_heads(clean_titles(["抖音快手运营（郓城）", "月薪1w 纯管理岗 包吃住", "（兼职合作）OTC销售代表（长治）",
                                      "急招!!", "Java开发"]))
    assert heads == ["抖音快手运营", "纯管理岗", "otc销售代表", "急招!!", "java开发"]


def test_ngram_tfidf_equals_scikit_learn_on_character_ngrams() -> None:
    titles = ["Java开发工程师", "销售代表", "客服专员（夜班）", "车工", "销售销售"]
    ours = NgramTfidf((1, 2), affixes=False).fit(titles)
    theirs = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True, lowercase=True).fit(titles)
    queries = ["销售工程师", "夜班车工", "完全无关"]
    a = (ours.transform(queries) @ ours.transform(titles).T).toarray()
    b = (theirs.transform(queries) @ theirs.transform(titles).T).toarray()
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_affixes_make_the_head_suffix_count() -> None:
    vec = NgramTfidf((1, 2, 3), affixes=True).fit(["车工学徒", "学徒车工"])
    rows = vec.transform(["车工学徒", "学徒车工"]).toarray()
    assert rows.shape[1] > NgramTfidf((1, 2, 3), affixes=False).fit(["车工学徒", "学徒车工"]).n_features
    assert not np.allclose(rows[0], rows[1])


# ---------------------------------------------------------------------------- estimator on toy data
def test_fit_returns_self_and_learns_trailing_underscore_attributes(toy_reference: OccupationReference) -> None:
    titles, labels = toy_training()
    model = OccupationClassifier(n_candidates=3)
    assert not [k for k in vars(model) if k.endswith("_")]
    assert model.fit(titles, labels, reference=toy_reference) is model
    assert {"reference_", "classes_", "coef_", "reranker_"} <= set(vars(model))


def test_toy_model_classifies_new_titles(toy_model: OccupationClassifier) -> None:
    got = toy_model.predict(["高级Java开发工程师", "电话销售代表", "售后电话客服", "数控车床工"])
    assert list(got) == ["2-02-10-03", "4-01-02-01", "4-04-05-03", "6-18-01-01"]


def test_ranking_puts_the_heaviest_major_group_first() -> None:
    from silian.analytics.classify.model import rank_candidates
    major = np.array([2, 4, 4, 4, 6])  # labels 0..4 and their 大类
    slots = np.array([[0, 1, 2, 3, -1],   # 大类 2: 0.40; 大类 4: 0.30 + 0.20 + 0.10 = 0.60 → 大类 4 first
                      [0, 1, 4, -1, -1],  # the most confident candidate (0.42) is in the heaviest 大类 → plain order
                      [0, 1, 2, -1, -1]])
    conf = np.array([[0.40, 0.30, 0.20, 0.10, 0.0], [0.40, 0.42, 0.10, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0]])
    order = rank_candidates(slots, conf, major)
    assert order[0].tolist() == [1, 2, 3, 0, 4]
    assert order[1].tolist() == [1, 0, 2, 3, 4]
    assert order[2].tolist() == [0, 1, 2, 3, 4]  # no evidence: proposal order
    assert rank_candidates(slots, conf)[0].tolist() == [0, 1, 2, 3, 4]


def test_top_k_contract(toy_model: OccupationClassifier) -> None:
    top = toy_model.predict_top_k(["Java开发工程师", "车工", ""], k=3)
    assert top.labels.shape == (3, 3) and top.confidences.shape == (3, 3)
    for labels, conf in zip(top.labels, top.confidences, strict=True):
        kept = [lab for lab in labels if lab is not None]
        assert len(set(kept)) == len(kept)
        c = conf[~np.isnan(conf)]
        assert np.all((c >= 0) & (c <= 1)) and np.all(np.diff(c) <= 1e-12) and c.sum() <= 1 + 1e-9
    with pytest.raises(ValueError, match="k must be at least 1"):
        toy_model.predict_top_k(["车工"], k=0)


def test_training_is_deterministic(toy_reference: OccupationReference, toy_model: OccupationClassifier) -> None:
    titles, labels = toy_training()
    again = OccupationClassifier(n_candidates=3).fit(titles, labels, reference=toy_reference)
    queries = ["Java开发", "销售", "客服", "车床", "护士", "随便什么"]
    a, b = toy_model.predict_top_k(queries, 3), again.predict_top_k(queries, 3)
    assert (a.labels == b.labels).all()
    np.testing.assert_array_equal(a.confidences, b.confidences)


def test_batch_composition_does_not_change_a_title(toy_model: OccupationClassifier) -> None:
    alone = toy_model.predict_top_k(["电话客服"], 2)
    mixed = toy_model.predict_top_k(["Java开发", "电话客服", "车工"], 2)
    assert list(alone.labels[0]) == list(mixed.labels[1])
    np.testing.assert_allclose(alone.confidences[0], mixed.confidences[1], rtol=1e-6)


def test_bad_training_input_is_explained(toy_reference: OccupationReference) -> None:
    with pytest.raises(ValueError, match="four-part"):
        OccupationClassifier().fit(["车工", "客服"], ["6-18-01", "4-04-05-03"], reference=toy_reference)
    with pytest.raises(ValueError, match="not in the reference"):
        OccupationClassifier().fit(["车工", "客服"], ["6-18-01-99", "4-04-05-03"], reference=toy_reference)
    with pytest.raises(ValueError, match="2 titles but 1 labels"):
        OccupationClassifier().fit(["车工", "客服"], ["6-18-01-01"], reference=toy_reference)


def test_hierarchical_accuracy_scores_prefixes() -> None:
    scores = hierarchical_accuracy(["2-02-10-03", "4-01-02-01", None], ["2-02-10-01", "4-01-02-00", "6-18-01-01"])
    assert scores == {"大类": 2 / 3, "中类": 2 / 3, "小类": 2 / 3, "细类": 0.0}


def test_cross_validate_on_toy_data(toy_reference: OccupationReference) -> None:
    titles, labels = toy_training()
    result = cross_validate(lambda: OccupationClassifier(n_candidates=3), titles, labels, toy_reference, folds=4,
                            seed=0, review_threshold=0.5)
    assert result["n"] == 40 and result["folds"] == 4
    assert result["细类"] >= 0.8 and result["大类"] >= result["细类"]
    assert 0 <= result["review_share"] <= 1


# ---------------------------------------------------------------------------- the default model (service)
KNOWN_TITLES = {  # obvious titles and the code the labelled data uses for them
    "Java开发工程师": "2-02-10-03",
    "抖音运营": "4-13-01-05",
    "电话客服": "4-04-05-03",
    "会计": "2-06-03-00",
    "保安": "4-07-05-01",
    "护士": "2-05-08-00",
    "仓库管理员": "4-02-06-01",
    "维修电工": "6-31-01-03",
    "普工": "6-00-00-00",
}


@pytest.fixture(scope="module")
def default_model(trained_classifier: OccupationClassifier) -> OccupationClassifier:
    """The default model, trained once per session."""
    assert trained_classifier is service.default_classifier()
    return trained_classifier


def test_known_titles_classify_to_their_code(default_model: OccupationClassifier) -> None:
    frame = service.classify_titles(list(KNOWN_TITLES))
    assert dict(zip(frame["title"], frame["occupation_code"], strict=True)) == KNOWN_TITLES
    assert frame["occupation_name"][0] == "计算机软件工程技术人员"


def test_default_model_fits_its_training_titles(default_model: OccupationClassifier) -> None:
    titles, labels = service.training_pairs()
    assert len(titles) == 4762
    assert np.mean(default_model.predict(titles) == np.asarray(labels, dtype=object)) > 0.85


def test_classify_titles_frame_contract(default_model: OccupationClassifier) -> None:
    frame = service.classify_titles(["Java开发工程师", "", None, "销售"], top_k=3)
    assert frame.columns == ["title", "occupation_code", "occupation_name", "occupation_level", "confidence",
                             "needs_review", "backoff_code", "backoff_name", "backoff_level", "backoff_confidence",
                             "alternatives"]
    assert frame.height == 4
    assert frame["occupation_code"][1] is None and frame["needs_review"][1] and frame["confidence"][1] == 0
    assert frame["occupation_code"][0].count("-") == 3
    for row in frame.iter_rows(named=True):
        alts = row["alternatives"]
        assert len(alts) <= 2
        confs = [row["confidence"]] + [a["confidence"] for a in alts]
        assert confs == sorted(confs, reverse=True)
        assert row["occupation_code"] not in {a["code"] for a in alts}
    assert frame["backoff_level"][3] in ("小类", "中类", "大类", "细类")


def test_review_queue_follows_the_threshold(default_model: OccupationClassifier) -> None:
    titles = list(KNOWN_TITLES) + ["储备干部", "急招！！高薪", "zzqx"]
    frame = service.classify_titles(titles)
    expected = frame["confidence"] < service.REVIEW_THRESHOLD
    assert frame["needs_review"].to_list() == expected.to_list()
    assert frame.filter(pl.col("title") == "Java开发工程师")["needs_review"][0] is False
    assert frame.filter(pl.col("title") == "zzqx")["needs_review"][0] is True
    assert not service.classify_titles(titles, review_threshold=0.0)["needs_review"].any()
    assert service.classify_titles(titles, review_threshold=1.01)["needs_review"].all()


def test_service_is_deterministic_and_deduplicates(default_model: OccupationClassifier) -> None:
    a = service.classify_titles(["车工", "护士", "车工"], top_k=2)
    b = service.classify_titles(["护士"], top_k=2)
    assert a.row(0) == a.row(2)
    assert a.row(1) == b.row(0)


def test_bad_top_k_is_rejected(default_model: OccupationClassifier) -> None:
    for k in (0, 11):
        with pytest.raises(InvalidInput, match="top-k"):
            service.classify_titles(["车工"], top_k=k)


def test_description_can_decide_an_empty_title(default_model: OccupationClassifier) -> None:
    frame = service.classify_titles(["储备干部", "储备干部"], descriptions=["负责公司抖音账号的内容策划与运营", None])
    assert frame["occupation_code"][0] == "4-13-01-05"
    assert frame["occupation_code"][1] != "4-13-01-05"


def test_majors_and_industries() -> None:
    result = service.to_majors_and_industries(["2-02-10-03", "2-05-08-00", None])
    majors = result.majors.filter(pl.col("occupation_code") == "2-02-10-03")
    assert "软件技术" in majors["major_name"].to_list() and set(majors["match"]) == {"exact"}
    assert set(result.majors.filter(pl.col("occupation_code") == "2-05-08-00")["match"]) == {"within"}
    sums = result.industries.group_by("occupation_code").agg(pl.col("weight").sum())
    np.testing.assert_allclose(sums["weight"].to_numpy(), 1.0)
    top = result.industries.filter(pl.col("occupation_code") == "2-02-10-03")["industry_code"][0]
    assert top == "65"  # 软件和信息技术服务业


# ---------------------------------------------------------------------------- files
def write(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_classify_csv_utf8_bom_and_gbk_with_top_k(tmp_path: Path, default_model: OccupationClassifier) -> None:
    text = "id,job_name,city\n1,Java开发工程师,郑州\n2,电话客服,洛阳\n"
    for encoding in ("utf-8-sig", "gbk"):
        out = tmp_path / f"out_{encoding}.csv"
        n = service.classify_csv(write(tmp_path / f"in_{encoding}.csv", text, encoding), column="job_name",
                                 output=out, top_k=2)
        assert n == 2
        assert out.read_bytes().startswith(b"\xef\xbb\xbf")
        frame = pl.read_csv(out, infer_schema=False)
        assert frame.columns == ["id", "job_name", "city", "occupation_code", "occupation_name", "confidence",
                                 "needs_review", "occupation_code_2", "occupation_name_2", "confidence_2"]
        assert frame["occupation_code"].to_list() == ["2-02-10-03", "4-04-05-03"]


def test_classify_csv_errors_are_clear(tmp_path: Path, default_model: OccupationClassifier) -> None:
    good = write(tmp_path / "a.csv", "id,title\n1,车工\n", "utf-8")
    with pytest.raises(InvalidInput, match="job_name") as missing:
        service.classify_csv(good, column="job_name", output=tmp_path / "o.csv")
    assert "title" in missing.value.message and "--column" in missing.value.message
    token = current_lang.set("en")
    try:
        with pytest.raises(InvalidInput, match="has no column 'job_name'"):
            service.classify_csv(good, column="job_name", output=tmp_path / "o.csv")
    finally:
        current_lang.reset(token)
    empty = write(tmp_path / "empty.csv", "", "utf-8")
    with pytest.raises(InvalidInput, match="空"):
        service.classify_csv(empty, column="job_name", output=tmp_path / "o.csv")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"job_name\n\xff\xfe\xff\xff\n")
    with pytest.raises(InvalidInput, match="编码"):
        service.classify_csv(bad, column="job_name", output=tmp_path / "o.csv")
    blank = write(tmp_path / "blank.csv", "job_name,id\n,1\n,2\n", "utf-8")
    with pytest.raises(InvalidInput, match="没有任何岗位名称"):
        service.classify_csv(blank, column="job_name", output=tmp_path / "o.csv")
    assert not (tmp_path / "o.csv").exists()


def test_a_batch_starting_with_an_unclassifiable_title() -> None:
    """Regression: result columns were built from numpy object arrays, which polars turns into Object columns
    (and then fails) when the first value is None — as for an empty title at the head of a batch."""
    from silian.services.postings.classifier import classify_titles
    out = classify_titles(["", "数控车工"], top_k=2)
    assert out.schema["occupation_code"] == pl.String and out["occupation_code"][0] is None
    assert out["occupation_code"][1] is not None
