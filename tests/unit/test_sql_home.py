"""Storage owns every SQL statement: no module of silian outside ``silian/storage`` imports SQLAlchemy."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "silian"


def _imports_sqlalchemy(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "sqlalchemy" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy" and node.level == 0:
            return True
    return False


def test_only_storage_imports_sqlalchemy() -> None:
    found = sorted(str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                   if path.relative_to(PACKAGE).parts[0] != "storage" and _imports_sqlalchemy(path))
    assert not found, f"SQL belongs in silian/storage: {found}"


def test_the_check_sees_an_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from sqlalchemy.engine import Connection\n", encoding="utf-8")
    assert _imports_sqlalchemy(module)
