"""postings state in tables: confirmed titles, the review queue and the salary quantiles of the last load

They used to be files in the data folder (classify/confirmed_titles.csv, postings/review_queue.parquet,
postings/salary_summary.parquet). A migration does not know the data folder, so those files are imported by
:func:`silian.services.postings.state.import_state_files`, which ``ensure_schema`` and ``silian db upgrade`` run
right after upgrading.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def _candidates() -> list[sa.Column]:
    return [column for rank in ("", "_2", "_3") for column in (
        sa.Column(f'occupation_code{rank}', sa.String(length=20), nullable=True),
        sa.Column(f'occupation_name{rank}', sa.Text(), nullable=True),
        sa.Column(f'confidence{rank}', sa.Double(), nullable=True))]


def upgrade() -> None:
    op.create_table('confirmed_titles',
    sa.Column('title_key', sa.Text(), nullable=False, comment='岗位名称经分类器清洗后的形式（按它匹配）'),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('occupation_code', sa.String(length=20), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.Text(), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('title_key', name=op.f('pk_confirmed_titles')),
    comment='人工确认的岗位名称（复核队列的答案）：分类时先于模型采用'
    )
    op.create_table('posting_review_queue',
    sa.Column('position', sa.Integer(), autoincrement=False, nullable=False, comment='顺序：招聘条数多的在前'),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('postings', sa.Integer(), nullable=False),
    *_candidates(),
    sa.PrimaryKeyConstraint('position', name=op.f('pk_posting_review_queue')),
    comment='最近一次载入的招聘数据中待复核的岗位名称（模型的前三个候选）'
    )
    op.create_table('posting_salary_summary',
    sa.Column('dimension', sa.String(length=16), nullable=False, comment='all、occupation 或 region'),
    sa.Column('key', sa.String(length=20), nullable=False, comment='职业代码或地区代码；all 为空'),
    sa.Column('postings', sa.Integer(), nullable=False),
    sa.Column('salary_n', sa.Integer(), nullable=False),
    sa.Column('salary_p25', sa.Double(), nullable=True),
    sa.Column('salary_p50', sa.Double(), nullable=True),
    sa.Column('salary_p75', sa.Double(), nullable=True),
    sa.PrimaryKeyConstraint('dimension', 'key', name=op.f('pk_posting_salary_summary')),
    comment='最近一次载入的招聘数据的月薪分位数（总体、按职业、按地区）'
    )
    op.create_table('posting_snapshots',
    sa.Column('name', sa.String(length=32), nullable=False, comment='review_queue 或 salary_summary'),
    sa.Column('source', sa.Text(), server_default='', nullable=False),
    sa.Column('engine', sa.String(length=16), nullable=True),
    sa.Column('postings', sa.BigInteger(), nullable=True),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_posting_snapshots')),
    comment='复核队列与月薪分位数来自哪次载入（文件、引擎、招聘条数、时间）'
    )


def downgrade() -> None:
    op.drop_table('posting_snapshots')
    op.drop_table('posting_salary_summary')
    op.drop_table('posting_review_queue')
    op.drop_table('confirmed_titles')
