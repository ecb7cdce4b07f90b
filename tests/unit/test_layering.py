"""The architecture stays as docs/architecture.md draws it: every import in src/silian follows the allowed arrows
listed there (function-local and type-only imports included), no modules import each other in a cycle (within a
layer too), and nothing connects or builds an app at import time. (SQLAlchemy outside storage: test_sql_home.)"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "silian"
ARCHITECTURE = ROOT / "docs" / "architecture.md"


@dataclass(frozen=True)
class Import:
    target: str  # a silian module, e.g. silian.services.hub
    line: int
    runtime: bool  # False under `if TYPE_CHECKING:`


def allowed_arrows() -> dict[str, set[str]]:
    """The table between the layers markers of docs/architecture.md: ``layer -> allowed layers``."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    block = text.split("<!-- layers:begin -->", 1)[1].split("<!-- layers:end -->", 1)[0]
    arrows = {}
    for line in block.splitlines():
        if "->" in line:
            layer, _, targets = line.partition("->")
            arrows[layer.strip()] = set(targets.split())
    return arrows


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "__init__"
    return parts[1]


def source_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def _resolve(module: str, name: str) -> str:
    """``from module import name``: the submodule when ``name`` is one, else ``module``."""
    candidate = f"{module}.{name}"
    relative = Path(*candidate.split(".")[1:])
    if (PACKAGE / relative).with_suffix(".py").exists() or (PACKAGE / relative / "__init__.py").exists():
        return candidate
    return module


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports_of(path: Path) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = _type_checking_lines(tree)
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    for node in ast.walk(tree):
        runtime = node.lineno not in typing_only if hasattr(node, "lineno") else True
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "silian":
                    yield Import(alias.name, node.lineno, runtime)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            if base.split(".")[0] != "silian":
                continue
            for alias in node.names:
                yield Import(_resolve(base, alias.name), node.lineno, runtime)


def test_the_architecture_table_names_every_layer() -> None:
    layers = {layer_of(module_name(p)) for p in source_files()}
    assert layers <= set(allowed_arrows()), f"layers missing from docs/architecture.md: {layers - set(allowed_arrows())}"


def test_imports_point_one_way() -> None:
    arrows = allowed_arrows()
    wrong = []
    for path in source_files():
        layer = layer_of(module_name(path))
        for found in imports_of(path):
            target = layer_of(found.target)
            if target != layer and target not in arrows[layer]:
                wrong.append(f"{path.relative_to(PACKAGE)}:{found.line} {layer} → {target} ({found.target})")
    assert not wrong, "arrows docs/architecture.md does not allow:\n" + "\n".join(wrong)


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively: the components with more than one module (or a self-import)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root, children_of_root in graph.items():
        if root in index:
            continue
        work = [(root, iter(sorted(children_of_root)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph[node]:
                    found.append(sorted(component))
    return found


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in source_files():
        module = module_name(path)
        graph[module] = {i.target for i in imports_of(path) if i.runtime and i.target != module}
    return graph


def test_no_import_cycles_even_inside_a_layer() -> None:
    cycles = _strongly_connected(import_graph())
    assert not cycles, "modules that import each other (directly or round a loop):\n" + "\n".join(map(str, cycles))


def test_the_cycle_check_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert sorted(_strongly_connected(graph)) == [["a", "b", "c"], ["e"]]


def test_no_cli_module_at_the_package_root() -> None:
    assert not list(PACKAGE.glob("cli*.py")), "the command line lives in silian/cli/"


def test_nothing_connects_or_builds_an_app_at_import_time() -> None:
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                called = ast.unparse(node.value.func)
                assert not called.endswith(("create_engine", "Database", "Settings", "create_app", "FastAPI")), \
                    f"{path}: {called}"
