"""SQL tables of the hub, built from the table specs in :mod:`silian.domain.tables`."""

from __future__ import annotations

import sqlalchemy as sa

from silian.domain.tables import HUB_TABLES, REFERENCE_TARGETS, Field, TableSpec

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

_KIND_TYPES = {"int": sa.Integer, "float": sa.Double, "bool": sa.Boolean}


def _column(spec: TableSpec, f: Field) -> sa.Column:
    in_key = f.name in spec.key
    sql_type = _KIND_TYPES[f.kind]() if f.kind in _KIND_TYPES else sa.String(f.length)
    args: list[object] = [sql_type]
    target = REFERENCE_TARGETS.get(f.check or "")
    if target and f.required:
        args.append(sa.ForeignKey(f"{target[0]}.{target[1]}"))
    # optional parts of a natural key are stored as '' so that the unique key treats them as equal
    nullable = not (f.required or in_key)
    default = "" if in_key and not f.required else None
    return sa.Column(f.name, *args, nullable=nullable, server_default=default, comment=f.zh)  # type: ignore[arg-type]


def _table(spec: TableSpec) -> sa.Table:
    return sa.Table(
        spec.name,
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        *(_column(spec, f) for f in spec.fields),
        sa.Column("is_generated", sa.Boolean, nullable=False, server_default=sa.false(), comment="生成的演示数据"),
        sa.UniqueConstraint(*spec.key, name=f"uq_{spec.name}_key"),
        comment=spec.zh,
    )


hub_tables: dict[str, sa.Table] = {name: _table(spec) for name, spec in HUB_TABLES.items()}

data_sources = sa.Table(
    "data_sources",
    metadata,
    sa.Column("table_name", sa.String(64), primary_key=True),
    sa.Column("is_generated", sa.Boolean, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("provenance", sa.Text, nullable=False),
    sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    comment="每张表的数据来源：真实或生成",
)

import_log = sa.Table(
    "import_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("table_name", sa.String(64), nullable=False),
    sa.Column("file_name", sa.String(500), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("inserted", sa.Integer, nullable=False),
    sa.Column("updated", sa.Integer, nullable=False),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    comment="导入记录",
)
