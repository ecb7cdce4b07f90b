"""Page routers (server-rendered HTML)."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    """Every page router, in the order they are matched."""
    from silian.web.pages import (
        account,
        admin_audit,
        admin_users,
        dashboard,
        demand_platform,
        home,
        methods,
        planning,
        planning_match,
        postings_review,
        postings_upload,
        record_form,
        records,
        reports,
        uploads,
    )

    return [account.router, admin_users.router, admin_audit.router, postings_review.router, dashboard.router,
            home.router, methods.router, demand_platform.router, uploads.router, postings_upload.router,
            planning_match.router, planning.router, reports.router, records.router, record_form.router]
