"""The generator's vocabulary, read from the ontology (drugs, doses, classes, codes, units).

Why read it instead of writing a table here: the ontology is the one place clinical numbers and
codes live (docs/data-model.md §3–4); a synthetic cohort built from it exercises exactly the
drugs and thresholds the rules use, and follows any change to them. The FHIR system URI of each
code system is the ontology's too (``trd:CodeSystem``, read by
:func:`reasoner.knowledge.codes.prefix_systems`): the generator writes codings with the very
system URIs the importer recognises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from reasoner.errors import InputError
from reasoner.knowledge.codes import prefix_systems
from reasoner.knowledge.namespaces import PREFIXES, TRD
from reasoner.knowledge.paths import ONTOLOGY_TTL

_PREFIX = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())


@dataclass(frozen=True)
class Drug:
    """An antidepressant or augmenting agent as the ontology describes it."""

    iri: str
    name: str                 # rdfs:label, the lower-case ingredient
    rxnorm: str | None
    atc: str | None
    class_name: str | None    # trd:className of its pharmacologic class (antidepressants)
    min_dose: float | None    # trd:minimumAdequateDailyDoseMg (antidepressants)


@dataclass(frozen=True)
class Coded:
    """A term with its FHIR coding (system URI, code) and, for analytes, its canonical unit."""

    iri: str
    system: str
    code: str
    unit_iri: str | None = None
    ucum: str | None = None
    min_score: int | None = None
    max_score: int | None = None


@dataclass
class Vocabulary:
    """Everything the generator draws from, keyed for quick use."""

    antidepressants: list[Drug] = field(default_factory=list)
    augmenting: list[Drug] = field(default_factory=list)
    instruments: dict[str, Coded] = field(default_factory=dict)   # "HAMD17" -> coding
    analytes: dict[str, Coded] = field(default_factory=dict)      # "TSH" -> coding + unit
    phenotypes: dict[str, Coded] = field(default_factory=dict)    # "ultrarapid" -> LOINC answer
    genes: dict[str, Coded] = field(default_factory=dict)         # "CYP2C19" -> phenotype LOINC
    genotype: Coded | None = None                                 # trd:GenotypeResult's code
    adherence: Coded | None = None                                # trd:adherence's Observation code


def _value(term: ox.NamedNode | ox.Literal | None) -> str | None:
    return None if term is None else term.value


def _xrefs(store: ox.Store, iri: str) -> list[tuple[str, str]]:
    """(system URI, code) of every ``oboInOwl:hasDbXref`` of a term, in a stable order; the system
    URI of an xref prefix is the ontology's (``trd:CodeSystem``, the table the importer reads)."""
    systems = prefix_systems()
    rows = store.query(_PREFIX + f"SELECT ?x WHERE {{ <{iri}> oboInOwl:hasDbXref ?x }} ORDER BY ?x")
    found = []
    for row in rows:
        prefix, _, code = row["x"].value.partition(":")
        if prefix in systems and code:
            found.append((systems[prefix], code))
    return found


def _coding(store: ox.Store, iri: str, preferred: tuple[str, ...]) -> tuple[str, str]:
    """The coding of a term, preferring systems in the given order (e.g. LOINC before TRD)."""
    xrefs = _xrefs(store, iri)
    systems = prefix_systems()
    for system in preferred:
        for sys_uri, code in xrefs:
            if sys_uri == systems.get(system):
                return sys_uri, code
    raise InputError(f"ontology: {iri} has no code in {', '.join(preferred)} (oboInOwl:hasDbXref)")


def load_vocabulary(path: Path = ONTOLOGY_TTL) -> Vocabulary:
    """Read the vocabulary from the ontology file (fails clearly when a needed term is absent)."""
    if not path.exists():
        raise InputError(f"{path}: the ontology is needed to generate a cohort (drugs, doses, codes)")
    store = ox.Store()
    store.bulk_load(path.read_bytes(), format=ox.RdfFormat.TURTLE)
    vocab = Vocabulary()
    q = _PREFIX + """
        SELECT ?d ?label ?rx ?atc ?cn ?min WHERE {
          ?d a ?cls . ?cls rdfs:subClassOf* trd:Antidepressant .
          ?d rdfs:label ?label ; trd:minimumAdequateDailyDoseMg ?min .
          OPTIONAL { ?d trd:rxnormCode ?rx } OPTIONAL { ?d trd:atcCode ?atc }
          OPTIONAL { ?cls trd:className ?cn }
        } ORDER BY ?label"""
    seen = set()
    for r in store.query(q):
        if r["d"].value in seen:
            continue
        seen.add(r["d"].value)
        vocab.antidepressants.append(Drug(r["d"].value, r["label"].value, _value(r["rx"]), _value(r["atc"]),
                                          _value(r["cn"]), float(r["min"].value)))
    q = _PREFIX + """
        SELECT DISTINCT ?d ?label ?rx ?atc WHERE {
          ?d a ?cls . ?cls rdfs:subClassOf* trd:AugmentingAgent . ?d rdfs:label ?label .
          OPTIONAL { ?d trd:rxnormCode ?rx } OPTIONAL { ?d trd:atcCode ?atc }
        } ORDER BY ?label"""
    vocab.augmenting = [Drug(r["d"].value, r["label"].value, _value(r["rx"]), _value(r["atc"]), None, None)
                        for r in store.query(q)]
    if not vocab.antidepressants:
        raise InputError(f"{path}: no antidepressant with trd:minimumAdequateDailyDoseMg found")
    # Only drugs the importer can recognise from a FHIR coding can be in an equivalent cohort.
    vocab.antidepressants = [d for d in vocab.antidepressants if d.rxnorm]
    vocab.augmenting = [d for d in vocab.augmenting if d.rxnorm]

    for name in ("HAMD17", "MADRS", "PHQ9"):
        iri = str(TRD[name])
        system, code = _coding(store, iri, ("LOINC", "TRD"))
        rng = list(store.query(_PREFIX + f"SELECT ?lo ?hi WHERE {{ <{iri}> trd:minScore ?lo ; trd:maxScore ?hi }}"))
        lo, hi = (int(rng[0]["lo"].value), int(rng[0]["hi"].value)) if rng else (None, None)
        vocab.instruments[name] = Coded(iri, system, code, min_score=lo, max_score=hi)
    for name in ("TSH", "CRP", "DSTCortisol", "AHI"):
        iri = str(TRD[name])
        system, code = _coding(store, iri, ("LOINC", "TRD"))
        units = list(store.query(_PREFIX + f"SELECT ?u ?ucum WHERE {{ <{iri}> trd:canonicalUnit ?u . "
                                           "OPTIONAL { ?u trd:ucumCode ?ucum } }"))
        if not units:
            raise InputError(f"ontology: analyte {iri} has no trd:canonicalUnit")
        vocab.analytes[name] = Coded(iri, system, code, unit_iri=units[0]["u"].value,
                                     ucum=_value(units[0]["ucum"]))
    for level in ("poor", "intermediate", "normal", "rapid", "ultrarapid"):
        iri = str(TRD[f"phenotype-{level}"])
        vocab.phenotypes[level] = Coded(iri, *_coding(store, iri, ("LOINC",)))
    for gene in ("CYP2C19", "CYP2D6"):
        iri = str(TRD[gene])
        vocab.genes[gene] = Coded(iri, *_coding(store, iri, ("LOINC",)))
    vocab.genotype = Coded(str(TRD.GenotypeResult), *_coding(store, str(TRD.GenotypeResult), ("LOINC",)))
    vocab.adherence = Coded(str(TRD.adherence), *_coding(store, str(TRD.adherence), ("TRD", "LOINC")))
    return vocab


__all__ = ["Drug", "Coded", "Vocabulary", "load_vocabulary"]
