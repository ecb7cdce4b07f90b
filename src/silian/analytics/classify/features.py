"""Text features for short Chinese job-posting titles: normalisation, tokens and a fast TF-IDF.

Two token sets are used:

* :func:`title_tokens` — character 1-, 2- and 3-grams of the lower-cased title, plus the first and last
  1–4 characters of its *head* (the longest fragment once bracketed notes, salaries, perks and separators
  are removed), marked ``P:`` and ``S:``. The head's suffix names the kind of work (…工程师, …客服, …普工),
  its prefix the field (电商…, 抖音…, 汽车…).
* :func:`name_tokens` — character 1- and 2-grams, used to compare a title with the classification's own
  occupation names and aliases.

:class:`TokenTfidf` turns token lists into l2-normalised sublinear TF-IDF rows (CSR, float32). It is a
small re-implementation of scikit-learn's ``TfidfVectorizer(sublinear_tf=True, norm="l2",
smooth_idf=True)`` that accepts pre-computed tokens, so one tokenisation pass serves several spaces.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import scipy.sparse as sp

# bracketed notes (（郓城）, 【急招】, (J12355)), salaries and counts (8k, 6000+, 1w), perks and hiring noise
_NOISE = re.compile(
    r"[（(【\[<《].*?[）)】\]>》]"
    r"|[0-9０-９.]+\s*[kKwW千万元+＋]*"
    r"|急招|急聘|诚聘|高薪|双休|单休|包吃住|包住|包吃|五险一金|六险一金|五险|社保|不加班|底薪|提成|月薪|年薪"
    r"|日结|周结|周末|朝九晚六|实习生?|兼职|全职|长期|直招|招聘|[~～!！?？*#]"
)
_SEPARATORS = re.compile(r"[\s/\\、，,+＋|｜\-—–_:：;；.。·&＆]+")
AFFIX_LENGTHS = (1, 2, 3, 4)


def title_fragments(title: str) -> list[str]:
    """The title's fragments once noise (brackets, salaries, perks) and separators are removed."""
    cleaned = _NOISE.sub(" ", title.lower())
    return [part for part in _SEPARATORS.split(cleaned) if part]


def title_head(title: str) -> str:
    """The longest fragment of the title (the whole lower-cased title when nothing is left)."""
    parts = title_fragments(title)
    return max(parts, key=len) if parts else title.lower().strip()


def _char_ngrams(text: str, sizes: Iterable[int]) -> list[str]:
    out: list[str] = []
    for n in sizes:
        out.extend(text[i:i + n] for i in range(len(text) - n + 1))
    return out


def title_tokens(title: str) -> list[str]:
    """Character 1–3-grams of the lower-cased title plus ``P:``/``S:`` affixes of its head."""
    text = title.lower().strip()
    tokens = _char_ngrams(text, (1, 2, 3))
    head = title_head(title)
    for k in AFFIX_LENGTHS:
        if len(head) >= k:
            tokens.append("P:" + head[:k])
            tokens.append("S:" + head[-k:])
    return tokens


import os  # noqa: E402
_NAME_SIZES = tuple(int(c) for c in os.environ.get("NAME_NGRAMS", "12"))


def name_tokens(text: str) -> list[str]:
    """Character 1- and 2-grams of the lower-cased text (for matching against occupation names)."""
    return _char_ngrams(text.lower().strip(), _NAME_SIZES)


class TokenTfidf:
    """Sublinear TF-IDF over token lists, l2-normalised rows, float32 CSR output.

    Parameters
    ----------
    tokenizer : callable
        Maps one text to its list of tokens.

    Attributes
    ----------
    vocabulary_ : dict[str, int]
        Token → column.
    idf_ : numpy.ndarray
        Smoothed inverse document frequency per column, ``ln((1 + n) / (1 + df)) + 1``.
    """

    def __init__(self, tokenizer: Callable[[str], list[str]]):
        self.tokenizer = tokenizer

    def fit(self, texts: Sequence[str]) -> TokenTfidf:
        """Learn the vocabulary and IDF from ``texts``."""
        vocabulary: dict[str, int] = {}
        df: list[int] = []
        for text in texts:
            for token in set(self.tokenizer(text)):
                col = vocabulary.setdefault(token, len(vocabulary))
                if col == len(df):
                    df.append(0)
                df[col] += 1
        self.vocabulary_ = vocabulary
        self.idf_ = (np.log((1 + len(texts)) / (1 + np.asarray(df, dtype=np.float64))) + 1).astype(np.float32)
        return self

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """TF-IDF rows for ``texts``; tokens outside the vocabulary are ignored."""
        return self.transform_tokens([self.tokenizer(text) for text in texts])

    def transform_tokens(self, token_lists: Sequence[list[str]]) -> sp.csr_matrix:
        """TF-IDF rows for already tokenised texts."""
        get = self.vocabulary_.get
        indices: list[int] = []
        indptr = [0]
        for tokens in token_lists:
            indices.extend(c for c in map(get, tokens) if c is not None)
            indptr.append(len(indices))
        cols = np.asarray(indices, dtype=np.int32)
        data = np.ones(len(cols), dtype=np.float32)
        matrix = sp.csr_matrix((data, cols, np.asarray(indptr, dtype=np.int64)),
                               shape=(len(token_lists), len(self.vocabulary_)))
        matrix.sum_duplicates()
        np.log(matrix.data, out=matrix.data)
        matrix.data += 1
        matrix.data *= self.idf_[matrix.indices]
        return l2_normalize_rows(matrix)


def l2_normalize_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Divide each CSR row by its Euclidean norm (empty rows stay empty)."""
    lengths = np.diff(matrix.indptr)
    rows = np.repeat(np.arange(matrix.shape[0]), lengths)
    norms = np.sqrt(np.bincount(rows, weights=matrix.data.astype(np.float64) ** 2, minlength=matrix.shape[0]))
    scale = np.where(norms > 0, 1 / np.maximum(norms, 1e-12), 0).astype(np.float32)
    matrix.data *= scale[rows]
    return matrix
