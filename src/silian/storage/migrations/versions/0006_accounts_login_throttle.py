"""login throttling per account and source address, one API token per user and client name, one-time passwords

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-10 09:00:00.000000

Tokens: an older database kept one token per login; the newest of each (user, name) is kept, the older duplicates
(which the new rule would have replaced anyway) are removed before the unique index is made. No user row changes.
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_throttle',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False, comment='the name as typed (known or not: the same work)'),
    sa.Column('source', sa.String(length=64), nullable=False, comment='the client address (IPv6: its /64 network)'),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False,
              comment='attempts counted before their password is checked'),
    sa.Column('allowance', sa.Integer(), nullable=False, comment='attempts allowed before the next wait'),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_throttle')),
    sa.UniqueConstraint('username', 'source', name='uq_login_throttle_username_source'),
    comment='登录失败节流：按账号与来源地址计数，失败过多时该地址须等待，等待逐次加倍且有上限（不会把账号永久锁死）'
    )
    op.create_index(op.f('ix_login_throttle_last_attempt_at'), 'login_throttle', ['last_attempt_at'], unique=False)
    # plain ALTER TABLE on both backends: a copy of the users table (batch mode) would, with SQLite's foreign keys
    # on, empty the tables that cascade from it
    op.add_column('users', sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False,
                                     comment='密码由管理员重置（一次性密码），用户登录后须先修改'))
    op.execute("DELETE FROM api_tokens WHERE id NOT IN (SELECT keep FROM (SELECT MAX(id) AS keep FROM api_tokens "
               "GROUP BY user_id, name) AS newest)")
    op.create_index('ux_api_tokens_user_id_name', 'api_tokens', ['user_id', 'name'], unique=True)


def downgrade() -> None:
    op.drop_index('ux_api_tokens_user_id_name', table_name='api_tokens')
    op.drop_column('users', 'must_change_password')  # SQLite ≥ 3.35 drops a column in place
    op.drop_index(op.f('ix_login_throttle_last_attempt_at'), table_name='login_throttle')
    op.drop_table('login_throttle')
