"""Loading, building, counting and checking the TRD ontology.

``ontology/trd.ttl`` is the hand-edited source. Tools that cannot read Turtle (owlready2,
older Protégé set-ups) get generated artefacts in ``ontology/build/``; those are rebuilt by
``trd ontology build`` and never edited by hand, so this module is the single place that
knows how they are made. Reading the ontology is :mod:`reasoner.knowledge.loader`'s job.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS

from reasoner.knowledge import paths
from reasoner.errors import InputError, TrdError
from reasoner.knowledge.namespaces import OBOINOWL, PREFIXES, TRD
from reasoner.io.rdf import read_graph
from reasoner.io.sparql import assert_no_service
from reasoner.knowledge.loader import read_ontology

#: First line of every generated artefact (inside the format's own comment syntax).
GENERATED_NOTE = "generated from ontology/trd.ttl by `trd ontology build` — do not edit"
OWL_FILE = "trd.owl"
MERGED_FILE = "trd-merged.ttl"
CODESYSTEM_FILE = "CodeSystem-trd.json"
DEFAULT_POLICY = "default"
QC_GLOB = "ontology-*-violation.rq"


class OntologyCheckError(TrdError):
    """A QC query found violations (``trd ontology check`` exits non-zero)."""

    exit_code = 1


# --- policies ---------------------------------------------------------------------------------
def policy_path(name: str, policy_dir: Path | None = None) -> Path:
    """The file of a named policy graph (``ontology/policies/<name>.ttl``)."""
    return (policy_dir or paths.POLICY_DIR) / f"{name}.ttl"


def read_policies(policy_dir: Path | None = None, graph: Graph | None = None) -> Graph:
    """Every policy graph of a folder, in one graph (QC checks look at all of them)."""
    graph = graph if graph is not None else Graph()
    folder = policy_dir or paths.POLICY_DIR
    files = sorted(folder.glob("*.ttl"))
    if not files:
        raise InputError(f"{folder}: no policy graphs (*.ttl) found")
    for file in files:
        read_graph(file, graph)
    return graph


# --- statistics --------------------------------------------------------------------------------
@dataclass(frozen=True)
class OntologyStats:
    """Counts shown by ``trd ontology stats``."""

    classes: int
    object_properties: int
    data_properties: int
    annotation_properties: int
    individuals: int
    mappings: dict[str, int]
    exact_matches: int
    thresholds_with_source: int
    thresholds_without_source: int
    evidence: dict[str, int]


def _own(terms: Iterable[object]) -> set[URIRef]:
    return {t for t in terms if isinstance(t, URIRef) and str(t).startswith(str(TRD))}


def ontology_stats(ontology: Graph, policies: Graph | None = None) -> OntologyStats:
    """Count the ontology's own terms, its mappings and its sourced thresholds.

    Thresholds are the drugs' minimum doses, the severity bands, the staging tables (Maudsley
    scoring bands, MGH-S and Maudsley weights), the options' eligibility numbers and the policy
    settings (each must carry a source; the QC queries enforce it for drugs and settings, these
    counts show it for all).
    """
    mappings: Counter[str] = Counter()
    for value in ontology.objects(None, OBOINOWL.hasDbXref):
        system, sep, code = str(value).partition(":")
        mappings[system if sep and system and code else "malformed"] += 1
    thresholds = [(d, ontology) for d in ontology.subjects(TRD.minimumAdequateDailyDoseMg, None)]
    thresholds += [(b, ontology) for b in ontology.subjects(RDF.type, TRD.SeverityBand)]
    thresholds += [(b, ontology) for k in (TRD.MaudsleyScoringBand, TRD.ScoringWeight)
                   for b in ontology.subjects(RDF.type, k)]
    eligibility = (TRD.minimumFailedAdequateTrials, TRD.minimumThaseRushStage, TRD.minimumEpisodeMonths)
    thresholds += [(o, ontology) for o in {s for p in eligibility for s in ontology.subjects(p, None)}]
    if policies is not None:
        thresholds += [(s, policies) for s in policies.subjects(RDF.type, TRD.Setting)]
    sourced = sum(
        1 for node, g in thresholds
        if (node, DCTERMS.source, None) in g or (node, TRD.minimumDoseSource, None) in g
    )
    evidence: Counter[str] = Counter()
    for node, g in thresholds:
        for status in g.objects(node, TRD.evidenceStatus):
            evidence[str(status)] += 1
    return OntologyStats(
        classes=len(_own(ontology.subjects(RDF.type, OWL.Class))),
        object_properties=len(_own(ontology.subjects(RDF.type, OWL.ObjectProperty))),
        data_properties=len(_own(ontology.subjects(RDF.type, OWL.DatatypeProperty))),
        annotation_properties=len(_own(ontology.subjects(RDF.type, OWL.AnnotationProperty))),
        individuals=len(_own(ontology.subjects(RDF.type, OWL.NamedIndividual))),
        mappings=dict(sorted(mappings.items())),
        exact_matches=sum(1 for _ in ontology.triples((None, SKOS.exactMatch, None))),
        thresholds_with_source=sourced,
        thresholds_without_source=len(thresholds) - sourced,
        evidence=dict(sorted(evidence.items())),
    )


# --- QC checks -------------------------------------------------------------------------------
def qc_queries(qc_dir: Path | None = None) -> dict[str, str]:
    """The ontology QC queries (``queries/qc/ontology-*-violation.rq``) by file stem."""
    folder = qc_dir or paths.QC_DIR
    queries = {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob(QC_GLOB))}
    if not queries:
        raise InputError(f"{folder}: no ontology QC queries ({QC_GLOB}) found")
    for name, text in queries.items():
        assert_no_service(text, name)
    return queries


def run_qc(graph: Graph, qc_dir: Path | None = None) -> dict[str, list[tuple[str, ...]]]:
    """Run every ontology QC query on ``graph``; each row is one violation (as strings)."""
    results: dict[str, list[tuple[str, ...]]] = {}
    for name, text in qc_queries(qc_dir).items():
        rows = graph.query(text)
        results[name] = sorted(tuple("" if v is None else str(v) for v in row) for row in rows)
    return results


# --- build -------------------------------------------------------------------------------------
def merged_graph(ontology: Graph, policy_dir: Path | None = None) -> Graph:
    """The ontology plus the default policy (one file for tools that want both)."""
    merged = Graph()
    for prefix, iri in PREFIXES.items():
        merged.bind(prefix, iri)
    merged += ontology
    read_graph(policy_path(DEFAULT_POLICY, policy_dir), merged)
    return merged


def stable_blank_nodes(graph: Graph) -> Graph:
    """A copy whose blank nodes are named by a hash of their content (recursively).

    Parsing gives blank nodes random ids, so without this every build would rewrite the
    committed artefacts even when trd.ttl did not change. The ontology's blank nodes
    (restrictions, RDF lists, axiom annotations) form trees, which this names exactly.
    """
    names: dict[BNode, BNode] = {}

    def name(node: object, depth: int = 0) -> object:
        if not isinstance(node, BNode):
            return node
        if node not in names:
            if depth > 200:
                raise TrdError("ontology blank nodes form a cycle; cannot name them stably")
            parts = sorted(f"{p.n3()} {_n3(name(o, depth + 1))}" for p, o in graph.predicate_objects(node))
            names[node] = BNode("b" + hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24])
        return names[node]

    stable = Graph()
    for prefix, iri in graph.namespaces():
        stable.bind(prefix, iri)
    # Inserted in sorted order: the RDF/XML writer emits subjects in store (insertion) order.
    triples = sorted(((name(s), p, name(o)) for s, p, o in graph), key=lambda t: tuple(_n3(x) for x in t))
    for triple in triples:
        stable.add(triple)
    return stable


def _n3(node: object) -> str:
    return node.n3() if hasattr(node, "n3") else str(node)


_XML_BLOCK = re.compile(r"^  <rdf:Description\b.*?^  </rdf:Description>\n", re.M | re.S)


def _sorted_xml(rdf_xml: str) -> str:
    """RDF/XML with its top-level descriptions in sorted order.

    rdflib's writer emits subjects in set order, which changes from run to run; sorting the
    (flat, one-level) descriptions makes a rebuild of an unchanged ontology byte-identical.
    """
    blocks = _XML_BLOCK.findall(rdf_xml)
    if not blocks:
        return rdf_xml
    start = rdf_xml.index(blocks[0]) if blocks else 0
    head, body_and_tail = rdf_xml[:start], rdf_xml[start:]
    tail = _XML_BLOCK.sub("", body_and_tail)
    return head + "".join(sorted(blocks)) + tail


def _with_xml_note(rdf_xml: str) -> str:
    """Put the generated-file note right after the XML declaration (a comment cannot precede it)."""
    declaration, newline, rest = rdf_xml.partition("\n")
    if not declaration.startswith("<?xml"):
        return f"<!-- {GENERATED_NOTE} -->\n{rdf_xml}"
    return f"{declaration}{newline}<!-- {GENERATED_NOTE} -->\n{rest}"


def _codesystem_json(ontology: Graph) -> str:
    """The ``trd`` FHIR CodeSystem generated from the ontology (sorted, so rebuilds are identical)."""
    import json

    from reasoner.knowledge.fhir_terms import codesystem_resource

    resource = codesystem_resource(ontology)
    resource["description"] += f" ({GENERATED_NOTE})"
    return json.dumps(resource, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def build(out_dir: Path | None = None, source: Path | None = None, policy_dir: Path | None = None) -> list[Path]:
    """Write ``trd.owl`` (RDF/XML), ``trd-merged.ttl`` (ontology + default policy) and the ``trd``
    FHIR CodeSystem (``CodeSystem-trd.json``).

    Returns the written paths. Output goes to a temporary name first, so a failed build never
    leaves a half-written artefact behind.
    """
    out_dir = out_dir or paths.BUILD_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    ontology = read_ontology(source)
    artefacts = {
        OWL_FILE: _with_xml_note(_sorted_xml(stable_blank_nodes(ontology).serialize(format="xml"))),
        MERGED_FILE: f"# {GENERATED_NOTE}\n"
        + stable_blank_nodes(merged_graph(ontology, policy_dir)).serialize(format="turtle"),
        CODESYSTEM_FILE: _codesystem_json(ontology),
    }
    written = []
    for name, text in artefacts.items():
        target = out_dir / name
        tmp = target.with_suffix(target.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
        written.append(target)
    return written

