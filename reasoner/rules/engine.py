"""The rule engine: SPARQL CONSTRUCT files ordered by what they read and write, run to a fixpoint.

Why: rules are data (docs/data-model.md §7, issue 4). A rule is one ``.rq`` CONSTRUCT file in
``queries/infer/`` starting with a comment header::

    # intent: what the rule infers
    # inputs: the facts it reads
    # source: the published source of the criterion

An optional ``# guard: ASK { … }`` header line (continued on following ``#`` lines) is a cheap
necessary condition: the fast path asks it just before the rule and skips the rule when it is
false (a patient without a failed trial needs no Maudsley score). The loader refuses a guard that
is not an ASK or reads what its rule does not read; tests/engine/test_guards.py checks on data
that each shipped guard holds whenever its rule derives something. The reference path ignores
guards.

A rule's IRI is ``rule:<file stem>``. The engine parses each query with rdflib, collects the predicates
(and ``rdf:type`` classes) of the CONSTRUCT template (*writes*) and of the WHERE clause, including
``FILTER NOT EXISTS`` and property paths (*reads*), links rule A -> rule B when A writes what B reads,
refuses a cycle (a :class:`~reasoner.errors.RuleError` naming its rules), and runs the rules in
topological order over a :class:`~reasoner.rules.workspace.Workspace`, repeating the rules whose inputs
changed after they ran until no rule adds a triple. A new rule is a new file: no Python change.

Because negation (``FILTER NOT EXISTS``) is allowed, the order matters: refusing cycles makes the
rule set stratified, so one pass in topological order is already the fixpoint; the repeat loop is
the safety net that checks it.

Public API (stable; B, C2 and E build on it)::

    rules = load_rules(directory=INFER_DIR)        # list[Rule], sorted by file name
    ordered = order_rules(rules)                   # topological order, RuleError on a cycle
    engine = RuleEngine(rules, engine="oxigraph")  # or "rdflib"; same rule text
    stats = engine.run(workspace)                  # RunStats(triples per rule, passes)

Every triple a rule produces goes to the derived graph; the engine extends each template with
``?s prov:wasGeneratedBy rule:<stem>`` for every subject variable (``Rule.construct_text``), and
writes the rule metadata (``a trd:InferenceRule; rdfs:label; dcterms:source; trd:queryFile``) into
the rules graph. On Oxigraph the cohort path runs each rule's CONSTRUCT inside the store and
loads its serialised result into the derived graph (``RuleEngine(checked=False)``).

Writing rules that scale on Oxigraph (measured on 1,000-patient shards; each pattern below made a
rule quadratic or worse): never join a triple pattern on an IRI computed by ``BIND`` (join
through a real link such as ``?trial trd:adequacyFinding ?f``, made once by
``finding-nodes.rq``); avoid ``EXISTS``/``NOT EXISTS`` evaluated per row (aggregate over a
``UNION`` with a zero branch instead); avoid joining two subqueries (pack what one aggregate
picks into a string key). Every rule stays patient-local: it joins through ``trd:patient`` or a
trial, so a shard costs time linear in its size.

Dependency matching: ``rdf:type`` reads and writes are keyed by class. A read written as
``?x a/rdfs:subClassOf* C`` (or ``?x a ?c . ?c rdfs:subClassOf* C``) depends on rules writing class C;
a read of ``rdf:type`` with an unconstrained class depends on every rule writing any class, and a
variable predicate in a WHERE clause depends on every rule. A read inside
``GRAPH <…/graph/asserted>`` (or the ontology/policy graph) depends on no rule: rules never write
there. That is how a rule reads an asserted shortcut (``trd:weeksAtAdequateDose`` on a trial) and
writes the same property on a finding without a self-loop.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef, Variable
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, Path as RdfPath, SequencePath
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

from reasoner.errors import RuleError
from reasoner.knowledge.namespaces import GRAPH_ASSERTED, GRAPH_DERIVED, GRAPH_ONTOLOGY, GRAPH_POLICY, GRAPH_RULES, RULE, TRD
from reasoner.knowledge.paths import INFER_DIR, QUERIES_DIR

#: A dependency key: a predicate IRI, or ("type", class IRI). ANY stands for "any".
ANY = URIRef("urn:trd:any")
Key = Any

_EMPTY_STORE = ox.Store()
_INPUT_GRAPHS = {GRAPH_ASSERTED, GRAPH_ONTOLOGY, GRAPH_POLICY}
_HEADER = re.compile(r"^#\s*(intent|inputs|source|guard)\s*:\s*(.*)$", re.IGNORECASE)
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
    #: of triple patterns every solution needs (see ``_required_keys``).
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


# --- parsing -----------------------------------------------------------------------------
def _parse_header(text: str, path: Path) -> dict[str, str]:
    """The ``# intent/inputs/source`` comment lines at the top of a rule file."""
    meta: dict[str, str] = {}
    last: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        m = _HEADER.match(stripped)
        if m:
            last = m.group(1).lower()
            meta[last] = m.group(2).strip()
        elif last is not None and stripped.lstrip("#").strip():
            # a continuation line extends the previous header field
            meta[last] += " " + stripped.lstrip("#").strip()
    missing = [k for k in ("intent", "inputs", "source") if not meta.get(k)]
    if missing:
        raise RuleError(f"{path.name}: rule header lacks '# {missing[0]}: …'")
    return meta


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


def _path_predicates(path: Any) -> list[URIRef]:
    """Every IRI used inside a property path."""
    if isinstance(path, URIRef):
        return [path]
    if isinstance(path, SequencePath) or isinstance(path, AlternativePath):
        return [p for arg in path.args for p in _path_predicates(arg)]
    if isinstance(path, (MulPath, InvPath)):
        return _path_predicates(path.path)
    if isinstance(path, NegatedPath):
        # a negated property set matches (almost) any predicate
        return [ANY]
    return []


def _iris_in(node: Any) -> list[URIRef]:
    """Every IRI inside a parse-tree fragment (an untranslated property path)."""
    if isinstance(node, URIRef):
        return [node]
    if isinstance(node, CompValue):
        return [i for v in node.values() for i in _iris_in(v)]
    if isinstance(node, (list, tuple)):
        return [i for v in node for i in _iris_in(v)]
    return []


def _is_subclass_path(p: Any) -> bool:
    return p == RDFS.subClassOf or (isinstance(p, MulPath) and p.path == RDFS.subClassOf)


def _triple_keys(triples: list[tuple[Any, Any, Any]]) -> set[Key]:
    """Dependency keys of a block of triple patterns (a BGP or a template)."""
    keys: set[Key] = set()
    # ?c rdfs:subClassOf* C  -> resolve ?x a ?c to class C
    superclass: dict[Any, Any] = {}
    for s, p, o in triples:
        if isinstance(s, Variable) and isinstance(o, URIRef) and _is_subclass_path(p):
            superclass[s] = o
    for s, p, o in triples:
        if isinstance(p, Variable):
            keys.add(ANY)
        elif p == RDF.type:
            if isinstance(o, URIRef):
                keys.add(("type", o))
            else:
                keys.add(("type", superclass.get(o, ANY)))
        elif isinstance(p, SequencePath) and p.args and p.args[0] == RDF.type \
                and all(_is_subclass_path(a) for a in p.args[1:]):
            keys.add(("type", o if isinstance(o, URIRef) else ANY))
            keys.add(RDFS.subClassOf)
        elif isinstance(p, RdfPath):
            for iri in _path_predicates(p):
                keys.add(("type", ANY) if iri == RDF.type else iri)
        elif isinstance(p, (CompValue, list)):
            # an untranslated path (inside EXISTS the algebra keeps the parse tree)
            for iri in _iris_in(p):
                keys.add(("type", ANY) if iri == RDF.type else iri)
        else:
            keys.add(p)
    return keys


def _where_keys(node: Any, keys: set[Key]) -> None:
    """Walk an algebra tree and collect the keys of every triple pattern in it."""
    if isinstance(node, CompValue):
        if node.name in ("Graph", "GraphGraphPattern") and node.get("term") in _INPUT_GRAPHS:
            # Rules never write asserted/ontology/policy graphs, so a read confined to one of
            # them cannot depend on another rule (how a rule reads an asserted shortcut such as
            # trd:weeksAtAdequateDose on a trial while writing the same property on a finding).
            return
        for key, value in node.items():
            if key == "triples" and isinstance(value, list):
                keys |= _triple_keys([tuple(t) for t in value if len(t) == 3])
            else:
                _where_keys(value, keys)
    elif isinstance(node, (list, tuple)):
        for item in node:
            _where_keys(item, keys)


#: Algebra nodes whose every solution needs a solution of each listed operand.
_REQUIRED_OPERANDS = {"Join": ("p1", "p2"), "LeftJoin": ("p1",), "Minus": ("p1",), "Filter": ("p",),
                      "Extend": ("p",), "Project": ("p",), "Distinct": ("p",), "Reduced": ("p",),
                      "Slice": ("p",), "OrderBy": ("p",), "Graph": ("p",), "ToMultiSet": ("p",)}


def _required_keys(node: Any) -> set[Key]:
    """Plain triple patterns that every solution of ``node`` needs (a lower bound, never more).

    Why: a rule whose required input is absent from the store derives nothing, so a warm
    one-patient call can skip it without compiling its text (a patient without genotypes never
    needs the CYP rules). Only exact patterns count:

    * a constant predicate (not a path, not a variable): the predicate;
    * ``rdf:type`` with a constant class: ``("type", C)``;
    * a constant predicate with a constant IRI object: ``("po", p, o)`` as well (a cause that
      was not found, a gene that was not tested);
    * ``?x a/rdfs:subClassOf* C``: ``("sub", C)``, some instance of C or of a subclass of it
      (resolved with the ontology's hierarchy, see ``RuleEngine``).

    OPTIONAL right sides, UNION branches, MINUS right sides and (NOT) EXISTS are not required;
    an aggregate is a barrier, because a group without GROUP BY yields one row (COUNT = 0) even
    from no input.
    """
    if not isinstance(node, CompValue):
        return set()
    if node.name == "BGP":
        keys: set[Key] = set()
        for s_, p_, o_ in node.get("triples") or []:
            if p_ == RDF.type and isinstance(o_, URIRef):
                keys.add(("type", o_))
            elif isinstance(p_, URIRef) and p_ != RDF.type:
                keys.add(p_)
                if isinstance(o_, URIRef):
                    keys.add(("po", p_, o_))
            elif (isinstance(p_, SequencePath) and len(p_.args) == 2 and p_.args[0] == RDF.type
                  and isinstance(p_.args[1], MulPath) and p_.args[1].path == RDFS.subClassOf
                  and p_.args[1].mod == "*" and isinstance(o_, URIRef)):
                keys.add(("sub", o_))
        return keys
    out: set[Key] = set()
    for operand in _REQUIRED_OPERANDS.get(node.name, ()):
        out |= _required_keys(node.get(operand))
    return out


#: More alternatives than this and a rule's UNIONs say nothing: the check would cost more lookups
#: than it could save.
_MAX_ALTERNATIVES = 8


def _alternative_keys(node: Any) -> list[frozenset]:
    """The inputs a solution needs, as alternatives (disjunctive normal form over UNION branches).

    Why: ``_required_keys`` sees nothing in a UNION, yet many rules are "an X diagnosis, or a Y
    lab" (pseudo-resistance causes, contraindications): without either input they derive nothing.
    Each alternative is a set of keys that some solutions all need; every solution needs every key
    of at least one alternative. Same lower-bound rules as ``_required_keys`` (OPTIONAL right
    sides, MINUS, EXISTS and aggregates add nothing); a join of unions multiplies out, and past
    ``_MAX_ALTERNATIVES`` the result is "no requirement" (``[frozenset()]``), which is always safe.
    """
    if not isinstance(node, CompValue):
        return [frozenset()]
    if node.name == "BGP":
        return [frozenset(_required_keys(node))]
    if node.name == "Union":
        out = _alternative_keys(node.get("p1")) + _alternative_keys(node.get("p2"))
    elif node.name == "Join":
        out = [a | b for a in _alternative_keys(node.get("p1")) for b in _alternative_keys(node.get("p2"))]
    elif node.name in _REQUIRED_OPERANDS:
        out = _alternative_keys(node.get(_REQUIRED_OPERANDS[node.name][0]))
    else:
        return [frozenset()]
    if len(out) > _MAX_ALTERNATIVES or any(not alt for alt in out):
        return [frozenset()]
    return list(dict.fromkeys(out))


def _alternatives_beyond(node: Any, requires: frozenset) -> tuple[frozenset, ...]:
    """``_alternative_keys`` less what ``requires`` already says; () when they add nothing."""
    alternatives = [alt - requires for alt in _alternative_keys(node)]
    if len(alternatives) < 2 or any(not alt for alt in alternatives):
        return ()  # one alternative is a conjunction: _required_keys already has it
    return tuple(sorted(alternatives, key=lambda alt: sorted(map(str, alt))))


# --- analysis cache: rdflib's SPARQL parser takes ~0.1 s a rule, so a worker process would pay
# seconds at start-up; the reads/writes of a rule text never change, so they are cached by hash.
#: Bumped when what the analysis records changes. The version is part of the file name, so an
#: older trd-reasoner on the same machine never reads keys it does not know (and vice versa).
_CACHE_VERSION = 3
_CACHE_FILE = (Path(os.environ.get("TRD_CACHE", Path.home() / ".cache" / "trd-reasoner"))
               / f"rule-analysis-v{_CACHE_VERSION}.json")
_cache: dict[str, Any] | None = None


def _encode(keys: Iterable[Key]) -> list[str]:
    return sorted("|".join(str(part) for part in k) if isinstance(k, tuple) else str(k) for k in keys)


def _decode(items: list[str]) -> frozenset:
    """Inverse of ``_encode``: ``kind|IRI…`` for tuple keys (IRIs never contain ``|`` unescaped)."""
    out: set[Key] = set()
    for item in items:
        kind, sep, rest = item.partition("|")
        if sep and kind in ("type", "po", "sub"):
            out.add((kind, *(URIRef(part) for part in rest.split("|"))))
        else:
            out.add(URIRef(item))
    return frozenset(out)


def _load_cache() -> dict[str, Any]:
    global _cache
    if _cache is None:
        try:
            _cache = json.loads(_CACHE_FILE.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            _cache = {}
    return _cache


def _store_cache(digest: str, reads: frozenset, writes: frozenset, subjects: tuple[str, ...],
                 requires: frozenset, alternatives: tuple[frozenset, ...]) -> None:
    cache = _load_cache()
    cache[digest] = {"reads": _encode(reads), "writes": _encode(writes), "subjects": list(subjects),
                     "requires": _encode(requires), "alternatives": [_encode(a) for a in alternatives]}
    try:
        _CACHE_FILE.parent.mkdir(parents=True, exist_ok=True)
        tmp = _CACHE_FILE.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(cache), encoding="utf-8")
        tmp.replace(_CACHE_FILE)
    except OSError:
        pass  # a read-only home only costs speed


def parse_rule(path: Path) -> Rule:
    """Read one ``.rq`` file into a :class:`Rule` (RuleError when it is not a valid CONSTRUCT)."""
    text = path.read_text(encoding="utf-8")
    meta = _parse_header(text, path)
    guard = _guard_text(text, meta.get("guard", ""))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    cached = _load_cache().get(digest)
    if cached is not None and "alternatives" in cached:
        return Rule(name=path.stem, path=path, text=text, intent=meta["intent"], inputs=meta["inputs"],
                    source=meta["source"], reads=_decode(cached["reads"]), writes=_decode(cached["writes"]),
                    subjects=tuple(cached["subjects"]), requires=_decode(cached["requires"]),
                    alternatives=tuple(_decode(a) for a in cached["alternatives"]), guard=guard)
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
    writes = _triple_keys(template)
    reads: set[Key] = set()
    _where_keys(query.algebra.p, reads)
    requires = frozenset(_required_keys(query.algebra.p))
    alternatives = _alternatives_beyond(query.algebra.p, requires)
    if guard:
        _check_guard(path, guard, frozenset(reads))
    rule = Rule(name=path.stem, path=path, text=text, intent=meta["intent"], inputs=meta["inputs"],
                source=meta["source"], reads=frozenset(reads), writes=frozenset(writes), subjects=subjects,
                requires=requires, alternatives=alternatives, guard=guard)
    try:
        _EMPTY_STORE.query(rule.construct_text)
    except SyntaxError as exc:  # the rewriting must give valid SPARQL; refuse the rule otherwise
        raise RuleError(f"{path.name}: cannot run as written ({str(exc).splitlines()[0]})") from exc
    _store_cache(digest, frozenset(reads), frozenset(writes), subjects, requires, alternatives)
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
    _where_keys(query.algebra.p, reads)
    extra = [k for k in reads if not any(_matches(k, r) or _matches(r, k) for r in rule_reads)]
    if extra:
        raise RuleError(f"{path.name}: the guard reads what the rule does not: "
                        + ", ".join(sorted(str(k) for k in extra)))


def load_rules(directory: Path | str = INFER_DIR) -> list[Rule]:
    """Every ``*.rq`` rule of a directory, sorted by file name."""
    directory = Path(directory)
    if not directory.is_dir():
        raise RuleError(f"{directory}: rule directory not found")
    return [parse_rule(p) for p in sorted(directory.glob("*.rq"))]


# --- ordering ----------------------------------------------------------------------------
def _matches(write: Key, read: Key) -> bool:
    """True when a written key can feed a read key."""
    if read == ANY:
        return True
    if isinstance(read, tuple) and isinstance(write, tuple):
        return read[1] == ANY or write[1] == ANY or read[1] == write[1]
    if write == ANY:
        return True
    return read == write


def _feeds(writer: Rule, reader: Rule) -> bool:
    return any(_matches(w, r) for w in writer.writes for r in reader.reads)


def dependency_graph(rules: Iterable[Rule]) -> nx.DiGraph:
    """rule -> rule edges (by name) whenever the first writes what the second reads."""
    rules = list(rules)
    g = nx.DiGraph()
    g.add_nodes_from(r.name for r in rules)
    for a in rules:
        for b in rules:
            if _feeds(a, b):
                g.add_edge(a.name, b.name)
    return g


def order_rules(rules: Iterable[Rule]) -> list[Rule]:
    """The rules in topological order (ties by name); RuleError naming the rules of a cycle."""
    rules = list(rules)
    by_name = {r.name: r for r in rules}
    g = dependency_graph(rules)
    try:
        cycle = nx.find_cycle(g)
    except nx.NetworkXNoCycle:
        cycle = None
    if cycle:
        names = [edge[0] for edge in cycle]
        raise RuleError("rule dependency cycle: " + " -> ".join(names + [names[0]]))
    return [by_name[n] for n in nx.lexicographical_topological_sort(g)]


# --- running -----------------------------------------------------------------------------
@dataclass
class RunStats:
    """What one run produced: new triples per rule and the number of passes."""

    triples: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    passes: int = 0
    skipped: list[str] = field(default_factory=list)   # rules not run: a required input was absent

    @property
    def total(self) -> int:
        return sum(self.triples.values())


def rules_metadata(rules: Iterable[Rule]) -> Graph:
    """The rules graph: ``rule:<stem> a trd:InferenceRule; rdfs:label; dcterms:source; trd:queryFile``."""
    g = Graph()
    for r in rules:
        g.add((r.iri, RDF.type, TRD.InferenceRule))
        g.add((r.iri, RDFS.label, Literal(r.intent)))
        g.add((r.iri, DCTERMS.source, Literal(r.source)))
        g.add((r.iri, TRD.queryFile, Literal(r.query_file)))
    return g


class RuleEngine:
    """Runs an ordered rule set over a Workspace of the same backend (see module docstring).

    ``checked=True`` (the default, and always on rdflib, the reference engine): every rule is a
    CONSTRUCT whose triples are added one by one, new triples are counted per rule, and a rule
    whose inputs grew after it ran is run again until nothing changes (the fixpoint safety net).

    ``checked=False`` (the cohort fast path, Oxigraph only): one pass in the stratified order,
    each rule's CONSTRUCT serialised and loaded into the derived graph inside Oxigraph
    (``Workspace.derive``), so no triple crosses into Python; per-rule triple counts are not
    known (``RunStats.triples`` stays 0). Refusing cycles already makes
    one pass the fixpoint; the differential test (tests/cohort/test_differential.py) checks that
    this path derives exactly what the checked rdflib path derives.
    """

    def __init__(self, rules: Iterable[Rule] | None = None, engine: str = "oxigraph", checked: bool = True,
                 ontology: Graph | None = None) -> None:
        """``ontology``: the class hierarchy that resolves ``("sub", C)`` requirements (some
        instance of C or of a subclass); without it they are not used to skip a rule."""
        self.rules = order_rules(load_rules() if rules is None else rules)
        self.engine = engine
        self.checked = checked or engine != "oxigraph"
        self._metadata = rules_metadata(self.rules)
        # serialised once: every fresh workspace loads it (each cohort batch, each renewed warm one)
        self._metadata_nt = self._metadata.serialize(format="nt", encoding="utf-8")
        # The text each rule runs as, built once (provenance in the template; see Rule).
        self._construct = {r.name: compact_query(r.construct_text) for r in self.rules}
        self._guards = {r.name: compact_query(r.guard) for r in self.rules if r.guard}
        # ("sub", C) -> the classes whose instances satisfy it (C and its ontology subclasses);
        # unresolvable when no ontology is given or a rule itself writes rdfs:subClassOf.
        writes_hierarchy = any(RDFS.subClassOf in r.writes or ANY in r.writes for r in self.rules)
        self._classes: dict[str, tuple[Any, ...]] = {}
        for r in self.rules:
            for key in r.requires.union(*r.alternatives):
                if isinstance(key, tuple) and key[0] == "sub" and ontology is not None and not writes_hierarchy:
                    self._classes[str(key[1])] = tuple(
                        ox.NamedNode(str(c)) for c in sorted(ontology.transitive_subjects(RDFS.subClassOf, key[1]))
                        if isinstance(c, URIRef))
        # the lookups each rule's requirements need, as Oxigraph terms made once (not per call)
        self._requires = {r.name: self._lookups(r.requires) for r in self.rules} if self.engine == "oxigraph" else {}
        # the alternatives as lookups; one that is left empty (an unresolvable class) is always
        # met, so the rule's alternatives then say nothing
        self._alternatives: dict[str, tuple[tuple[Key, ...], ...]] = {}
        if self.engine == "oxigraph":
            for r in self.rules:
                alternatives = tuple(self._lookups(alt) for alt in r.alternatives)
                self._alternatives[r.name] = alternatives if all(alternatives) else ()
        # Which rule feeds which depends only on the rule set: computed once here, not on every run
        # (it was over half of a warm one-patient call).
        self._feeds = {(w.name, r.name) for w in self.rules for r in self.rules if _feeds(w, r)}

    def _lookups(self, keys: Iterable[Key]) -> tuple[Key, ...]:
        """Requirement keys as lookups (Oxigraph terms), less the classes that cannot be resolved."""
        return tuple(_as_lookup(k) for k in sorted(keys, key=str)
                     if not (isinstance(k, tuple) and k[0] == "sub" and str(k[1]) not in self._classes))

    def static_inputs(self, workspace: Any, graphs: Iterable[URIRef]) -> frozenset:
        """The rules' required inputs that these named graphs of a workspace already hold.

        Why: a pipeline's ontology and policy graphs are the same in every workspace it makes and
        no call changes them, so the inputs found there are present in every call; looking them
        up once per pipeline instead of once per call saves a third of the lookups of a warm
        one-patient call. Oxigraph only (the fast path is the only one that skips rules).
        """
        if self.engine != "oxigraph":
            return frozenset()
        graphs = tuple(graphs)
        keys = {k for r in self.rules for k in self._requires[r.name]}
        keys |= {k for alts in self._alternatives.values() for alt in alts for k in alt}
        return frozenset(k for k in keys if any(self._held(workspace, k, g) for g in graphs))

    def add_metadata(self, workspace: Any) -> None:
        """Load the rules graph (each rule's label, source and query file) unless it is there."""
        if workspace.is_empty(GRAPH_RULES):
            workspace.add_graph(GRAPH_RULES, self._metadata_nt, "nt")

    def run(self, workspace: Any, known_present: frozenset = frozenset()) -> RunStats:
        """Run every rule in order (to a fixpoint when checked); see the class docstring.

        ``known_present``: required inputs the caller knows the workspace holds (see
        ``static_inputs``); the fast path does not look them up again.
        """
        if workspace.engine != self.engine:
            raise RuleError(f"workspace uses {workspace.engine!r} but the engine is {self.engine!r}")
        self.add_metadata(workspace)
        if not self.checked:
            return self._run_once(workspace, known_present)
        stats = RunStats(triples={r.name: 0 for r in self.rules})
        pending = list(self.rules)
        max_passes = len(self.rules) + 2
        while pending:
            stats.passes += 1
            if stats.passes > max_passes:
                raise RuleError("rules did not reach a fixpoint: " + ", ".join(r.name for r in pending))
            grown: list[tuple[int, Rule]] = []   # (position, rule) of rules that added triples
            for position, rule in enumerate(pending):
                started = time.perf_counter()
                try:
                    triples = workspace.construct(self._construct[rule.name])
                except Exception as exc:  # a backend error in a rule is a rule-set problem
                    raise _rule_failed(rule, exc) from exc
                new = workspace.add_derived(triples) if triples else 0
                stats.seconds[rule.name] = stats.seconds.get(rule.name, 0.0) + time.perf_counter() - started
                if new:
                    stats.triples[rule.name] += new
                    grown.append((position, rule))
            # A rule must run again only if a rule after it in this pass wrote what it reads.
            pending = [r for i, r in enumerate(pending)
                       if any(j > i and (w.name, r.name) in self._feeds for j, w in grown)]
        return stats

    def _run_once(self, workspace: Any, known_present: frozenset = frozenset()) -> RunStats:
        """One pass, each rule derived inside the store (``checked=False``)."""
        stats = RunStats(triples={r.name: 0 for r in self.rules}, passes=1)
        # The precomputed hierarchy holds only while no other graph adds rdfs:subClassOf.
        hierarchy = workspace.subclass_closure_is_static()
        # Inputs found present stay present for the rest of the pass (a rule only adds triples),
        # so each is looked up once per pass, not once per rule that needs it (~150 -> ~60
        # lookups in a one-patient call). An absent input is looked up again: a rule may add it.
        present: set[Key] = set(known_present)
        for rule in self.rules:
            started = time.perf_counter()
            if not (all(self._present(workspace, key, hierarchy, present) for key in self._requires[rule.name])
                    and self._any_alternative(workspace, rule.name, hierarchy, present)
                    and (not rule.guard or workspace.ask(self._guards[rule.name]))):
                stats.skipped.append(rule.name)
                continue
            try:
                workspace.derive(self._construct[rule.name])
            except Exception as exc:
                raise _rule_failed(rule, exc) from exc
            stats.seconds[rule.name] = time.perf_counter() - started
        return stats


    def _any_alternative(self, workspace: Any, name: str, hierarchy: bool, seen: set[Key]) -> bool:
        """Whether every input of some alternative of a rule is present (true when it has none)."""
        alternatives = self._alternatives.get(name, ())
        return not alternatives or any(all(self._present(workspace, key, hierarchy, seen) for key in alt)
                                       for alt in alternatives)

    def _present(self, workspace: Any, key: Key, hierarchy: bool, seen: set[Key]) -> bool:
        """Whether a required input can match: ``("sub", C)`` through the ontology's classes.
        ``seen`` holds the inputs already found present in this pass (and gains this one)."""
        if key in seen:
            return True
        sub = isinstance(key, tuple) and key[0] == "sub"
        found = (sub and not hierarchy) or self._held(workspace, key)
        if found:
            seen.add(key)
        return found


    def _held(self, workspace: Any, key: Key, graph: URIRef | None = None) -> bool:
        """Whether the workspace (or one named graph of it) holds a match for one lookup key;
        ``("sub", C)`` is some instance of C or of one of its ontology subclasses."""
        if isinstance(key, tuple) and key[0] == "sub":
            return any(workspace.has(("type", c), graph) for c in self._classes[key[1].value])
        return workspace.has(key, graph)


def _as_lookup(key: Key) -> Key:
    """A requirement key with its IRIs as pyoxigraph terms (what ``Workspace.has`` looks up)."""
    if isinstance(key, tuple):
        return (key[0], *(ox.NamedNode(str(term)) for term in key[1:]))
    return ox.NamedNode(str(key))


def compact_query(text: str) -> str:
    """A query without its full-line comments and indentation: the same query, parsed faster.

    Why: pyoxigraph has no prepared queries, so a warm one-patient call parses every rule text
    again, and Oxigraph's parser pays for every character, comment lines included (the rule
    files carry long intent/source headers). Only whole lines that start with ``#`` go: a ``#``
    inside an IRI or after a pattern stays. A text with a long string literal (whose lines could
    start with ``#`` or be indented on purpose) is returned unchanged.
    """
    if '"""' in text or "'''" in text:
        return text
    lines = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("#"))


def _rule_failed(rule: Rule, exc: Exception) -> RuleError:
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return RuleError(f"rule {rule.name} failed: {first}")


__all__ = ["Rule", "RuleEngine", "compact_query", "RunStats", "load_rules", "order_rules", "parse_rule",
           "dependency_graph", "rules_metadata", "ANY", "GRAPH_DERIVED"]
