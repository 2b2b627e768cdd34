"""Issues go to the patient their focus node belongs to, whether the owner map is read for the
issues' nodes only (plain IRIs, a VALUES list) or whole (a blank or unusual focus node)."""

from __future__ import annotations

from pathlib import Path

from reasoner.findings.read import _focus_query, read_findings
from reasoner.knowledge.queries import query_text
from reasoner.pipeline import Pipeline

REPO = Path(__file__).resolve().parents[2]


def _workspace_and_issues() -> tuple[object, list[dict]]:
    pipe = Pipeline(policy="default", as_of="2026-01-15")
    data = (REPO / "examples" / "malformed.ttl").read_bytes() + (REPO / "examples" / "trd-confirmed.ttl").read_bytes()
    result = pipe.assess(data, format="turtle", derived="none", keep_workspace=True)
    assert result.validation is not None and result.validation.issues
    return result.workspace, result.validation.issues


def test_owners_of_issue_nodes_equal_the_whole_map() -> None:
    ws, issues = _workspace_and_issues()
    nodes = {str(i["focusNode"]) for i in issues}
    whole = {(r["n"], r["p"]) for r in ws.select_values(query_text("findings/issue-owners")) if r["n"] in nodes}
    listed = {(r["n"], r["p"]) for r in ws.select_values(_focus_query(issues))}
    assert "VALUES ?n { <" in _focus_query(issues)
    assert listed == whole and listed


def test_an_unusual_focus_node_reads_the_whole_map() -> None:
    ws, issues = _workspace_and_issues()
    odd_node = "b0 } <x> { ?s ?p ?o"
    odd = issues + [{"severity": "violation", "focusNode": odd_node, "message": "x"}]
    assert _focus_query(odd) == query_text("findings/issue-owners") and odd_node not in _focus_query(odd)
    listed, listed_apart = read_findings(ws, issues)
    whole, whole_apart = read_findings(ws, odd)
    assert [p["dataIssues"] for p in whole] == [p["dataIssues"] for p in listed]
    assert whole_apart == listed_apart + [{"severity": "violation", "focusNode": odd_node, "message": "x"}]
