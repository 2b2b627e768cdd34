"""Rating-scale totals as EHRs send them: a total, a panel, items, a QuestionnaireResponse.

Why a module: the PHQ-9 total arrives in at least five shapes (docs/fhir-profile.md "Shapes of
real exports"): an Observation with the total as ``valueInteger``, ``valueQuantity`` or a numeric
``valueString``; a panel (LOINC 44249-1) with the total as a ``component`` or a ``hasMember``
Observation; a panel with only the nine items; a ``QuestionnaireResponse`` with the total item
or the nine item answers. Which codes are totals, panels and items is ontology data
(``trd:RatingInstrument`` xrefs, ``trd:InstrumentPanel``, ``trd:InstrumentItem``); this module
reads the FHIR structure and, when only items are given and every item of the instrument is
present, sums them (the instrument's total is the sum of its items) and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rdflib import URIRef

from reasoner.fhir.codes import coding_key, codings_of
from reasoner.fhir.context import ImportContext
from reasoner.fhir.terms import T
from reasoner.fhir.values import BadValue, numeric_text, show

#: Extensions that give the score of a coded answer (FHIR R4 ordinalValue; R5 itemWeight).
_WEIGHT_EXTENSIONS = ("http://hl7.org/fhir/StructureDefinition/ordinalValue",
                      "http://hl7.org/fhir/StructureDefinition/itemWeight")


@dataclass
class Total:
    """A total score read from a record: the instrument, the score and how it was read."""

    instrument: URIRef
    score: int
    how: str = ""  # "" (a total given as such) or a sentence for the explanation ("summed from …")
    members: tuple[str, ...] = ()  # further resources it was read from (Type/id)


def terms_of(concept: Any, ctx: ImportContext) -> list[URIRef]:
    """Every ontology term the codings of a concept land on."""
    out = []
    for coding in codings_of(concept):
        key = coding_key(coding)
        if key is not None:
            out.extend(ctx.codes.terms(*key))
    return out


def instrument_of(terms: list[URIRef], ctx: ImportContext) -> URIRef | None:
    return next((t for t in terms if ctx.codes.is_a(t, T.RatingInstrument)), None)


def panel_of(terms: list[URIRef], ctx: ImportContext) -> URIRef | None:
    """The instrument an observation panel code reports, or None."""
    return next((ctx.panels[t] for t in terms if t in ctx.panels), None)


def item_of(terms: list[URIRef], ctx: ImportContext) -> tuple[URIRef, int] | None:
    """(instrument, item number) of a question code, or None."""
    return next((ctx.items[t] for t in terms if t in ctx.items), None)


def integer_score(value: Any, what: str = "score") -> int:
    """A score: an integer given as a number or a numeric string (BadValue otherwise)."""
    number = numeric_text(value, what)
    if number != int(number):
        raise BadValue(f"{what} {show(value)} is not an integer")
    return int(number)


def observation_value(res: dict[str, Any], what: str = "score") -> int:
    """The score of an Observation or component: valueInteger, valueQuantity.value or valueString."""
    if "valueInteger" in res:
        return integer_score(res["valueInteger"], what)
    quantity = res.get("valueQuantity")
    if isinstance(quantity, dict) and "value" in quantity:
        return integer_score(quantity.get("value"), what)
    if "valueString" in res:
        return integer_score(res["valueString"], what)
    raise BadValue(f"no {what} value (valueInteger, valueQuantity or valueString)")


def sum_items(instrument: URIRef, items: dict[int, int], ctx: ImportContext, where: str) -> Total:
    """The total of an instrument from its item scores, when every item is present."""
    needed = ctx.item_counts.get(instrument, 0)
    label = instrument.split("#")[-1]
    if needed == 0 or len(items) < needed:
        raise BadValue(f"no {label} total and {len(items)} of its {needed} items")
    return Total(instrument, sum(items.values()), f"total summed from its {needed} items ({where})")


def panel_total(res: dict[str, Any], instrument: URIRef, ctx: ImportContext,
                members: dict[str, dict[str, Any]], resolve: Any) -> Total:
    """The total of a panel Observation: a total component, a total member, or the sum of its items.

    ``members``: the patient's Observations by ``Observation/<id>``; ``resolve``: turns a
    ``hasMember`` reference into such a key. A total given by a member is that member's own
    assessment (``Total.how == "member"``): the caller must not add a second one.
    """
    items: dict[int, int] = {}
    used: list[str] = []
    for comp in res.get("component") if isinstance(res.get("component"), list) else []:
        if not isinstance(comp, dict):
            continue
        terms = terms_of(comp.get("code"), ctx)
        if instrument_of(terms, ctx) == instrument:
            return Total(instrument, observation_value(comp, "total"), "total read from the panel's component")
        item = item_of(terms, ctx)
        if item is not None and item[0] == instrument:
            items[item[1]] = integer_score(_component_value(comp), f"item {item[1]}")
    for ref in res.get("hasMember") if isinstance(res.get("hasMember"), list) else []:
        key = resolve(ref)
        member = members.get(key or "")
        if member is None:
            continue
        terms = terms_of(member.get("code"), ctx)
        if instrument_of(terms, ctx) == instrument:
            return Total(instrument, observation_value(member, "total"), "member", (key,))
        item = item_of(terms, ctx)
        if item is not None and item[0] == instrument:
            items[item[1]] = integer_score(_component_value(member), f"item {item[1]}")
            used.append(key)  # type: ignore[arg-type]
    total = sum_items(instrument, items, ctx, "panel items")
    total.members = tuple(used)
    return total


def _component_value(part: dict[str, Any]) -> Any:
    for key in ("valueInteger", "valueString"):
        if key in part:
            return part[key]
    quantity = part.get("valueQuantity")
    if isinstance(quantity, dict):
        return quantity.get("value")
    coding = part.get("valueCodeableConcept")
    weight = _weight(coding) if isinstance(coding, dict) else None
    return weight if weight is not None else part.get("valueCodeableConcept")


def _weight(element: dict[str, Any]) -> Any:
    """The score an ordinalValue/itemWeight extension gives a coded answer (on it or its codings)."""
    for holder in [element] + codings_of(element):
        for ext in holder.get("extension") if isinstance(holder.get("extension"), list) else []:
            if isinstance(ext, dict) and ext.get("url") in _WEIGHT_EXTENSIONS:
                return ext.get("valueDecimal", ext.get("valueInteger"))
    return None


def _flatten(items: Any) -> list[dict[str, Any]]:
    """Every item of a QuestionnaireResponse, groups and nested answers included."""
    out: list[dict[str, Any]] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        out.append(item)
        out += _flatten(item.get("item"))
        for answer in item.get("answer") if isinstance(item.get("answer"), list) else []:
            if isinstance(answer, dict):
                out += _flatten(answer.get("item"))
    return out


def _item_terms(item: dict[str, Any], ctx: ImportContext) -> list[URIRef]:
    """The terms of a QuestionnaireResponse item: its codes, else its linkId read as a LOINC code."""
    terms = terms_of({"coding": item.get("code")} if isinstance(item.get("code"), list) else None, ctx)
    link = item.get("linkId")
    if not terms and isinstance(link, str):
        terms = list(ctx.codes.terms("LOINC", link.strip().lstrip("/").split("/")[-1]))
    return terms


def _answer_value(item: dict[str, Any]) -> Any:
    answers = item.get("answer")
    answer = answers[0] if isinstance(answers, list) and answers and isinstance(answers[0], dict) else None
    if answer is None:
        raise BadValue("no answer")
    for key in ("valueInteger", "valueDecimal", "valueString"):
        if key in answer:
            return answer[key]
    if isinstance(answer.get("valueQuantity"), dict):
        return answer["valueQuantity"].get("value")
    coding = answer.get("valueCoding")
    if isinstance(coding, dict):
        weight = _weight({"coding": [coding], **{k: v for k, v in answer.items() if k == "extension"}})
        if weight is not None:
            return weight
        raise BadValue(f"coded answer {coding.get('code')!r} without a score (ordinalValue)")
    raise BadValue("no numeric answer")


def questionnaire_total(res: dict[str, Any], ctx: ImportContext) -> Total | None:
    """The total of a QuestionnaireResponse of a known instrument; None when it is none of them.

    BadValue when it is one (an item or total code is known) but no total can be read.
    """
    items: dict[URIRef, dict[int, int]] = {}
    problems: list[str] = []
    for item in _flatten(res.get("item")):
        terms = _item_terms(item, ctx)
        instrument = instrument_of(terms, ctx)
        if instrument is not None:
            return Total(instrument, integer_score(_answer_value(item), "total"), "total item of the questionnaire")
        found = item_of(terms, ctx)
        if found is not None:
            try:
                items.setdefault(found[0], {})[found[1]] = integer_score(_answer_value(item), f"item {found[1]}")
            except BadValue as exc:
                problems.append(f"item {found[1]}: {exc}")
    if not items:
        return None
    instrument, scores = max(items.items(), key=lambda kv: len(kv[1]))
    try:
        return sum_items(instrument, scores, ctx, "questionnaire answers")
    except BadValue as exc:
        raise BadValue("; ".join([str(exc)] + problems)) from exc


__all__ = ["Total", "terms_of", "instrument_of", "panel_of", "item_of", "observation_value", "panel_total",
           "questionnaire_total", "integer_score"]
