"""Every JSON the product writes refuses non-finite numbers (issue 16: ``"dailyDoseMg": Infinity``).

Python's ``json.dumps`` writes ``NaN``/``Infinity`` (not JSON) unless told ``allow_nan=False``;
this test reads the product's source and fails on any ``json.dump``/``json.dumps`` call without
it, so a new writer cannot bring the bug back.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent.parent / "reasoner"


def json_writes(path: Path) -> list[tuple[int, bool]]:
    """(line, refuses NaN) for each json.dump/json.dumps call of a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("dump", "dumps")
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "json"):
            refuses = any(k.arg == "allow_nan" and isinstance(k.value, ast.Constant) and k.value.value is False
                          for k in node.keywords)
            found.append((node.lineno, refuses))
    return found


def test_every_json_writer_refuses_nan() -> None:
    offenders = [f"{path.relative_to(PACKAGE.parent)}:{line}" for path in sorted(PACKAGE.rglob("*.py"))
                 for line, refuses in json_writes(path) if not refuses]
    assert offenders == [], "json.dump(s) without allow_nan=False: " + ", ".join(offenders)


def test_the_check_sees_a_writer(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import json\njson.dumps({})\njson.dumps({}, allow_nan=False)\n")
    assert json_writes(sample) == [(2, False), (3, True)]


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_the_renderers_refuse_a_non_finite_number(value: float) -> None:
    from reasoner.render.json import dumps
    from reasoner.render.jsonl import line

    with pytest.raises(ValueError):
        dumps({"dailyDoseMg": value})
    with pytest.raises(ValueError):
        line({"dailyDoseMg": value})
