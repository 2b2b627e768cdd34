"""What a cohort run can write besides its JSONL and store: FHIR NDJSON, reports, ``summary.html``.

These run after :func:`~reasoner.cohort.run.run_cohort` has committed every shard, and read only
its outputs (``patients.jsonl``, ``summary.json``, the results store), so the run itself, its
resume logic and its crash safety are untouched, and re-running them on a finished run rewrites
the same files. Each file is written under a temporary name and then renamed (atomic).

* :func:`write_fhir`: ``RESULTS/fhir/<ResourceType>.ndjson``, one resource a line, as a Bulk Data
  export lays them out (:mod:`reasoner.render.fhir`);
* :func:`write_reports`: ``RESULTS/reports/<patient>.html``, the clinician's report of each
  patient, its timeline read from the store (:mod:`reasoner.render.html`);
* :func:`write_summary_html`: ``RESULTS/summary.html``, the cohort's charts.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reasoner.render.jsonl import UNATTRIBUTED_ID

FHIR_DIR = "fhir"
REPORTS_DIR = "reports"
SUMMARY_HTML = "summary.html"


def patients(out_dir: Path) -> Iterator[dict[str, Any]]:
    """The entries of ``patients.jsonl``, one at a time (bounded memory)."""
    with open(Path(out_dir) / "patients.jsonl", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def _settings(out_dir: Path) -> tuple[str, str]:
    summary = json.loads((Path(out_dir) / "summary.json").read_text(encoding="utf-8"))
    return str(summary["as_of"]), str(summary["policy"])


def write_fhir(out_dir: Path) -> dict[str, int]:
    """FHIR NDJSON per resource type; returns resources written per type."""
    from reasoner.render.fhir import UNATTRIBUTED, ndjson_lines

    as_of, policy = _settings(out_dir)
    folder = Path(out_dir) / FHIR_DIR
    folder.mkdir(exist_ok=True)
    files: dict[str, Any] = {}
    counts: Counter[str] = Counter()
    try:
        for entry in patients(out_dir):
            if entry.get("id") == UNATTRIBUTED_ID:
                entry = {"id": UNATTRIBUTED, "dataIssues": entry.get("dataIssues", [])}
            for rtype, line in ndjson_lines([entry], as_of, policy):
                if rtype not in files:
                    files[rtype] = open(folder / f"{rtype}.ndjson.tmp", "wb")
                files[rtype].write(line)
                counts[rtype] += 1
    finally:
        for handle in files.values():
            handle.close()
    for stale in folder.glob("*.ndjson"):
        if stale.stem not in files:
            stale.unlink()
    for rtype in files:
        (folder / f"{rtype}.ndjson.tmp").replace(folder / f"{rtype}.ndjson")
    return dict(counts)


class StoreRows:
    """A results store answering ``select_values`` like a workspace (union of its named graphs)."""

    def __init__(self, store_dir: Path) -> None:
        import pyoxigraph as ox

        self.store = ox.Store.read_only(str(store_dir))

    def select_values(self, query: str) -> list[dict[str, Any]]:
        import pyoxigraph as ox

        from reasoner.rules.terms import value_of

        solutions = self.store.query(query, use_default_graph_as_union=True)
        names = [v.value for v in solutions.variables]
        return [{n: t.value if isinstance(t, ox.NamedNode) else value_of(t) for n, t in zip(names, sol)
                 if t is not None} for sol in solutions]


def write_reports(out_dir: Path) -> list[Path]:
    """A clinician's report per patient of a finished run (the store gives each timeline)."""
    from reasoner.findings.read import patient_iris
    from reasoner.render.html import page, report_name
    from reasoner.render.report_data import ReportKnowledge, patient_data

    as_of, policy = _settings(out_dir)
    knowledge = ReportKnowledge.load(policy, as_of)
    store_dir = Path(out_dir) / "store"
    rows = StoreRows(store_dir) if store_dir.is_dir() else None
    iris = patient_iris(rows) if rows is not None else {}
    folder = Path(out_dir) / REPORTS_DIR
    folder.mkdir(exist_ok=True)
    written = []
    for entry in patients(out_dir):
        if entry.get("id") == UNATTRIBUTED_ID:
            continue  # records of no patient: listed in summary.html, they have no report
        iri = iris.get(entry["id"])
        data = patient_data(rows, iri) if rows is not None and iri else None
        written.append(_write(folder / f"{report_name(entry['id'])}.html",
                              page(entry, data, knowledge, as_of, policy)))
    return written


def cohort_counts(out_dir: Path) -> dict[str, dict[str, int]]:
    """The distributions ``summary.html`` charts, counted from ``patients.jsonl``."""
    from reasoner.knowledge.vocabulary import vocabulary

    counts: dict[str, Counter[str]] = {k: Counter() for k in ("trd", "thaseRush", "maudsley", "pseudo", "options",
                                                              "issues")}
    for entry in patients(out_dir):
        for issue in entry.get("dataIssues") or []:
            counts["issues"][issue_kind(issue)] += 1
        if entry.get("id") == UNATTRIBUTED_ID:
            continue
        counts["trd"][str((entry.get("trd") or {}).get("status", "unknown"))] += 1
        stages = entry.get("stages") or {}
        if stages:
            counts["thaseRush"][f"stage {stages.get('thaseRush')}"] += 1
            band = (stages.get("maudsley") or {}).get("band")
            counts["maudsley"][band or "not applicable"] += 1
        for item in entry.get("pseudoResistance") or []:
            counts["pseudo"][str(item["code"])] += 1
        for option in entry.get("options") or []:
            counts["options"][str(option["status"])] += 1
    order = {"trd": list(vocabulary().trd_statuses), "options": list(vocabulary().option_statuses),
             "maudsley": ["mild", "moderate", "severe", "not applicable"]}
    out = {}
    for key, counter in counts.items():
        first = [k for k in order.get(key, []) if k in counter]
        out[key] = {k: counter[k] for k in first + sorted(k for k in counter if k not in first)}
    return out


def issue_kind(issue: dict[str, Any]) -> str:
    """A data issue's kind for counting: its severity, where it comes from and what it concerns."""
    where = "import" if issue.get("source") == "import" else "shape"
    about = str(issue.get("path") or "").rsplit("#", 1)[-1] or str(issue.get("message", "")).split(":", 1)[0][:48]
    return f"{issue.get('severity', 'unknown')} · {where} · {about}"


def write_summary_html(out_dir: Path, reports: list[Path] | None = None) -> Path:
    """``summary.html``: self-contained charts of the run (and links to the reports, if written)."""
    from reasoner import __version__
    from reasoner.render.html import summary_page

    summary = json.loads((Path(out_dir) / "summary.json").read_text(encoding="utf-8"))
    # sorted: patients.jsonl is in shard-completion order, which varies with the workers
    links = sorted(p.relative_to(out_dir).as_posix() for p in reports or [])
    return _write(Path(out_dir) / SUMMARY_HTML, summary_page(summary, cohort_counts(out_dir), links, __version__))


def _write(path: Path, text: str) -> Path:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


__all__ = ["write_fhir", "write_reports", "write_summary_html", "cohort_counts", "issue_kind", "StoreRows",
           "FHIR_DIR", "REPORTS_DIR", "SUMMARY_HTML"]
