"""schemathesis against the OpenAPI document (``/api/v1/openapi.json``), in-process over ASGI, as a city admin on
the demo region (SQLite): for every operation, valid and invalid requests (at most MAX_EXAMPLES each, from a fixed
seed, so a run is repeatable and takes a couple of minutes) must never give a 5xx and every response must match the
document: a declared status code, the declared content type and the declared response schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from silian.services.account_access import create_token
from silian.services.accounts import load_principal
from silian.settings import Settings
from silian.storage.database import Database
from silian.web.app import create_app
from tests.support.demo import DemoTemplate
from tests.web.test_permissions import add_users, make_world

MAX_EXAMPLES = 15
SEED = 20241129
REQUEST_TIMEOUT = 300  # seconds
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
FUZZ_CONFIG = {
    "seed": SEED,
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
    # the coverage phase enumerates every boundary value of every parameter (unbounded by max-examples): too slow
    # for CI; stateful links are not declared in the document
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
    # the app is called in-process, and schemathesis gives each call 10 s by default (an anyio deadline around the
    # ASGI call), which a plan solve (POST /api/v1/plan, up to its 30 s time limit) or a PDF can pass on a loaded
    # two-core machine: a response time is not what this module checks, so the deadline only catches a hang
    "request-timeout": REQUEST_TIMEOUT,
}


@dataclass
class Target:
    app: FastAPI
    headers: dict[str, str]


@pytest.fixture(scope="module")
def target(demo_template: DemoTemplate, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    settings = Settings(database_url=f"sqlite:///{folder / 'hub.db'}", data_dir=folder, secret_key="fuzz")
    db = demo_template.database(folder / "hub.db")  # a copy of the session's demo region
    admin = load_principal(db, add_users(db, {})["city_admin"])
    assert admin is not None
    token = create_token(db, settings, admin, "schemathesis").token
    app = create_app(settings, database=db)
    with TestClient(app):  # runs the app's lifespan, as a server would
        yield Target(app, {"Authorization": f"Bearer {token}"})
    db.dispose()


def openapi_document() -> dict[str, Any]:
    """The document as the app serves it (built without touching a database: nothing connects until first use)."""
    app = create_app(Settings(secret_key="openapi", database_url="sqlite://"), database=Database("sqlite://"))
    return app.openapi()


# Loaded when the module is collected, so that every operation is its own test. (schemathesis' own pytest
# integration does not work with pytest 9: `from_fixture` sets `request.node._nodeid`, which pytest 9 removed, and
# `schema.parametrize()` gives every operation the same test id; so the operations are driven by Hypothesis here.)
SCHEMA = schemathesis.openapi.from_dict(openapi_document(), config=schemathesis.Config.from_dict(FUZZ_CONFIG))
OPERATIONS = {op.label: op for op in (result.ok() for result in SCHEMA.get_all_operations())}
EXCLUDED = {
    # revokes the very token the fuzzer sends, so every later request would be a (correct) 401 that tests nothing;
    # revocation is tested in test_permissions.py::test_unknown_and_revoked_tokens_are_401
    "DELETE /api/v1/auth/token": "revokes the fuzzer's own token",
    # revoke a token by its id (the fuzzer's own is a small id) or change the fuzzer's password (ending its token);
    # tested in tests/web/test_accounts_web.py
    "DELETE /api/v1/tokens/{token_id}": "may revoke the fuzzer's own token",
    "DELETE /api/v1/auth/tokens/{token_id}": "may revoke the fuzzer's own token",
    "POST /api/v1/auth/password": "would end the fuzzer's own token",
}
BIG = 2**63  # SQLite's INTEGER range (PostgreSQL's INTEGER ends at 2**31: the fuzzer runs on SQLite)
MAX_PAGE_SIZE = 500


def beyond_64_bits(case: Any) -> bool:
    """KNOWN BUG (not in this module): ids and pages beyond SQLite's 64-bit INTEGER give 500 (OverflowError) on every
    `{record_id}`/`{post_id}` route and every list's `page` (see test_integers_beyond_64_bits_are_refused_not_500).
    Only those inputs are skipped, so everything else of the ~50 operations concerned is still fuzzed."""
    ids = [v for v in (case.path_parameters or {}).values() if isinstance(v, int)]
    page = (case.query or {}).get("page")
    return any(abs(v) >= BIG for v in ids) or (isinstance(page, int) and abs(page) * MAX_PAGE_SIZE >= BIG)


@pytest.mark.parametrize("label", [pytest.param(label, marks=pytest.mark.skip(reason=EXCLUDED[label]))
                                   if label in EXCLUDED else label for label in sorted(OPERATIONS)])
def test_operation_conforms_to_the_openapi_document(label: str, target: Target) -> None:
    operation = OPERATIONS[label]
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

        @hypothesis.settings(max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None,
                             phases=[Phase.explicit, Phase.generate, Phase.shrink],
                             suppress_health_check=list(HealthCheck))
        @hypothesis.given(case=operation.as_strategy(generation_mode=mode).filter(lambda c: not beyond_64_bits(c)))
        def check(case: Any) -> None:
            case.call_and_validate(app=target.app, headers=target.headers, checks=CHECKS)

        try:
            check()
        except hypothesis.errors.Unsatisfiable:
            if mode is GenerationMode.POSITIVE:
                raise  # negative data are impossible for an operation without parameters or body: nothing to test


def test_a_slow_operation_is_given_time_to_answer() -> None:
    """Every call may take longer than the longest plan solve the API accepts (its time_limit's maximum), with room
    for a loaded machine: schemathesis' own 10 s deadline made POST /api/v1/plan fail under load."""
    longest_solve = SCHEMA.raw_schema["components"]["schemas"]["PlanRequest"]["properties"]["time_limit"]["maximum"]
    for label in ("POST /api/v1/plan", "GET /api/v1/analysis/summary"):
        timeout = SCHEMA.config.request_timeout_for(operation=OPERATIONS[label])
        assert timeout is not None and timeout >= 5 * longest_solve, (label, timeout)


def test_the_document_declares_every_api_route(target: Target) -> None:
    with TestClient(target.app) as client:
        document = client.get("/api/v1/openapi.json", headers=target.headers).json()
    paths = document["paths"]
    assert "/api/v1/imports/{table}" in paths and "post" in paths["/api/v1/imports/{table}"]
    declared = set(paths["/api/v1/imports/{table}"]["post"]["responses"])
    assert {"200", "400", "401", "403", "413", "422"} <= declared
    assert not [p for p in paths if p.startswith("/data")], "pages stay out of the API document"


# ------------------------------------------------------------------------------------------------ known bugs found
@pytest.fixture
def raw_client(db: Database, tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The app over a seeded region, answering server errors with 500 as a server would (instead of raising)."""
    world = next(make_world(db, tmp_path))
    yield TestClient(world.client.app, raise_server_exceptions=False), world.headers("city_admin")


@pytest.mark.parametrize("url", ["/api/v1/regions/9223372036854775808", "/api/v1/institutions?page=184467440737095518",
                                 "/api/v1/posts/9223372036854775808"])
def test_integers_beyond_64_bits_are_refused_not_500(raw_client: tuple[TestClient, dict[str, str]], url: str) -> None:
    client, headers = raw_client
    assert client.get(url, headers=headers).status_code in (400, 404, 422)


def test_token_request_with_a_body_that_is_not_utf8_gets_a_declared_status(
        raw_client: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = raw_client
    response = client.post("/api/v1/auth/token", content=b"\xff\xfe{", headers={"content-type": "application/json"})
    declared = openapi_document()["paths"]["/api/v1/auth/token"]["post"]["responses"]
    assert str(response.status_code) in declared, response.text
