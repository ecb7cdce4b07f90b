"""Storage owns every SQL statement: no module of silian outside ``silian/storage`` imports SQLAlchemy."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "silian"
# Files other branches are still moving into storage; the integrator deletes each entry once that branch is merged.
NOT_YET = {
    "services/imports.py",  # branch bulk-import (the bulk import write path; only its Connection type is left)
    "services/postings/",  # branch state (confirmed titles, review queue, salary summaries, load_posting_demand)
}


def _allowed(name: str) -> bool:
    return any(name == entry or (entry.endswith("/") and name.startswith(entry)) for entry in NOT_YET)


def _imports_sqlalchemy(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "sqlalchemy" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy" and node.level == 0:
            return True
    return False


def test_only_storage_imports_sqlalchemy() -> None:
    found = {str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
             if path.relative_to(PACKAGE).parts[0] != "storage" and _imports_sqlalchemy(path)}
    wrong = sorted(name for name in found if not _allowed(name))
    assert not wrong, f"SQL belongs in silian/storage: {wrong}"


def test_allow_list_is_current() -> None:
    """An entry whose file no longer imports SQLAlchemy is removed from the list."""
    stale = {entry for entry in NOT_YET
             if not any(_imports_sqlalchemy(path) for path in ([PACKAGE / entry] if (PACKAGE / entry).is_file()
                                                                else (PACKAGE / entry).rglob("*.py")))}
    assert not stale, f"remove from NOT_YET: {sorted(stale)}"
