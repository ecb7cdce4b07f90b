"""Imports point one way: cli | web → services → ingest | storage | catalog | demo → domain."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "silian"
ALLOWED = {
    "domain": set(),
    "catalog": {"domain"},
    "ingest": {"domain"},
    "storage": {"domain"},
    "analytics": {"domain"},
    "services": {"domain", "catalog", "ingest", "storage", "analytics", "settings"},
    "demo": {"domain", "catalog", "storage", "services", "settings"},
    "reports": {"domain", "services"},
    # web builds on services; it names storage only for the Database it is given (create_app, dependencies)
    "web": {"domain", "services", "settings", "storage", "reports", "optional"},
}


def _silian_imports(path: Path) -> set[str]:
    layers = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in getattr(node, "names", [])] if isinstance(node, ast.Import) else []
        for name in names:
            if name.startswith("silian."):
                layers.add(name.split(".")[1])
    return layers


def test_imports_point_one_way() -> None:
    for layer, allowed in ALLOWED.items():
        for path in (PACKAGE / layer).rglob("*.py"):
            wrong = _silian_imports(path) - allowed - {layer}
            assert not wrong, f"{path.relative_to(PACKAGE)} imports {wrong}"


def test_nothing_connects_at_import_time() -> None:
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                called = ast.unparse(node.value.func)
                assert not called.endswith(("create_engine", "Database", "Settings")), f"{path}: {called}"
