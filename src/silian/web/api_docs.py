"""The API documentation, served from the platform's own vendored Swagger UI (no CDN: it works on an intranet), and
the OpenAPI document, both open to whom the ``api_docs`` setting says: signed-in users (default), everyone, or
nobody. A visitor who may not read them gets the login page (a person) or 401 (a script)."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from silian.domain.messages import current_lang, register_messages, t
from silian.web.dependencies import PrincipalDep, SettingsDep
from silian.web.security import login_required

register_messages({"api_docs_title": ("四链平台 API 文档", "Silian platform API documentation")})

OPENAPI_PATH = "/api/v1/openapi.json"
DOCS_PATH = "/api/docs"

router = APIRouter(include_in_schema=False)


def _allowed(settings: SettingsDep, principal: PrincipalDep) -> bool:
    if settings.api_docs == "off":
        raise HTTPException(404)
    return settings.api_docs == "public" or not principal.is_public


@router.get(OPENAPI_PATH)
def openapi_document(request: Request, settings: SettingsDep, principal: PrincipalDep) -> JSONResponse:
    if not _allowed(settings, principal):
        raise login_required()
    return JSONResponse(request.app.openapi())


@router.get(DOCS_PATH)
def api_docs_page(request: Request, settings: SettingsDep, principal: PrincipalDep) -> Response:
    if not _allowed(settings, principal):
        return RedirectResponse(f"/login?next={DOCS_PATH}", status_code=303)
    lang = current_lang.get()
    page = f"""<!DOCTYPE html>
<html lang="{'en' if lang == 'en' else 'zh-CN'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(t("api_docs_title"))}</title>
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi="{OPENAPI_PATH}"></div>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/js/api-docs.js"></script>
</body>
</html>"""
    return HTMLResponse(page)
