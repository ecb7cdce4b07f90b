"""The web platform: `create_app(settings)` builds the FastAPI application (API, pages, static files)."""

from silian.web.app import create_app

__all__ = ["create_app"]
