"""The web's typed dependencies: routes get the settings, the database and the caller from
:mod:`silian.web.dependencies` only; no web module imports storage or SQLAlchemy; ``create_app(settings)`` builds
the app from the settings it is given, and nothing is built at import time."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import silian.web
from silian.domain.access import Principal
from silian.domain.errors import PermissionDenied
from silian.services.hub_database import Database, open_database
from silian.services.planning.plan_request import finite, require_planner
from silian.settings import Settings
from silian.web.app import create_app
from silian.web.dependencies import AnalysesDep, DbDep, PrincipalDep, SettingsDep

WEB = Path(silian.web.__file__).parent
STATE_READERS = {"dependencies.py", "app.py"}  # create_app writes app.state; dependencies.py reads it
# pages/demand_platform.py imports POST_KINDS from storage until POST_KINDS moves into silian.domain
STORAGE_ALLOWED = {("pages/demand_platform.py", "silian.storage.platform_schema")}


def _modules() -> list[tuple[str, ast.Module]]:
    return [(path.relative_to(WEB).as_posix(), ast.parse(path.read_text(encoding="utf-8"), str(path)))
            for path in sorted(WEB.rglob("*.py"))]


def _state_reaches(tree: ast.Module) -> list[int]:
    """Lines reading ``<x>.app.state`` or ``app.state`` (the app's state, as opposed to ``request.state``)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "state":
            owner = node.value
            if isinstance(owner, ast.Attribute) and owner.attr == "app" or isinstance(owner, ast.Name) and owner.id == "app":
                found.append(node.lineno)
    return found


def test_only_dependencies_read_the_app_state() -> None:
    offenders = {name: lines for name, tree in _modules() if name not in STATE_READERS and (lines := _state_reaches(tree))}
    assert not offenders, f"read app.state through silian.web.dependencies instead: {offenders}"


def test_the_check_sees_a_reach_in() -> None:
    tree = ast.parse("def route(request):\n    return request.app.state.db\n")
    assert _state_reaches(tree) == [2]
    assert _state_reaches(ast.parse("def route(request):\n    return request.state.session\n")) == []


def test_web_imports_neither_storage_nor_sqlalchemy() -> None:
    found = set()
    for name, tree in _modules():
        for node in ast.walk(tree):
            targets = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            found |= {(name, t) for t in targets if t.split(".")[0] == "sqlalchemy" or t.startswith("silian.storage")}
    assert found <= STORAGE_ALLOWED, f"use silian.services (hub_database for Database): {sorted(found - STORAGE_ALLOWED)}"


def _probe(app: FastAPI) -> None:
    @app.get("/_probe")
    def probe(settings: SettingsDep, db: DbDep, analyses: AnalysesDep, p: PrincipalDep) -> dict[str, object]:
        return {"settings": id(settings), "db": id(db), "analyses": id(analyses), "public": p.is_public}


def test_create_app_uses_the_given_settings_only(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(database_url=db.url, data_dir=tmp_path, secret_key="k")

    def boom() -> None:
        raise AssertionError("create_app(settings) must not read the environment")

    monkeypatch.setattr("silian.web.app.Settings", boom)
    monkeypatch.setattr("silian.web.asgi.app_from_environment", boom)
    monkeypatch.setenv("SILIAN_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/nowhere")
    monkeypatch.setenv("SILIAN_DATA_DIR", str(tmp_path / "elsewhere"))
    app = create_app(settings, database=db)
    _probe(app)
    with TestClient(app) as client:
        got = client.get("/_probe").json()
        assert client.get("/api/v1/auth/me").json()["role"] == "public"
    assert got == {"settings": id(settings), "db": id(db), "analyses": id(app.state.analysis), "public": True}
    assert not (tmp_path / "elsewhere").exists()


def test_create_app_opens_the_database_of_its_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'own.db'}", data_dir=tmp_path, secret_key="k")
    migrated = open_database(settings)
    migrated.upgrade()
    migrated.dispose()
    monkeypatch.setenv("SILIAN_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/nowhere")
    app = create_app(settings)
    try:
        assert app.state.db.url == settings.database_url
        with TestClient(app) as client:
            assert client.get("/api/v1/posts/summary").status_code == 200  # the settings' database is reached
    finally:
        app.state.db.dispose()


def test_nothing_is_built_at_import_time() -> None:
    import silian.web.app
    import silian.web.asgi

    for module in (silian.web, silian.web.app, silian.web.asgi):
        assert not [name for name, value in vars(module).items() if isinstance(value, FastAPI)], module.__name__


def test_planning_rules_are_the_services() -> None:
    for role in ("city_admin", "county_officer"):
        assert require_planner(Principal(role=role, username="u")).role == role
    for role in ("school_user", "enterprise_user", "public"):
        with pytest.raises(PermissionDenied):
            require_planner(Principal(role=role, username="u"))
    assert finite({"a": [1.0, math.nan, (math.inf, 2)], "b": "x"}) == {"a": [1.0, None, [None, 2]], "b": "x"}
