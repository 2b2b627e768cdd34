"""Rule engine: header parsing, read/write analysis, ordering, cycle refusal, both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import PROV, RDF

from reasoner.errors import RuleError
from reasoner.knowledge.namespaces import GRAPH_ONTOLOGY, GRAPH_RULES, RULE, TRD
from reasoner.rules import RuleEngine, dependency_graph, load_rules, order_rules
from reasoner.rules.workspace import Workspace, new_workspace

EX = "http://e/"
PFX = f"PREFIX ex: <{EX}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"


def write_rule(d: Path, name: str, body: str, source: str = "test source") -> None:
    (d / f"{name}.rq").write_text(f"# intent: {name} rule\n# inputs: test\n# source: {source}\n{PFX}{body}\n")


@pytest.fixture
def chain(tmp_path: Path) -> Path:
    # z_first reads ex:p and writes ex:q; a_second reads ex:q (and negates ex:blocked) and writes
    # class ex:Q; m_third reads the class through a subclass path. Alphabetical order is the
    # reverse of the dependency order, so ordering must come from the reads/writes.
    write_rule(tmp_path, "z_first", "CONSTRUCT { ?s ex:q ?o } WHERE { ?s ex:p ?o }")
    write_rule(tmp_path, "a_second",
               "CONSTRUCT { ?s a ex:Q } WHERE { ?s ex:q ?o FILTER NOT EXISTS { ?s ex:blocked true } }")
    write_rule(tmp_path, "m_third", "CONSTRUCT { ?s ex:done true } WHERE { ?s a/rdfs:subClassOf* ex:Q }")
    return tmp_path


def test_header_and_keys(chain: Path) -> None:
    rules = {r.name: r for r in load_rules(chain)}
    assert rules["a_second"].intent == "a_second rule"
    assert rules["a_second"].source == "test source"
    assert URIRef(EX + "blocked") in rules["a_second"].reads      # read inside FILTER NOT EXISTS
    assert ("type", URIRef(EX + "Q")) in rules["a_second"].writes
    assert ("type", URIRef(EX + "Q")) in rules["m_third"].reads   # read through a property path
    assert rules["z_first"].iri == RULE["z_first"]


def test_order_follows_dependencies(chain: Path) -> None:
    assert [r.name for r in order_rules(load_rules(chain))] == ["z_first", "a_second", "m_third"]
    g = dependency_graph(load_rules(chain))
    assert set(g.edges) == {("z_first", "a_second"), ("a_second", "m_third")}


def test_missing_header_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bad.rq").write_text(f"# intent: x\n# inputs: y\n{PFX}CONSTRUCT {{ ?s ex:q ?o }} WHERE {{ ?s ex:p ?o }}")
    with pytest.raises(RuleError, match="source"):
        load_rules(tmp_path)


def test_select_is_refused(tmp_path: Path) -> None:
    write_rule(tmp_path, "sel", "SELECT ?s WHERE { ?s ex:p ?o }")
    with pytest.raises(RuleError, match="CONSTRUCT"):
        load_rules(tmp_path)


def test_prefix_unknown_to_oxigraph_is_refused(tmp_path: Path) -> None:
    # rdflib silently knows rdfs:, Oxigraph does not: the same text must run on both.
    (tmp_path / "r.rq").write_text("# intent: i\n# inputs: i\n# source: s\n"
                                   "CONSTRUCT { ?s rdfs:label ?o } WHERE { ?s rdfs:comment ?o }")
    with pytest.raises(RuleError, match="Oxigraph"):
        load_rules(tmp_path)


def test_cycle_is_refused_with_rule_names(tmp_path: Path) -> None:
    write_rule(tmp_path, "one", "CONSTRUCT { ?s ex:b ?o } WHERE { ?s ex:a ?o }")
    write_rule(tmp_path, "two", "CONSTRUCT { ?s ex:a ?o } WHERE { ?s ex:b ?o }")
    write_rule(tmp_path, "three", "CONSTRUCT { ?s ex:c ?o } WHERE { ?s ex:a ?o }")
    with pytest.raises(RuleError) as err:
        order_rules(load_rules(tmp_path))
    assert "one" in str(err.value) and "two" in str(err.value) and "three" not in str(err.value)


def test_self_loop_is_refused(tmp_path: Path) -> None:
    write_rule(tmp_path, "loop", "CONSTRUCT { ?s ex:next ?o } WHERE { ?s ex:next/ex:next ?o }")
    with pytest.raises(RuleError, match="loop -> loop"):
        order_rules(load_rules(tmp_path))


DATA = (f"<{EX}a> <{EX}p> \"1\" .\n<{EX}b> <{EX}p> \"2\" .\n"
        f"<{EX}b> <{EX}blocked> \"true\"^^<http://www.w3.org/2001/XMLSchema#boolean> .\n").encode()


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_run_derives_only_into_derived_graph(chain: Path, engine: str) -> None:
    ws = new_workspace(engine)
    ws.add_asserted(DATA)
    stats = RuleEngine(load_rules(chain), backend=engine).run(ws)
    derived = ws.derived_graph()
    a, b = URIRef(EX + "a"), URIRef(EX + "b")
    assert (a, URIRef(EX + "done"), Literal(True)) in derived
    assert (b, RDF.type, URIRef(EX + "Q")) not in derived        # the negation held
    assert (a, PROV.wasGeneratedBy, RULE["m_third"]) in derived
    assert (a, URIRef(EX + "p"), Literal("1")) not in derived      # asserted data stays asserted
    assert len(ws.graph(ws_asserted())) == 3
    # z_first derives two ex:q triples and, from its template, their two provenance triples
    assert stats.passes == 1 and stats.triples["z_first"] == 4
    rules_graph = ws.graph(GRAPH_RULES)
    assert (RULE["m_third"], RDF.type, TRD.InferenceRule) in rules_graph


def ws_asserted() -> URIRef:
    from reasoner.knowledge.namespaces import GRAPH_ASSERTED
    return GRAPH_ASSERTED


def test_backends_agree(chain: Path) -> None:
    graphs = []
    for engine in ("oxigraph", "rdflib"):
        ws = new_workspace(engine)
        ws.add_asserted(DATA)
        RuleEngine(load_rules(chain), backend=engine).run(ws)
        graphs.append(ws.derived_graph())
    assert len(graphs[0]) > 0 and isomorphic(graphs[0], graphs[1])


def test_unchecked_fast_path_derives_what_the_checked_path_derives(chain: Path) -> None:
    # checked=False derives each rule inside Oxigraph, CONSTRUCT result loaded into the derived graph (the cohort path)
    graphs = []
    for checked in (True, False):
        ws = new_workspace("oxigraph")
        ws.add_asserted(DATA)
        stats = RuleEngine(load_rules(chain), backend="oxigraph", checked=checked).run(ws)
        assert stats.passes == 1
        graphs.append(ws.derived_graph())
    assert len(graphs[0]) == 8 and isomorphic(graphs[0], graphs[1])


def test_rdflib_engine_is_always_checked(chain: Path) -> None:
    assert RuleEngine(load_rules(chain), backend="rdflib", checked=False).checked


def test_template_rewrite_skips_braces_in_comments_and_strings(tmp_path: Path) -> None:
    write_rule(tmp_path, "tricky", '# a } and a { in a comment\n'
               'CONSTRUCT { ?s ex:note "a } b {" ; ex:iri <http://e/x#y> } WHERE { ?s ex:p ?o }')
    rule = load_rules(tmp_path)[0]
    assert rule.subjects == ("?s",)
    ws = new_workspace("oxigraph")
    ws.add_asserted(DATA)
    RuleEngine([rule], backend="oxigraph", checked=False).run(ws)
    derived = ws.derived_graph()
    assert (URIRef(EX + "a"), URIRef(EX + "note"), Literal("a } b {")) in derived
    assert (URIRef(EX + "a"), PROV.wasGeneratedBy, RULE["tricky"]) in derived


def test_nquads_export_round_trips(chain: Path) -> None:
    from rdflib import Dataset
    from reasoner.knowledge.namespaces import GRAPH_DERIVED
    for engine in ("oxigraph", "rdflib"):
        ws = new_workspace(engine)
        ws.add_asserted(DATA)
        RuleEngine(load_rules(chain), backend=engine).run(ws)
        ds = Dataset()
        ds.parse(data=ws.derived_nquads(), format="nquads")
        assert isomorphic(ds.graph(GRAPH_DERIVED), ws.derived_graph())


def test_engine_mismatch_is_refused(chain: Path) -> None:
    with pytest.raises(RuleError, match="workspace"):
        RuleEngine(load_rules(chain), backend="rdflib").run(new_workspace("oxigraph"))


def test_read_confined_to_asserted_graph_is_no_dependency(tmp_path: Path) -> None:
    # Reading ex:w only from the asserted graph while writing ex:w elsewhere is not a self-loop.
    write_rule(tmp_path, "copy", "CONSTRUCT { ?f ex:w ?w } WHERE { GRAPH <https://w3id.org/trd-reasoner/graph/asserted>"
               " { ?s ex:w ?w } BIND(IRI(CONCAT(STR(?s), '/f')) AS ?f) }")
    rules = load_rules(tmp_path)
    assert [r.name for r in order_rules(rules)] == ["copy"]
    for engine in ("oxigraph", "rdflib"):
        ws = new_workspace(engine)
        ws.add_asserted(f"<{EX}a> <{EX}w> \"9\" .\n".encode())
        RuleEngine(rules, backend=engine).run(ws)
        assert (URIRef(EX + "a/f"), URIRef(EX + "w"), Literal("9")) in ws.derived_graph()


def test_workspace_loads_ontology_policy_and_context() -> None:
    from reasoner.knowledge.namespaces import EVALUATION, GRAPH_ONTOLOGY, GRAPH_POLICY
    from reasoner.knowledge.policy import policy_graph
    for engine in ("oxigraph", "rdflib"):
        ws = new_workspace(engine)
        ws.load_ontology()
        ws.load_policy(policy_graph("athf-strict", "2026-01-15"))
        assert (TRD.sertraline, TRD.minimumAdequateDailyDoseMg, None) in ws.graph(GRAPH_ONTOLOGY)
        assert (TRD["maudsley-duration-1"], TRD.maudsleyPoints, None) in ws.graph(GRAPH_ONTOLOGY)
        rows = ws.select("PREFIX trd: <https://w3id.org/trd-reasoner/ontology#> SELECT ?d ?w WHERE { "
                         f"<{EVALUATION}> trd:asOfDate ?d . ?s trd:parameter trd:param-minimum-adequate-weeks ; "
                         "trd:value ?w }")
        assert [(str(r["d"]), float(r["w"])) for r in rows] == [("2026-01-15", 8.0)]
        assert len(ws.graph(GRAPH_POLICY)) > 50


def test_warm_pipeline_calls_do_not_leak_into_each_other() -> None:
    from rdflib.compare import isomorphic as iso
    from reasoner.knowledge.paths import EXAMPLES_DIR
    from reasoner.pipeline import Pipeline
    from reasoner.io.rdf import read_graph
    a = read_graph(EXAMPLES_DIR / "trd-confirmed.ttl")
    b = read_graph(EXAMPLES_DIR / "inadequate-trial.ttl")
    warm = Pipeline(as_of="2026-01-15", validator=None)
    first = warm.assess(a)
    warm.assess(b)
    again = warm.assess(a)
    fresh = Pipeline(as_of="2026-01-15", validator=None).assess(a)
    assert again.patients == first.patients == fresh.patients
    assert iso(again.derived, fresh.derived)


def test_required_inputs_are_a_lower_bound(tmp_path: Path) -> None:
    # Required: plain patterns every solution needs. Not required: OPTIONAL, UNION branches,
    # EXISTS, paths, and anything under an aggregate (COUNT over nothing still gives a row).
    write_rule(tmp_path, "req", "CONSTRUCT { ?s ex:r ?n } WHERE { ?s a ex:C ; ex:a ?x . "
               "OPTIONAL { ?s ex:opt ?o } { ?s ex:u1 ?y } UNION { ?s ex:u2 ?y } "
               "FILTER EXISTS { ?s ex:ex ?z } ?s ex:p1/ex:p2 ?w . "
               "{ SELECT (COUNT(?q) AS ?n) WHERE { ?q ex:agg ?v } } }")
    rule = load_rules(tmp_path)[0]
    assert rule.requires == {("type", URIRef(EX + "C")), URIRef(EX + "a")}


def test_required_objects_and_subclass_paths(tmp_path: Path) -> None:
    # a constant IRI object is required with its predicate; a/rdfs:subClassOf* C needs an instance
    # of C or a subclass; a literal object, or the same patterns under OPTIONAL, are not required
    write_rule(tmp_path, "req", "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
               "CONSTRUCT { ?s ex:r ?x } WHERE { ?s ex:cause ex:c1 ; a/rdfs:subClassOf* ex:C ; ex:flag true . "
               "OPTIONAL { ?s ex:cause ex:c2 ; a/rdfs:subClassOf* ex:D } BIND(1 AS ?x) }")
    rule = load_rules(tmp_path)[0]
    assert rule.requires == {URIRef(EX + "cause"), ("po", URIRef(EX + "cause"), URIRef(EX + "c1")),
                             ("sub", URIRef(EX + "C")), URIRef(EX + "flag")}


def test_requirements_survive_the_analysis_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Regression: the cache once stored only predicates and classes; every kind of key must come
    # back from it unchanged, or a cached run would skip by a different rule than a fresh one.
    from reasoner.rules import cache as rules_module
    monkeypatch.setattr(rules_module, "_CACHE_FILE", tmp_path / "cache" / "analysis.json")
    monkeypatch.setattr(rules_module, "_cache", None)
    write_rule(tmp_path, "req", "CONSTRUCT { ?s ex:r true } WHERE { ?s ex:cause ex:c1 ; a ex:K ; "
               "a/rdfs:subClassOf* ex:C }")
    fresh = load_rules(tmp_path)[0].requires
    monkeypatch.setattr(rules_module, "_cache", None)   # read back from the file
    assert (tmp_path / "cache" / "analysis.json").exists()
    assert load_rules(tmp_path)[0].requires == fresh == {
        URIRef(EX + "cause"), ("po", URIRef(EX + "cause"), URIRef(EX + "c1")), ("type", URIRef(EX + "K")),
        ("sub", URIRef(EX + "C"))}


def test_subclass_requirement_uses_the_ontology_hierarchy(tmp_path: Path) -> None:
    from rdflib import Graph
    write_rule(tmp_path, "sub", "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
               "CONSTRUCT { ?s ex:seen true } WHERE { ?s a/rdfs:subClassOf* ex:C }")
    ontology = Graph().parse(data=f"<{EX}D> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <{EX}C> .",
                             format="nt")
    engine = RuleEngine(load_rules(tmp_path), backend="oxigraph", checked=False, ontology=ontology)

    def run(data: str, hierarchy_in_data: bool = False) -> tuple[list[str], int]:
        ws = new_workspace("oxigraph")
        ws.add_graph(GRAPH_ONTOLOGY, ontology)
        if hierarchy_in_data:  # the data says E is a C: the ontology's hierarchy no longer holds
            data += f"<{EX}E> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <{EX}C> .\n"
        ws.add_asserted(data.encode())
        stats = engine.run(ws)
        return stats.skipped, len(ws.derived_graph())

    a = f"<{RDF.type}>"
    assert run(f"<{EX}x> {a} <{EX}D> .\n") == ([], 2)             # an instance of a subclass: runs
    assert run(f"<{EX}x> {a} <{EX}Other> .\n") == (["sub"], 0)    # none: skipped, nothing lost
    assert run(f"<{EX}x> {a} <{EX}E> .\n", hierarchy_in_data=True) == ([], 2)


def test_a_rule_whose_required_input_is_absent_is_skipped(chain: Path) -> None:
    ws = new_workspace("oxigraph")
    ws.add_asserted(f"<{EX}a> <{EX}unrelated> \"1\" .\n".encode())
    stats = RuleEngine(load_rules(chain), backend="oxigraph", checked=False).run(ws)
    # m_third reads its class through a path (no exact requirement), so it still runs
    assert stats.skipped == ["z_first", "a_second"]
    assert len(ws.derived_graph()) == 0


def test_compact_query_drops_comment_lines_only() -> None:
    from reasoner.rules import compact_query

    text = ("# intent: x\nPREFIX ex: <http://e/ns#>\nSELECT ?s WHERE {\n    # a comment line\n"
            "    ?s ex:p \"# not a comment\" .   # trailing comment stays\n}\n")
    compact = compact_query(text)
    assert compact.splitlines() == ["PREFIX ex: <http://e/ns#>", "SELECT ?s WHERE {",
                                    '?s ex:p "# not a comment" .   # trailing comment stays', "}"]
    long_string = 'SELECT ?s WHERE { ?s ?p """\n# kept\n   indented""" }'
    assert compact_query(long_string) == long_string


def test_every_shipped_rule_compacts_to_valid_sparql() -> None:
    """Every shipped rule compacts to a shorter query that Oxigraph still accepts (that the
    compacted rules derive the same facts is what the engine and differential tests check: the
    engine runs them compacted)."""
    import pyoxigraph as ox

    from reasoner.rules import compact_query

    store = ox.Store()
    for rule in load_rules():
        compact = compact_query(rule.construct_text)
        assert len(compact) < len(rule.construct_text)
        assert list(store.query(compact)) == []


def test_union_branches_are_alternative_requirements(tmp_path: Path) -> None:
    # "an ex:Dx diagnosis, or an ex:lab value": each branch is an alternative; the shared
    # pattern stays in requires; OPTIONAL and aggregates add nothing to either
    write_rule(tmp_path, "alt", "CONSTRUCT { ?p ex:flag ?why } WHERE { ?p a ex:Patient . "
               "{ ?d ex:patient ?p ; a ex:Dx . BIND(1 AS ?why) } UNION "
               "{ ?l ex:patient ?p ; ex:lab ?v . OPTIONAL { ?l ex:unit ?u } BIND(2 AS ?why) } }")
    rule = load_rules(tmp_path)[0]
    assert rule.requires == {("type", URIRef(EX + "Patient"))}
    assert set(rule.alternatives) == {frozenset({URIRef(EX + "patient"), ("type", URIRef(EX + "Dx"))}),
                                      frozenset({URIRef(EX + "patient"), URIRef(EX + "lab")})}
    engine = RuleEngine([rule], backend="oxigraph", checked=False)

    def run(data: str) -> tuple[list[str], int]:
        ws = new_workspace("oxigraph")
        ws.add_asserted(data.encode())
        stats = engine.run(ws)
        return stats.skipped, len(ws.derived_graph())

    patient = f"<{EX}p> <{RDF.type}> <{EX}Patient> .\n"
    assert run(patient + f"<{EX}o> <{EX}patient> <{EX}p> .\n") == (["alt"], 0)   # neither branch
    assert run(patient + f"<{EX}d> <{EX}patient> <{EX}p> .\n<{EX}d> <{RDF.type}> <{EX}Dx> .\n")[0] == []
    assert run(patient + f"<{EX}l> <{EX}patient> <{EX}p> .\n<{EX}l> <{EX}lab> \"1\" .\n") == ([], 2)


def test_a_branch_without_requirements_makes_alternatives_empty(tmp_path: Path) -> None:
    # a branch that needs nothing (a BIND alone, an aggregate) can always match
    write_rule(tmp_path, "alt", "CONSTRUCT { ?p ex:flag ?n } WHERE { ?p a ex:Patient . "
               "{ BIND(0 AS ?n) } UNION { ?p ex:lab ?n } }")
    assert load_rules(tmp_path)[0].alternatives == ()


def test_alternatives_survive_the_analysis_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reasoner.rules import cache as rules_module
    monkeypatch.setattr(rules_module, "_CACHE_FILE", tmp_path / "cache" / "analysis.json")
    monkeypatch.setattr(rules_module, "_cache", None)
    write_rule(tmp_path, "alt", "CONSTRUCT { ?p ex:flag true } WHERE { { ?p ex:cause ex:c1 } UNION { ?p a ex:K } }")
    fresh = load_rules(tmp_path)[0].alternatives
    monkeypatch.setattr(rules_module, "_cache", None)
    assert load_rules(tmp_path)[0].alternatives == fresh
    assert set(fresh) == {frozenset({URIRef(EX + "cause"), ("po", URIRef(EX + "cause"), URIRef(EX + "c1"))}),
                          frozenset({("type", URIRef(EX + "K"))})}


def test_static_inputs_are_those_the_ontology_holds(tmp_path: Path) -> None:
    # ex:threshold is ontology data, ex:lab patient data: only the first is a static input, and a
    # run told so derives what a run that looks everything up derives
    write_rule(tmp_path, "flag", "CONSTRUCT { ?l ex:high true } WHERE { ?l ex:lab ?v . "
               "?t ex:threshold ?x . FILTER(?v > ?x) }")
    engine = RuleEngine(load_rules(tmp_path), backend="oxigraph", checked=False)

    def workspace(data: str) -> Workspace:
        ws = new_workspace("oxigraph")
        ws.add_graph(GRAPH_ONTOLOGY, f"<{EX}t> <{EX}threshold> \"5\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n".encode())
        ws.add_asserted(data.encode())
        return ws

    ws = workspace(f"<{EX}l> <{EX}lab> \"7\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n")
    static = engine.static_inputs(ws, [GRAPH_ONTOLOGY])
    assert {k.value for k in static} == {EX + "threshold"}
    told = engine.run(ws, static)
    assert told.skipped == [] and len(ws.derived_graph()) == 2
    fresh = workspace(f"<{EX}l> <{EX}lab> \"7\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n")
    engine.run(fresh)
    assert isomorphic(fresh.derived_graph(), ws.derived_graph())
    # a static input says nothing about patient data: without a lab the rule is still skipped
    assert engine.run(workspace(f"<{EX}l> <{EX}other> \"7\" .\n"), static).skipped == ["flag"]
