"""ASGI entry point for servers that import an app object (`uvicorn silian.web.asgi:app`): settings from the
environment (SILIAN_*)."""

from silian.web.app import create_app

app = create_app()
