"""`silian user …` in-process: the admin's account operations on the command line (parity with /admin/users),
their exit codes, the audit log and its .xlsx, and `silian serve` refusing insecure production settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from silian.services.account_access import create_token
from silian.services.accounts import authenticate
from silian.services.hub_database import open_database
from silian.settings import Settings
from tests.support.cli import silian

PASSWORD = "a long enough password"


def test_user_commands_manage_accounts_and_read_the_audit(tmp_path: Path) -> None:
    data = tmp_path / "data"
    silian("user", "add", "admin", "--password", PASSWORD, data_dir=data)
    weak = silian("user", "add", "weak", "--password", "aaaaaaaaaaaa", data_dir=data, check=False)
    assert weak.returncode == 2 and "重复" in weak.stderr
    silian("user", "add", "ops", "--password", PASSWORD, "--name", "运维", data_dir=data)
    listed = json.loads(silian("user", "list", "--json", data_dir=data).stdout)
    assert [u["username"] for u in listed] == ["admin", "ops"] and listed[1]["display_name"] == "运维"
    reset = silian("user", "reset-password", "ops", data_dir=data).stdout
    one_time = reset.strip().splitlines()[-1]
    settings = Settings(data_dir=data, secret_key="k")
    db = open_database(settings)
    try:
        who = authenticate(db, settings, "ops", one_time)
        token = create_token(db, settings, who, "nightly")
    finally:
        db.dispose()
    tokens = json.loads(silian("user", "tokens", "ops", "--json", data_dir=data).stdout)
    assert [(t["id"], t["name"]) for t in tokens] == [(token.token_id, "nightly")]
    assert "nightly" in silian("user", "revoke-token", str(token.token_id), data_dir=data).stdout
    assert silian("user", "revoke-token", str(token.token_id), data_dir=data, check=False).returncode == 4
    silian("user", "set-password", "ops", "--password", "river lamp pencil seven", data_dir=data)
    silian("user", "deactivate", "ops", data_dir=data)
    inactive = json.loads(silian("user", "list", "--status", "inactive", "--json", data_dir=data).stdout)
    assert [u["username"] for u in inactive] == ["ops"]
    silian("user", "activate", "ops", data_dir=data)
    refused = silian("user", "set-role", "ops", "--role", "county_officer", "--county", "999999", data_dir=data,
                     check=False)
    assert refused.returncode == 2 and "999999" in refused.stderr
    assert silian("user", "unlock", "nobody", data_dir=data, check=False).returncode == 4
    silian("user", "unlock", "ops", data_dir=data)
    audit = json.loads(silian("user", "audit", "--table", "users", "--json", data_dir=data).stdout)
    actions = {r["action"] for r in audit["data"]}
    assert {"create", "password_reset", "password_set", "deactivate", "activate", "unlock"} <= actions
    assert {r["username"] for r in audit["data"] if r["action"] == "deactivate"} == {f"cli:{_login()}"}
    silian("user", "audit", "-o", str(tmp_path / "audit.xlsx"), data_dir=data)
    sheet = load_workbook(tmp_path / "audit.xlsx").active
    assert sheet.cell(1, 1).value == "时间（UTC）" and sheet.max_row == audit["count"] + 1 + 2  # + the token's two
    assert silian("user", "audit", "--from", "yesterday", data_dir=data, check=False).returncode == 2


def _login() -> str:
    import getpass
    return getpass.getuser()


def test_serve_refuses_insecure_production_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SILIAN_ENV", "production")
    monkeypatch.setenv("SILIAN_COOKIE_SECURE", "false")
    refused = silian("serve", data_dir=tmp_path / "data", check=False)
    assert refused.returncode == 2
    assert "SILIAN_SECRET_KEY" in refused.stderr and "SILIAN_COOKIE_SECURE" in refused.stderr
