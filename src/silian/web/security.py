"""Who is asking: bearer tokens for the API, signed session cookies (with a CSRF token) for pages; the request
language; the request size limit. Nothing here reads the app's state: routes get the database, the settings and the
caller through :mod:`silian.web.dependencies`."""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from silian.domain.access import PUBLIC, Principal
from silian.domain.messages import current_lang, t
from silian.services.account_access import principal_for_session, principal_for_token
from silian.services.hub_database import Database
from silian.settings import Settings, resolved_secret_key

SESSION_COOKIE = "silian_session"
LANG_COOKIE = "silian_lang"
CSRF_HEADER = "x-csrf-token"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
SIGNATURE_MAX_DAYS = 30


@dataclass
class Session:
    """The signed cookie's content: the user's id and the CSRF token of the session."""

    user_id: int | None
    csrf: str
    session_id: str = ""  # the server-side session (empty for an anonymous session)


@dataclass(frozen=True)
class SessionCookies:
    """Reads and writes the signed session cookie (one per app, built from the settings by :func:`session_cookies`)."""

    serializer: URLSafeTimedSerializer
    max_age: int
    forced_secure: bool | None  # the cookie_secure setting: None = decided per request (:func:`cookie_is_secure`)

    def read(self, request: Request) -> Session | None:
        raw = request.cookies.get(SESSION_COOKIE)
        if not raw:
            return None
        try:
            data = self.serializer.loads(raw, max_age=self.max_age)
        except BadSignature:
            return None
        return Session(user_id=data.get("uid"), csrf=str(data.get("csrf", "")), session_id=str(data.get("sid", "")))

    def write(self, request: Request, response: Response, user_id: int | None, csrf: str | None = None,
              session_id: str = "") -> Session:
        """Start (or end, with ``user_id=None``) a session: a new cookie and a new CSRF token (or the given one).
        A logged-in cookie carries the id of its server-side session (:func:`account_access.start_session`); the
        cookie lasts until the browser closes, the session until logout, ``session_hours`` without activity or
        ``session_max_hours`` after the login. Secure as :func:`cookie_is_secure` decides."""
        session = Session(user_id=user_id, csrf=csrf or secrets.token_urlsafe(24), session_id=session_id)
        response.set_cookie(SESSION_COOKIE,
                            self.serializer.dumps({"uid": user_id, "csrf": session.csrf, "sid": session_id}),
                            httponly=True, samesite="lax", secure=cookie_is_secure(request, self.forced_secure))
        return session


def cookie_is_secure(request: Request, forced: bool | None) -> bool:
    """Whether the session cookie is sent over HTTPS only: as ``cookie_secure`` says when it is set; otherwise yes
    unless the request came over plain HTTP to a loopback address (the browser is on this machine, nothing crosses
    a network). Behind a TLS proxy the scheme is https (uvicorn reads X-Forwarded-Proto from a trusted proxy)."""
    if forced is not None:
        return forced
    if request.url.scheme == "https":
        return True
    server = request.scope.get("server") or ("", 0)
    try:
        return not ipaddress.ip_address(str(server[0])).is_loopback
    except ValueError:  # not an address (a unix socket, an in-process test client): judged by the scheme alone
        return False


def session_cookies(settings: Settings) -> SessionCookies:
    """The session cookies of an app over ``settings`` (secret key, session length, HTTPS only)."""
    serializer = URLSafeTimedSerializer(resolved_secret_key(settings), salt="silian-session")
    # the signature's own age limit is only a backstop: idle time and logout are judged on the server
    return SessionCookies(serializer, max_age=SIGNATURE_MAX_DAYS * 24 * 3600, forced_secure=settings.cookie_secure)


def csrf_token(request: Request, cookies: SessionCookies) -> str:
    """The CSRF token of the current session (pages put it in forms and in htmx headers)."""
    session = getattr(request.state, "session", None) or cookies.read(request)
    return session.csrf if session else ""


async def resolve_principal(request: Request, db: Database, cookies: SessionCookies, settings: Settings) -> Principal:
    """The caller: a bearer token's user, a session's user (unsafe methods need the CSRF token), or the public."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        found = principal_for_token(db, auth[7:].strip())
        if found is None:
            raise login_required()
        return found
    session = cookies.read(request)
    request.state.session = session
    if session is None:
        return PUBLIC
    if request.method in UNSAFE:
        await check_csrf(request, session)
    if session.user_id is None or not session.session_id:  # a cookie from before server sessions: log in again
        return PUBLIC
    found = principal_for_session(db, settings, session.session_id)
    return found if found is not None and found.user_id == session.user_id else PUBLIC


def login_required() -> HTTPException:
    """The 401 of a caller who must log in (or whose bearer token is unknown)."""
    return HTTPException(401, t("web_login_required"), headers={"WWW-Authenticate": "Bearer"})


async def check_csrf(request: Request, session: Session | None) -> None:
    """403 unless the request carries the session's CSRF token (header or form field)."""
    sent = request.headers.get(CSRF_HEADER) or await _form_csrf(request)
    if session is None or not sent or not secrets.compare_digest(sent, session.csrf):
        raise HTTPException(403, t("web_csrf"))


async def _form_csrf(request: Request) -> str:
    kind = request.headers.get("content-type", "")
    if kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else ""
    return ""


class LanguageMiddleware:
    """Sets the message language for the request: ``?lang=``, then the cookie, then Accept-Language; zh default."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        lang = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or ""
        if lang not in ("zh", "en"):
            accept = request.headers.get("accept-language", "")
            lang = "en" if accept.lower().startswith("en") else "zh"
        token = current_lang.set(lang)
        try:
            await self.app(scope, receive, send)
        finally:
            current_lang.reset(token)


class BodySizeLimit:
    """Refuses request bodies above ``limit`` bytes with 413 in the error shape (declared or streamed)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        if declared is not None or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        # a streamed body of unknown length: read it (up to the limit) before the app sees it
        chunks, received, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            received += len(chunks[-1])
            more = message.get("more_body", False)
            if received > self.limit:
                await self._refuse(send)
                return
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        from silian.web.errors import error_json
        response = error_json(413, "too_large", t("web_too_large", limit=self.limit))
        await response({"type": "http"}, _no_receive, send)  # type: ignore[arg-type]


async def _no_receive() -> dict[str, Any]:
    return {"type": "http.disconnect"}
