"""Plain-language explanations of findings, read from the derived graph and its PROV links.

Why: a clinician must see *why* the reasoner says "TRD confirmed": which trials failed, why each
was adequate (dose vs the drug's minimum, weeks vs the policy, adherence vs the threshold), why each
failed (baseline → endpoint on one instrument, against the remission and response cut-offs), and
which rule and published source made each step. Everything printed here comes from the workspace
(the asserted data, the policy settings with their sources, the derived findings and the rules
graph); this module only words it.

    lines = explain(workspace, patient_entry, finding="trd")   # list[str]
"""

from __future__ import annotations

from typing import Any

from rdflib import URIRef

from reasoner.errors import InputError
from reasoner.findings.read import PREFIXES, node_id, py

Q_TRIAL_DETAIL = PREFIXES + """
SELECT ?t ?tid ?drugLabel ?minDose ?minSource ?maxDose ?weeks ?minWeeks ?weeksSource ?adherence ?adhThreshold
       ?adhSource ?stop ?episode ?baselineScore ?baselineDate ?endpointScore ?endpointDate ?instrument
       ?reduction ?remissionMax ?remissionSource ?responseReduction ?failureDefinition WHERE {
  VALUES ?p { %s }
  ?t a trd:AntidepressantTrial ; trd:patient ?p ; trd:adequacyFinding ?af ; trd:outcomeFinding ?of .
  OPTIONAL { ?t trd:identifier ?tid }
  OPTIONAL { ?t trd:drug ?drug . ?drug rdfs:label ?drugLabel .
             OPTIONAL { ?drug trd:minimumAdequateDailyDoseMg ?minDose }
             OPTIONAL { ?drug trd:minimumDoseSource ?minSource } }
  OPTIONAL { ?af trd:maxDailyDoseMg ?maxDose }
  OPTIONAL { ?af trd:weeksAtAdequateDose ?weeks }
  OPTIONAL { ?ws trd:parameter trd:param-minimum-adequate-weeks ; trd:value ?minWeeks ; dcterms:source ?weeksSource }
  OPTIONAL { ?t trd:adherence ?adherence }
  OPTIONAL { ?as trd:parameter trd:param-adherence-threshold ; trd:value ?adhThreshold ; dcterms:source ?adhSource }
  OPTIONAL { ?t trd:stopReason ?stopNode . ?stopNode rdfs:label ?stop }
  OPTIONAL { ?t trd:inCurrentEpisode ?episode }
  OPTIONAL { ?of trd:baselineAssessment ?b . ?b trd:score ?baselineScore ; trd:date ?baselineDate ;
                 trd:instrument ?i . ?i rdfs:label ?instrument .
             OPTIONAL { ?rs trd:parameter trd:param-remission-max-score ; trd:instrument ?i ;
                            trd:value ?remissionMax ; dcterms:source ?remissionSource } }
  OPTIONAL { ?of trd:endpointAssessment ?e . ?e trd:score ?endpointScore ; trd:date ?endpointDate }
  OPTIONAL { ?of trd:reduction ?reduction }
  OPTIONAL { ?rr trd:parameter trd:param-response-reduction ; trd:value ?responseReduction }
  OPTIONAL { ?fd trd:parameter trd:param-failure-definition ; trd:value ?fdNode .
             OPTIONAL { ?fdNode rdfs:label ?fdLabel } BIND(COALESCE(?fdLabel, STR(?fdNode)) AS ?failureDefinition) }
}"""

Q_TRD_POLICY = PREFIXES + """
SELECT ?minimum ?minimumSource ?distinct ?distinctSource WHERE {
  ?m trd:parameter trd:param-trd-minimum-failed-trials ; trd:value ?minimum ; dcterms:source ?minimumSource .
  ?d trd:parameter trd:param-trd-requires-distinct-classes ; trd:value ?distinct ; dcterms:source ?distinctSource .
}"""

Q_RULE_SOURCE = PREFIXES + """
SELECT ?file ?source WHERE { ?r a trd:InferenceRule ; trd:queryFile ?file ; dcterms:source ?source .
  FILTER(STRENDS(STR(?file), "/%s.rq")) }"""


def _rule(ws: Any, stem: str) -> str:
    """"[rule FILE — SOURCE]" for one rule, from the rules graph."""
    rows = ws.select(Q_RULE_SOURCE % stem)
    if not rows:
        return f"[rule {stem}]"
    return f"[rule {py(rows[0]['file'])} — {py(rows[0]['source'])}]"


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _criterion(value: Any, threshold: Any, source: Any, template: str, unknown: str) -> str:
    """One adequacy criterion as a line: the value against its threshold and the threshold's source.

    The sign is only displayed here; the verdict itself is the rules' (adequacy-criteria.rq).
    """
    if value is None or threshold is None:
        return unknown
    return template.format(value=_num(value), verdict="≥" if value >= threshold else "<",
                           threshold=_num(threshold), source=source)


def _trial_details(ws: Any, patient_iri: str) -> dict[str, dict[str, Any]]:
    """Trial id (as in the JSON output) -> the values an explanation quotes."""
    out: dict[str, dict[str, Any]] = {}
    for row in ws.select(Q_TRIAL_DETAIL % f"<{patient_iri}>"):
        entry = out.setdefault(node_id(row["t"], row.get("tid")), {})
        for k, v in row.items():
            entry.setdefault(k, py(v))
    return out


def explain_trial(ws: Any, trial: dict[str, Any], detail: dict[str, Any]) -> list[str]:
    """Why one trial is (in)adequate and why it did or did not fail."""
    lines = [f"Trial {trial['id']}: {trial['drug']} ({trial['class']}), {trial['start']} → {trial['end'] or 'ongoing'}"
             + ("" if detail.get("episode") else " — outside the current episode, not counted")]
    lines.append(_criterion(detail.get("maxDose"), detail.get("minDose"), detail.get("minSource", "ontology"),
                            "  dose {value} mg/day {verdict} minimum {threshold} mg/day (source: {source})",
                            "  dose: unknown (no daily dose or no minimum dose for the drug)"))
    lines.append(_criterion(detail.get("weeks"), detail.get("minWeeks"), detail.get("weeksSource"),
                            "  {value} weeks at adequate dose {verdict} {threshold} weeks (policy: {source})",
                            "  weeks at adequate dose: unknown"))
    lines.append(_criterion(detail.get("adherence"), detail.get("adhThreshold"), detail.get("adhSource"),
                            "  adherence {value} {verdict} {threshold} (policy: {source})",
                            "  adherence: unknown"))
    if detail.get("stop"):
        lines.append(f"  stopped: {detail['stop']}")
    reasons = ", ".join(trial["reasons"]) or "none"
    lines.append(f"  → adequacy: {trial['adequacy']} (reasons: {reasons}) {_rule(ws, 'adequacy-status')}")
    if detail.get("baselineScore") is not None and detail.get("endpointScore") is not None:
        reduction = detail.get("reduction")
        pct = f"{reduction * 100:.1f}%" if isinstance(reduction, (int, float)) else "?"
        lines.append(f"  {detail.get('instrument')}: {detail['baselineScore']} ({detail.get('baselineDate')}) → "
                     f"{detail['endpointScore']} ({detail.get('endpointDate')}), reduction {pct}; remission needs "
                     f"≤ {_num(detail.get('remissionMax'))} ({detail.get('remissionSource')}), response "
                     f"≥ {_num((detail.get('responseReduction') or 0) * 100)}%")
    else:
        lines.append("  no baseline and endpoint score on one instrument in the policy windows")
    lines.append(f"  → outcome: {trial['outcome']} {_rule(ws, 'trial-outcome')}")
    lines.append(f"  → failed adequate trial: {'yes' if trial['failed'] else 'no'}"
                 f" (failure definition: {detail.get('failureDefinition')}) {_rule(ws, 'trial-failure')}")
    return lines


def _evidence_lines(entry: dict[str, Any]) -> list[str]:
    lines = []
    for item in entry.get("evidence", []):
        if item.get("kind") == "rule":
            lines.append(f"  by rule {item['rule']} — {item['source']}")
        else:
            extra = "".join(f", {k} {item[k]}" for k in ("value", "date", "resource") if k in item)
            lines.append(f"  from {item['id']}{extra}")
    return lines


def explain(ws: Any, patient: dict[str, Any], patient_iri: str | URIRef, finding: str | None = None) -> list[str]:
    """The chain of reasons for one patient; ``finding`` = trd (default), stages, a trial id, or a code."""
    finding = finding or "trd"
    details = _trial_details(ws, str(patient_iri))
    by_id = {t["id"]: t for t in patient["trials"]}
    lines: list[str] = []
    if finding == "trd":
        trd = patient.get("trd") or {}
        policy = ws.select(Q_TRD_POLICY)
        lines.append(f"Patient {patient['id']}: TRD {trd.get('status')} — {trd.get('failedAdequateTrials', 0)} failed "
                     f"adequate trial(s) in the current episode, {trd.get('distinctFailedClasses', 0)} "
                     f"pharmacologic class(es) {_rule(ws, 'trd-status')}")
        if policy:
            row = policy[0]
            counted = "different pharmacologic classes" if py(row["distinct"]) else "different agents"
            lines.append(f"  the policy needs ≥ {_num(py(row['minimum']))} failed adequate trials of {counted} "
                         f"({py(row['minimumSource'])}; {py(row['distinctSource'])})")
        if trd.get("status") == "excluded":
            lines.append("  excluded: a bipolar-spectrum diagnosis or a positive MDQ; unipolar TRD is not diagnosed")
        failed = [t for t in patient["trials"] if t["failed"]]
        others = [t for t in patient["trials"] if not t["failed"]]
        for t in failed + others:
            lines += explain_trial(ws, t, details.get(t["id"], {}))
        return lines
    if finding == "stages":
        stages = patient.get("stages") or {}
        lines.append(f"Patient {patient['id']}: Thase–Rush {stages.get('thaseRush')}, Maudsley "
                     f"{stages.get('maudsley')}, MGH-S {stages.get('mghS')}")
        return lines + _evidence_lines(stages)
    if finding in by_id:
        return explain_trial(ws, by_id[finding], details.get(finding, {}))
    for section in ("pseudoResistance", "mechanisms", "options"):
        for entry in patient.get(section, []):
            if entry["code"] == finding:
                status = f" — {entry['status']}" if "status" in entry else ""
                lines.append(f"Patient {patient['id']}: {section} {entry['code']}{status}")
                for key in ("actions", "via", "reason", "missingCriterion"):
                    if entry.get(key):
                        lines.append(f"  {key}: {entry[key]}")
                return lines + _evidence_lines(entry)
    known = ["trd", "stages"] + list(by_id) + [e["code"] for s in ("pseudoResistance", "mechanisms", "options")
                                                for e in patient.get(s, [])]
    raise InputError(f"no finding {finding!r} for patient {patient['id']} (known: {', '.join(known)})")


__all__ = ["explain", "explain_trial"]
