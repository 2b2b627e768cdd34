"""The JSON document of ``trd assess --format json`` (shared/json-output.md), read from the derived graph.

Why SELECT queries, one per section and not per patient: a cohort shard of ~1,000 patients is
read back in a fixed number of queries, so the cost stays linear in the shard size. Every section
is keyed by patient IRI and assembled in Python; Python only shapes the output, it decides nothing.

Each finding's ``evidence`` lists the data it was derived from (``prov:wasDerivedFrom``: id, value,
date) and the rule that produced it (``prov:wasGeneratedBy`` → query file + ``dcterms:source``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from rdflib.term import Node

from reasoner.knowledge.namespaces import BASE, TRD
from reasoner.rules.workspace import value_of

PREFIXES = """
PREFIX trd: <https://w3id.org/trd-reasoner/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

Q_PATIENTS = PREFIXES + """
SELECT ?p ?id WHERE { ?p a trd:Patient . OPTIONAL { ?p trd:identifier ?id } }"""

Q_TRD = PREFIXES + """
SELECT ?p ?f ?status ?n ?classes WHERE {
  ?f a trd:TRDStatusFinding ; trd:aboutPatient ?p ; trd:trdStatus ?s .
  ?s skos:notation ?status .
  OPTIONAL { ?f trd:failedAdequateTrials ?n }
  OPTIONAL { ?f trd:distinctFailedClasses ?classes }
}"""

Q_STAGES = PREFIXES + """
SELECT ?p ?f ?thaseRush ?maudsley ?band ?mghs WHERE {
  ?f a trd:StageFinding ; trd:aboutPatient ?p .
  OPTIONAL { ?f trd:thaseRushStage ?thaseRush }
  OPTIONAL { ?f trd:maudsleyScore ?maudsley }
  OPTIONAL { ?f trd:maudsleyBand ?band }
  OPTIONAL { ?f trd:mghsScore ?mghs }
}"""

# A trial's own data, its adequacy finding and its outcome finding are read by three queries:
# Oxigraph plans OPTIONALs in time that grows faster than their number (one query with all of
# them: 0.61 ms to compile; the three: 0.35 ms), and a warm one-patient call compiles every text.
Q_TRIALS = PREFIXES + """
SELECT ?p ?t ?id ?drugLabel ?rxnorm ?className ?start ?end ?dose ?adherence WHERE {
  ?t a trd:AntidepressantTrial ; trd:patient ?p .
  OPTIONAL { ?t trd:identifier ?id }
  OPTIONAL { ?t trd:drug ?drug .
             OPTIONAL { ?drug rdfs:label ?drugLabel }
             OPTIONAL { ?drug trd:rxnormCode ?rxnorm }
             OPTIONAL { ?drug a ?cls . ?cls trd:className ?className } }
  OPTIONAL { ?t trd:startDate ?start }
  OPTIONAL { ?t trd:endDate ?end }
  OPTIONAL { ?t trd:dailyDoseMg ?dose }
  OPTIONAL { ?t trd:adherence ?adherence }
}"""

Q_TRIAL_ADEQUACY = PREFIXES + """
SELECT ?t ?af ?maxDose ?weeks ?adequacy WHERE {
  ?af a trd:TrialAdequacyFinding ; trd:aboutTrial ?t .
  OPTIONAL { ?af trd:maxDailyDoseMg ?maxDose }
  OPTIONAL { ?af trd:weeksAtAdequateDose ?weeks }
  OPTIONAL { ?af trd:adequacy ?a . ?a skos:notation ?adequacy }
}"""

Q_TRIAL_OUTCOME = PREFIXES + """
SELECT ?t ?of ?outcome ?failed WHERE {
  ?of a trd:TrialOutcomeFinding ; trd:aboutTrial ?t .
  OPTIONAL { ?of trd:outcome ?o . ?o skos:notation ?outcome }
  OPTIONAL { ?of trd:failed ?failed }
}"""

Q_REASONS = PREFIXES + """
SELECT ?t ?c ?code WHERE {
  ?af a trd:TrialAdequacyFinding ; trd:aboutTrial ?t ; trd:hasCriterionResult ?c .
  ?c trd:reason ?r . ?r skos:notation ?code .
}"""

Q_PSEUDO = PREFIXES + """
SELECT ?p ?f ?code ?action WHERE {
  ?f a trd:PseudoResistanceFinding ; trd:aboutPatient ?p ; trd:cause ?c .
  ?c skos:notation ?code .
  OPTIONAL { ?f trd:matchedOption ?o . ?o skos:notation ?action }
}"""

Q_MECHANISMS = PREFIXES + """
SELECT ?p ?f ?code ?v ?via WHERE {
  ?f a trd:MechanismFinding ; trd:aboutPatient ?p ; trd:mechanism ?m .
  ?m skos:notation ?code .
  OPTIONAL { ?f trd:via ?v . OPTIONAL { ?v skos:notation ?vn } BIND(COALESCE(?vn, STR(?v)) AS ?via) }
}"""

Q_LEADS_TO = PREFIXES + """
SELECT ?a ?b WHERE { ?a trd:leadsTo ?b }"""

Q_OPTIONS = PREFIXES + """
SELECT ?p ?f ?code ?status ?reason ?missing WHERE {
  ?f a trd:OptionFinding ; trd:aboutPatient ?p ; trd:option ?o ; trd:optionStatus ?s .
  ?o skos:notation ?code . ?s skos:notation ?status .
  OPTIONAL { ?f trd:statusReason ?reason }
  OPTIONAL { ?f trd:missingCriterion ?missing }
}"""

# What each finding was derived from, and what each of those data nodes shows (once per node, not
# once per finding that cites it: 10,276 links but 2,410 nodes in 200 patients, 80 -> 37 ms).
Q_DERIVED_FROM = PREFIXES + """
SELECT ?f ?d WHERE { ?f prov:wasDerivedFrom ?d }"""

Q_DATA_NODES = PREFIXES + """
SELECT ?d ?id ?value ?date ?src ?label WHERE {
  { SELECT DISTINCT ?d WHERE { ?f prov:wasDerivedFrom ?d } }
  OPTIONAL { ?d trd:identifier ?id }
  OPTIONAL { ?d trd:score|trd:value ?value }
  OPTIONAL { ?d trd:date|trd:startDate|trd:onsetDate ?date }
  OPTIONAL { ?d trd:sourceResource ?src }
  OPTIONAL { ?d rdfs:label ?label }
}"""

Q_RULES = PREFIXES + """
SELECT ?f ?rule WHERE {
  VALUES ?type { trd:TrialAdequacyFinding trd:AdequacyCriterionResult trd:TrialOutcomeFinding trd:TRDStatusFinding
                 trd:StageFinding trd:PseudoResistanceFinding trd:MechanismFinding trd:OptionFinding
                 trd:OccupancyFinding trd:EpisodeFinding }
  ?f a ?type ; prov:wasGeneratedBy ?rule .
}"""

Q_RULE_INFO = PREFIXES + """
SELECT ?rule ?file ?source WHERE { ?rule trd:queryFile ?file ; dcterms:source ?source . }"""

# The patient each node belongs to; {nodes} is empty or a VALUES list of the nodes wanted, in
# every branch (one VALUES joined with the whole UNION was 5x slower than no list at all).
Q_FOCUS = PREFIXES + """
SELECT ?n ?p WHERE {{
  {{ {nodes} ?n trd:patient ?p }}
  UNION {{ {nodes} ?n trd:aboutPatient ?p }}
  UNION {{ {nodes} ?n trd:aboutTrial ?t . ?t trd:patient ?p }}
  UNION {{ {nodes} ?af trd:aboutTrial ?t2 ; trd:hasCriterionResult ?n . ?t2 trd:patient ?p }}
}}"""

Q_NO_EPISODE = PREFIXES + """
SELECT ?p WHERE {
  ?p a trd:Patient ; trd:episodeFinding ?e .
  OPTIONAL { ?e trd:episodeStartDay ?d }
  FILTER(!BOUND(?d))
}"""


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
    was ~1.5% of a warm one-patient call.
    """
    return {row["rule"]: {"kind": "rule", "rule": py(row["file"]), "source": py(row["source"])}
            for row in ws.select_values(Q_RULE_INFO)}


class EvidenceIndex:
    """Every finding's evidence (data + rule), read in two passes over the whole workspace."""

    def __init__(self, ws: Any, rules: dict[str, dict[str, Any]] | None = None) -> None:
        """``rules``: what ``rule_evidence(ws)`` gives, when the caller already has it."""
        self.data: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        nodes: dict[str, dict[str, Any]] = {}
        for d, row in _least_rows(ws.select_values(Q_DATA_NODES), ("d",)):
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
        for row in ws.select_values(Q_DERIVED_FROM):
            item = nodes.get(row["d"])
            if item is not None:
                self.data[row["f"]][row["d"]] = dict(item)  # each finding's evidence is its own
        # a fresh copy of each item: evidence lists are the caller's to change
        info = {iri: dict(item) for iri, item in (rule_evidence(ws) if rules is None else rules).items()}
        self.rules: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        for row in ws.select_values(Q_RULES):
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
    } for row in ws.select_values(Q_PATIENTS)}

    for p, row in _one_row_per(ws.select_values(Q_TRD), "p").items():
        if p in patients:
            patients[p]["trd"] = {"status": py(row["status"]),
                                  "failedAdequateTrials": py(row.get("n")) or 0,
                                  "distinctFailedClasses": py(row.get("classes")) or 0,
                                  "evidence": ev.of(row["f"])}

    stage_rows: dict[str, dict[str, Any]] = defaultdict(dict)
    for row in ws.select_values(Q_STAGES):
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
    for row in ws.select_values(Q_REASONS):
        if py(row["code"]) not in reasons[row["t"]]:
            reasons[row["t"]].append(py(row["code"]))
            criteria[row["t"]].append(row["c"])
    adequacy = _one_row_per(ws.select_values(Q_TRIAL_ADEQUACY), "t")
    outcome = _one_row_per(ws.select_values(Q_TRIAL_OUTCOME), "t")
    for t, row in sorted(_one_row_per(ws.select_values(Q_TRIALS), "t").items(), key=lambda kv: (str(kv[1].get("start", "")), str(kv[0]))):
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
    for row in ws.select_values(Q_PSEUDO):
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
    for row in ws.select_values(Q_MECHANISMS):
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
        chains = nx.DiGraph((r["a"], r["b"]) for r in ws.select_values(Q_LEADS_TO))
        for key, nodes in via_nodes.items():
            def depth(n: str, members: set = set(nodes)) -> int:
                return sum(1 for m in members if m != n and m in chains and n in chains and nx.has_path(chains, m, n))
            grouped[key]["via"] = [nodes[n] for n in sorted(nodes, key=lambda n: (depth(n), nodes[n]))]

    # An option finding may carry several reasons or missing criteria: all of them, sorted and
    # joined, so that the text does not depend on the order a backend returns rows in.
    texts: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: {"reason": set(), "missing": set()})
    option_rows = ws.select_values(Q_OPTIONS)
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
    """Q_FOCUS for the issues' focus nodes only (a ``VALUES`` list) when each is a plain IRI.

    Why: only those nodes need an owner, and mapping every node of a 200-patient batch to its
    patient read ~34 rows a patient (16 ms a batch; 3 ms with the list). A blank or unusual
    focus node falls back to the whole map: the text is never built from anything but checked IRIs.
    """
    nodes = sorted({str(i.get("focusNode")) for i in issues})
    if all(_PLAIN_IRI.fullmatch(n) for n in nodes):
        return Q_FOCUS.format(nodes="VALUES ?n { " + " ".join(f"<{n}>" for n in nodes) + " }")
    return Q_FOCUS.format(nodes="")


def _attach_issues(ws: Any, patients: dict[str, dict[str, Any]], issues: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validation results go to the patient their focus node belongs to; plus the episode note.

    Returns the results whose focus node belongs to no patient of the workspace.
    """
    owner: dict[str, Any] = {str(p): p for p in patients}
    if issues:
        for row in ws.select_values(_focus_query(issues)):
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
    for row in ws.select_values(Q_NO_EPISODE):
        if row["p"] in patients:
            patients[row["p"]]["dataIssues"].append({
                "severity": "info", "focusNode": str(row["p"]),
                "message": "no active depressive-disorder diagnosis with an onset date: the current "
                           "episode start is unknown, so every trial counts"})
    return unattributed


def patient_iris(ws: Any) -> dict[str, str]:
    """Patient id (as in the JSON output) -> patient IRI, for explanations."""
    return {node_id(row["p"], row.get("id")): str(row["p"]) for row in ws.select_values(Q_PATIENTS)}


__all__ = ["read_findings", "rule_evidence", "patient_iris", "EvidenceIndex", "py", "node_id"]
