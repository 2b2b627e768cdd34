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
from reasoner.findings.read import node_id, py
from reasoner.knowledge.queries import query_text

def _rule(ws: Any, stem: str) -> str:
    """"[rule FILE — SOURCE]" for one rule, from the rules graph."""
    for row in ws.select_values(query_text("findings/rule-info")):
        if str(row["file"]).endswith(f"/{stem}.rq"):
            return f"[rule {row['file']} — {row['source']}]"
    return f"[rule {stem}]"


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _criterion(value: Any, threshold: Any, source: Any, template: str, unknown: str, reasons: list[str],
               failed: str, not_known: str, not_judged: str | None = None) -> str:
    """One adequacy criterion as a line: the value against its threshold and the threshold's source.

    The verdict is the rules' (adequacy-criteria.rq): the criterion failed when the trial carries
    the ``failed`` reason, is unknown with ``not_known``; otherwise it held. ``not_judged``: a
    reason under which the rules do not judge this criterion at all (weeks are not judged while
    the dose stays below the minimum).
    """
    if not_known in reasons or value is None or threshold is None:
        return unknown
    if not_judged is not None and not_judged in reasons and failed not in reasons:
        return template.split(" {verdict}")[0].format(value=_num(value)) + " (not judged: the dose stayed below the minimum)"
    return template.format(value=_num(value), verdict="<" if failed in reasons else "≥",
                           threshold=_num(threshold), source=source)


def _trial_details(ws: Any, patient_iri: str) -> dict[str, dict[str, Any]]:
    """Trial id (as in the JSON output) -> the values an explanation quotes."""
    out: dict[str, dict[str, Any]] = {}
    text = query_text("explain/trial-detail").replace("VALUES ?p { UNDEF }", f"VALUES ?p {{ <{patient_iri}> }}")
    for row in ws.select(text):
        entry = out.setdefault(node_id(row["t"], row.get("tid")), {})
        for k, v in row.items():
            entry.setdefault(k, py(v))
    return out


def explain_trial(ws: Any, trial: dict[str, Any], detail: dict[str, Any],
                  issues: list[dict[str, Any]] | None = None) -> list[str]:
    """Why one trial is (in)adequate and why it did or did not fail; ``issues``: the data issues
    of its records (an imprecise date, a dose read with an assumption), quoted as notes."""
    lines = [f"Trial {trial['id']}: {trial['drug']} ({trial['class']}), {trial['start']} → {trial['end'] or 'ongoing'}"
             + ("" if detail.get("episode") else " — outside the current episode, not counted")]
    reasons = trial["reasons"]
    lines.append(_criterion(detail.get("maxDose"), detail.get("minDose"), detail.get("minSource", "ontology"),
                            "  dose {value} mg/day {verdict} minimum {threshold} mg/day (source: {source})",
                            "  dose: unknown (no daily dose or no minimum dose for the drug)",
                            reasons, "dose-below-minimum", "dose-unknown"))
    lines.append(_criterion(detail.get("weeks"), detail.get("minWeeks"), detail.get("weeksSource"),
                            "  {value} weeks at adequate dose {verdict} {threshold} weeks (policy: {source})",
                            "  weeks at adequate dose: unknown", reasons, "duration-too-short", "duration-unknown",
                            not_judged="dose-below-minimum"))
    if detail.get("adherence") is None and "adherence-below-threshold" in reasons:
        # no adherence number: noncompliance evidence put it below the threshold (fhir-profile "Adherence" 3)
        evidence = [f"noncompliance recorded during the trial ({detail['noncompliance']}"
                    + (f", {detail['noncomplianceDate']})" if detail.get("noncomplianceDate") else ")")
                    ] if detail.get("noncompliance") else []
        if detail.get("stop") == "nonadherence":
            evidence.append("stopped for nonadherence")
        lines.append(f"  adherence below {_num(detail.get('adhThreshold'))} (policy: {detail.get('adhSource')}): "
                     + ("; ".join(evidence) or "noncompliance evidence"))
    else:
        lines.append(_criterion(detail.get("adherence"), detail.get("adhThreshold"), detail.get("adhSource"),
                                "  adherence {value} {verdict} {threshold} (policy: {source})",
                                "  adherence: unknown", reasons, "adherence-below-threshold", "adherence-unknown"))
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
    for issue in issues or []:
        lines.append(f"  note: {issue_line(issue)}")
    return lines


def issue_line(issue: dict[str, Any]) -> str:
    """A data issue as one line: what it is about, what is wrong, what it did."""
    where = issue.get("resource") or issue.get("source") or issue.get("focusNode") or ""
    effect = f" — {issue['effect']}" if issue.get("effect") else ""
    return f"{issue.get('severity', '')} {where}: {issue.get('message', '')}{effect}".strip()


def trial_issues(patient: dict[str, Any], trial: dict[str, Any]) -> list[dict[str, Any]]:
    """The data issues of a patient that are about one trial's records (its resources, as its
    evidence names them, or the resource its id comes from)."""
    resources = {item["resource"] for item in trial.get("evidence", []) if item.get("resource")}
    own = {r for r in resources if r.split("/", 1)[-1] == trial["id"]}
    return [i for i in patient.get("dataIssues", []) if i.get("resource") in resources | own
            or (i.get("resource") or "").split("/", 1)[-1] == trial["id"]]


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
        policy = ws.select(query_text("explain/trd-policy"))
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
            lines += explain_trial(ws, t, details.get(t["id"], {}), trial_issues(patient, t))
        quoted = {id(i) for t in patient["trials"] for i in trial_issues(patient, t)}
        rest = [i for i in patient.get("dataIssues", []) if id(i) not in quoted and i.get("effect")]
        if rest:
            lines.append("Data issues of the input that shape this assessment:")
            lines += [f"  {issue_line(i)}" for i in rest]
        return lines
    if finding == "stages":
        stages = patient.get("stages") or {}
        lines.append(f"Patient {patient['id']}: Thase–Rush {stages.get('thaseRush')}, Maudsley "
                     f"{stages.get('maudsley')}, MGH-S {stages.get('mghS')}")
        return lines + _evidence_lines(stages)
    if finding in by_id:
        return explain_trial(ws, by_id[finding], details.get(finding, {}), trial_issues(patient, by_id[finding]))
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


__all__ = ["explain", "explain_trial", "issue_line", "trial_issues"]
