"""Discovery and running of the shape fixtures (tests/shapes/<criterion>/{pass,fail}/*.ttl).

Why a module: the tests and ``regen.py`` must read fixtures the same way. A fixture is a small
patient graph; a ``# policy: NAME`` line at its top selects the policy it is validated under
(default: ``default``). A fail fixture's expected SHACL report lives next to it as
``<name>.expected.ttl`` and is compared as a graph (isomorphism), never as text.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.namespace import XSD

HERE = Path(__file__).resolve().parent
_POLICY = re.compile(r"^#\s*policy:\s*(\S+)\s*$", re.MULTILINE)

# rdflib logs a traceback for each ill-typed literal; the reports name them already.
logging.getLogger("rdflib.term").setLevel(logging.ERROR)


def cases() -> list[Path]:
    """Every criterion folder (one that has pass/ or fail/)."""
    return sorted(p for p in HERE.iterdir() if p.is_dir() and ((p / "pass").is_dir() or (p / "fail").is_dir()))


def fixtures(kind: str) -> list[Path]:
    """All fixtures of one kind ("pass" or "fail"), expected reports excluded."""
    return sorted(f for c in cases() for f in (c / kind).glob("*.ttl") if not f.name.endswith(".expected.ttl"))


def expected_path(fixture: Path) -> Path:
    return fixture.with_name(fixture.name[: -len(".ttl")] + ".expected.ttl")


def policy_of(fixture: Path) -> str:
    match = _POLICY.search(fixture.read_text(encoding="utf-8"))
    return match.group(1) if match else "default"


def fixture_id(fixture: Path) -> str:
    return f"{fixture.parent.parent.name}/{fixture.parent.name}/{fixture.stem}"


def validate_fixture(fixture: Path, validator: str = "reference"):
    """Run rules + validation on one fixture, as `trd validate --policy P --validator V` does."""
    from reasoner.inputs import load_input
    from reasoner.pipeline import Pipeline

    return Pipeline(policy=policy_of(fixture), validator=validator).validate(load_input(fixture)).validation


def read_expected(fixture: Path) -> Graph:
    return Graph().parse(expected_path(fixture), format="turtle")


def decimal_forms_normalised(g: Graph) -> Graph:
    """A copy with every xsd:decimal in one lexical form.

    rdflib's Turtle writer prints the decimal "25" as ``25.0``, so a report that went through an
    ``*.expected.ttl`` file comes back with another lexical form of the same value. Only this
    file round trip is forgiven; the direct engine-vs-engine comparison stays strict.
    """
    out = Graph()
    for s, p, o in g:
        if isinstance(o, Literal) and o.datatype == XSD.decimal and o.value is not None:
            o = Literal(format(o.value.normalize(), "f"), datatype=XSD.decimal)
        out.add((s, p, o))
    return out
