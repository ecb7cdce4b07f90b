"""`pip install .` alone gives a working `silian`: every third-party package the code imports is declared in
pyproject.toml (runtime dependencies; pyspark in the `spark` extra), and the pinned requirements.txt covers them.
`scripts/check_clean_install.sh` does the real install in a new virtual environment."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OPTIONAL = {"pyspark": "spark"}  # imported only by the Spark engine, installed with `pip install .[spark]`


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def imported_distributions() -> dict[str, str]:
    """Third-party top-level imports of src/silian → the distribution that provides each."""
    providers = packages_distributions()
    found = {}
    for path in (ROOT / "src" / "silian").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else []
            for name in names:
                top = name.split(".")[0]
                if top != "silian" and top not in sys.stdlib_module_names:
                    found[top] = providers[top][0].lower().replace("_", "-")
    return found


def test_every_imported_package_is_declared() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = {_name(r) for r in project["dependencies"]}
    extras = {extra: {_name(r) for r in reqs} for extra, reqs in project["optional-dependencies"].items()}
    for module, distribution in imported_distributions().items():
        if module in OPTIONAL:
            assert distribution in extras[OPTIONAL[module]], f"{distribution} missing from the {OPTIONAL[module]} extra"
        else:
            assert distribution in runtime, f"`import {module}` needs {distribution} in [project] dependencies"


def test_the_pinned_requirements_cover_the_declared_ones() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pinned = {_name(line) for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")}
    declared = {_name(r) for r in project["dependencies"]} | {_name(r) for reqs in project["optional-dependencies"].values()
                                                              for r in reqs}
    assert declared <= pinned, f"declared but not pinned in requirements.txt: {declared - pinned}"
