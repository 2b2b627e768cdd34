"""docs/architecture.md matches the code: its tree lists every module of reasoner/ and no other,
each with its job, and its layer list is the import-linter contract of pyproject.toml."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "architecture.md"


def _block(text: str, name: str) -> list[str]:
    """The lines of the fenced block between ``<!-- name:start -->`` and ``<!-- name:end -->``."""
    found = re.search(rf"<!-- {name}:start -->\s*```[^\n]*\n(.*?)```\s*<!-- {name}:end -->", text, re.S)
    assert found, f"docs/architecture.md has no {name} block"
    return [line for line in found.group(1).splitlines() if line.strip()]


def tree_entries(lines: list[str]) -> dict[str, str]:
    """Path (``reasoner/cli/main.py``, ``reasoner/cli/``) -> the job its line gives.

    Two spaces of indentation per level; a name ending in ``/`` is a package."""
    entries: dict[str, str] = {}
    stack: list[str] = []
    for line in lines:
        indent = len(line) - len(line.lstrip(" "))
        assert indent % 2 == 0, f"odd indentation: {line!r}"
        name, _, job = line.strip().partition(" ")
        depth = indent // 2
        assert depth <= len(stack), f"a line deeper than its parent: {line!r}"
        del stack[depth:]
        path = "".join(stack) + name
        assert path not in entries, f"listed twice: {path}"
        entries[path] = job.strip()
        if name.endswith("/"):
            stack.append(name)
    return entries


def test_the_parser_reads_nesting() -> None:
    lines = ["reasoner/   the package", "  a.py      one", "  sub/      two", "    b.py    three", "  c.py      four"]
    assert tree_entries(lines) == {"reasoner/": "the package", "reasoner/a.py": "one", "reasoner/sub/": "two",
                                   "reasoner/sub/b.py": "three", "reasoner/c.py": "four"}


def test_the_tree_lists_every_module_of_reasoner_and_no_other() -> None:
    entries = tree_entries(_block(DOC.read_text(encoding="utf-8"), "tree"))
    documented = {p for p in entries if p.endswith(".py")}
    actual = {p.relative_to(REPO).as_posix() for p in (REPO / "reasoner").rglob("*.py") if "__pycache__" not in p.parts}
    assert not actual - documented, f"modules missing from the tree of docs/architecture.md: {sorted(actual - documented)}"
    assert not documented - actual, f"docs/architecture.md names modules that do not exist: {sorted(documented - actual)}"
    packages = {p.rstrip("/") for p in entries if p.endswith("/")}
    assert all((REPO / p).is_dir() for p in packages), sorted(p for p in packages if not (REPO / p).is_dir())
    assert all(entries.values()), f"lines without a job: {sorted(p for p, job in entries.items() if not job)}"


def test_the_layers_are_the_import_contract() -> None:
    # The contract's list of strings is also a Python literal (tomllib needs Python 3.11; the
    # project supports 3.10).
    toml = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    [layers] = re.findall(r'^type = "layers"\s*\nlayers = (\[.*?\])', toml, re.S | re.M)
    documented = [" | ".join(part.strip() for part in line.split("|"))
                  for line in _block(DOC.read_text(encoding="utf-8"), "layers")]
    declared = [" | ".join(part.strip() for part in layer.split("|")) for layer in ast.literal_eval(layers)]
    assert documented == declared
