"""The cards of ``patient-view``: what a psychiatrist wants on opening the chart, worded from the
findings of the one pipeline (docs/output-contract.md), and no card when there is nothing to say.

Why nothing clinical is decided here: every status, count, cause, action, option, mechanism and
missing criterion is a finding the rules derived; the words are the ontology's labels and
definitions (``queries/cds/terms.rq``), the urgency of a cause is its ``trd:alertLevel``, and the
source of a card is the published source its rule cites. This module only chooses which findings
make a card and lays them out: a summary under 140 characters, a markdown detail carrying the chain
data → rule → source, a ``source`` naming the policy that decided, and a ``uuid`` for feedback.

A card type (``trd-status``, ``pseudo-resistance/<cause>``, ``options``, ``data-issues``) is what
feedback is summarised by (``trd feedback summary``).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph

from reasoner.knowledge.queries import query_text
from reasoner.serve.models import Card, Coding, Link, Source

#: The code system of card topics: the card type (what feedback is summarised by).
TOPIC_SYSTEM = "https://w3id.org/trd-reasoner/cds/card-type"
#: Order in which eligible options are listed (recommended first), by status code.
ELIGIBLE_ORDER = ("recommended", "consider", "investigational")
SUMMARY_LIMIT = 139


@dataclass(frozen=True)
class Terms:
    """Labels, definitions and links of the stable codes, read from the ontology once."""

    label: dict[tuple[str, str], str]
    definition: dict[tuple[str, str], str]
    source: dict[tuple[str, str], str]
    alert: dict[str, str]
    eligibility: dict[str, str]
    mechanisms_of_option: dict[str, tuple[str, ...]]
    actions_of_cause: dict[str, tuple[str, ...]]

    @classmethod
    def from_graph(cls, ontology: Graph) -> "Terms":
        label: dict[tuple[str, str], str] = {}
        definition: dict[tuple[str, str], str] = {}
        source: dict[tuple[str, str], str] = {}
        alert: dict[str, str] = {}
        eligibility: dict[str, str] = {}
        mechanisms: dict[str, set[str]] = defaultdict(set)
        actions: dict[str, set[str]] = defaultdict(set)
        for group, code, lab, defi, src, level, elig, mech, cause in ontology.query(query_text("cds/terms")):
            key = (str(group), str(code))
            if lab is not None:
                label[key] = str(lab)
            if defi is not None:
                definition[key] = str(defi)
            if src is not None:
                source[key] = str(src)
            if level is not None:
                alert[str(code)] = str(level)
            if elig is not None:
                eligibility[str(code)] = str(elig)
            if mech is not None:
                mechanisms[str(code)].add(str(mech))
            if cause is not None:
                actions[str(cause)].add(str(code))
        return cls(label, definition, source, alert, eligibility,
                   {k: tuple(sorted(v)) for k, v in mechanisms.items()},
                   {k: tuple(sorted(v)) for k, v in actions.items()})

    def name(self, group: str, code: str | None) -> str:
        """The label of a code (the code itself when the ontology has none)."""
        if code is None:
            return "unknown"
        text = self.label.get((group, code), code)
        return text.removesuffix(" (option)")


@dataclass
class CardContext:
    """What every card of one call shares: the policy and date that decided, the report link."""

    policy: str
    as_of: str
    report_url: str | None = None
    cards: list[tuple[str, Card]] = field(default_factory=list)


def clip(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """A card summary: one line, under 140 characters (the spec's limit), cut with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _num(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def _rule_items(evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in evidence if e.get("kind") == "rule"]


def primary_rule(evidence: list[dict[str, Any]], stem: str) -> dict[str, Any] | None:
    """The rule item whose file is ``queries/infer/<stem>.rq`` (else the last rule: the one that
    concluded, as the reader orders rules by file)."""
    rules = _rule_items(evidence)
    for item in rules:
        if str(item.get("rule", "")).endswith(f"/{stem}.rq"):
            return item
    return rules[-1] if rules else None


def evidence_markdown(evidence: list[dict[str, Any]]) -> str:
    """The explanation chain of a finding: the data it was derived from, then the rules and the
    published source each follows."""
    lines = ["**Data**"]
    data = [e for e in evidence if e.get("kind") == "data"]
    for item in data:
        what = item.get("resource") or item.get("id")
        parts = [f"`{what}`"]
        if item.get("value") is not None:
            parts.append(str(item["value"]))
        if item.get("date"):
            parts.append(f"({item['date']})")
        lines.append("- " + " ".join(parts))
    if not data:
        lines.append("- (none)")
    lines.append("")
    lines.append("**Rule → source**")
    for item in _rule_items(evidence):
        lines.append(f"- `{item.get('rule')}` → {item.get('source')}")
    return "\n".join(lines)


def make_card(ctx: CardContext, card_type: str, summary: str, detail: str, indicator: str,
              rule: dict[str, Any] | None, **extra: Any) -> Card:
    """A card with its source (the policy that decided, the rule's published source as topic),
    the report link when configured, and a fresh uuid; recorded in ``ctx.cards``."""
    published = (rule or {}).get("source") or "trd-reasoner rules"
    source = Source(label=f"trd-reasoner · policy {ctx.policy}",
                    topic=Coding(system=TOPIC_SYSTEM, code=card_type, display=clip(str(published), 250)))
    footer = f"\n\n---\nDecided by trd-reasoner under policy **{ctx.policy}**, evaluated on {ctx.as_of}."
    links = None
    if ctx.report_url:
        links = [Link(label="Full trd-reasoner report", url=ctx.report_url, type="absolute")]
    card = Card(uuid=str(uuid.uuid4()), summary=clip(summary), detail=detail + footer, indicator=indicator,
                source=source, links=links, **extra)
    ctx.cards.append((card_type, card))
    return card


# --- the cards of patient-view -----------------------------------------------------------------
def _trial_row(t: dict[str, Any], terms: Terms) -> str:
    adherence = t.get("adherence")
    return (f"| {t.get('drug') or 'unknown'} | {t.get('class') or '—'} | {_num(t.get('dailyDoseMg'))} "
            f"| {_num(t.get('weeksAtAdequateDose'))} | {_num(adherence)} "
            f"| {terms.name('TrialOutcome', t.get('outcome'))} | {t.get('start') or '?'} – {t.get('end') or 'ongoing'} |")


TRIAL_HEADER = ("| drug | class | dose mg/day | weeks at adequate dose | adherence | outcome | period |\n"
                "|---|---|---|---|---|---|---|")


def _undecided(trials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Trials whose missing data keeps TRD ``possible``: indeterminate ones, and adequate ones
    with an unknown outcome (the findings say which; clinical-reference §4)."""
    return [t for t in trials if not t.get("failed") and t.get("outcome") != "remission"
            and (t.get("adequacy") == "indeterminate"
                 or (t.get("adequacy") == "adequate" and t.get("outcome") == "outcome-unknown"))]


def trd_card(patient: dict[str, Any], terms: Terms, ctx: CardContext) -> None:
    """TRD status and the three stages, with the failed adequate trials behind them."""
    trd = patient.get("trd")
    if not trd:
        return
    status = trd.get("status")
    trials = patient.get("trials", [])
    failed = [t for t in trials if t.get("failed")]
    if status == "not-met" and not failed:
        return  # nothing to say: no failed adequate trial, nothing undecided
    stages = patient.get("stages") or {}
    maudsley = stages.get("maudsley")
    stage_text = [f"Thase–Rush {_num(stages.get('thaseRush'))}"]
    if maudsley:
        stage_text.append(f"Maudsley {maudsley.get('score')} ({maudsley.get('band')})")
    if stages.get("mghS") is not None:
        stage_text.append(f"MGH-S {_num(stages.get('mghS'))}")
    status_name = terms.name("TRDStatus", status)
    counts = (f"{trd.get('failedAdequateTrials', 0)} failed adequate trial(s), "
              f"{trd.get('distinctFailedClasses', 0)} class(es)")
    undecided = _undecided(trials) if status == "possible" else []
    summary = f"{status_name}: {counts} · " + " · ".join(stage_text)
    if status == "possible":
        summary = f"{status_name}: {counts}; {len(undecided)} trial(s) lack data that would settle it"
    elif status == "excluded":
        summary = f"{status_name}: {terms.definition.get(('TRDStatus', status), '')}"
    detail = [f"### {status_name}", terms.definition.get(("TRDStatus", status), ""), "",
              f"Stages: {', '.join(stage_text)}.", ""]
    if failed:
        detail += ["**Failed adequate trials (current episode)**", "", TRIAL_HEADER]
        detail += [_trial_row(t, terms) for t in failed]
        detail.append("")
    if undecided:
        detail += ["**Data that would settle it**", ""]
        for t in undecided:
            missing = [terms.name("InadequacyReason", r) for r in t.get("reasons", [])
                       if r.endswith("-unknown")] if t.get("adequacy") == "indeterminate" else []
            if t.get("outcome") == "outcome-unknown":
                missing.append(terms.definition.get(("TrialOutcome", "outcome-unknown"), "outcome unknown"))
            detail.append(f"- {t.get('drug') or 'a trial'} ({t.get('start') or '?'} – {t.get('end') or 'ongoing'}): "
                          + "; ".join(missing or ["outcome not yet known"]))
        detail.append("")
    detail.append(evidence_markdown(trd.get("evidence", [])))
    if stages.get("evidence"):
        detail += ["", "**Stages**", evidence_markdown(stages["evidence"])]
    indicator = "warning" if status == "possible" else "info"
    make_card(ctx, "trd-status", summary, "\n".join(detail), indicator, primary_rule(trd.get("evidence", []), "trd-status"))


def pseudo_cards(patient: dict[str, Any], terms: Terms, ctx: CardContext) -> None:
    """One card per pseudo-resistance cause, with its matched actions."""
    for cause in patient.get("pseudoResistance", []):
        code = cause.get("code")
        name = terms.name("PseudoResistanceCause", code)
        actions = [terms.name("TreatmentOption", a) for a in cause.get("actions", [])]
        summary = f"Pseudo-resistance: {name}" + (f" → {', '.join(actions)}" if actions else "")
        detail = [f"### Pseudo-resistance: {name}", terms.definition.get(("PseudoResistanceCause", code), ""), ""]
        if actions:
            detail += ["**Action(s)**", ""]
            for a in cause.get("actions", []):
                detail.append(f"- {terms.name('TreatmentOption', a)}: {terms.definition.get(('TreatmentOption', a), '')}")
            detail.append("")
        detail.append(evidence_markdown(cause.get("evidence", [])))
        indicator = terms.alert.get(code, "warning")
        make_card(ctx, f"pseudo-resistance/{code}", summary, "\n".join(detail), indicator,
                  primary_rule(cause.get("evidence", []), f"pseudo-{code}"))


def options_card(patient: dict[str, Any], terms: Terms, ctx: CardContext) -> None:
    """The eligible options in order (recommended first) with their mechanism; the options not
    yet eligible with the missing criterion; the contraindicated ones with their reason."""
    options = patient.get("options", [])
    flagged = {m.get("code") for m in patient.get("mechanisms", [])}
    by_status: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for option in options:
        by_status[option.get("status")].append(option)
    eligible = [o for s in ELIGIBLE_ORDER for o in by_status.get(s, [])]
    if not eligible:
        return
    first = ", ".join(terms.name("TreatmentOption", o.get("code")) for o in by_status.get("recommended", [])[:3])
    summary = (f"Options: {len(by_status.get('recommended', []))} recommended, "
               f"{len(by_status.get('consider', []))} to consider" + (f" — {first}" if first else ""))
    detail = ["### Treatment options", ""]
    for status in ELIGIBLE_ORDER:
        items = by_status.get(status, [])
        if not items:
            continue
        detail += [f"**{terms.name('OptionStatus', status).capitalize()}**", ""]
        for o in items:
            code = o.get("code")
            mechanisms = [f"{terms.name('Mechanism', m)}{' (flagged)' if m in flagged else ''}"
                          for m in terms.mechanisms_of_option.get(code, ())]
            line = f"- **{terms.name('TreatmentOption', code)}**"
            if mechanisms:
                line += f" — mechanism: {', '.join(mechanisms)}"
            if o.get("reason"):
                line += f" — {o['reason']}"
            source = terms.source.get(("TreatmentOption", code))
            if source:
                line += f" _(source: {source})_"
            detail.append(line)
        detail.append("")
    waiting = by_status.get("not-yet-eligible", [])
    if waiting:
        detail += ["**Not yet eligible**", ""]
        detail += [f"- {terms.name('TreatmentOption', o.get('code'))}: {o.get('missingCriterion') or 'criterion not met'}"
                   for o in waiting]
        detail.append("")
    blocked = by_status.get("contraindicated", [])
    if blocked:
        detail += ["**Contraindicated**", ""]
        detail += [f"- {terms.name('TreatmentOption', o.get('code'))}: {o.get('reason') or 'contraindicated'}"
                   for o in blocked]
        detail.append("")
    mechanisms = patient.get("mechanisms", [])
    if mechanisms:
        detail += ["**Mechanisms**", ""]
        for m in mechanisms:
            via = f" (via {', '.join(m.get('via', []))})" if m.get("via") else ""
            detail.append(f"- {terms.name('Mechanism', m.get('code'))}{via}")
        detail.append("")
    evidence = [e for o in eligible[:1] for e in o.get("evidence", [])]
    detail.append(evidence_markdown(evidence))
    make_card(ctx, "options", summary, "\n".join(detail), "info", primary_rule(evidence, "option-status"))


def data_issues_card(patient: dict[str, Any], import_issues: list[str], ctx: CardContext) -> None:
    """A warning when records could not be used as written: shape violations of the patient's
    data and import issues (each may change an answer, so the clinician sees them)."""
    violations = [i for i in patient.get("dataIssues", []) if i.get("severity") == "violation"]
    if not violations and not import_issues:
        return
    n = len(violations) + len(import_issues)
    detail = ["### Data issues", ""]
    for issue in violations:
        where = issue.get("resource") or issue.get("focusNode") or "a record"
        detail.append(f"- `{where}`: {issue.get('message')}" + (f" ({issue['effect']})" if issue.get("effect") else ""))
    detail += [f"- {text}" for text in import_issues]
    indicator = "warning"
    make_card(ctx, "data-issues", f"{n} record(s) of this patient could not be used as written",
              "\n".join(detail), indicator, None)


def patient_view_cards(patient: dict[str, Any] | None, import_issues: list[str], terms: Terms,
                       ctx: CardContext) -> list[tuple[str, Card]]:
    """Every card of ``patient-view`` for one patient's findings (None: no data, no card)."""
    if patient is None:
        return ctx.cards
    before = len(ctx.cards)
    trd_card(patient, terms, ctx)
    pseudo_cards(patient, terms, ctx)
    if len(ctx.cards) > before or patient.get("mechanisms"):
        options_card(patient, terms, ctx)  # options matter once there is something to act on
    data_issues_card(patient, import_issues, ctx)
    return order_by_urgency(ctx)


#: Cards are listed most urgent first (the spec lets clients sort by indicator; many show them as sent).
URGENCY = {"critical": 0, "warning": 1, "info": 2}


def order_by_urgency(ctx: CardContext) -> list[tuple[str, Card]]:
    """The call's cards, critical first, then warnings, then information (stable within each)."""
    ctx.cards.sort(key=lambda tc: URGENCY[tc[1].indicator])
    return ctx.cards


__all__ = ["Terms", "CardContext", "patient_view_cards", "order_by_urgency", "make_card", "evidence_markdown", "primary_rule", "clip",
           "TOPIC_SYSTEM"]
