"""Errors of pages as a page (404 页面不存在, 403, 401, 500) in the visitor's language, with a way home."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from silian.domain.access import PUBLIC
from silian.web.errors import error_heading
from silian.web.templating import render


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", PUBLIC, status_code=status, status=status, heading=error_heading(status),
                  message=message)
