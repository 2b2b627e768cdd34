"""A rule: one SPARQL CONSTRUCT file in ``queries/infer/`` with its header and its analysis.

A rule file starts with the header of every query file (:mod:`reasoner.knowledge.queries`)::

    # intent: what the rule infers
    # inputs: the facts it reads
    # source: the published source of the criterion

An optional ``# guard: ASK { … }`` header line (continued on following ``#`` lines) is a cheap
necessary condition: the fast path asks it just before the rule and skips the rule when it is
false (a patient without a failed trial needs no Maudsley score). The loader refuses a guard that
is not an ASK or reads what its rule does not read; tests/engine/test_guards.py checks on data
that each shipped guard holds whenever its rule derives something. The reference path ignores
guards.

A rule's IRI is ``rule:<file stem>``. Parsing checks that both backends accept the text, that it
is a CONSTRUCT whose template subjects are variables, and records what it reads and writes
(:mod:`reasoner.rules.analysis`); the analysis is cached on disk (:mod:`reasoner.rules.cache`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef, Variable
from rdflib.namespace import PROV
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery

from reasoner.errors import RuleError
from reasoner.knowledge.namespaces import RULE
from reasoner.knowledge.paths import INFER_DIR, QUERIES_DIR
from reasoner.knowledge.queries import compact_query, parse_header
from reasoner.rules import cache
from reasoner.rules.analysis import Key, alternatives_beyond, matches, required_keys, triple_keys, where_keys

_EMPTY_STORE = ox.Store()
_PREFIX_LINE = re.compile(r"^\s*PREFIX\s+[^\s:]*:\s*<[^>]*>", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Rule:
    """One CONSTRUCT rule file with its header metadata and dependency keys."""

    name: str                      # file stem, e.g. "trial-adequacy"
    path: Path
    text: str
    intent: str
    inputs: str
    source: str
    reads: frozenset = field(default_factory=frozenset)
    writes: frozenset = field(default_factory=frozenset)
    subjects: tuple[str, ...] = ()   # the template's subject variables, e.g. ("?f",)
    #: Inputs without which the rule cannot match: predicates, and ("type", C) for ``?x a C``,
    #: of triple patterns every solution needs (see ``required_keys``).
    requires: frozenset = field(default_factory=frozenset)
    #: Alternatives beyond ``requires``, from UNION branches: the rule can match only if every
    #: key of at least one alternative is present (empty: nothing more is known).
    alternatives: tuple[frozenset, ...] = ()
    #: An ASK query (with the rule's prefixes) that is true whenever the rule can derive
    #: anything (``# guard:`` in the header); "" when the rule has none.
    guard: str = ""

    @property
    def construct_text(self) -> str:
        """The query as run: the template also says ``?s prov:wasGeneratedBy rule:<stem>``.

        Provenance is part of the template (rather than added in Python per produced subject)
        so that both engines derive it the same way, and the Oxigraph path can load the rule's
        result without bringing a triple into Python.
        """
        start, open_brace, close_brace = _template_span(self.text, self.name)
        return (self.text[:start] + "CONSTRUCT {" + self._template_body(open_brace, close_brace) + "}"
                + self.text[close_brace + 1:])

    def _template_body(self, open_brace: int, close_brace: int) -> str:
        body = self.text[open_brace + 1:close_brace].rstrip().rstrip(".")
        prov = " ".join(f"{s} <{PROV.wasGeneratedBy}> <{self.iri}> ." for s in self.subjects)
        return f"{body} .\n  {prov}\n"

    @property
    def iri(self) -> URIRef:
        """``rule:<stem>``."""
        return RULE[self.name]

    @property
    def query_file(self) -> str:
        """The query file relative to ``queries/`` when it lives there (for evidence)."""
        try:
            return str(self.path.resolve().relative_to(QUERIES_DIR.resolve().parent))
        except ValueError:
            return self.path.name


_CONSTRUCT = re.compile(r"\bCONSTRUCT\b", re.IGNORECASE)


def _template_span(text: str, name: str) -> tuple[int, int, int]:
    """Where the CONSTRUCT template is: (keyword start, its ``{``, its matching ``}``).

    Scans the prologue and template only, skipping comments, IRIs and string literals (which
    may hold ``{``, ``}`` or ``#``).
    """
    i, n = 0, len(text)
    keyword = -1
    depth = 0
    open_brace = -1
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif c == "<":
            i = text.index(">", i)
        elif c in "\"'":
            j = i + 1
            while text[j] != c:
                j += 2 if text[j] == "\\" else 1
            i = j
        elif keyword < 0:
            m = _CONSTRUCT.match(text, i)
            if m and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_:")):
                keyword = i
                i = m.end() - 1
        elif c == "{":
            if depth == 0:
                open_brace = i
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return keyword, open_brace, i
        i += 1
    raise RuleError(f"{name}: no CONSTRUCT template found")


def parse_rule(path: Path) -> Rule:
    """Read one ``.rq`` file into a :class:`Rule` (RuleError when it is not a valid CONSTRUCT)."""
    text = path.read_text(encoding="utf-8")
    meta = parse_header(text, path)
    guard = _guard_text(text, meta.get("guard", ""))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    cached = cache.load().get(digest)
    if cached is not None and "alternatives" in cached:
        return Rule(name=path.stem, path=path, text=text, intent=meta["intent"], inputs=meta["inputs"],
                    source=meta["source"], reads=cache.decode(cached["reads"]), writes=cache.decode(cached["writes"]),
                    subjects=tuple(cached["subjects"]), requires=cache.decode(cached["requires"]),
                    alternatives=tuple(cache.decode(a) for a in cached["alternatives"]), guard=guard)
    try:
        query = translateQuery(parseQuery(text))
    except Exception as exc:  # pyparsing raises its own exception types
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise RuleError(f"{path.name}: not valid SPARQL ({first})") from exc
    try:
        # Both backends must accept the same text (rdflib knows some prefixes Oxigraph does not).
        _EMPTY_STORE.query(text)
    except SyntaxError as exc:
        raise RuleError(f"{path.name}: Oxigraph refuses the query ({str(exc).splitlines()[0]})") from exc
    if query.algebra.name != "ConstructQuery":
        raise RuleError(f"{path.name}: a rule must be a CONSTRUCT query, not {query.algebra.name}")
    template = list(query.algebra.template or [])
    if any(not isinstance(t[0], Variable) for t in template):
        raise RuleError(f"{path.name}: every subject of the CONSTRUCT template must be a variable "
                        "(mint finding IRIs with BIND(IRI(…)))")
    subjects = tuple(sorted({t[0].n3() for t in template}))
    writes = triple_keys(template)
    reads: set[Key] = set()
    where_keys(query.algebra.p, reads)
    requires = frozenset(required_keys(query.algebra.p))
    alternatives = alternatives_beyond(query.algebra.p, requires)
    if guard:
        _check_guard(path, guard, frozenset(reads))
    rule = Rule(name=path.stem, path=path, text=text, intent=meta["intent"], inputs=meta["inputs"],
                source=meta["source"], reads=frozenset(reads), writes=frozenset(writes), subjects=subjects,
                requires=requires, alternatives=alternatives, guard=guard)
    try:
        _EMPTY_STORE.query(rule.construct_text)
    except SyntaxError as exc:  # the rewriting must give valid SPARQL; refuse the rule otherwise
        raise RuleError(f"{path.name}: cannot run as written ({str(exc).splitlines()[0]})") from exc
    cache.store(digest, frozenset(reads), frozenset(writes), subjects, requires, alternatives)
    return rule


def _guard_text(text: str, guard: str) -> str:
    """The ``# guard:`` ASK of a rule with the rule's own PREFIX lines in front ("" without one)."""
    if not guard:
        return ""
    return "\n".join(m.group(0).strip() for m in _PREFIX_LINE.finditer(text)) + "\n" + guard


def _check_guard(path: Path, guard: str, rule_reads: frozenset) -> None:
    """A guard must be an ASK both engines accept that reads only what its rule reads.

    Why the second condition: the engine asks the guard just before the rule runs, so it must
    depend on the rule's inputs alone (made by earlier rules, or asserted), never on facts a
    later rule adds. That it is *necessary* (true whenever the rule derives something) is checked
    on data: tests/engine/test_guards.py runs every shipped rule unguarded on a generated cohort.
    """
    try:
        query = translateQuery(parseQuery(guard))
    except Exception as exc:  # pyparsing raises its own exception types
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise RuleError(f"{path.name}: guard is not valid SPARQL ({first})") from exc
    if query.algebra.name != "AskQuery":
        raise RuleError(f"{path.name}: a guard must be an ASK query, not {query.algebra.name}")
    try:
        _EMPTY_STORE.query(guard)
    except SyntaxError as exc:
        raise RuleError(f"{path.name}: Oxigraph refuses the guard ({str(exc).splitlines()[0]})") from exc
    reads: set[Key] = set()
    where_keys(query.algebra.p, reads)
    extra = [k for k in reads if not any(matches(k, r) or matches(r, k) for r in rule_reads)]
    if extra:
        raise RuleError(f"{path.name}: the guard reads what the rule does not: "
                        + ", ".join(sorted(str(k) for k in extra)))


def load_rules(directory: Path | str = INFER_DIR) -> list[Rule]:
    """Every ``*.rq`` rule of a directory, sorted by file name."""
    directory = Path(directory)
    if not directory.is_dir():
        raise RuleError(f"{directory}: rule directory not found")
    return [parse_rule(p) for p in sorted(directory.glob("*.rq"))]


__all__ = ["Rule", "parse_rule", "load_rules", "compact_query"]
