"""The findings of every patient in a workspace, read back from the derived graph for every output.

Why SELECT queries, one per section and not per patient: a cohort shard of ~1,000 patients is
read back in a fixed number of queries, so the cost stays linear in the shard size. The queries
are files (``queries/findings/*.rq``); every section is keyed by patient IRI and assembled in
Python; Python only shapes the result (the patient objects of docs/output-contract.md, validated
by :mod:`reasoner.findings.model`), it decides nothing.

Each finding's ``evidence`` lists the data it was derived from (``prov:wasDerivedFrom``: id, value,
date) and the rule that produced it (``prov:wasGeneratedBy`` → query file + ``dcterms:source``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from rdflib.term import Node

from reasoner.knowledge.namespaces import BASE, TRD
from reasoner.knowledge.queries import query_text
from reasoner.rules.terms import value_of

def _rows(source: Any, role: str, text: str | None = None) -> list[dict[str, Any]]:
    """The rows of the read-back query ``role`` from a source of findings.

    A workspace runs the SPARQL of ``queries/<role>.rq`` (or ``text``, the same query narrowed to
    some nodes); another engine (the columnar cohort engine) answers by role with its twin of that
    query (``rows(role)``). Either way the rows are plain values, and this module assembles them.
    """
    by_role = getattr(source, "rows", None)
    if by_role is not None:
        return by_role(role)
    return source.select_values(text or query_text(role))


def py(term: Any) -> Any:
    """A JSON-friendly Python value for an RDF term (decimals become floats, IRIs strings).

    Values already plain (rows of ``Workspace.select_values``) are returned as they are.
    """
    if term is None:
        return None
    if isinstance(term, Node):
        return value_of(term)
    return term


def node_id(term: Any, identifier: Any = None) -> str:
    """A readable id for a node: its trd:identifier, else a short form of its IRI."""
    if identifier is not None:
        return str(identifier)
    text = str(term)
    if text.startswith(str(TRD)):
        return "trd:" + text[len(str(TRD)):]
    if text.startswith(BASE):
        return text[len(BASE):]
    return text


def rule_evidence(ws: Any) -> dict[str, dict[str, Any]]:
    """Rule IRI -> its evidence item (query file and published source), from the rules graph.

    A pipeline reads it once: every workspace it makes holds the same rules graph, and the query
    costs a compile on every warm one-patient call.
    """
    return {row["rule"]: {"kind": "rule", "rule": py(row["file"]), "source": py(row["source"])}
            for row in _rows(ws, "findings/rule-info")}


class EvidenceIndex:
    """Every finding's evidence (data + rule), read in two passes over the whole workspace."""

    def __init__(self, ws: Any, rules: dict[str, dict[str, Any]] | None = None) -> None:
        """``rules``: what ``rule_evidence(ws)`` gives, when the caller already has it."""
        self.data: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        nodes: dict[str, dict[str, Any]] = {}
        for d, row in _least_rows(_rows(ws, "findings/data-nodes"), ("d",)):
            # several labels/values of one data node: the least row is kept, whatever the row order
            item: dict[str, Any] = {"kind": "data", "id": node_id(d, row.get("id"))}
            if "value" in row:
                item["value"] = py(row["value"])
            elif "label" in row:
                item["value"] = py(row["label"])
            if "date" in row:
                item["date"] = py(row["date"])
            if "src" in row:
                item["resource"] = py(row["src"])
            nodes[d] = item
        for row in _rows(ws, "findings/derived-from"):
            item = nodes.get(row["d"])
            if item is not None:
                self.data[row["f"]][row["d"]] = dict(item)  # each finding's evidence is its own
        # a fresh copy of each item: evidence lists are the caller's to change
        info = {iri: dict(item) for iri, item in (rule_evidence(ws) if rules is None else rules).items()}
        self.rules: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        for row in _rows(ws, "findings/finding-rules"):
            if row["rule"] in info:
                self.rules[row["f"]][str(row["rule"])] = info[row["rule"]]

    def of(self, *findings: Any) -> list[dict[str, Any]]:
        """Evidence of one or more findings: data items first, then the rules, without repeats.

        Data items are in date order (then id), rules by query file: the order never depends on
        the order a backend returns rows in, nor on the order the findings are given in.
        """
        unique: dict[str, dict[str, Any]] = {}
        for f in findings:
            if f is None:
                continue
            for item in list(self.data.get(f, {}).values()) + list(self.rules.get(f, {}).values()):
                unique.setdefault(tuple(sorted(item.items())), item)
        return sorted(unique.values(), key=_evidence_order)


def _evidence_order(item: dict[str, Any]) -> tuple[int, str, str, str, str]:
    if item["kind"] == "rule":
        return (1, item["rule"], str(item.get("source", "")), "", "")
    return (0, str(item.get("date", "")), item["id"], repr(item.get("value")), str(item.get("resource", "")))


def _row_order(row: dict[str, Any]) -> list[tuple[str, str, str]]:
    """A total order on result rows (values of mixed types compare by type name, then repr)."""
    return sorted((k, type(v).__name__, repr(v)) for k, v in row.items())


def _least_rows(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """One row per distinct ``keys`` value: the least by ``_row_order``, as (*key values, row).

    Why not the first row: OPTIONAL patterns (a node with two labels or values) multiply rows,
    and the order a backend returns them in is not defined, so "the first" could change between
    runs or engines. Ties are rare (a few per patient), so the comparison costs nothing.
    """
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        key = tuple(row[k] for k in keys)
        kept = out.get(key)
        if kept is None or _row_order(row) < _row_order(kept):
            out[key] = row
    return [(*key, row) for key, row in out.items()]


def _one_row_per(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    """Group rows by one key, one row each (the least; see ``_least_rows``)."""
    return {k: row for k, row in _least_rows(rows, (key,))}


def read_findings(ws: Any, issues: list[dict[str, Any]] | None = None,
                  rules: dict[str, dict[str, Any]] | None = None
                  ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ``patients`` list of the JSON document for every patient in the workspace, and the
    validation issues that belong to no patient.

    Each issue goes to the patient its focus node belongs to. An issue whose focus belongs to no
    patient (a record without ``trd:patient``, for example) is returned apart rather than
    dropped, so that callers can report it (the document's top-level ``dataIssues``).
    """
    ev = EvidenceIndex(ws, rules)
    patients = {row["p"]: {
        "id": node_id(row["p"], row.get("id")),
        "trd": None,
        "stages": {"thaseRush": None, "maudsley": None, "mghS": None},
        "trials": [], "pseudoResistance": [], "mechanisms": [], "options": [], "dataIssues": [],
    } for row in _rows(ws, "findings/patients")}

    for p, row in _one_row_per(_rows(ws, "findings/trd-status"), "p").items():
        if p in patients:
            patients[p]["trd"] = {"status": py(row["status"]),
                                  "failedAdequateTrials": py(row.get("n")) or 0,
                                  "distinctFailedClasses": py(row.get("classes")) or 0,
                                  "evidence": ev.of(row["f"])}

    stage_rows: dict[str, dict[str, Any]] = defaultdict(dict)
    for row in _rows(ws, "findings/stages"):
        merged = stage_rows[row["p"]]
        for k, v in row.items():
            merged.setdefault(k, v)
    for p, row in stage_rows.items():
        if p not in patients:
            continue
        maudsley = None
        if "maudsley" in row:
            maudsley = {"score": py(row["maudsley"]), "band": py(row.get("band"))}
        patients[p]["stages"] = {"thaseRush": py(row.get("thaseRush")), "maudsley": maudsley,
                                 "mghS": py(row.get("mghs")), "evidence": ev.of(row["f"])}

    reasons: dict[str, list[str]] = defaultdict(list)
    criteria: dict[str, list[str]] = defaultdict(list)
    for row in _rows(ws, "findings/trial-reasons"):
        if py(row["code"]) not in reasons[row["t"]]:
            reasons[row["t"]].append(py(row["code"]))
            criteria[row["t"]].append(row["c"])
    adequacy = _one_row_per(_rows(ws, "findings/trial-adequacy"), "t")
    outcome = _one_row_per(_rows(ws, "findings/trial-outcome"), "t")
    for t, row in sorted(_one_row_per(_rows(ws, "findings/trials"), "t").items(), key=lambda kv: (str(kv[1].get("start", "")), str(kv[0]))):
        p = row["p"]
        if p not in patients:
            continue
        row = {**outcome.get(t, {}), **adequacy.get(t, {}), **row}
        dose = row.get("dose", row.get("maxDose"))
        failed = py(row.get("failed"))
        patients[p]["trials"].append({
            "id": node_id(t, row.get("id")),
            "drug": py(row.get("drugLabel")),
            "rxnorm": py(row.get("rxnorm")),
            "class": py(row.get("className")),
            "start": py(row.get("start")),
            "end": py(row.get("end")),
            "dailyDoseMg": py(dose),
            "weeksAtAdequateDose": py(row.get("weeks")),
            "adherence": py(row.get("adherence")),
            "adequacy": py(row.get("adequacy")),
            "reasons": sorted(reasons.get(t, [])),
            "outcome": py(row.get("outcome")),
            "failed": bool(failed) if failed is not None else False,
            "evidence": ev.of(row.get("af"), *criteria.get(t, []), row.get("of")),
        })

    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for row in _rows(ws, "findings/pseudo-resistance"):
        if row["p"] not in patients:
            continue
        entry = grouped.get((row["p"], row["f"]))
        if entry is None:
            entry = {"code": py(row["code"]), "actions": [], "evidence": ev.of(row["f"])}
            grouped[(row["p"], row["f"])] = entry
            patients[row["p"]]["pseudoResistance"].append(entry)
        action = py(row.get("action"))
        if action and action not in entry["actions"]:
            entry["actions"].append(action)
            entry["actions"].sort()

    grouped = {}
    via_nodes: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for row in _rows(ws, "findings/mechanisms"):
        if row["p"] not in patients:
            continue
        entry = grouped.get((row["p"], row["f"]))
        if entry is None:
            entry = {"code": py(row["code"]), "via": [], "evidence": ev.of(row["f"])}
            grouped[(row["p"], row["f"])] = entry
            patients[row["p"]]["mechanisms"].append(entry)
        if "v" in row:
            label = py(row["via"])
            via_nodes[(row["p"], row["f"])][row["v"]] = node_id(row["v"]) if label == str(row["v"]) else label
    if via_nodes:
        # trd:via is a set; print it in chain order (a process before the ones it leads to)
        import networkx as nx
        chains = nx.DiGraph((r["a"], r["b"]) for r in _rows(ws, "findings/leads-to"))
        for key, nodes in via_nodes.items():
            def depth(n: str, members: set = set(nodes)) -> int:
                return sum(1 for m in members if m != n and m in chains and n in chains and nx.has_path(chains, m, n))
            grouped[key]["via"] = [nodes[n] for n in sorted(nodes, key=lambda n: (depth(n), nodes[n]))]

    # An option finding may carry several reasons or missing criteria: all of them, sorted and
    # joined, so that the text does not depend on the order a backend returns rows in.
    texts: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: {"reason": set(), "missing": set()})
    option_rows = _rows(ws, "findings/options")
    for row in option_rows:
        for key in ("reason", "missing"):
            if key in row:
                texts[(row["p"], row["f"])][key].add(str(row[key]))
    for p, f, row in _least_rows(option_rows, ("p", "f")):
        if p not in patients:
            continue
        entry = {"code": py(row["code"]), "status": py(row["status"]), "evidence": ev.of(row["f"])}
        if texts[(p, f)]["reason"]:
            entry["reason"] = "; ".join(sorted(texts[(p, f)]["reason"]))
        if texts[(p, f)]["missing"]:
            entry["missingCriterion"] = "; ".join(sorted(texts[(p, f)]["missing"]))
        patients[p]["options"].append(entry)

    unattributed = _attach_issues(ws, patients, issues or [])
    for p, entry in patients.items():
        for key in ("pseudoResistance", "mechanisms", "options"):
            entry[key].sort(key=lambda e: e["code"])
    return sorted(patients.values(), key=lambda e: e["id"]), unattributed


def _owner_rank(p: Any, patients: dict[str, dict[str, Any]]) -> tuple[bool, str]:
    return (p not in patients, str(p))


#: An IRI that can be written between ``<`` and ``>`` in a query as it is (no character to escape).
_PLAIN_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*")


def _focus_query(issues: list[dict[str, Any]]) -> str:
    """The issue-owners query for the issues' focus nodes only (a ``VALUES`` list) when each is a plain IRI.

    Why: only those nodes need an owner, and mapping every node of a 200-patient batch to its
    patient read every node of the batch. A blank or unusual
    focus node falls back to the whole map: the text is never built from anything but checked IRIs.
    """
    nodes = sorted({str(i.get("focusNode")) for i in issues})
    if all(_PLAIN_IRI.fullmatch(n) for n in nodes):
        return query_text("findings/issue-owners").replace(
            "VALUES ?n { UNDEF }", "VALUES ?n { " + " ".join(f"<{n}>" for n in nodes) + " }")
    return query_text("findings/issue-owners")


def _attach_issues(ws: Any, patients: dict[str, dict[str, Any]], issues: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validation results go to the patient their focus node belongs to; plus the episode note.

    Returns the results whose focus node belongs to no patient of the workspace.
    """
    owner: dict[str, Any] = {str(p): p for p in patients}
    if issues:
        for row in _rows(ws, "findings/issue-owners", _focus_query(issues)):
            node, current = str(row["n"]), owner.get(str(row["n"]))
            # A patient owns itself. A record that points at two patients (itself a violation)
            # goes to a patient of the workspace before anything else, then to the least IRI:
            # never to whichever row came first.
            if node not in patients and (current is None or _owner_rank(row["p"], patients)
                                         < _owner_rank(current, patients)):
                owner[node] = row["p"]
    unattributed: list[dict[str, Any]] = []
    for issue in issues:
        p = owner.get(str(issue.get("focusNode")))
        entry = {k: v for k, v in issue.items() if v is not None}
        if p is not None and p in patients:
            patients[p]["dataIssues"].append(entry)
        else:
            unattributed.append(entry)
    for row in _rows(ws, "findings/no-episode"):
        if row["p"] in patients:
            patients[row["p"]]["dataIssues"].append({
                "severity": "info", "focusNode": str(row["p"]),
                "message": "no active depressive-disorder diagnosis with an onset date: the current "
                           "episode start is unknown, so every trial counts"})
    return unattributed


def attach_input_issues(patients: list[dict[str, Any]], unattributed: list[dict[str, Any]],
                        issues: Iterable[Any]) -> None:
    """Data issues of the input (the FHIR import's records that could not be used as given) go to
    the patient they name, after its validation issues; an issue that names no patient of the
    result goes with the issues that belong to no patient. ``issues``: typed records
    (:class:`reasoner.fhir.records.DataIssue`) or output dicts with a ``"patient"`` key."""
    by_id = {p["id"]: p for p in patients}
    for issue in issues:
        if hasattr(issue, "output"):
            entry, pid = issue.output(), issue.patient
        else:
            entry = dict(issue)
            pid = entry.pop("patient", None)
        target = by_id.get(pid) if pid is not None else None
        (target["dataIssues"] if target is not None else unattributed).append(entry)


def patient_iris(ws: Any) -> dict[str, str]:
    """Patient id (as in the JSON output) -> patient IRI, for explanations."""
    return {node_id(row["p"], row.get("id")): str(row["p"]) for row in _rows(ws, "findings/patients")}


__all__ = ["read_findings", "rule_evidence", "patient_iris", "attach_input_issues", "EvidenceIndex", "py", "node_id"]
