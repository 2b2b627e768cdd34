"""Product apart from measurement, read from the source: benchmarks never reach into tests/, and
the product never imports benchmarks or tests.

Why a source scan beside import-linter (tests/test_architecture.py): import-linter sees only the
``reasoner`` package and only resolved imports, while the old coupling was a benchmark putting a
tests/ folder on ``sys.path`` and then importing a test module by its bare name (``from
infer.pseudo.cases import …``), which no import graph of the product shows. So this scan reads
every file's syntax tree: imports, ``importlib`` calls, ``sys.path`` edits and where each
imported top-level name would be found.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TESTS = REPO / "tests"
BENCHMARK_FILES = sorted((REPO / "benchmarks").rglob("*.py"))
PRODUCT_FILES = sorted((REPO / "reasoner").rglob("*.py"))
#: an import statement inside a code string (``python -c`` snippets a benchmark runs): the whole
#: line must be a statement, so prose such as "benchmarks never import tests) and …" is no import
IMPORT_LINE = re.compile(r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]+[\w(*]"
                         r"|import[ \t]+([\w.]+)(?:[ \t]+as[ \t]+\w+)?[ \t]*(?:,|;|#|$))", re.MULTILINE)
PATH_EDITS = {"insert", "append", "extend"}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imported(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """(line, dotted module name) of every import: statements, importlib calls, code strings
    (docstrings are prose and left out)."""
    docstrings = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in ("import_module", "__import__", "find_spec", "run_module"):
                yield node.lineno, node.args[0].value
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "\n" in node.value \
                and id(node) not in docstrings:
            yield from ((node.lineno, a or b) for a, b in IMPORT_LINE.findall(node.value))


def _strings(node: ast.AST, names: dict[str, ast.AST], depth: int = 0) -> Iterator[str]:
    """The string constants an expression is built from, following module-level names."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            yield sub.value
        elif isinstance(sub, ast.Name) and sub.id in names and depth < 5:
            yield from _strings(names[sub.id], names, depth + 1)


def _path_edits(tree: ast.Module) -> Iterator[tuple[int, list[str]]]:
    """(line, strings of the added path) of every ``sys.path`` edit and ``site.addsitedir`` call."""
    names = {t.id: n.value for n in ast.walk(tree) if isinstance(n, ast.Assign)
             for t in n.targets if isinstance(t, ast.Name)}

    def is_sys_path(expr: ast.AST) -> bool:
        return (isinstance(expr, ast.Attribute) and expr.attr == "path"
                and isinstance(expr.value, ast.Name) and expr.value.id == "sys")

    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if (node.func.attr in PATH_EDITS and is_sys_path(node.func.value)) or node.func.attr == "addsitedir":
                yield node.lineno, [s for arg in node.args for s in _strings(arg, names)]
        elif isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(is_sys_path(t) or (isinstance(t, ast.Subscript) and is_sys_path(t.value)) for t in targets):
                yield node.lineno, list(_strings(node.value, names))


def _names_tests(text: str) -> bool:
    """Whether a path string names the tests folder (``tests``, ``tests/shapes``, ``/x/tests``)."""
    return "tests" in re.split(r"[\\/]", text)


def _found_under_tests(module: str) -> bool:
    """Whether a top-level module name resolves to a file or folder inside tests/ right now
    (pytest puts tests/ on sys.path, so a bare ``infer`` or ``cohort_gen`` would be found there)."""
    try:
        spec = importlib.util.find_spec(module.split(".")[0])
    except (ImportError, ValueError):
        return False
    if spec is None:
        return False
    places = [spec.origin or ""] + list(spec.submodule_search_locations or [])
    return any(p and Path(p).resolve().is_relative_to(TESTS) for p in places)


@pytest.mark.parametrize("path", BENCHMARK_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_a_benchmark_imports_nothing_from_tests(path: Path) -> None:
    tree = _tree(path)
    bad = [f"line {line}: {name}" for line, name in _imported(tree)
           if name.split(".")[0] == "tests" or _found_under_tests(name)]
    assert bad == [], f"{path.relative_to(REPO)} imports test code: {bad}"


@pytest.mark.parametrize("path", BENCHMARK_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_a_benchmark_puts_no_tests_folder_on_sys_path(path: Path) -> None:
    bad = [f"line {line}: {strings}" for line, strings in _path_edits(_tree(path))
           if any(_names_tests(s) for s in strings)]
    assert bad == [], f"{path.relative_to(REPO)} adds a tests/ folder to sys.path: {bad}"


def test_the_product_imports_neither_benchmarks_nor_tests() -> None:
    bad = [f"{path.relative_to(REPO)}:{line}: {name}" for path in PRODUCT_FILES for line, name in _imported(_tree(path))
           if {"benchmarks", "tests"} & set(name.split("."))]
    assert bad == []


def test_the_scan_sees_the_couplings_it_forbids() -> None:
    """The scan itself on the shapes the old benchmarks had (so a green run means something)."""
    old = ast.parse('ROOT = Path(__file__).parent\nsys.path.insert(0, str(ROOT / "tests"))\n'
                    'HERE = ROOT / "tests" / "shapes"\nsys.path.append(str(HERE))\n'
                    'from tests.infer.core.scenarios import SCENARIOS\n'
                    'CODE = """\nimport json\nfrom tests.x import y\nprose: we never\nimport tests) here\n"""\n'
                    '"""A docstring.\nfrom tests.z import w\n"""\n')
    assert [line for line, strings in _path_edits(old) if any(_names_tests(s) for s in strings)] == [2, 4]
    assert [name for _line, name in _imported(old)] == ["tests.infer.core.scenarios", "json", "tests.x"]
    assert not _names_tests("benchmarks/support") and _names_tests(str(TESTS / "shapes"))
    assert _found_under_tests("infer") and not _found_under_tests("benchmarks") and not _found_under_tests("json")
