"""Page routers (server-rendered HTML)."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    """Every page router, in the order they are matched."""
    from silian.web.pages import (
        account,
        dashboard,
        demand_platform,
        planning,
        planning_match,
        postings_review,
        postings_upload,
        reports,
        uploads,
    )

    return [account.router, postings_review.router, dashboard.router, demand_platform.router, uploads.router,
            postings_upload.router, planning_match.router, planning.router, reports.router]
