"""Page routers (server-rendered HTML)."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    """Every page router, in the order they are matched."""
    from silian.web.pages import account
    found = [account.router]
    for name in ("postings_review", "dashboard", "platform", "uploads"):
        try:
            module = __import__(f"silian.web.pages.{name}", fromlist=["router"])
        except ModuleNotFoundError:
            continue
        found.append(module.router)
    return found
