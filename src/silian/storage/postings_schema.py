"""SQL tables of the postings state: the titles reviewers confirmed, and what the last `silian postings import
--load` keeps for the web (the review queue and the salary quantiles, with where they came from)."""

from __future__ import annotations

import sqlalchemy as sa

from silian.storage.schema import metadata

confirmed_titles = sa.Table(
    "confirmed_titles", metadata,
    sa.Column("title_key", sa.Text, primary_key=True, comment="岗位名称经分类器清洗后的形式（按它匹配）"),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("occupation_code", sa.String(20), nullable=False),
    sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("source", sa.Text, nullable=False, server_default=""),
    comment="人工确认的岗位名称（复核队列的答案）：分类时先于模型采用",
)

CANDIDATE_RANKS = ("", "_2", "_3")
posting_review_queue = sa.Table(
    "posting_review_queue", metadata,
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False, comment="顺序：招聘条数多的在前"),
    sa.Column("title", sa.Text, nullable=True),
    sa.Column("postings", sa.Integer, nullable=False),
    *(column for rank in CANDIDATE_RANKS for column in (
        sa.Column(f"occupation_code{rank}", sa.String(20), nullable=True),
        sa.Column(f"occupation_name{rank}", sa.Text, nullable=True),
        sa.Column(f"confidence{rank}", sa.Double, nullable=True))),
    comment="最近一次载入的招聘数据中待复核的岗位名称（模型的前三个候选）",
)

posting_salary_summary = sa.Table(
    "posting_salary_summary", metadata,
    sa.Column("dimension", sa.String(16), primary_key=True, comment="all、occupation 或 region"),
    sa.Column("key", sa.String(20), primary_key=True, comment="职业代码或地区代码；all 为空"),
    sa.Column("postings", sa.Integer, nullable=False),
    sa.Column("salary_n", sa.Integer, nullable=False),
    sa.Column("salary_p25", sa.Double, nullable=True),
    sa.Column("salary_p50", sa.Double, nullable=True),
    sa.Column("salary_p75", sa.Double, nullable=True),
    comment="最近一次载入的招聘数据的月薪分位数（总体、按职业、按地区）",
)

posting_snapshots = sa.Table(
    "posting_snapshots", metadata,
    sa.Column("name", sa.String(32), primary_key=True, comment="review_queue 或 salary_summary"),
    sa.Column("source", sa.Text, nullable=False, server_default=""),
    sa.Column("engine", sa.String(16), nullable=True),
    sa.Column("postings", sa.BigInteger, nullable=True),
    sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
    comment="复核队列与月薪分位数来自哪次载入（文件、引擎、招聘条数、时间）",
)
