"""Server-rendered pages: one Jinja2 environment; every page gets the language, the user, the CSRF token and `t`."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from silian.domain.access import ROLE_NAMES, Principal
from silian.domain.messages import current_lang, t
from silian.web.dependencies import session_cookies_of
from silian.web.security import csrf_token


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("silian.web", "templates"),
                             autoescape=jinja2.select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)
    env.globals["t"] = t
    return env


def render(request: Request, template: str, principal: Principal, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` with the common page context."""
    lang = current_lang.get()
    role = ROLE_NAMES[principal.role]
    page = environment().get_template(template).render(
        request=request, lang=lang, html_lang="en" if lang == "en" else "zh-CN", user=principal,
        role_name=role[1] if lang == "en" else role[0], csrf_token=csrf_token(request, session_cookies_of(request)),
        path=request.url.path,
        here=request.url.path + (f"?{request.url.query}" if request.url.query else ""), **context)
    return HTMLResponse(page, status_code=status_code)
