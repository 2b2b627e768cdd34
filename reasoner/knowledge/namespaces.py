"""Namespaces and fixed IRIs shared by every module (see docs/data-model.md)."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

BASE = "https://w3id.org/trd-reasoner/"
TRD = Namespace(BASE + "ontology#")
ONTOLOGY_IRI = URIRef(BASE + "ontology")
POLICY = Namespace(BASE + "policy/")
RULE = Namespace(BASE + "rule/")
SHAPE = Namespace(BASE + "shapes#")
FHIR_DATA = Namespace(BASE + "fhir/")
FHIR_TRD_CODESYSTEM = "https://w3id.org/trd-reasoner/fhir/CodeSystem/trd"
EX = Namespace("https://example.org/trd/")
OBOINOWL = Namespace("http://www.geneontology.org/formats/oboInOwl#")
IAO = Namespace("http://purl.obolibrary.org/obo/IAO_")
SH = Namespace("http://www.w3.org/ns/shacl#")

# Named graphs: asserted data, ontology, policy and derived facts never mix.
GRAPH_ASSERTED = URIRef(BASE + "graph/asserted")
GRAPH_ONTOLOGY = URIRef(BASE + "graph/ontology")
GRAPH_POLICY = URIRef(BASE + "graph/policy")
GRAPH_DERIVED = URIRef(BASE + "graph/derived")
GRAPH_RULES = URIRef(BASE + "graph/rules")

# The evaluation context node (as-of date, active policy) written into the policy graph.
EVALUATION = URIRef(BASE + "evaluation")

PREFIXES: dict[str, str] = {
    "trd": str(TRD),
    "pol": str(POLICY),
    "rule": str(RULE),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "sh": str(SH),
    "oboInOwl": str(OBOINOWL),
}

__all__ = [
    "BASE", "TRD", "ONTOLOGY_IRI", "POLICY", "RULE", "SHAPE", "FHIR_DATA", "FHIR_TRD_CODESYSTEM", "EX",
    "OBOINOWL", "IAO", "SH", "GRAPH_ASSERTED", "GRAPH_ONTOLOGY", "GRAPH_POLICY", "GRAPH_DERIVED",
    "GRAPH_RULES", "EVALUATION", "PREFIXES", "RDF", "RDFS", "OWL", "XSD", "SKOS", "DCTERMS", "PROV",
]
