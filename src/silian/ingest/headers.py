"""Match a file's headers to a table's fields (Chinese header, English header or field name)."""

from __future__ import annotations

import re
import unicodedata

from silian.domain.tables import Field, TableSpec

GENERATED_FIELD = Field("is_generated", "生成数据", "Generated", "bool", help="演示数据生成器生成的行为“是”")


def import_fields(spec: TableSpec) -> tuple[Field, ...]:
    """The fields a file may carry: the table's own, plus the generated-data marker."""
    return (*spec.fields, GENERATED_FIELD)


def normalize_header(text: str) -> str:
    """Fold width, case, spaces and required-markers so that '学校代码 *' matches '学校代码'."""
    folded = unicodedata.normalize("NFKC", str(text))
    return re.sub(r"[\s*＊]", "", folded).lower()


def header_map(spec: TableSpec, headers: list[str]) -> tuple[dict[str, str], list[str]]:
    """``({header: field_name}, unknown_headers)`` for a file's headers."""
    aliases: dict[str, str] = {}
    for f in import_fields(spec):
        for alias in (f.zh, f.en, f.name):
            aliases[normalize_header(alias)] = f.name
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    for header in headers:
        name = aliases.get(normalize_header(header))
        if name is None or name in mapping.values():
            unknown.append(header)
        else:
            mapping[header] = name
    return mapping, unknown
