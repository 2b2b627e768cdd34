"""Reading back what the pseudo-resistance, mechanism, option and P-gp rules derived.

The scenario patients themselves are data in :mod:`benchmarks.support.scenarios.pseudo` (the
rule benchmark runs on the same patients; benchmarks never import tests). All of them go into ONE
graph assessed once per policy and engine, which also proves that the rules stay patient-local.

``assess(pids, policy, engine)`` returns, per patient id, what the rules derived, read back from
the derived graph with SPARQL (not from the JSON writer, so these tests pin the rule output
vocabulary of docs/data-model.md §7).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.support.scenarios.pseudo import AS_OF, BY_ID, EX, turtle

TRD = "https://w3id.org/trd-reasoner/ontology#"


# --- reading the findings back ---------------------------------------------------------------
@dataclass
class Found:
    """What the rules derived about one patient (codes are the stable codes of §1)."""

    pseudo: dict[str, set[str]] = field(default_factory=dict)        # cause -> matched options
    mechanisms: dict[str, dict[str, set[str]]] = field(default_factory=dict)  # code -> via/flaggedBy
    options: dict[str, list[dict[str, Any]]] = field(default_factory=dict)    # code -> findings
    occupancy: list[dict[str, Any]] = field(default_factory=list)

    def status(self, option: str) -> str | None:
        """The single status of an option (None when not listed); fails on duplicates."""
        found = self.options.get(option, [])
        assert len(found) <= 1, f"{option}: {len(found)} option findings"
        return found[0]["status"] if found else None

    def option(self, option: str) -> dict[str, Any]:
        found = self.options.get(option, [])
        assert len(found) == 1, f"{option}: {len(found)} option findings"
        return found[0]


def _code(iri: Any, group: str) -> str:
    return str(iri).split("#" + group + "-", 1)[-1]


def _pid(iri: Any) -> str:
    return str(iri)[len(EX):]


Q_PSEUDO = f"""PREFIX trd: <{TRD}>
SELECT ?p ?cause ?opt WHERE {{ ?f a trd:PseudoResistanceFinding ; trd:aboutPatient ?p ; trd:cause ?cause .
  OPTIONAL {{ ?f trd:matchedOption ?opt }} }}"""
Q_MECH = f"""PREFIX trd: <{TRD}>
SELECT ?p ?m ?via ?flag WHERE {{ ?f a trd:MechanismFinding ; trd:aboutPatient ?p ; trd:mechanism ?m .
  OPTIONAL {{ ?f trd:via ?via }} OPTIONAL {{ ?f trd:flaggedBy ?flag }} }}"""
Q_OPT = f"""PREFIX trd: <{TRD}>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?f ?p ?opt ?status ?reason ?missing ?ev
WHERE {{ ?f a trd:OptionFinding ; trd:aboutPatient ?p ; trd:option ?opt ; trd:optionStatus ?status .
  OPTIONAL {{ ?f trd:statusReason ?reason }} OPTIONAL {{ ?f trd:missingCriterion ?missing }}
  OPTIONAL {{ ?f prov:wasDerivedFrom ?ev }} }}"""
Q_OCC = f"""PREFIX trd: <{TRD}>
SELECT ?p ?plasma ?brain ?occ ?below ?restored ?restoredBelow WHERE {{
  ?f a trd:OccupancyFinding ; trd:aboutPatient ?p ; trd:plasmaConcentrationNM ?plasma ;
     trd:brainConcentrationNM ?brain ; trd:sertOccupancy ?occ ; trd:belowOccupancyThreshold ?below ;
     trd:sertOccupancyIfPumpInhibited ?restored ; trd:belowOccupancyThresholdIfPumpInhibited ?restoredBelow . }}"""


def read_findings(ws: Any) -> dict[str, Found]:
    """Per patient id, the derived pseudo-resistance, mechanism, option and occupancy findings."""
    out: dict[str, Found] = {}

    def get(p: Any) -> Found:
        return out.setdefault(_pid(p), Found())

    for r in ws.select(Q_PSEUDO):
        opts = get(r["p"]).pseudo.setdefault(_code(r["cause"], "pseudo"), set())
        if "opt" in r:
            opts.add(_code(r["opt"], "option"))
    for r in ws.select(Q_MECH):
        m = get(r["p"]).mechanisms.setdefault(_code(r["m"], "mechanism"), {"via": set(), "flaggedBy": set()})
        if "via" in r:
            m["via"].add(str(r["via"]).split("#", 1)[-1])
        if "flag" in r:
            m["flaggedBy"].add(str(r["flag"]))
    # aggregated in Python (rdflib's GROUP_CONCAT fails on groups where a variable is never bound)
    by_finding: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in ws.select(Q_OPT):
        key = (str(r["f"]), str(r["p"]), str(r["status"]))
        entry = by_finding.setdefault(key, {"p": r["p"], "opt": r["opt"], "status": _code(r["status"], "status"),
                                            "reasons": set(), "missing": set(), "evidence": set()})
        for var, slot in (("reason", "reasons"), ("missing", "missing"), ("ev", "evidence")):
            if var in r:
                entry[slot].add(str(r[var]))
    for entry in by_finding.values():
        get(entry["p"]).options.setdefault(_code(entry["opt"], "option"), []).append({
            "status": entry["status"], "reasons": sorted(entry["reasons"]),
            "missing": sorted(entry["missing"]), "evidence": sorted(entry["evidence"])})
    for r in ws.select(Q_OCC):
        get(r["p"]).occupancy.append({k: r[k].toPython() for k in ("plasma", "brain", "occ", "below",
                                                                    "restored", "restoredBelow")})
    return out


@functools.lru_cache(maxsize=None)
def assess_ws(pids: tuple[str, ...] | None = None, policy: str | Path = "default", engine: str = "oxigraph") -> Any:
    """The workspace after the full rule set ran over the chosen scenarios (cached)."""
    from reasoner.pipeline import Pipeline

    pipe = Pipeline(policy=policy, as_of=AS_OF, backend=engine, validator=None)
    return pipe.assess(turtle(pids).encode(), format="turtle", keep_workspace=True).workspace


def assess(pids: tuple[str, ...] | None = None, policy: str | Path = "default",
           engine: str = "oxigraph") -> dict[str, Found]:
    """Findings per patient id (a patient with no finding at all maps to an empty Found)."""
    found = read_findings(assess_ws(pids, str(policy), engine))
    for pid in (pids or tuple(BY_ID)):
        found.setdefault(pid, Found())
    return found


def override_policy(tmp_path: Path, parameter: str, value: str) -> Path:
    """A policy that extends the default and overrides one setting (value is Turtle)."""
    path = tmp_path / f"override-{parameter}.ttl"
    path.write_text(f"""@prefix trd: <{TRD}> .
@prefix pol: <https://w3id.org/trd-reasoner/policy/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
pol:test-{parameter} a trd:Policy ; skos:notation "test-{parameter}" ; trd:extends pol:default .
pol:test-{parameter}-setting a trd:Setting ; trd:policy pol:test-{parameter} ;
    trd:parameter trd:param-{parameter} ; trd:value {value} ;
    dcterms:source "test override" ; trd:evidenceStatus "unverified" .
""")
    return path
