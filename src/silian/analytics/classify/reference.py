"""The occupation classification as the classifier sees it: one label per code, with its names.

Labels use the four-part form of the labelled postings (``2-02-10-03``). Codes above 细类 are padded with
``00``: 小类 ``2-06-07`` → ``2-06-07-00``, 中类 ``2-02`` → ``2-02-00-00``, 大类 ``2`` → ``2-00-00-00``. Where a
小类 has no 细类 of its own, the 大典 codes its single 细类 ``…-00`` too, so both share one label.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

LEVEL_NAMES = ("大类", "中类", "小类", "细类")
LABEL_PATTERN = re.compile(r"^\d-\d{2}-\d{2}-\d{2}$")
_MARKER = re.compile(r"(?<=[\u4e00-\u9fff）)])(L/S|S/L|S|L)$")  # 数字职业 S / 绿色职业 L markers
_ALIAS_SEPARATORS = re.compile(r"[,，;；\n]+")


def pad_code(code: str) -> str:
    """A 大典 code of any level in the four-part label form (``2-02`` → ``2-02-00-00``)."""
    parts = code.strip().split("-")
    return "-".join(parts + ["00"] * (4 - len(parts)))


def code_prefix(label: str, level: int) -> str:
    """The label's ancestor at ``level`` (1 大类 … 4 细类), padded (``2-06-07-02``, 3 → ``2-06-07-00``)."""
    return pad_code("-".join(label.split("-")[:level]))


def label_depth(label: str) -> int:
    """How many leading parts of the label are not ``00`` padding (``2-06-07-00`` → 3)."""
    parts = label.split("-")
    depth = 1
    while depth < 4 and parts[depth] != "00":
        depth += 1
    return depth


def strip_marker(name: str) -> str:
    """An occupation name without its trailing S / L / L/S marker (``全媒体运营师S`` → ``全媒体运营师``)."""
    return _MARKER.sub("", name.strip())


def split_aliases(aliases: str | None) -> list[str]:
    """The aliases of one occupation, markers stripped, blanks dropped."""
    if not aliases:
        return []
    return [strip_marker(a) for a in _ALIAS_SEPARATORS.split(aliases) if a.strip()]


@dataclass(frozen=True, eq=False)
class OccupationReference:
    """The labels the classifier can predict, their names, and the texts that describe them.

    ``texts[i]`` is a name or alias of ``labels[text_label[i]]``. Compared and hashed by identity.
    """

    labels: tuple[str, ...]
    names: tuple[str, ...]
    texts: tuple[str, ...]
    text_label: np.ndarray

    @classmethod
    def from_frame(cls, frame: pl.DataFrame, extra_labels: Iterable[str] = ()) -> OccupationReference:
        """Build from a table with ``code``, ``name`` and optional ``aliases`` columns (any level).

        ``extra_labels`` (e.g. training labels missing from the table) are added with the label as name.
        """
        names: dict[str, str] = {}
        texts: dict[str, list[str]] = {}
        has_aliases = "aliases" in frame.columns
        for row in frame.iter_rows(named=True):
            label = pad_code(row["code"])
            name = strip_marker(row["name"] or label)
            names.setdefault(label, name)  # the finer entry keeps its name when two levels share a label
            own = texts.setdefault(label, [])
            for text in [name, *(split_aliases(row["aliases"]) if has_aliases else [])]:
                if text and text not in own:
                    own.append(text)
        for label in extra_labels:
            names.setdefault(label, label)
        labels = tuple(sorted(names))
        index = {label: i for i, label in enumerate(labels)}
        pairs = [(text, index[label]) for label in labels for text in texts.get(label, [])]
        return cls(labels=labels, names=tuple(names[label] for label in labels),
                   texts=tuple(p[0] for p in pairs), text_label=np.asarray([p[1] for p in pairs], dtype=np.int32))

    def index(self) -> dict[str, int]:
        """Label → position."""
        return {label: i for i, label in enumerate(self.labels)}

    def name_of(self, labels: Sequence[str]) -> list[str | None]:
        """The names of ``labels`` (None for a label the reference does not know)."""
        lookup = dict(zip(self.labels, self.names, strict=True))
        return [lookup.get(label) for label in labels]
