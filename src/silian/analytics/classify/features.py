"""Text features for short Chinese job-posting titles, vectorised over a whole batch.

Each title (lower-cased) is described by

* its character n-grams (sizes 1–3 for the classifier, 1–2 for matching occupation names), and
* optionally the first and last 1–4 characters of its *head*: the longest fragment left once bracketed
  notes, salaries, perks and hiring words are removed and the rest is split at separators. The head's
  suffix names the kind of work (…工程师, …客服, …普工), its prefix the field (电商…, 抖音…, 汽车…).

:class:`NgramTfidf` turns titles into l2-normalised sublinear TF-IDF rows (CSR, float32), the same values
as scikit-learn's ``TfidfVectorizer(sublinear_tf=True, smooth_idf=True)`` on these tokens. N-grams are
encoded as integers from the characters' code points (21 bits each), so extracting and looking them up
runs in numpy over the batch; only the head needs a regular expression, applied to the joined batch.
Head affixes are hashed to integers the same way (see :func:`affix_keys`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

# bracketed notes (（郓城）, 【急招】, (J12355)), salaries and counts (8k, 6000+, 1w), perks and hiring words
_NOISE = re.compile(
    r"[（(【\[<《][^\n]*?[）)】\]>》]"
    r"|[0-9０-９.]+[ \t]*[kKwW千万元+＋]*"
    r"|急招|急聘|诚聘|高薪|双休|单休|包吃住|包住|包吃|五险一金|六险一金|五险|社保|不加班|底薪|提成|月薪|年薪"
    r"|日结|周结|周末|朝九晚六|实习生?|兼职|全职|长期|直招|招聘|[~～!！?？*#]"
)
_SEPARATORS = re.compile(r"[\s/\\、，,+＋|｜\-—–_:：;；.。·&＆]+")
AFFIX_LENGTHS = (1, 2, 3, 4)
_BITS = 21  # every Unicode code point fits in 21 bits
_PRIME = np.uint64(1099511628211)  # the 64-bit FNV prime
_TOP_BIT = np.uint64(1 << 63)


def clean_titles(titles: Sequence[str]) -> list[str]:
    """Titles lower-cased and stripped, line breaks replaced by spaces."""
    return [str(t).replace("\n", " ").replace("\r", " ").lower().strip() for t in titles]


def title_heads(cleaned: Sequence[str]) -> list[str]:
    """The head of each (cleaned) title: its longest fragment once noise is removed, else the title."""
    if not cleaned:
        return []
    lines = _NOISE.sub(" ", "\n".join(cleaned)).split("\n")
    heads = []
    for line, title in zip(lines, cleaned, strict=True):
        parts = _SEPARATORS.split(line)
        head = max(parts, key=len)
        heads.append(head if head else title)
    return heads


def _codes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Code points of the concatenated texts (uint64) and each text's length."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    return np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64), lengths


def ngram_keys(cleaned: Sequence[str], sizes: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Integer keys of every character n-gram of every title, and the title each key came from.

    A size-n key packs n code points into n·21 bits (below 2**63), so keys of different sizes never
    collide.
    """
    codes, lengths = _codes(cleaned)
    owner = np.repeat(np.arange(len(cleaned)), lengths)
    keys, rows = [np.zeros(0, dtype=np.uint64)], [np.zeros(0, dtype=np.int64)]
    for n in sizes:
        count = len(codes) - n + 1
        if count <= 0:
            continue
        same = owner[:count] == owner[n - 1:]
        key = codes[:count].copy()
        for j in range(1, n):
            key |= codes[j:j + count] << np.uint64(_BITS * j)
        keys.append(key[same])
        rows.append(owner[:count][same])
    return np.concatenate(keys), np.concatenate(rows)


def affix_keys(heads: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Integer keys of each head's first and last 1–4 characters, and the head each key came from.

    Keys are a multiplicative hash of the characters, the length and the side, with the top bit set so
    that they never equal an n-gram key; a collision between two affixes has odds near 2**-60.
    """
    codes, lengths = _codes(heads)
    starts = np.cumsum(lengths) - lengths
    keys, rows = [np.zeros(0, dtype=np.uint64)], [np.zeros(0, dtype=np.int64)]
    with np.errstate(over="ignore"):
        for k in AFFIX_LENGTHS:
            has = np.flatnonzero(lengths >= k)
            for side, first in ((1, starts[has]), (2, starts[has] + lengths[has] - k)):
                h = np.full(len(has), np.uint64(side * 16 + k))
                for j in range(k):
                    h = h * _PRIME + codes[first + j]
                keys.append(h | _TOP_BIT)
                rows.append(has)
    return np.concatenate(keys), np.concatenate(rows)


class NgramTfidf:
    """Sublinear TF-IDF of character n-grams (and head affixes), l2-normalised rows, float32 CSR.

    Parameters
    ----------
    sizes : tuple of int
        N-gram sizes (at most 3, so that keys fit in 63 bits).
    affixes : bool
        Add the first and last 1–4 characters of the title's head.

    Attributes
    ----------
    keys_ : numpy.ndarray
        Sorted token keys of the vocabulary; column ``i`` is ``keys_[i]``.
    idf_ : numpy.ndarray
        ``ln((1 + n) / (1 + df)) + 1`` per column.
    """

    def __init__(self, sizes: tuple[int, ...] = (1, 2, 3), affixes: bool = True):
        self.sizes = sizes
        self.affixes = affixes

    def _keys(self, titles: Sequence[str]) -> tuple[np.ndarray, np.ndarray, int]:
        cleaned = clean_titles(titles)
        keys, rows = ngram_keys(cleaned, self.sizes)
        if self.affixes:
            more_keys, more_rows = affix_keys(title_heads(cleaned))
            keys, rows = np.concatenate([keys, more_keys]), np.concatenate([rows, more_rows])
        return keys, rows, len(cleaned)

    def fit(self, titles: Sequence[str]) -> NgramTfidf:
        """Learn the vocabulary and IDF from ``titles``."""
        keys, rows, n = self._keys(titles)
        self.keys_ = np.unique(keys)
        pairs = np.unique(np.searchsorted(self.keys_, keys).astype(np.int64) * max(n, 1) + rows)
        df = np.bincount(pairs // max(n, 1), minlength=len(self.keys_)).astype(np.float64)
        self.idf_ = (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)
        return self

    @property
    def n_features(self) -> int:
        return len(self.idf_)

    def transform(self, titles: Sequence[str]) -> sp.csr_matrix:
        """TF-IDF rows for ``titles``; tokens outside the vocabulary are ignored."""
        keys, rows, n = self._keys(titles)
        cols = np.minimum(np.searchsorted(self.keys_, keys), len(self.keys_) - 1)
        known = self.keys_[cols] == keys
        width = self.n_features
        pair, counts = np.unique(rows[known] * width + cols[known], return_counts=True)
        rows, cols = pair // width, pair % width
        data = ((1 + np.log(counts.astype(np.float32))) * self.idf_[cols]).astype(np.float32)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
        return l2_normalize_rows(sp.csr_matrix((data, cols.astype(np.int32), indptr), shape=(n, width)))


def l2_normalize_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Divide each CSR row by its Euclidean norm (empty rows stay empty)."""
    lengths = np.diff(matrix.indptr)
    rows = np.repeat(np.arange(matrix.shape[0]), lengths)
    norms = np.sqrt(np.bincount(rows, weights=matrix.data.astype(np.float64) ** 2, minlength=matrix.shape[0]))
    scale = np.where(norms > 0, 1 / np.maximum(norms, 1e-12), 0).astype(np.float32)
    matrix.data *= scale[rows]
    return matrix
