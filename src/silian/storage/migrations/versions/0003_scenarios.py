"""scenarios (what-if plans, plants and school mergers)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('scenarios',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=False, comment='所属地区（市或县市区）'),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('spec', sa.Text(), nullable=False, comment='JSON'),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('plan', 'plant', 'merger')", name='ck_scenarios_kind'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scenarios')),
    sa.UniqueConstraint('region_code', 'name', name='uq_scenarios_region_code_name'),
    comment='情景：改变的招生计划、新建工厂、学校合并（只存方案，不改动中心库数据）'
    )


def downgrade() -> None:
    op.drop_table('scenarios')
