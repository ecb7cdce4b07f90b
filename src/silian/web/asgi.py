"""ASGI entry point for servers that build the app from a factory, with settings from the environment (SILIAN_*):
``uvicorn --factory silian.web.asgi:app_from_environment`` (what ``silian serve --workers N`` runs). Nothing is
built at import time."""

from fastapi import FastAPI

from silian.services.hub_database import open_database
from silian.services.production_check import check_production
from silian.settings import Settings
from silian.web.app import create_app
from silian.web.observability import configure_logging


def app_from_environment() -> FastAPI:
    """The platform over the settings in the environment (a new app per worker process), logging JSON lines; in
    production (``SILIAN_ENV=production``) insecure settings stop it with a message saying what to change."""
    configure_logging()
    settings = Settings()
    db = open_database(settings)
    check_production(settings, db)
    return create_app(settings, database=db)
