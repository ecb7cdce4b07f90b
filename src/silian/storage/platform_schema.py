"""SQL tables of the platform (accounts, tokens, audit log, the demand-sharing posts and responses)."""

from __future__ import annotations

import sqlalchemy as sa

from silian.domain.access import USER_ROLES
from silian.domain.vocab import SCENARIO_KINDS
from silian.storage.schema import metadata


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("display_name", sa.String(100), nullable=False, server_default=""),
    sa.Column("county_code", sa.String(6), nullable=True, comment="县级用户所属县市区"),
    sa.Column("institution_code", sa.String(20), nullable=True, comment="学校用户所属学校"),
    sa.Column("enterprise_credit_code", sa.String(18), nullable=True, comment="企业用户所属企业"),
    sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),  # unused since 0006: login_throttle
    sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),  # unused since 0006: login_throttle
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("must_change_password", sa.Boolean, nullable=False, server_default=sa.false(),
              comment="密码由管理员重置（一次性密码），用户登录后须先修改"),
    sa.CheckConstraint(_one_of("role", USER_ROLES), name="ck_users_role"),
    comment="平台用户",
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column(
        "token_hash",
        sa.String(64),
        nullable=False,
        unique=True,
        comment="SHA-256 of the token; the token itself is never stored",
    ),
    sa.Column("name", sa.String(100), nullable=False, server_default=""),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ux_api_tokens_user_id_name", "user_id", "name", unique=True),  # one token per user and client name
    comment="API 访问令牌",
)

login_throttle = sa.Table(
    "login_throttle", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(64), nullable=False, comment="the name as typed (known or not: the same work)"),
    sa.Column("source", sa.String(64), nullable=False, comment="the client address (IPv6: its /64 network)"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0",
              comment="attempts counted before their password is checked"),
    sa.Column("allowance", sa.Integer, nullable=False, comment="attempts allowed before the next wait"),
    sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.UniqueConstraint("username", "source", name="uq_login_throttle_username_source"),
    comment="登录失败节流：按账号与来源地址计数，失败过多时该地址须等待，等待逐次加倍且有上限（不会把账号永久锁死）",
)

web_sessions = sa.Table(
    "web_sessions", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True,
              comment="SHA-256 of the session id in the signed cookie; the id itself is never stored"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True, comment="退出登录的时间（之后该会话无效）"),
    comment="浏览器登录会话：退出即失效，闲置超时按最后活动时间计算",
)

audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("user_id", sa.Integer, nullable=True),
    sa.Column("username", sa.String(64), nullable=False, server_default=""),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("entity", sa.String(64), nullable=False, server_default=""),
    sa.Column("entity_id", sa.String(100), nullable=False, server_default=""),
    sa.Column("before", sa.Text, nullable=True, comment="JSON"),
    sa.Column("after", sa.Text, nullable=True, comment="JSON"),
    sa.Column("client", sa.String(100), nullable=False, server_default=""),
    comment="审计日志：谁、何时、改了什么",
)

posts = sa.Table(
    "posts", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("enterprise_credit_code", sa.String(18), nullable=True, index=True),
    sa.Column("institution_code", sa.String(20), nullable=True, index=True),
    sa.Column("region_code", sa.String(6), nullable=True),
    sa.Column("occupation_code", sa.String(20), nullable=True),
    sa.Column("major_code", sa.String(20), nullable=True),
    sa.Column("skill_level", sa.String(16), nullable=True),
    sa.Column("count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="open"),
    sa.Column("created_by", sa.Integer, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("count >= 0", name="ck_posts_count"),
    comment="需求共享平台：企业需求、技术需求、订单班/学徒岗位、学校供给与合作意向",
)

post_responses = sa.Table(
    "post_responses", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("post_id", sa.Integer, sa.ForeignKey("posts.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("institution_code", sa.String(20), nullable=True),
    sa.Column("enterprise_credit_code", sa.String(18), nullable=True),
    sa.Column("major_code", sa.String(20), nullable=True),
    sa.Column("seats", sa.Integer, nullable=False, server_default="0"),
    sa.Column("message", sa.Text, nullable=False, server_default=""),
    sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("cooperation_id", sa.Integer, nullable=True),
    sa.Column("created_by", sa.Integer, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("seats >= 0", name="ck_post_responses_seats"),
    comment="对需求的响应：学校响应企业需求，企业接受或拒绝",
)

scenarios = sa.Table(
    "scenarios", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("region_code", sa.String(12), nullable=False, comment="所属地区（市或县市区）"),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("spec", sa.Text, nullable=False, comment="JSON"),
    sa.Column("created_by", sa.Integer, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("region_code", "name", name="uq_scenarios_region_code_name"),
    sa.CheckConstraint(_one_of("kind", SCENARIO_KINDS), name="ck_scenarios_kind"),
    comment="情景：改变的招生计划、新建工厂、学校合并（只存方案，不改动中心库数据）",
)
