"""Every rule has its SQL twin and every read-back query its SQL twin, with the same header.

Why a test of its own: the columnar engine refuses a rule without its twin only when it is built,
and a read-back without its twin only when it is read; a new rule or query must not wait for a
differential run to be noticed, and a twin whose header still describes the rule as it was is a
twin nobody checked against the change.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reasoner.columnar.engine import READ_DIR, TWINS_DIR
from reasoner.knowledge.paths import INFER_DIR, QUERIES_DIR
from reasoner.knowledge.queries import parse_header

FINDINGS_DIR = QUERIES_DIR / "findings"
RULES = sorted(INFER_DIR.glob("*.rq"))
READ_BACKS = sorted(FINDINGS_DIR.glob("*.rq"))


def _sql_header(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    leading = next((i for i, line in enumerate(lines) if not line.startswith("--")), len(lines))
    return parse_header("\n".join("#" + line[2:] for line in lines[:leading]), path)


def _rq_header(path: Path) -> dict[str, str]:
    return parse_header(path.read_text(encoding="utf-8"), path)


def test_every_rule_has_its_twin_and_every_twin_its_rule() -> None:
    rules = {p.stem for p in RULES}
    twins = {p.stem for p in TWINS_DIR.glob("*.sql")}
    assert rules, INFER_DIR
    assert not rules - twins, f"rules without a SQL twin in {TWINS_DIR}: {sorted(rules - twins)}"
    assert not twins - rules, f"SQL twins without a rule in {INFER_DIR}: {sorted(twins - rules)}"


def test_every_read_back_has_its_twin_and_every_twin_its_read_back() -> None:
    queries = {p.stem for p in READ_BACKS}
    twins = {p.stem for p in READ_DIR.glob("*.sql")}
    assert queries, FINDINGS_DIR
    assert not queries - twins, f"read-back queries without a SQL twin in {READ_DIR}: {sorted(queries - twins)}"
    assert not twins - queries, f"SQL twins without a read-back query in {FINDINGS_DIR}: {sorted(twins - queries)}"


@pytest.mark.parametrize("query", RULES + READ_BACKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_a_twin_carries_the_header_of_its_query(query: Path) -> None:
    twin = (TWINS_DIR if query.parent == INFER_DIR else READ_DIR) / f"{query.stem}.sql"
    if not twin.is_file():
        pytest.skip("no twin (the test above fails)")
    want = {k: v for k, v in _rq_header(query).items() if k in ("intent", "inputs", "source")}
    got = {k: v for k, v in _sql_header(twin).items() if k in ("intent", "inputs", "source")}
    assert got == want, f"{twin.name}: the header is not the one of {query.relative_to(QUERIES_DIR)}"
