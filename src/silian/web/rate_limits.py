"""Per-client request limits (issue #14: a crowd or a script must not starve everyone else).

Three budgets per client address, each a moving window from the kept library ``limits``: login attempts (the API
token route and the login page together), requests without credentials (the public dashboard and analysis API),
and requests that carry a session cookie or bearer token (which bounds floods of made-up tokens as well). Static
files are not counted. Beyond a budget the answer is 429 in the one error shape with ``Retry-After``; nothing
else is spent on the request (no database query, no password hash).

Behind a reverse proxy, start uvicorn with ``--proxy-headers --forwarded-allow-ips=<proxy>`` so the client
address is the user's, not the proxy's.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from silian.domain.messages import register_messages, t
from silian.settings import Settings
from silian.web.dependencies import session_cookies_of

register_messages({
    "web_rate_limited": (
        "请求过于频繁，请在 {seconds} 秒后重试",
        "Too many requests; try again in {seconds} s",
    ),
})

LOGIN_PATHS = frozenset({"/api/v1/auth/token", "/login"})
UNCOUNTED_PREFIXES = ("/static/", "/healthz", "/readyz", "/favicon")


def _item(rate: str) -> RateLimitItem | None:
    return None if rate.strip() in ("", "0") else parse(rate)


class RateLimit:
    """ASGI middleware: counts each request against its client's budget and answers 429 beyond it."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.login = _item(settings.rate_limit_login)
        self.anonymous = _item(settings.rate_limit_anonymous)
        self.signed_in = _item(settings.rate_limit_signed_in)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNCOUNTED_PREFIXES):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        client = request.client.host if request.client else "-"
        for budget, item in self._budgets(request):
            if item is not None and not self.limiter.hit(item, budget, client):
                await self._refuse(item, budget, client, scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _budgets(self, request: Request) -> list[tuple[str, RateLimitItem | None]]:
        budgets: list[tuple[str, RateLimitItem | None]] = []
        if request.method == "POST" and request.url.path in LOGIN_PATHS:
            budgets.append(("login", self.login))
        budgets.append(("signed_in", self.signed_in) if _carries_credentials(request) else ("anonymous", self.anonymous))
        return budgets

    async def _refuse(self, item: RateLimitItem, budget: str, client: str, scope: Scope, receive: Receive,
                      send: Send) -> None:
        from silian.web.errors import error_json

        reset_at, _remaining = self.limiter.get_window_stats(item, budget, client)
        seconds = max(1, math.ceil(reset_at - time.time()))
        response = error_json(429, "rate_limited", t("web_rate_limited", seconds=seconds),
                              headers={"Retry-After": str(seconds)})
        await response(scope, receive, send)


def _carries_credentials(request: Request) -> bool:
    """A bearer token, or a session cookie whose signature holds and names a user (checked without the database)."""
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return True
    session = session_cookies_of(request).read(request)
    return session is not None and session.user_id is not None
