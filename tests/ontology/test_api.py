"""The Python API other modules use: the cached ontology graph and the code index, checked against the
codes of docs/fhir-profile.md and docs/clinical-reference.md; and the numbers `trd ontology stats` prints."""

from __future__ import annotations

import re

from click.testing import CliRunner
from ontology_refparse import RefDrug, section
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from reasoner.knowledge.namespaces import TRD
from reasoner.knowledge.build import ontology_stats, read_policies
from reasoner.knowledge.codes import CodeIndex
from reasoner.knowledge.loader import ontology_graph as load_ontology
from reasoner.cli.ontology import ontology


class _Index:
    """The product's code index (``CodeIndex``) asked one code at a time, within a category or not."""

    def __init__(self, graph: Graph, within: URIRef | None = None) -> None:
        self.index, self.within = CodeIndex.from_graph(graph), within

    def get(self, key: tuple[str, str]) -> URIRef | None:
        """The term of an exact code (the smallest IRI when several share it), or None."""
        found = [t for t in self.index.by_code.get(key, ()) if self.within is None or self.index.is_a(t, self.within)]
        return min(found) if found else None

    def __getitem__(self, key: tuple[str, str]) -> URIRef:
        term = self.get(key)
        assert term is not None, key
        return term

    def __contains__(self, key: tuple[str, str]) -> bool:
        return self.get(key) is not None


def code_index(graph: Graph, within: URIRef | None = None) -> _Index:
    return _Index(graph, within)


def _resolve(index: _Index, system: str, code: str) -> URIRef | None:
    """Exact xref first, then the longest prefix that has one (docs/data-model.md §3)."""
    for end in range(len(code), 0, -1):
        term = index.get((system, code[:end]))
        if term is not None and (end == len(code) or code[end] == "."):
            return term
    return None


def _subclass_of(graph: Graph, klass: URIRef, ancestor: URIRef) -> bool:
    return ancestor in set(graph.transitive_objects(klass, RDFS.subClassOf))


def test_load_ontology_is_cached() -> None:
    assert load_ontology() is load_ontology()
    assert (URIRef(str(TRD).rstrip("#")), RDF.type, None) in load_ontology()


def test_every_reference_drug_code_resolves(ontology_graph: Graph, ref_drugs: list[RefDrug]) -> None:
    index = code_index(ontology_graph)
    for drug in ref_drugs:
        if drug.rxnorm:
            assert index[("RXNORM", drug.rxnorm)] == TRD[drug.name]
        assert index[("ATC", drug.atc)] == TRD[drug.name]


def test_condition_codes_of_fhir_profile_resolve_to_the_right_diagnosis(ontology_graph: Graph, fhir_profile_text: str) -> None:
    index = code_index(ontology_graph, within=TRD.Diagnosis)
    table = section(fhir_profile_text, "## Condition", "## MedicationStatement")
    concept_class = {
        "major depressive disorder": TRD.DepressiveDisorderDiagnosis,
        "with psychotic features": TRD.MDDWithPsychoticFeaturesDiagnosis,
        "bipolar": TRD.BipolarSpectrumDiagnosis,
        "hypothyroidism": TRD.HypothyroidismDiagnosis,
        "obstructive sleep apnea": TRD.ObstructiveSleepApneaDiagnosis,
        "substance use disorder": TRD.SubstanceUseDisorderDiagnosis,
        "aneurysm": TRD.EsketamineContraindicationDiagnosis,
    }
    checked = 0
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("concept", "---"):
            continue
        expected = next(k for text, k in concept_class.items() if cells[0].startswith(text))
        for snomed in re.findall(r"\d{6,}", cells[1]):
            term = index.get(("SNOMEDCT", snomed))
            assert term is not None and _subclass_of(ontology_graph, term, expected), (snomed, term)
            checked += 1
        for code in _expand_icd(cells[2]):
            term = _resolve(index, "ICD10CM", code)
            assert term is not None and _subclass_of(ontology_graph, term, expected), (code, term)
            checked += 1
    assert checked >= 30


def _expand_icd(cell: str) -> list[str]:
    """ICD-10-CM codes of a profile cell: "F32.0–F32.5" and "F10.*–F16.*" ranges, "F31.*" categories,
    sub-codes with a letter ("F32.A"); a remark in parentheses is not a code list."""
    codes: list[str] = []
    for token in re.split(r",\s*", re.sub(r"\s*\(.*\)", "", cell)):
        token = token.strip()
        ranged = re.fullmatch(r"([A-Z])(\d\d)(?:\.(\d|\*))?–[A-Z](\d\d)(?:\.(\d|\*))?", token)
        if ranged and ranged.group(3) not in (None, "*"):  # F32.0–F32.5: sub-codes of one category
            codes += [f"{ranged.group(1)}{ranged.group(2)}.{n}" for n in range(int(ranged.group(3)), int(ranged.group(5)) + 1)]
        elif ranged:  # F10.*–F16.*: whole categories
            codes += [f"{ranged.group(1)}{n:02d}.9" for n in range(int(ranged.group(2)), int(ranged.group(4)) + 1)]
        elif re.fullmatch(r"[A-Z]\d\d(\.[\dA-Z*]+)?", token):
            codes.append(token.replace(".*", ".9"))
    return codes


def test_observation_codes_of_fhir_profile_resolve(ontology_graph: Graph, fhir_profile_text: str) -> None:
    index = code_index(ontology_graph)
    table = section(fhir_profile_text, "## Observation", "## Procedure")
    loinc = re.findall(r"LOINC (\d+-\d)", table) + re.findall(r"/ (\d+-\d)", table) + re.findall(r"(LA\d+-\d)", table)
    trd_codes = [c for c in re.findall(r"`trd#([a-z0-9-]+)`", fhir_profile_text) if c != "code"]  # "trd#code" names the notation
    missing = [c for c in loinc if ("LOINC", c) not in index and c != "48018-6"]  # "gene studied" is generic
    missing += [c for c in trd_codes if ("TRD", c) not in index]
    assert not missing, missing
    assert len(loinc) >= 15 and len(trd_codes) >= 6


def test_stop_reason_codes_resolve_within_stop_reasons(ontology_graph: Graph, fhir_profile_text: str) -> None:
    line = next(l for l in fhir_profile_text.splitlines() if "statusReason" in l and "SNOMED" in l)
    follow = fhir_profile_text.split(line, 1)[1].splitlines()[0]
    text = line + " " + follow
    index = code_index(ontology_graph, within=TRD.StopReason)
    for codes, reason in re.findall(r"((?:\d{6,}(?:, )?)+)(?: \(SNOMED\))? → (stopped for intolerance|nonadherence|absent response)", text):
        expected = {"stopped for intolerance": "intolerance", "nonadherence": "nonadherence", "absent response": "absent-response"}[reason]
        for code in re.findall(r"\d{6,}", codes):
            assert index[("SNOMEDCT", code)] == TRD[f"stop-{expected}"], code
    # The same SNOMED code also names the noncompliance finding; `within` chooses by context.
    assert TRD.NoncomplianceFinding in CodeIndex.from_graph(ontology_graph).by_code[("SNOMEDCT", "129834002")]
    assert code_index(ontology_graph, within=TRD.NoncomplianceFinding)[("SNOMEDCT", "129834002")] == TRD.NoncomplianceFinding


def test_stats_command_prints_counts_matching_the_api(ontology_graph: Graph) -> None:
    stats = ontology_stats(ontology_graph, read_policies())
    assert stats.thresholds_without_source == 0
    assert stats.mappings["RXNORM"] >= 25 and stats.mappings["LOINC"] >= 10
    result = CliRunner().invoke(ontology, ["stats"])
    assert result.exit_code == 0, result.output
    assert re.search(rf"classes\s+{stats.classes}\b", result.output)
    assert re.search(rf"individuals\s+{stats.individuals}\b", result.output)
    assert re.search(rf"RXNORM\s+{stats.mappings['RXNORM']}\b", result.output)
    assert "thresholds with source" in result.output
