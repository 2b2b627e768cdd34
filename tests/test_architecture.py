"""The architecture holds: layers as declared (import-linter), no import cycle, and the product
runs from a copy of itself with neither tests/ nor benchmarks/ anywhere near it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import networkx as nx

REPO = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept() -> None:
    command = Path(sys.executable).parent / "lint-imports"  # installed with the test extras
    result = subprocess.run([str(command) if command.exists() else "lint-imports", "--config",
                             str(REPO / "pyproject.toml")], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_no_import_cycle_between_modules() -> None:
    graph = grimp.build_graph("reasoner")  # function-level imports included
    edges = nx.DiGraph((m, i) for m in graph.modules for i in graph.find_modules_directly_imported_by(m)
                       if i.startswith("reasoner"))
    assert list(nx.simple_cycles(edges)) == []


def test_the_product_runs_without_tests_and_benchmarks(tmp_path: Path) -> None:
    for part in ("reasoner", "ontology", "shapes", "queries", "examples"):
        shutil.copytree(REPO / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    probe = ("import runpy, sys; sys.argv = ['trd', 'assess', 'examples/trd-confirmed.ttl', '--as-of', '2026-01-15',"
             " '--format', 'json']\n"
             "try:\n    runpy.run_module('reasoner.cli.main', run_name='__main__')\n"
             "finally:\n    leaked = sorted(m for m in sys.modules if m.split('.')[0] in ('tests', 'benchmarks'))\n"
             "    sys.stderr.write(f'LEAKED {leaked}\\n')")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path,
                            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path), "HOME": str(tmp_path)},
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert '"status": "confirmed"' in result.stdout
    assert "LEAKED []" in result.stderr
    assert str(REPO) not in result.stdout  # read from the copy, not the repository
