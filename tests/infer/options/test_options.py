"""Treatment options (clinical-reference §7): every always-listed option exactly once with one
status, missing criteria as text, contraindications (esketamine ICD classes, bipolar), history
(an option that already failed → consider), and every option / status code produced."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, SKOS

from reasoner.knowledge.namespaces import GRAPH_ONTOLOGY, TRD
from reasoner.knowledge.paths import ONTOLOGY_TTL

from ..pseudo.cases import AS_OF, assess, assess_ws, override_policy, turtle

ALWAYS_LISTED = {"esketamine", "iv-ketamine", "augment-aripiprazole", "augment-brexpiprazole",
                 "augment-quetiapine-xr", "augment-cariprazine", "augment-lithium", "augment-liothyronine",
                 "olanzapine-fluoxetine", "switch-class", "tca-trial", "maoi-trial", "ect", "rtms", "vns",
                 "psychotherapy"}
STATUSES = {"recommended", "consider", "investigational", "contraindicated", "not-yet-eligible"}


@pytest.fixture(scope="module")
def found():
    return assess()


def test_exactly_one_option_finding_per_patient_and_option() -> None:
    ws = assess_ws()
    rows = ws.select("""PREFIX trd: <https://w3id.org/trd-reasoner/ontology#>
        SELECT ?p ?o (COUNT(DISTINCT ?f) AS ?findings) (COUNT(DISTINCT ?s) AS ?statuses) WHERE {
          ?f a trd:OptionFinding ; trd:aboutPatient ?p ; trd:option ?o ; trd:optionStatus ?s }
        GROUP BY ?p ?o""")
    assert len(rows) > 60 * len(ALWAYS_LISTED) // 2
    bad = [(r["p"], r["o"]) for r in rows if int(r["findings"]) != 1 or int(r["statuses"]) != 1]
    assert bad == []


def test_every_patient_lists_every_always_listed_option(found) -> None:
    for pid, f in found.items():
        assert ALWAYS_LISTED <= set(f.options), pid


def test_every_option_and_status_code_is_produced(found) -> None:
    g = Graph().parse(ONTOLOGY_TTL)
    options = {str(g.value(o, SKOS.notation)) for o in g.subjects(RDF.type, TRD.TreatmentOption)}
    assert len(options) == 29
    produced = set().union(*(set(f.options) for f in found.values()))
    assert produced == options
    statuses = {s["status"] for f in found.values() for found_list in f.options.values() for s in found_list}
    assert statuses == STATUSES


# (patient, option, status, a text the reason or missing criterion must contain)
EXPECTED = [
    ("no-trials", "psychotherapy", "recommended", "Always eligible"),
    ("no-trials", "augment-aripiprazole", "not-yet-eligible", "needs ≥ 1 failed adequate trials; has 0"),
    ("no-trials", "esketamine", "not-yet-eligible", "needs confirmed TRD; TRD status is not-met"),
    ("no-trials", "tca-trial", "not-yet-eligible", "needs Thase–Rush stage ≥ 2; has 0"),
    ("one-failure", "augment-aripiprazole", "recommended", "eligible"),
    ("one-failure", "augment-lithium", "recommended", "eligible"),
    ("one-failure", "rtms", "recommended", "eligible"),
    ("one-failure", "switch-class", "recommended", "eligible"),
    ("one-failure", "olanzapine-fluoxetine", "not-yet-eligible", "needs ≥ 2 failed adequate trials of different agents; has 1"),
    ("two-classes", "esketamine", "recommended", "eligible"),
    ("two-classes", "iv-ketamine", "consider", "eligible"),
    ("two-classes", "tca-trial", "consider", "eligible"),
    ("two-classes", "maoi-trial", "not-yet-eligible", "needs Thase–Rush stage ≥ 3; has 2"),
    ("two-classes", "ect", "not-yet-eligible", "needs Thase–Rush stage ≥ 3; has 2"),
    ("two-classes", "vns", "not-yet-eligible", "needs ≥ 4 failed adequate trials; has 2"),
    # same class, different agents: TRD not confirmed (default policy) but the FDA OFC label is met
    ("one-class", "esketamine", "not-yet-eligible", "TRD status is not-met with 2 failed adequate trials"),
    ("one-class", "olanzapine-fluoxetine", "recommended", "eligible"),
    ("same-agent", "olanzapine-fluoxetine", "not-yet-eligible", "of different agents; has 1"),
    ("vns-3", "vns", "not-yet-eligible", "needs ≥ 4 failed adequate trials; has 3"),
    ("vns-4", "vns", "consider", "eligible"),                   # 4 failures, recurrent MDD
    ("vns-4-single-24m", "vns", "consider", "eligible"),        # single episode of 24.5 months
    ("vns-4-single-23m", "vns", "not-yet-eligible", "needs an episode of ≥ 24 months or recurrent MDD; episode is 23 months"),
    # esketamine label contraindications (ICD-10-CM I61.*, Q28.2, I71/I72/I67.1)
    ("ich", "esketamine", "contraindicated", "intracerebral"),
    ("ich", "iv-ketamine", "contraindicated", "intracerebral"),
    ("avm", "esketamine", "contraindicated", "arteriovenous"),
    ("aneurysm", "esketamine", "contraindicated", "aneurysm"),
    ("ich", "augment-aripiprazole", "recommended", "eligible"),
    # bipolar spectrum: the antidepressant-based pathway is contraindicated
    ("bipolar-history", "esketamine", "contraindicated", "bipolar spectrum"),
    ("bipolar-history", "augment-aripiprazole", "contraindicated", "bipolar spectrum"),
    ("bipolar-history", "augment-liothyronine", "contraindicated", "bipolar spectrum"),
    ("bipolar-history", "switch-class", "contraindicated", "bipolar spectrum"),
    ("bipolar-history", "tca-trial", "contraindicated", "bipolar spectrum"),
    ("bipolar-history", "augment-lithium", "consider", "bipolar spectrum"),
    ("bipolar-history", "olanzapine-fluoxetine", "consider", "bipolar spectrum"),
    ("bipolar-history", "stop-antidepressant-monotherapy", "recommended", "bipolar"),
    ("bipolar-history", "mood-stabilizer", "recommended", "bipolar"),
    ("bipolar-history", "rtms", "recommended", "eligible"),
    ("mdq-7", "esketamine", "contraindicated", "bipolar spectrum"),
    ("mdq-6", "esketamine", "recommended", "eligible"),
    # an option whose drug class / procedure already failed in the episode → consider
    ("failed-tca", "tca-trial", "consider", "a TCA trial already failed"),
    ("one-failure", "tca-trial", "not-yet-eligible", "has 1"),
    ("failed-maoi", "maoi-trial", "consider", "a MAOI trial already failed"),
    ("failed-ect", "ect", "consider", "an ECT course already failed"),
    ("responded-ect", "ect", "not-yet-eligible", "needs Thase–Rush stage ≥ 3"),
    # triggers are eligibility routes of their own (§7 "or")
    ("psychotic", "ect", "recommended", "psychotic features"),
    ("intolerance", "switch-class", "recommended", "stopped for intolerance"),
    ("dose-49", "switch-class", "not-yet-eligible", "has 0"),
]


@pytest.mark.parametrize(("pid", "option", "status", "text"), EXPECTED,
                         ids=[f"{e[0]}:{e[1]}" for e in EXPECTED])
def test_option_status_and_reason(found, pid: str, option: str, status: str, text: str) -> None:
    finding = found[pid].option(option)
    assert finding["status"] == status
    words = finding["reasons"] + finding["missing"]
    assert any(text in w for w in words), words


def test_not_yet_eligible_lists_every_missing_criterion(found) -> None:
    # a single episode of 23 months with 2 failures misses both VNS criteria
    missing = found["two-classes"].option("vns")["missing"]
    assert missing == ["needs ≥ 4 failed adequate trials; has 2"]      # recurrent MDD: no duration criterion
    vns = found["vns-4-single-23m"].option("vns")
    assert len(vns["missing"]) == 1 and "23 months" in vns["missing"][0]


def test_option_evidence_names_data_and_findings(found) -> None:
    ex = "https://example.org/trd/"
    assert ex + "ich-ich" in found["ich"].option("esketamine")["evidence"]
    assert ex + "bipolar-history/pseudo/bipolar-spectrum" in found["bipolar-history"].option("esketamine")["evidence"]
    assert ex + "failed-tca-t1" in found["failed-tca"].option("tca-trial")["evidence"]
    assert ex + "two-classes/trd" in found["two-classes"].option("vns")["evidence"]
    # an eligible status names the finding whose values met the criteria
    assert ex + "two-classes/stage" in found["two-classes"].option("tca-trial")["evidence"]
    assert ex + "two-classes/trd" in found["two-classes"].option("esketamine")["evidence"]
    assert found["no-trials"].option("psychotherapy")["evidence"] == \
        ["https://w3id.org/trd-reasoner/ontology#option-psychotherapy"]


def test_days_per_month_is_read_from_the_policy(tmp_path: Path) -> None:
    pid = "vns-4-single-24m"
    assert assess((pid,))[pid].status("vns") == "consider"
    policy = override_policy(tmp_path, "days-per-month", "32.0")       # 24.5 → 23.3 months
    assert assess((pid,), policy=str(policy))[pid].status("vns") == "not-yet-eligible"


ONTOLOGY_CHANGES = [
    # option, eligibility property, new value, patient, status before, status after
    ("vns", "minimumFailedAdequateTrials", 3, "vns-3", "not-yet-eligible", "consider"),
    ("vns", "minimumEpisodeMonths", 23, "vns-4-single-23m", "not-yet-eligible", "consider"),
    ("tca-trial", "minimumThaseRushStage", 1, "one-failure", "not-yet-eligible", "consider"),
    ("maoi-trial", "minimumThaseRushStage", 2, "two-classes", "not-yet-eligible", "consider"),
    ("augment-aripiprazole", "minimumFailedAdequateTrials", 2, "one-failure", "recommended", "not-yet-eligible"),
]


@pytest.mark.parametrize(("option", "prop", "value", "pid", "before", "after"), ONTOLOGY_CHANGES,
                         ids=[f"{c[0]}-{c[1]}" for c in ONTOLOGY_CHANGES])
def test_option_eligibility_data_is_read_from_the_ontology(option: str, prop: str, value: int, pid: str,
                                                           before: str, after: str) -> None:
    """Changing an option's eligibility data in the ontology graph changes its status."""
    from reasoner.knowledge.loader import read_ontology
    from reasoner.knowledge.policy import policy_graph
    from reasoner.rules.engine import RuleEngine, load_rules
    from reasoner.rules.workspace import new_workspace

    from ..pseudo.cases import read_findings

    def status(new_value: int | None) -> str | None:
        ontology = read_ontology()  # a fresh copy: the process-wide graph is read-only
        if new_value is not None:
            ontology.set((TRD[f"option-{option}"], TRD[prop], Literal(new_value)))
        ws = new_workspace("oxigraph")
        ws.add_graph(GRAPH_ONTOLOGY, ontology)
        ws.load_policy(policy_graph("default", AS_OF))
        ws.add_asserted(turtle((pid,)).encode(), "turtle")
        RuleEngine(load_rules(), backend="oxigraph").run(ws)
        return read_findings(ws)[pid].status(option)

    assert status(None) == before
    assert status(value) == after


def test_rules_are_patient_local() -> None:
    """A patient's options are the same assessed alone or among the whole scenario cohort."""
    for pid in ("bipolar-history", "ich", "vns-4-single-23m", "failed-tca"):
        alone = assess((pid,))[pid]
        together = assess()[pid]
        assert {k: v[0]["status"] for k, v in alone.options.items()} == \
               {k: v[0]["status"] for k, v in together.options.items()}
        assert alone.pseudo == together.pseudo and alone.mechanisms == together.mechanisms
