"""``--format fhir``: the findings as FHIR R4 resources (a ``collection`` Bundle; cohort: NDJSON).

What each finding becomes (docs/fhir-output.md says why):

* TRD status, each stage and each mechanism: an ``Observation`` (status ``preliminary``: a
  machine-derived classification no clinician has reviewed yet) with ``derivedFrom`` the input
  resources it rests on;
* each pseudo-resistance cause: a ``DetectedIssue`` (``implicated`` the input resources,
  ``mitigation.action`` each matched action);
* the options: one ``RequestGroup`` (intent ``proposal``), one action per option with its status
  (extension ``option-status``) and reason or missing criterion;
* the data issues of a patient: one ``OperationOutcome`` (never dropped);
* one ``Provenance`` per resource above: the rules (query file and its published source), the
  policy, the tool and the input resources used.

Codes come from the ontology (:mod:`reasoner.knowledge.fhir_terms`): the ``trd`` code system for
the project's concepts, plus RxNorm/ATC (an option's drugs) where the ontology maps them.
The renderer reads only the patient objects of docs/output-contract.md, so a single run and a
cohort's ``patients.jsonl`` give the same resources. Ids are UUIDs made from the patient and the
finding (uuid5): the same findings give the same bytes.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from reasoner import __version__
from reasoner.knowledge.fhir_terms import TRD_SYSTEM, concept, trd_coding
from reasoner.knowledge.namespaces import BASE
from reasoner.knowledge.vocabulary import vocabulary

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, BASE + "fhir-output")
_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_REFERENCE = re.compile(r"^[A-Z][A-Za-z]+/[A-Za-z0-9\-.]{1,64}$")
#: Extension carrying an option's status on a RequestGroup action.
OPTION_STATUS_URL = BASE + "fhir/StructureDefinition/option-status"
RULE_SYSTEM = BASE + "rule"
NODE_SYSTEM = "urn:ietf:rfc:3986"
#: The pseudo-patient that carries the issues of records belonging to no patient.
UNATTRIBUTED = "(unattributed)"
SEVERITY = {"violation": "error", "warning": "warning", "info": "information"}


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join(parts)))


class _Refs:
    """How resources of this output point at each other: ``urn:uuid:`` in a Bundle, ``Type/id``
    in Bulk NDJSON (where each resource type is a file of its own)."""

    def __init__(self, bundle: bool) -> None:
        self.bundle = bundle

    def of(self, resource: dict[str, Any]) -> str:
        return f"urn:uuid:{resource['id']}" if self.bundle else f"{resource['resourceType']}/{resource['id']}"


def patient_reference(patient_id: str) -> dict[str, Any]:
    """The subject: ``Patient/<id>`` (FHIR input keeps Patient.id), else a logical reference."""
    if _FHIR_ID.match(patient_id):
        return {"reference": f"Patient/{patient_id}", "display": patient_id}
    return {"identifier": {"system": NODE_SYSTEM, "value": patient_id}, "display": patient_id}


def _is_input(item: dict[str, Any]) -> bool:
    """A data item of the patient's record: a FHIR resource, or a dated node of the input graph
    (policy settings, ontology terms and intermediate findings carry no date)."""
    if item.get("kind") != "data":
        return False
    if item.get("resource"):
        return True
    ident = str(item.get("id", ""))
    return bool(item.get("date")) and not ident.startswith(("policy/", "trd:"))


def input_references(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """References to the input records of evidence items, each once, in evidence order."""
    seen: set[str] = set()
    out = []
    for item in items:
        if not _is_input(item):
            continue
        resource = item.get("resource")
        if resource and _REFERENCE.match(str(resource)):
            key, ref = str(resource), {"reference": str(resource)}
        else:
            key = str(item["id"])
            ref = {"identifier": {"system": NODE_SYSTEM, "value": key}, "display": key}
        if key not in seen:
            seen.add(key)
            out.append(ref)
    return out


def _trial_items(patient: dict[str, Any]) -> list[dict[str, Any]]:
    """The evidence of every trial: TRD status and stages rest on the trials and their scores."""
    return [item for t in patient.get("trials", []) for item in t.get("evidence", [])]


def _observation(pid: str, key: str, code: str, as_of: str, evidence: list[dict[str, Any]],
                 derived_from: list[dict[str, Any]], **value: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation", "id": _uuid(pid, key), "status": "preliminary",
        "code": concept(code), "subject": patient_reference(pid), "effectiveDateTime": as_of,
    }
    resource.update(value)
    if derived_from:
        resource["derivedFrom"] = derived_from
    resource["_evidence"] = evidence
    return resource


def _rules(evidence: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    seen, out = set(), []
    for item in evidence:
        if item.get("kind") == "rule" and item.get("rule") not in seen:
            seen.add(item.get("rule"))
            out.append(item)
    return out


def patient_resources(patient: dict[str, Any], as_of: str, policy: str, bundle: bool = True) -> list[dict[str, Any]]:
    """Every FHIR resource of one patient's findings (Provenance last)."""
    refs = _Refs(bundle)
    pid = str(patient["id"])
    found: list[dict[str, Any]] = []
    trial_refs = input_references(_trial_items(patient))
    trd = patient.get("trd")
    if trd and trd.get("status") in vocabulary().trd_statuses:
        ev = trd.get("evidence", [])
        note = (f"{trd.get('failedAdequateTrials')} failed adequate trial(s) from {trd.get('distinctFailedClasses')} "
                "class(es) in the current episode")
        found.append(_observation(pid, "trd-status", "trd-status", as_of, ev,
                                  input_references(ev) + trial_refs, valueCodeableConcept=concept(trd["status"]),
                                  note=[{"text": note}]))
    stages = patient.get("stages")
    if stages:
        ev = stages.get("evidence", [])
        derived = input_references(ev) + [r for r in trial_refs if r not in input_references(ev)]
        found.append(_observation(pid, "thase-rush", "thase-rush-stage", as_of, ev, derived,
                                  valueInteger=int(stages["thaseRush"])))
        maudsley = stages.get("maudsley")
        if maudsley:
            found.append(_observation(pid, "maudsley", "maudsley-score", as_of, ev, derived,
                                      valueInteger=int(maudsley["score"]),
                                      component=[{"code": concept("maudsley-band"), "valueString": str(maudsley["band"])}]))
        else:
            found.append(_observation(pid, "maudsley", "maudsley-score", as_of, ev, derived, dataAbsentReason={
                "coding": [{"system": "http://terminology.hl7.org/CodeSystem/data-absent-reason",
                            "code": "not-applicable", "display": "Not Applicable"}],
                "text": "no adequate trial has failed, or no score in the current episode"}))
        if stages.get("mghS") is not None:
            found.append(_observation(pid, "mghs", "mghs-score", as_of, ev, derived, valueQuantity={
                "value": stages["mghS"], "unit": "score", "system": "http://unitsofmeasure.org", "code": "{score}"}))
    for m in patient.get("mechanisms", []):
        ev = m.get("evidence", [])
        resource = _observation(pid, "mechanism/" + m["code"], "mechanism", as_of, ev, input_references(ev),
                                valueCodeableConcept=concept(m["code"]))
        if m.get("via"):
            resource["note"] = [{"text": "reached through " + " → ".join(m["via"])}]
        found.append(resource)
    for p in patient.get("pseudoResistance", []):
        ev = p.get("evidence", [])
        issue: dict[str, Any] = {
            "resourceType": "DetectedIssue", "id": _uuid(pid, "pseudo/" + p["code"]), "status": "preliminary",
            "code": concept(p["code"], "pseudo-resistance: " + p["code"]), "patient": patient_reference(pid),
            "identifiedDateTime": as_of,
        }
        implicated = input_references(ev)
        if implicated:
            issue["implicated"] = implicated
        if p.get("actions"):
            issue["mitigation"] = [{"action": concept(a)} for a in p["actions"]]
        issue["_evidence"] = ev
        found.append(issue)
    options = patient.get("options", [])
    if options:
        found.append(_request_group(pid, options, as_of))
    if patient.get("dataIssues"):
        found.append(_operation_outcome(pid, patient["dataIssues"]))
    out: list[dict[str, Any]] = []
    for resource in found:
        evidence = resource.pop("_evidence", None)
        out.append(resource)
        if evidence is not None:
            out.append(_provenance(pid, resource, evidence, policy, as_of, refs))
    return out


def _request_group(pid: str, options: list[dict[str, Any]], as_of: str) -> dict[str, Any]:
    order = {s: i for i, s in enumerate(vocabulary().option_statuses)}
    actions = []
    evidence: list[dict[str, Any]] = []
    for o in sorted(options, key=lambda o: (order.get(o["status"], len(order)), o["code"])):
        words = [w for w in (o.get("reason"), o.get("missingCriterion") and "missing: " + o["missingCriterion"]) if w]
        action: dict[str, Any] = {
            "extension": [{"url": OPTION_STATUS_URL, "valueCoding": trd_coding(o["status"])}],
            "title": f"{o['code']} ({o['status']})", "code": [concept(o["code"])],
        }
        if words:
            action["description"] = "; ".join(words)
        actions.append(action)
        evidence += o.get("evidence", [])
    return {"resourceType": "RequestGroup", "id": _uuid(pid, "options"), "status": "draft", "intent": "proposal",
            "subject": patient_reference(pid), "authoredOn": as_of, "code": concept("treatment-options"),
            "action": actions, "_evidence": evidence}


def _operation_outcome(pid: str, issues: list[dict[str, Any]]) -> dict[str, Any]:
    out = []
    for issue in issues:
        text = str(issue.get("message", ""))
        if issue.get("effect"):
            text += f" ({issue['effect']})"
        item: dict[str, Any] = {"severity": SEVERITY.get(issue.get("severity", ""), "warning"),
                                "code": "invalid" if issue.get("severity") == "violation" else "informational",
                                "diagnostics": text}
        where = issue.get("resource") or issue.get("focusNode") or issue.get("source")
        if where:
            item["location"] = [str(where)]
        out.append(item)
    outcome: dict[str, Any] = {"resourceType": "OperationOutcome", "id": _uuid(pid, "data-issues"), "issue": out}
    if pid != UNATTRIBUTED:  # the issues of records of no patient name none
        outcome["extension"] = [{"url": BASE + "fhir/StructureDefinition/patient", "valueReference": patient_reference(pid)}]
    return outcome


def _provenance(pid: str, target: dict[str, Any], evidence: list[dict[str, Any]], policy: str, as_of: str,
                refs: _Refs) -> dict[str, Any]:
    entities = [{"role": "derivation",
                 "what": {"identifier": {"system": RULE_SYSTEM, "value": r["rule"]}, "display": r.get("source", "")}}
                for r in _rules(evidence)]
    entities += [{"role": "source", "what": ref} for ref in input_references(evidence)]
    resource: dict[str, Any] = {
        "resourceType": "Provenance", "id": _uuid(pid, "provenance", target["id"]),
        "target": [{"reference": refs.of(target)}], "recorded": f"{as_of}T00:00:00Z",
        "policy": [f"{BASE}policy/{policy}"],
        "agent": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                                        "code": "assembler", "display": "Assembler"}]},
                   "who": {"identifier": {"system": BASE, "value": f"trd-reasoner {__version__}"},
                           "display": f"trd-reasoner {__version__}"}}],
    }
    if entities:
        resource["entity"] = entities
    return resource


def bundle(patients: Iterable[dict[str, Any]], as_of: str, policy: str) -> dict[str, Any]:
    """A ``collection`` Bundle of every patient's resources (``urn:uuid:`` full URLs)."""
    entries = [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r}
               for p in patients for r in patient_resources(p, as_of, policy, bundle=True)]
    return {"resourceType": "Bundle", "id": _uuid("bundle", as_of, policy, *(e["resource"]["id"] for e in entries[:1])),
            "type": "collection", "entry": entries}


def ndjson_lines(patients: Iterable[dict[str, Any]], as_of: str, policy: str) -> Iterator[tuple[str, bytes]]:
    """(resource type, one NDJSON line) for every resource, as a Bulk Data export writes them."""
    for p in patients:
        for r in patient_resources(p, as_of, policy, bundle=False):
            yield r["resourceType"], json.dumps(r, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode() + b"\n"


def render(result: Any, out: TextIO) -> None:
    """Write the assessment as one FHIR R4 Bundle (type ``collection``)."""
    patients = list(result.patients)
    if result.unattributed:  # issues of records of no patient: an OperationOutcome of their own
        patients.append({"id": UNATTRIBUTED, "dataIssues": result.unattributed})
    out.write(json.dumps(bundle(patients, result.as_of, result.policy), indent=2, ensure_ascii=False,
                         allow_nan=False) + "\n")


__all__ = ["render", "bundle", "ndjson_lines", "patient_resources", "input_references", "TRD_SYSTEM",
           "OPTION_STATUS_URL"]
