"""The clinician's report: one self-contained HTML page per patient (``trd report``, ``--format html``).

Self-contained means the page fetches nothing when opened: the styles are inline, the charts are
inline SVG drawn by matplotlib (:mod:`.charts`), there is no script and no font file, and a
Content-Security-Policy (``default-src 'none'``) makes the browser refuse any request the page
might still make. Links to sources are anchors (followed only when clicked). The page prints as it
shows (print styles; ``trd report --pdf`` prints it with headless Chromium).

The page is a jinja2 template (``templates/report.html.j2``, autoescaped): the findings come from
the patient object of docs/output-contract.md, the timeline's records from
:func:`~reasoner.render.report_data.patient_data`, the bands and cut-offs from
:class:`~reasoner.render.report_data.ReportKnowledge`. Nothing here judges a clinical fact.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from pathlib import Path
from typing import Any, TextIO

from markupsafe import Markup, escape

from reasoner import __version__
from reasoner.errors import InputError
from reasoner.knowledge.fhir_terms import definition
from reasoner.knowledge.namespaces import BASE, TRD
from reasoner.knowledge.vocabulary import vocabulary
from reasoner.render import charts
from reasoner.render.report_data import PatientData, ReportKnowledge, patient_data

TEMPLATES = Path(__file__).with_name("templates")
#: Published identifiers in a rule's source text, linked to where they are published.
_SOURCE_LINKS = (
    (re.compile(r"\bPMC\d{5,9}\b"), "https://pmc.ncbi.nlm.nih.gov/articles/{0}/"),
    (re.compile(r"\bNCT\d{8}\b"), "https://clinicaltrials.gov/study/{0}"),
    (re.compile(r"\b10\.\d{4,9}/[^\s;,)]+"), "https://doi.org/{0}"),
)


@functools.lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                              undefined=jinja2.ChainableUndefined, trim_blocks=True, lstrip_blocks=True)


def _linked_source(text: str) -> Markup:
    """A source text with its PMC, NCT and DOI identifiers as links."""
    out = escape(text)
    for pattern, url in _SOURCE_LINKS:
        out = Markup(pattern.sub(lambda m: f'<a href="{escape(url.format(m.group(0)))}">{m.group(0)}</a>', str(out)))
    return out


def _node_link(ident: str) -> Markup:
    """An evidence id as a link to its IRI (``trd:`` terms and the project's own IRIs)."""
    if ident.startswith("trd:"):
        iri = str(TRD) + ident[4:]
    elif ident.startswith(("policy/", "fhir/", "rule/")):
        iri = BASE + ident
    elif ident.startswith(("http://", "https://")):
        iri = ident
    else:
        return escape(ident)
    return Markup(f'<a href="{escape(iri)}">{escape(ident)}</a>')


def explain(evidence: list[dict[str, Any]] | None) -> Markup:
    """The explanation of one finding: the data it used → the rules → their published sources."""
    if not evidence:
        return Markup("")
    data, rules = [], []
    for item in evidence:
        if item.get("kind") == "data":
            words = [str(_node_link(str(item.get("id", ""))))]
            if item.get("value") is not None:
                words.append(f"= {escape(item['value'])}")
            if item.get("date"):
                words.append(f"({escape(item['date'])})")
            if item.get("resource"):
                words.append(f"[{escape(item['resource'])}]")
            data.append(" ".join(words))
        elif item.get("kind") == "rule":
            rules.append(f"<li><code>{escape(item.get('rule', ''))}</code> — source: "
                         f"{_linked_source(str(item.get('source', '')))}</li>")
    return Markup('<div class="explain"><b>Data:</b> ' + ("; ".join(data) or "none")
                  + '<br><b>Rules → sources:</b><ol>' + "".join(rules) + "</ol></div>")


def _measurement_charts(data: PatientData, knowledge: ReportKnowledge) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    """Lab charts (value against the thresholds the same finding used) and genotype rows."""
    labs: dict[tuple[str, str], dict[str, Any]] = {}
    genotypes: list[dict[str, Any]] = []
    for row in data["finding-measurements"]:
        if row.get("kind") != "lab":
            if row not in genotypes and not any(g["node"] == row["node"] and g["code"] == row["code"] for g in genotypes):
                genotypes.append(row)
            continue
        entry = labs.setdefault((str(row["what"]), str(row.get("unit") or "")),
                                {"codes": set(), "values": {}, "thresholds": {}})
        entry["codes"].add(str(row["code"]))
        entry["values"][row["node"]] = (str(row.get("date") or "undated"), float(row["value"]))
        setting = knowledge.settings.get(str(row.get("setting")))
        if row.get("threshold") is not None:
            entry["thresholds"][str(row["settingLabel"])] = float(row["threshold"])
        elif setting is not None:  # a results store: the value is the effective policy's
            entry["thresholds"][setting[0]] = setting[1]
    out = []
    for (what, unit), entry in sorted(labs.items()):
        values = sorted(entry["values"].values())
        thresholds = sorted(entry["thresholds"].items(), key=lambda kv: kv[1])
        out.append({"title": f"{what}: used by " + ", ".join(sorted(entry["codes"])),
                    "svg": charts.measurement_svg(what, unit or None, values, thresholds)})
    return out, genotypes


def patient_charts(patient: dict[str, Any], data: PatientData, knowledge: ReportKnowledge, as_of: str,
                   policy: str) -> dict[str, Any]:
    """Every chart of one patient's page (inline SVG strings)."""
    span = charts.date_range(patient, data, as_of)
    dated = any(t.get("start") for t in patient.get("trials", [])) or data["ect"] or data["augmentation"]
    by_instrument: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in data["scores"]:
        by_instrument[str(row["instrument"])].append(row)
    scores = [charts.scores_svg(knowledge.instruments[iri], rows, data["trial-scores"], knowledge, policy, span)
              for iri, rows in sorted(by_instrument.items()) if iri in knowledge.instruments]
    measurements, genotypes = _measurement_charts(data, knowledge)
    return {"timeline": charts.timeline_svg(patient, data, as_of, span) if dated else "",
            "scores": scores, "measurements": measurements, "genotypes": genotypes}


def _grouped_options(options: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Options grouped by status in the ontology's order (recommended first), codes sorted."""
    order = list(vocabulary().option_statuses)
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for o in options:
        groups[o["status"]].append(o)
    names = [s for s in order if s in groups] + sorted(s for s in groups if s not in order)
    return [(s, sorted(groups[s], key=lambda o: o["code"])) for s in names]


def page(patient: dict[str, Any], data: PatientData | None, knowledge: ReportKnowledge, as_of: str, policy: str,
         unattributed: list[dict[str, Any]] | None = None) -> str:
    """One patient's self-contained report page."""
    data = data if data is not None else PatientData({})
    rendered = patient_charts(patient, data, knowledge, as_of, policy)
    trd = patient.get("trd")
    definitions = {c: definition(c) for c in _codes(patient)}
    return _environment().get_template("report.html.j2").render(
        p=patient, trd=trd, stages=patient.get("stages"), status=(trd or {}).get("status") or "unknown",
        charts=rendered, genotypes=rendered["genotypes"], options=_grouped_options(patient.get("options", [])),
        definitions=definitions, explain=explain, unattributed=unattributed or [],
        meta={"as_of": as_of, "policy": policy, "version": __version__,
              "ontology_version_iri": knowledge.ontology_version_iri, "ontology_version": knowledge.ontology_version})


def _codes(patient: dict[str, Any]) -> set[str]:
    codes = {str((patient.get("trd") or {}).get("status"))}
    for key in ("pseudoResistance", "mechanisms", "options"):
        codes |= {str(x["code"]) for x in patient.get(key, [])}
    return codes


def pages(result: Any) -> dict[str, str]:
    """Patient id -> report page, for every patient of an assessment (workspace kept or not)."""
    from reasoner.findings.read import patient_iris

    knowledge = ReportKnowledge.load(result.policy_source or result.policy, result.as_of)
    iris = patient_iris(result.workspace) if result.workspace is not None else {}
    out = {}
    for patient in result.patients:
        iri = iris.get(patient["id"])
        data = patient_data(result.workspace, iri) if iri else None
        out[patient["id"]] = page(patient, data, knowledge, result.as_of, result.policy,
                                  result.unattributed if len(result.patients) == 1 else None)
    return out


def report_name(patient_id: str) -> str:
    """A file name for a patient's report (ids may hold IRIs: anything but [A-Za-z0-9._-] becomes _)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", patient_id).strip("._") or "patient"


def summary_page(summary: dict[str, Any], counts: dict[str, dict[str, int]], links: list[str], version: str) -> str:
    """A cohort's ``summary.html``: the run's totals and charts of its distributions."""
    titles = (("trd", "TRD status"), ("thaseRush", "Thase–Rush stage"), ("maudsley", "Maudsley band"),
              ("pseudo", "Pseudo-resistance causes (patients)"), ("options", "Options by status (patient × option)"),
              ("issues", "Data issues by kind"))
    rendered = [{"title": title, "svg": charts.bar_svg(title, counts.get(key, {})), "counts": counts.get(key, {})}
                for key, title in titles]
    return _environment().get_template("summary.html.j2").render(
        s=summary, charts=rendered, links=links, version=version,
        knowledge=ReportKnowledge.load(summary.get("policy") or "default", summary.get("as_of") or None))


def render(result: Any, out: TextIO) -> None:
    """``--format html``: the report page of the one patient of the input (``trd report --out
    DIR`` writes one page per patient of a larger input)."""
    if len(result.patients) != 1:
        raise InputError(f"--format html writes one patient's report; the input has {len(result.patients)} "
                         "patients: use `trd report INPUT --out DIR` (one page per patient)")
    out.write(next(iter(pages(result).values())))


__all__ = ["render", "page", "pages", "explain", "patient_charts", "report_name", "summary_page"]
