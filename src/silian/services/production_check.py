"""The settings check of a production deployment (``SILIAN_ENV=production``): `silian serve` and the ASGI factory
refuse to start while a setting would leave the platform open, and say what to change."""

from __future__ import annotations

from silian.domain.errors import InvalidInput
from silian.domain.messages import register_messages, t
from silian.services.account_admin import active_demo_accounts
from silian.settings import Settings
from silian.storage.database import Database

ENVIRONMENTS = ("development", "production")
register_messages({
    "prod_bad_env": ("SILIAN_ENV 只能是 development 或 production，实际为“{value}”",
                     "SILIAN_ENV must be development or production, not '{value}'"),
    "prod_refused": ("生产模式（SILIAN_ENV=production）下的设置不安全，平台未启动：",
                     "Insecure settings in production mode (SILIAN_ENV=production); the platform did not start:"),
    "prod_secret_key": ("没有设置 SILIAN_SECRET_KEY：请设一个至少 32 个字符的随机密钥（每台服务器相同）",
                        ("SILIAN_SECRET_KEY is not set: set a random key of at least 32 characters (the same on "
                        "every server)")),
    "prod_short_key": ("SILIAN_SECRET_KEY 太短（{n} 个字符）：至少 32 个字符",
                       "SILIAN_SECRET_KEY is too short ({n} characters): at least 32"),
    "prod_cookie": (("SILIAN_COOKIE_SECURE=false 会让会话 Cookie 经明文 HTTP 发送：请删除该设置（自动）或设为 true，"
                    "并通过 HTTPS 提供服务"),
                    ("SILIAN_COOKIE_SECURE=false sends the session cookie over plain HTTP: remove the setting "
                    "(automatic) or set it true, and serve over HTTPS")),
    "prod_demo": ("演示账号仍可登录（其密码曾打印在终端上）：{users}；请停用：silian user deactivate 用户名",
                  ("Demo accounts can still log in (their passwords were printed on a terminal): {users}; deactivate "
                  "them: silian user deactivate USERNAME")),
    "prod_sessions": ("SILIAN_SESSION_MAX_HOURS（{max}）须不小于 SILIAN_SESSION_HOURS（{idle}）且不超过 168",
                      "SILIAN_SESSION_MAX_HOURS ({max}) must be at least SILIAN_SESSION_HOURS ({idle}) and at most 168"),
})
MIN_SECRET_KEY = 32


def insecure_settings(settings: Settings, db: Database | None = None) -> list[str]:
    """What would be insecure in production (messages in the current language); empty when nothing is."""
    problems = []
    if not settings.secret_key:
        problems.append(t("prod_secret_key"))
    elif len(settings.secret_key) < MIN_SECRET_KEY:
        problems.append(t("prod_short_key", n=len(settings.secret_key)))
    if settings.cookie_secure is False:
        problems.append(t("prod_cookie"))
    if not 0 < settings.session_hours <= settings.session_max_hours <= 168:
        problems.append(t("prod_sessions", max=settings.session_max_hours, idle=settings.session_hours))
    if db is not None and (demo := active_demo_accounts(db)):
        problems.append(t("prod_demo", users="、".join(demo)))
    return problems


def check_production(settings: Settings, db: Database | None = None) -> None:
    """Refuse (InvalidInput, every problem listed) to serve production with insecure settings; nothing in development."""
    if settings.env not in ENVIRONMENTS:
        raise InvalidInput(t("prod_bad_env", value=settings.env))
    if settings.env != "production":
        return
    problems = insecure_settings(settings, db)
    if problems:
        raise InvalidInput("\n".join([t("prod_refused"), *(f"  - {p}" for p in problems)]))
