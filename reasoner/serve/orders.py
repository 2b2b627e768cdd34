"""The cards of ``order-select`` and ``order-sign``: each drafted MedicationRequest judged against
the patient's data.

Why through the workspace: a draft order is mapped by the FHIR importer's own drug and dose readers
(:func:`reasoner.fhir.medications.match_drug`, :func:`reasoner.fhir.dosage.daily_dose`), and
then every check is a query file of ``queries/cds/`` run in the patient's assessed workspace (the
patient's records, the derived findings, the ontology and the policy), with the orders bound by a
``VALUES (?order ?drug ?dose)`` block (empty in the file, filled in here). The thresholds (minimum adequate dose), drug facts
(class, P-gp substrate, metabolizing genes), genotypes and phenotypes that matter, contraindications
and alternatives are ontology data read by those queries; each query also names its card's
urgency. What a query finds becomes a card naming the order, the data, the query and its source.

Suggested alternatives: only where the clinical reference names concrete drugs (the P-gp
non-substrates); for a CYP2C19/CYP2D6 finding it names none (``cpic-guided-switch``), so the card
says so and suggests nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from rdflib import URIRef

from reasoner.fhir.context import ImportContext
from reasoner.fhir.dosage import daily_dose
from reasoner.fhir.medications import match_drug
from reasoner.knowledge.queries import load_query, query_text
from reasoner.knowledge.codes import prefix_systems
from reasoner.serve.cards import CardContext, Terms, make_card, order_by_urgency
from reasoner.serve.fhir_client import bundle_resources
from reasoner.serve.models import Action, Suggestion


@dataclass
class DraftOrder:
    """One drafted MedicationRequest as the importer reads it."""

    index: int
    resource: dict[str, Any]
    drug: URIRef | None
    dose_mg: float | None
    dose_problem: str | None
    text: str

    @property
    def key(self) -> str:
        return f"MedicationRequest/{self.resource.get('id') or '(no id)'}"


@dataclass
class DrugFacts:
    """What ``order-drug.rq`` says about an ordered drug."""

    label: str
    class_name: str | None = None
    antidepressant: bool = False
    min_dose: float | None = None
    genes: list[str] = field(default_factory=list)


def _medication_concept(res: dict[str, Any], bundle_resources_by_ref: dict[str, dict[str, Any]]) -> Any:
    """The medication CodeableConcept of an order: inline, a contained Medication, or a Medication
    of the draft Bundle."""
    if isinstance(res.get("medicationCodeableConcept"), dict):
        return res["medicationCodeableConcept"]
    ref = res.get("medicationReference")
    target = ref.get("reference") if isinstance(ref, dict) else None
    if isinstance(target, str):
        if target.startswith("#"):
            for contained in res.get("contained") or []:
                if isinstance(contained, dict) and contained.get("id") == target[1:]:
                    return contained.get("code")
        medication = bundle_resources_by_ref.get(target)
        if medication is not None:
            return medication.get("code")
    return None


def draft_orders(draft: dict[str, Any], selections: list[str] | None, ctx: ImportContext) -> list[DraftOrder]:
    """The MedicationRequests of ``context.draftOrders`` (only the selected ones when
    ``selections`` is given, as order-select says), each mapped to a drug and a daily dose."""
    resources = bundle_resources(draft, "context.draftOrders")
    by_ref: dict[str, dict[str, Any]] = {}
    for res in resources:
        if res.get("id"):
            by_ref[f"{res['resourceType']}/{res['id']}"] = res
        if isinstance(res.get("_fullUrl"), str):
            by_ref[res["_fullUrl"]] = res
    chosen = set(selections) if selections else None
    out: list[DraftOrder] = []
    for res in resources:
        if res["resourceType"] != "MedicationRequest":
            continue
        if chosen is not None and f"MedicationRequest/{res.get('id')}" not in chosen:
            continue
        match = match_drug(_medication_concept(res, by_ref), ctx)
        dosages = res.get("dosageInstruction")
        result = daily_dose(dosages[0] if isinstance(dosages, list) and dosages else None, match, ctx)
        dose = result.mg
        problem = next((n.message for n in result.notes if n.kind == "dose unknown"), None)
        out.append(DraftOrder(len(out), res, match.drug, dose, problem, match.text))
    return out


#: The empty VALUES block of every ``queries/cds/order-*.rq``, filled in with the drafted orders.
VALUES_MARK = "VALUES (?order ?drug ?dose) { }"


def values_clause(orders: list[DraftOrder]) -> str:
    """``VALUES (?order ?drug ?dose) {…}`` for the mapped orders (IRIs from the ontology, numbers
    from the dose reader: nothing the caller wrote is pasted into the query)."""
    rows = []
    for o in orders:
        if o.drug is None:
            continue
        dose = "UNDEF" if o.dose_mg is None else repr(float(o.dose_mg))
        rows.append(f"({o.index} <{o.drug}> {dose})")
    return "VALUES (?order ?drug ?dose) { " + " ".join(rows) + " }"


def run(ws: Any, role: str, values: str) -> list[dict[str, Any]]:
    """One ``queries/cds`` query with the orders bound (its empty VALUES block filled in, so the
    orders are joined first, inside the pattern)."""
    text = query_text(role)
    if values:
        if VALUES_MARK not in text:
            raise RuntimeError(f"queries/{role}.rq has no '{VALUES_MARK}' block to bind the orders")
        text = text.replace(VALUES_MARK, values)
    return ws.select_values(text)


def _rule(role: str) -> dict[str, str]:
    q = load_query(role)
    return {"rule": f"queries/{role}.rq", "source": q.source}


def _detail(title: str, lines: list[str], role: str, order: DraftOrder) -> str:
    rule = _rule(role)
    return "\n".join([f"### {title}", "", f"Order: `{order.key}` ({order.text or 'medication'})", "", *lines, "",
                      "**Rule → source**", f"- `{rule['rule']}` → {rule['source']}"])


def _fmt(value: float | None) -> str:
    if value is None:
        return "unknown"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _alternative_order(order: DraftOrder, alt: dict[str, Any]) -> dict[str, Any]:
    """A draft MedicationRequest for an alternative drug: the same patient and intent, the drug by
    its RxNorm ingredient code from the ontology, no dose (the prescriber sets it)."""
    res = order.resource
    concept: dict[str, Any] = {"text": str(alt["label"])}
    rxnorm_system = prefix_systems().get("RXNORM")
    if alt.get("rxnorm") and rxnorm_system:
        concept["coding"] = [{"system": rxnorm_system, "code": str(alt["rxnorm"]),
                              "display": str(alt["label"])}]
    out: dict[str, Any] = {"resourceType": "MedicationRequest", "status": "draft",
                           "intent": res.get("intent") or "order", "medicationCodeableConcept": concept}
    if isinstance(res.get("subject"), dict):
        out["subject"] = res["subject"]
    return out


def order_cards(ws: Any, orders: list[DraftOrder], patient: dict[str, Any] | None, terms: Terms,
                ctx: CardContext) -> list[str]:
    """Cards about the drafted orders; returns notes about orders that could not be judged."""
    notes: list[str] = []
    for o in orders:
        if o.drug is None:
            notes.append(f"{o.key}: the medication is not one the reasoner knows ({o.text or 'no code'}); not judged")
    mapped = [o for o in orders if o.drug is not None]
    if not mapped:
        return notes
    values = values_clause(mapped)
    facts: dict[int, DrugFacts] = {}
    for row in run(ws, "cds/order-drug", values):
        n = int(row["order"])
        f = facts.setdefault(n, DrugFacts(str(row.get("drugLabel") or "the drug")))
        f.class_name = f.class_name or (str(row["className"]) if row.get("className") else None)
        f.antidepressant = f.antidepressant or bool(row.get("antidepressant"))
        f.min_dose = f.min_dose if f.min_dose is not None else (float(row["minDose"]) if row.get("minDose") is not None else None)
        if row.get("geneLabel"):
            f.genes.append(str(row["geneLabel"]))
    by_index = {o.index: o for o in mapped}
    trials = {t.get("id"): t for t in (patient or {}).get("trials", [])}

    # the drug's class already failed adequately in the current episode
    failed: dict[int, list[dict[str, Any]]] = {}
    for row in run(ws, "cds/order-class-failed", values):
        failed.setdefault(int(row["order"]), []).append(row)
    for n, rows in sorted(failed.items()):
        o, f = by_index[n], facts[n]
        class_name = rows[0].get("className") or f.class_name or "this class"
        lines = ["Failed adequate trials of the same class in the current episode:", ""]
        for row in rows:
            t = trials.get(row.get("trialId"), {})
            lines.append(f"- {row.get('trialDrug')} {t.get('start') or ''} – {t.get('end') or ''}: "
                         f"{_fmt(t.get('dailyDoseMg'))} mg/day, {_fmt(t.get('weeksAtAdequateDose'))} weeks at adequate dose, "
                         f"adherence {_fmt(t.get('adherence'))}, {terms.name('TrialOutcome', t.get('outcome'))}")
        make_card(ctx, "order/class-failed",
                  f"{f.label}: the {class_name} class already failed an adequate trial in this episode",
                  _detail(f"{class_name} already failed", lines, "cds/order-class-failed", o), str(rows[0]["indicator"]),
                  _rule("cds/order-class-failed"))

    # the daily dose is below the drug's minimum adequate dose
    for row in run(ws, "cds/order-dose-below-minimum", values):
        n = int(row["order"])
        o, f = by_index[n], facts[n]
        minimum = float(row["minDose"])
        lines = [f"Ordered daily dose: **{_fmt(o.dose_mg)} mg/day**; the minimum adequate daily dose of {f.label} is "
                 f"**{_fmt(minimum)} mg/day** ({row.get('minDoseSource') or 'ontology'}). A trial at the ordered dose "
                 f"cannot become adequate; {_fmt(minimum)} mg/day or more would be."]
        make_card(ctx, "order/dose-below-minimum",
                  f"{f.label} {_fmt(o.dose_mg)} mg/day is below the minimum adequate dose ({_fmt(minimum)} mg/day)",
                  _detail("Dose below the minimum adequate dose", lines, "cds/order-dose-below-minimum", o), str(row["indicator"]),
                  _rule("cds/order-dose-below-minimum"))
    for o in mapped:
        f = facts.get(o.index)
        if o.dose_mg is None and f is not None and f.min_dose is not None:
            notes.append(f"{o.key}: daily dose unreadable ({o.dose_problem}); whether it reaches the minimum "
                         f"adequate dose of {f.label} cannot be judged")

    # a P-gp substrate for a high-efflux ABCB1 genotype: concrete alternatives from the ontology
    pgp = run(ws, "cds/order-pgp-efflux", values)
    alternatives = run(ws, "cds/non-pgp-alternatives", "") if pgp else []
    for n in sorted({int(r["order"]) for r in pgp}):
        o, f = by_index[n], facts[n]
        rows = [r for r in pgp if int(r["order"]) == n]
        lines = [f"{f.label} is a P-glycoprotein substrate; the patient's ABCB1 genotype flags high efflux:", ""]
        lines += [f"- {r['variantLabel']} {r['alleles']} (`{r.get('resource') or r['genotype']}`)" for r in rows]
        lines += ["", "Antidepressants that are not P-gp substrates (ontology): "
                  + ", ".join(f"{a['label']} ({a.get('className') or 'antidepressant'}, minimum adequate dose "
                              f"{_fmt(a.get('minDose'))} mg/day)" for a in alternatives)]
        suggestions = []
        for alt in alternatives:
            actions = [Action(type="create", description=f"Order {alt['label']} instead (not a P-gp substrate); "
                              f"set a dose of at least {_fmt(alt.get('minDose'))} mg/day",
                              resource=_alternative_order(o, alt))]
            if o.resource.get("id"):
                actions.insert(0, Action(type="delete", description=f"Remove the draft order of {f.label}",
                                         resourceId=o.key))
            suggestions.append(Suggestion(label=f"Switch to {alt['label']} (not a P-gp substrate)",
                                          uuid=str(uuid.uuid4()), actions=actions))
        make_card(ctx, "order/pgp-efflux", f"{f.label} is a P-gp substrate; ABCB1 genotype flags high efflux",
                  _detail("P-gp substrate with a high-efflux ABCB1 genotype", lines, "cds/order-pgp-efflux", o),
                  str(rows[0]["indicator"]), _rule("cds/order-pgp-efflux"),
                  suggestions=suggestions or None, selectionBehavior="at-most-one" if suggestions else None)

    # a CYP-metabolized drug for a flagged metabolizer phenotype: no concrete alternative in the reference
    for row in run(ws, "cds/order-metabolizer", values):
        n = int(row["order"])
        o, f = by_index[n], facts[n]
        cause = str(row["cause"]).rsplit("pseudo-", 1)[-1]
        matched = "; ".join(f"{terms.name('TreatmentOption', a)} — {terms.definition.get(('TreatmentOption', a), '')}"
                            for a in terms.actions_of_cause.get(cause, ()))
        lines = [f"{f.label} is metabolized by {row['geneLabel']}; the patient is a {row['phenotypeLabel']} "
                 f"(`{row.get('resource') or row['result']}`).", "",
                 f"Matched action: {matched or 'none listed'}. The clinical reference names no concrete "
                 "alternative drug for this finding, so none is suggested here.",
                 f"(Pseudo-resistance cause: {terms.name('PseudoResistanceCause', cause)}.)"]
        make_card(ctx, "order/metabolizer",
                  f"{f.label}: patient is a {row['geneLabel']} {row['phenotypeLabel']}",
                  _detail(f"{row['geneLabel']} {row['phenotypeLabel']}", lines, "cds/order-metabolizer", o),
                  str(row["indicator"]), _rule("cds/order-metabolizer"))

    # an antidepressant in the bipolar spectrum
    bipolar: dict[int, list[dict[str, Any]]] = {}
    for row in run(ws, "cds/order-bipolar", values):
        bipolar.setdefault(int(row["order"]), []).append(row)
    for n, rows in sorted(bipolar.items()):
        o, f = by_index[n], facts[n]
        records = sorted({str(r.get("resource") or r.get("record")) for r in rows if r.get("record") is not None})
        actions = ", ".join(terms.name("TreatmentOption", a) for a in terms.actions_of_cause.get("bipolar-spectrum", ()))
        lines = [terms.definition.get(("PseudoResistanceCause", "bipolar-spectrum"), ""), "",
                 "Records: " + (", ".join(f"`{r}`" for r in records) or "(finding)"), "",
                 f"Matched actions: {actions}."]
        make_card(ctx, "order/bipolar", f"{f.label}: antidepressant monotherapy in the bipolar spectrum",
                  _detail("Antidepressant in the bipolar spectrum", lines, "cds/order-bipolar", o), str(rows[0]["indicator"]),
                  _rule("cds/order-bipolar"))

    # a drug whose option is contraindicated (esketamine, IV ketamine)
    for row in run(ws, "cds/order-contraindicated", values):
        n = int(row["order"])
        o, f = by_index[n], facts[n]
        option = str(row["optionCode"])
        reason = str(row.get("reason") or "contraindicated")
        lines = [f"The option {terms.name('TreatmentOption', option)} is **contraindicated** for this patient: {reason}.",
                 "", terms.eligibility.get(option, "")]
        make_card(ctx, "order/contraindicated", f"{f.label} is contraindicated: {reason}",
                  _detail(f"{f.label} contraindicated", lines, "cds/order-contraindicated", o), str(row["indicator"]),
                  _rule("cds/order-contraindicated"))
    order_by_urgency(ctx)
    return notes


__all__ = ["DraftOrder", "draft_orders", "order_cards", "values_clause"]
