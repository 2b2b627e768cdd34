"""FHIR resources -> per-patient typed records -> patient graphs: routing and the streaming driver.

Why this shape: trial assembly needs all of one patient's medication records together, but a Bulk
export is ordered by resource type. The :class:`Importer` therefore reads the stream once,
accounts at once for what the reasoner never uses (types it does not read), keeps each
patient's resources, and converts patient by patient: resources -> :class:`PatientRecords`
(:mod:`reasoner.fhir.records`, the seam) -> triples (:mod:`reasoner.fhir.triples`, the last step).
The cohort runner, which groups huge exports on disk, calls :func:`resources_to_ntriples` once
per group of patients instead.

Accounting (docs/fhir-profile.md): every resource fed ends as mapped, not relevant or a data
issue in :attr:`Importer.report`; data issues name their patient when one can be named, so the
pipeline lists them with that patient (or in the document's top-level ``dataIssues``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef

from reasoner.fhir import report as R
from reasoner.fhir.codes import codings_of, first_code_string
from reasoner.fhir.context import ImportContext, get_context
from reasoner.fhir.adherence import Supply
from reasoner.fhir.dosage import daily_dose
from reasoner.fhir.mappers import (IMPRECISE, AdherenceObservation, PendingItem, map_condition, map_observation,
                                   map_patient, map_procedure, map_questionnaire)
from reasoner.fhir.medications import DrugMatch, match_drug
from reasoner.fhir.reader import FULL_URL_KEY, UNREADABLE_KEY, UNREADABLE_PATIENT_KEY, loads
from reasoner.fhir.records import (INFO, AssessmentRecord, DiagnosisRecord, ECTCourseRecord, GenotypeRecord,
                                   LabRecord, NoncomplianceRecord, PatientRecord, PatientRecords, PhenotypeRecord)
from reasoner.fhir.references import Identifiers, contained_resource, patient_id, reference_text, resolve
from reasoner.fhir.report import ImportReport
from reasoner.fhir.scope import Scope
from reasoner.fhir.terms import T
from reasoner.fhir.triples import RDF_TERMS, TEXT_TERMS, Terms, add_patient
from reasoner.fhir.trials import Dispense, MedPart, build_medications
from reasoner.fhir.values import BadValue, DateSpan, checked_number, optional_span, parse_date, show, text, valid_id
from reasoner.knowledge.namespaces import PREFIXES

#: Resource types that belong to a patient and that the importer reads.
PATIENT_TYPES = frozenset({"Condition", "Observation", "Procedure", "MedicationStatement",
                           "MedicationRequest", "MedicationDispense", "QuestionnaireResponse"})
#: MedicationStatement/Request statuses that mean the drug was not (or is not known to be) taken.
_VOID_MED_STATUS = {"entered-in-error", "not-taken", "cancelled", "draft"}
_ONGOING_STATUS = {"active", "intended", "on-hold"}
#: MedicationRequest intents that are not orders of a drug the patient took (FHIR value set).
_NOT_ORDER_INTENTS = {"plan", "proposal"}

#: Effects of medication problems (docs/output-contract.md).
UNKNOWN_DRUG_EFFECT = "trial of an unknown drug left out"
START_UNKNOWN = "start unknown: duration unknown, trial indeterminate"
END_UNKNOWN = "end unknown: duration unknown, trial indeterminate"


def _parsed(stored: dict | bytes) -> dict:
    """A kept resource as a dict (raw NDJSON lines were valid JSON when first read)."""
    return loads(stored) if isinstance(stored, bytes) else stored  # type: ignore[return-value]


#: Prefixes bound on output graphs (only the ones patient graphs use, for readable Turtle).
_OUTPUT_PREFIXES = {k: PREFIXES[k] for k in ("trd", "rdf", "rdfs", "xsd")}


def new_graph() -> Graph:
    """An empty patient graph. ``SimpleMemory`` (no named-graph contexts) adds triples about
    faster than rdflib's default store, and patient graphs never need contexts; rdflib's
    ~30 default prefixes are not bound because building that namespace table per patient costs
    more than converting the patient."""
    g = Graph(store="SimpleMemory", bind_namespaces="none")
    for prefix, iri in _OUTPUT_PREFIXES.items():
        g.bind(prefix, iri)
    g.bind("fhir", "https://w3id.org/trd-reasoner/fhir/")
    return g


def _id_of(res: dict) -> str | None:
    """The resource's id, else the id its Bundle ``fullUrl`` gives (a transaction's new resources
    carry only ``urn:uuid:…``), else None."""
    rid = res.get("id")
    if valid_id(rid):
        return rid
    full = res.get(FULL_URL_KEY)
    if isinstance(full, str) and full:
        tail = full[len("urn:uuid:"):] if full.startswith("urn:uuid:") else full.rstrip("/").rsplit("/", 1)[-1]
        return tail or None
    return None


def _fingerprint_text(resource: dict[str, Any]) -> bytes:
    """A resource's content in one canonical spelling, only to tell duplicates apart (never written out).

    Why an encoder rather than ``json.dumps``: the text is hashed, not output, so a NaN the
    importer already reports as a data issue must not make the comparison itself fail.
    """
    return json.JSONEncoder(sort_keys=True, default=str).encode(resource).encode()


def _fingerprint(seen: bytes | dict[str, Any]) -> bytes:
    """The digest duplicates are told apart by: of a raw line (digested already, in ``feed``) or
    of a resource dict's canonical text."""
    if isinstance(seen, bytes):
        return seen
    return hashlib.blake2b(_fingerprint_text(seen), digest_size=16).digest()


class Importer:
    """Streaming FHIR import: ``feed`` resources, then iterate ``records()`` or ``patients()``."""

    def __init__(self, ctx: ImportContext | None = None, as_of: dt.date | None = None,
                 used_elsewhere: frozenset[str] = frozenset()) -> None:
        """``used_elsewhere``: keys (``Medication/x``) of shared resources that patients converted
        by other importers used (a cohort's loose pass counts each shared resource once)."""
        self.ctx = ctx or get_context()
        self.used_elsewhere = used_elsewhere
        # keys of shared copies handed in beside a patient group: used, never counted here
        self._shared: set[str] = set()
        #: keys of the shared copies the converted patients used (what the loose pass needs)
        self.used_shared: set[str] = set()
        self.as_of = as_of or dt.date.today()
        self.report = ImportReport()
        self.full_urls: dict[str, str] = {}
        self.identifiers = Identifiers()
        self.medications: dict[str, dict] = {}
        # Kept resources are stored as their raw NDJSON line when the caller gives it (bytes are
        # 5-10× smaller than the parsed dict) and parsed again when their patient is converted.
        self.groups: dict[str, list[dict | bytes]] = {}
        self.patients_seen: dict[str, dict | bytes] = {}
        # key -> each patient-type resource's digest (fed as a raw line) or the resource itself
        # (fed as a dict; digested only when its key comes again, see ``_fingerprint``): duplicates
        self._seen: dict[str, bytes | dict] = {}
        # (resource type, id, subject/patient elements, stored resource): references may name a
        # Bundle fullUrl that appears later, so patients are resolved at the end.
        self._pending: list[tuple[str, str, tuple[Any, Any], dict | bytes]] = []

    def feed(self, res: dict, raw: bytes | None = None, shared: bool = False) -> None:
        """Route one resource: keep it for its patient, or account for it now.

        ``raw`` is the resource's NDJSON line, stored instead of the dict to bound memory.
        ``shared``: a copy of a resource that belongs to no patient (a Medication) handed in
        beside a patient group; it resolves references but is counted where the export holds
        it, once (the cohort runner's loose pass), not here.
        """
        rtype = res.get("resourceType")
        if not isinstance(rtype, str):  # only direct API callers can pass such a dict
            self.report.left_out("(no resourceType)", str(res.get("id") or ""), R.MALFORMED, "not a FHIR resource",
                                 "record left out")
            return
        if UNREADABLE_KEY in res:
            where, _, why = str(res[UNREADABLE_KEY]).partition(": ")
            path, _, line = where.rpartition(":")
            source = f"{Path(path).name}:{line}" if path else where
            pid = res.get(UNREADABLE_PATIENT_KEY)
            pid = pid if isinstance(pid, str) and pid else None
            self.report.left_out(rtype, where, R.UNREADABLE, why, "record left out: the line cannot be read",
                                 patient=pid, source=source)
            if pid is not None:  # the patient the broken line names is in the output, with this issue
                self.groups.setdefault(pid, [])
            return
        rid = _id_of(res)
        if rid is None:
            self.report.left_out(rtype, "", R.BAD_ID, f"no id ({show(res.get('id'))})", "record left out")
            return
        key = f"{rtype}/{rid}"
        if isinstance(res.get(FULL_URL_KEY), str):
            self.full_urls[res[FULL_URL_KEY]] = key
        if rtype in ("Patient", "Medication"):  # what logical references name (shared copies too)
            self.identifiers.add(res, key)
        if rtype == "Patient":
            if rid in self.patients_seen:
                self._duplicate_patient(rid, res)
                return
            self.patients_seen[rid] = raw if raw is not None else res
            self.groups.setdefault(rid, [])
        elif rtype == "Medication":
            if shared:
                self.medications.setdefault(key, res)
                self._shared.add(key)
                return
            if key in self.medications and key not in self._shared:
                self.report.not_relevant(rtype, rid, R.DUPLICATE, "duplicate Medication resource")
                return
            self._shared.discard(key)
            self.medications[key] = res
        elif rtype in PATIENT_TYPES:
            # a raw line is digested now (cheap, and the line need not be kept); a dict is kept as
            # it is and given its canonical text only if a second resource with its key comes
            # (rare, and the canonical JSON text was a tenth of the import's time)
            seen = hashlib.blake2b(raw, digest_size=16).digest() if raw is not None else res
            if key in self._seen:
                if _fingerprint(self._seen[key]) == _fingerprint(seen):
                    self.report.not_relevant(rtype, rid, R.DUPLICATE, "a second copy of the same resource")
                else:
                    self.report.left_out(rtype, rid, R.DUPLICATE, "a second resource with this id and other content",
                                         "the first one read is used")
                return
            self._seen[key] = seen
            # References may name a Bundle fullUrl that appears later: resolve at the end.
            self._pending.append((rtype, rid, (res.get("subject"), res.get("patient")), raw if raw is not None else res))
        else:
            self.report.not_relevant(rtype, rid, R.UNSUPPORTED_TYPE)

    def _duplicate_patient(self, pid: str, res: dict) -> None:
        """A second Patient with the same id: the first read wins; a conflict is a data issue."""
        first = _parsed(self.patients_seen[pid])
        differs = [k for k in ("birthDate", "gender") if k in res and res.get(k) != first.get(k)]
        if not differs:
            self.report.not_relevant("Patient", pid, R.DUPLICATE, "duplicate Patient resource")
            return
        detail = "; ".join(f"{k} {show(res.get(k))} (the first Patient resource read says {show(first.get(k))})"
                           for k in differs)
        self.report.left_out("Patient", pid, R.DUPLICATE, f"a second Patient resource with another {detail}",
                             f"the first Patient resource read is used ({', '.join(differs)} "
                             f"{', '.join(show(first.get(k)) for k in differs)})", patient=pid)

    def _resolve_pending(self) -> None:
        for rtype, rid, (subject, patient), stored in self._pending:
            pid = None
            for ref in (subject, patient):
                pid = patient_id(ref, self.full_urls, self.identifiers)
                if pid is not None:
                    break
            if pid is None:
                detail = "no subject/patient reference to a Patient" if subject is None and patient is None else \
                    f"subject {show(reference_text(subject) or subject)} names no Patient of the input"
                self.report.left_out(rtype, rid, R.MISSING_SUBJECT, detail, "record left out: it names no patient")
            else:
                self.groups.setdefault(pid, []).append(stored)
        self._pending = []

    def records(self) -> Iterator[PatientRecords]:
        """The records of every patient, in id order; counts Medication resources last."""
        self._resolve_pending()
        scope_args = dict(ctx=self.ctx, report=self.report, as_of=self.as_of, full_urls=self.full_urls,
                          identifiers=self.identifiers, medications=self.medications)
        used_medications: set[str] = set()
        for pid in sorted(self.groups):
            scope = Scope(pid, used_medications=used_medications, **scope_args)  # type: ignore[arg-type]
            patient_res = self.patients_seen.get(pid)
            records = convert_patient(pid, _parsed(patient_res) if patient_res is not None else None,
                                      [_parsed(r) for r in self.groups[pid]], scope)
            self.report.patients += 1
            yield records
        self.groups = {}
        self.used_shared = used_medications & self._shared
        for key, med in self.medications.items():
            if key in self._shared:
                continue  # counted once, where the export holds it (see ``feed``)
            rid = key.split("/", 1)[1]
            if key in used_medications or key in self.used_elsewhere:
                self.report.mapped("Medication", rid)
            elif match_drug(med.get("code"), self.ctx, med).drug is None:
                self.report.not_relevant("Medication", rid, R.UNKNOWN_CODE, first_code_string(med.get("code")))
            else:
                self.report.not_relevant("Medication", rid, R.NOT_USED, "no statement or order refers to it")

    def patients(self, into: Any = None, factory: Any = None, terms: Terms = RDF_TERMS) -> Iterator[tuple[str, Any]]:
        """(patient id, patient graph) for every patient, in id order (see :meth:`records`).

        With ``into``, every patient is added to that one graph (and it is what is yielded).
        ``factory`` makes each patient's container (default an rdflib Graph); anything with an
        ``add(triple)`` method works, e.g. :class:`TripleList` for the N-Triples fast path.
        ``terms``: the term encoding (:mod:`reasoner.fhir.triples`; text terms only into a list).
        """
        for records in self.records():
            g = into if into is not None else (factory or new_graph)()
            add_patient(records, g, terms)
            yield records.patient.id, g


def _medication(res: dict, rtype: str, rid: str, scope: Scope) -> tuple[Any, dict | None, list[str]] | None:
    """(the drug concept, the Medication resource, its key as a source) of a medication record;
    None (accounted for) when its medicationReference cannot be resolved."""
    concept = res.get("medicationCodeableConcept")
    if concept is not None or res.get("medicationReference") is None:
        return concept, None, []
    ref = res.get("medicationReference")
    med = contained_resource(res, ref)
    if med is not None:
        return med.get("code"), med, []
    key = resolve(ref, scope.full_urls, scope.identifiers, "Medication")
    if key is None and (reference_text(ref) or "").startswith("urn:uuid:"):
        key = f"Medication/{reference_text(ref)[len('urn:uuid:'):]}"  # type: ignore[index]
    med = scope.medications.get(key or "")
    if med is None:
        shown = reference_text(ref) or (ref.get("identifier") if isinstance(ref, dict) else ref)
        scope.left_out(rtype, rid, R.UNRESOLVED_REFERENCE, f"medicationReference {show(shown)} is not in the input",
                       UNKNOWN_DRUG_EFFECT)
        return None
    scope.used_medications.add(key)  # type: ignore[arg-type]
    return med.get("code"), med, [key]  # type: ignore[list-item]


def _unmapped(match: DrugMatch, concept: Any) -> tuple[str, str, str, str]:
    """How a medication of a drug the reasoner does not know is accounted for."""
    shown = first_code_string(concept)
    if match.named:  # a coded, named product that is none of the ontology's drugs
        return (R.NOT_RELEVANT, R.UNKNOWN_CODE, f"{shown}; kept as trd:MedicationUse without drug", "")
    words = f"{shown}" + (f" {show(match.text)}" if match.text and show(match.text) not in shown else "")
    return (R.DATA_ISSUE, R.UNKNOWN_DRUG, f"{words} names no drug the ontology knows", UNKNOWN_DRUG_EFFECT)


def _span(value: Any, what: str, scope: Scope, rtype: str, rid: str, effect: str) -> tuple[DateSpan | None, bool]:
    """(the span of an optional date, whether it was given but unreadable: reported)."""
    try:
        span = optional_span(value, what)
    except BadValue as exc:
        scope.issue(rtype, rid, str(exc), effect, kind="bad date")
        return None, True
    if span is not None and not span.precise:
        scope.issue(rtype, rid, f"{what} {span.describe()} is imprecise", IMPRECISE, INFO, kind="imprecise date")
    return span, False


def _med_part(res: dict, rtype: str, rid: str, scope: Scope) -> MedPart | None:
    """Read a MedicationStatement/Request (None when it is accounted for as not relevant or left out)."""
    ctx, as_of = scope.ctx, scope.as_of
    status = text(res.get("status"))
    if status in _VOID_MED_STATUS:
        scope.not_relevant(rtype, rid, R.NOT_APPLICABLE, f"status {status}")
        return None
    if rtype == "MedicationRequest" and text(res.get("intent")) in _NOT_ORDER_INTENTS:
        scope.not_relevant(rtype, rid, R.NOT_APPLICABLE, f"intent {res.get('intent')}: not an order, not a trial")
        return None
    found = _medication(res, rtype, rid, scope)
    if found is None:
        return None
    concept, med, extra = found
    match = match_drug(concept, ctx, med)
    kind = "unknown" if match.drug is None else ctx.drug_kind(match.drug)
    end_unknown = False
    if rtype == "MedicationStatement":
        period = res.get("effectivePeriod") if isinstance(res.get("effectivePeriod"), dict) else {}
        given, what = ((period.get("start"), "effectivePeriod.start") if period.get("start") is not None
                       else (res.get("effectiveDateTime"), "effectiveDateTime"))
        start, _ = _span(given, what, scope, rtype, rid, START_UNKNOWN)
        end, end_unknown = _span(period.get("end"), "effectivePeriod.end", scope, rtype, rid, END_UNKNOWN)
    else:
        given = res.get("authoredOn")
        start, _ = _span(given, "authoredOn", scope, rtype, rid, START_UNKNOWN)
        end = None
        if start is not None:
            supply = _supply_days(res, scope, rid)
            end = DateSpan(start.first + dt.timedelta(days=supply), start.last + dt.timedelta(days=supply),
                           f"{start.written} + {supply:g} days")
        else:
            end_unknown = True
    if given is None:
        scope.issue(rtype, rid, "no start date (effective[x] / authoredOn)", START_UNKNOWN, kind="missing date")
    ongoing = False
    if status in _ONGOING_STATUS and not end_unknown and (end is None or end.last > as_of):
        # Still taken on the evaluation date (a planned end in the future is not an end yet).
        end, ongoing = None, True
    elif rtype == "MedicationStatement" and end is None and not end_unknown and start is not None:
        end_unknown = True
        if kind == "antidepressant":
            scope.issue(rtype, rid, f"no end date and status {show(status)}: the statement is neither ended nor "
                        "ongoing", END_UNKNOWN, kind="missing date")
    daily = None
    if kind in ("antidepressant", "augmenting"):
        dosage_list = res.get("dosage" if rtype == "MedicationStatement" else "dosageInstruction")
        dosage = dosage_list[0] if isinstance(dosage_list, list) and dosage_list else None
        result = daily_dose(dosage, match, ctx)
        daily = result.mg
        if kind == "antidepressant":
            for note in result.notes:
                scope.issue(rtype, rid, note.message, note.effect, note.severity, kind=note.kind)
    if match.drug is not None and match.how == "text":
        scope.issue(rtype, rid, f"medication {show(match.text)} matched by the ingredient name it contains",
                    f"read as {match.drug.split('#')[-1]}", INFO, kind="matched by name")
    stop = None
    reasons = res.get("statusReason")
    reasons = reasons if isinstance(reasons, list) else [reasons] if reasons else []
    if reasons:
        codings = [c for concept_ in reasons for c in codings_of(concept_)]
        stops, _ = ctx.lookup(codings, T.StopReason)
        if stops:
            stop = stops[0]
        elif kind == "antidepressant":
            scope.issue(rtype, rid, f"statusReason {first_code_string(reasons[0])} is not a known stop reason",
                        "stop reason unknown", kind="unknown code")
    code = match.code if match.code is not None and re.fullmatch(r"[A-Z0-9]+:[^\s:]+", match.code) else None
    return MedPart(
        rtype=rtype, rid=rid, drug=match.drug, kind=kind, start=start, end=end, ongoing=ongoing, daily_mg=daily,
        stop_reason=stop, code=code, text=match.text, end_unknown=end_unknown and not ongoing,
        co_drugs=match.co_drugs, extra_sources=extra,
        unmapped=_unmapped(match, concept) if match.drug is None else None,
    )


def _supply_days(res: dict, scope: Scope, rid: str) -> float:
    """Days one order covers: (numberOfRepeatsAllowed + 1) × the supply of one fill
    (expectedSupplyDuration, else the policy's default supply)."""
    ctx = scope.ctx
    request = res.get("dispenseRequest") if isinstance(res.get("dispenseRequest"), dict) else {}
    fill = ctx.default_supply_days
    duration = request.get("expectedSupplyDuration")
    if isinstance(duration, dict):
        try:
            value = checked_number(duration.get("value"), "expectedSupplyDuration")
            unit = text(duration.get("code")) or text(duration.get("unit")) or "d"
            per = ctx.days(unit)
            if per is None or value <= 0:
                raise BadValue(f"expectedSupplyDuration {show(value)} {show(unit)} is not a duration")
            fill = value * per
        except BadValue as exc:
            scope.issue("MedicationRequest", rid, str(exc),
                        f"the policy's default supply of {ctx.default_supply_days:g} days a fill used", kind="bad value")
    repeats = 0
    if request.get("numberOfRepeatsAllowed") is not None:
        try:
            repeats = int(checked_number(request["numberOfRepeatsAllowed"], "numberOfRepeatsAllowed"))
            repeats = max(repeats, 0)
        except BadValue as exc:
            scope.issue("MedicationRequest", rid, str(exc), "no repeats counted", kind="bad value")
    return (repeats + 1) * fill


def _dispense(res: dict, rid: str, scope: Scope) -> Dispense | None:
    ctx = scope.ctx
    status = text(res.get("status"))
    if status not in (None, "completed"):
        scope.not_relevant("MedicationDispense", rid, R.NOT_APPLICABLE, f"status {status}")
        return None
    found = _medication(res, "MedicationDispense", rid, scope)
    if found is None:
        return None
    concept, med, extra = found
    match = match_drug(concept, ctx, med)
    if match.drug is None:
        category, reason, detail, _ = _unmapped(match, concept)
        if category == R.NOT_RELEVANT:
            scope.not_relevant("MedicationDispense", rid, reason, detail)
        else:
            scope.left_out("MedicationDispense", rid, reason, detail, "dispense left out")
        return None
    try:
        handed = parse_date(res.get("whenHandedOver") or res.get("whenPrepared"), "whenHandedOver")
    except BadValue as exc:
        scope.left_out("MedicationDispense", rid, R.BAD_DATE, str(exc), "dispense left out")
        return None
    supply = res.get("daysSupply") if isinstance(res.get("daysSupply"), dict) else {}
    try:
        days = checked_number(supply.get("value"), "daysSupply")
        unit = text(supply.get("code")) or text(supply.get("unit"))
        per = ctx.days(unit) if unit else 1.0
        if per is None or days <= 0:
            raise BadValue(f"daysSupply {show(supply.get('value'))} {show(unit)} is not a number of days")
        days *= per
    except BadValue as exc:
        scope.left_out("MedicationDispense", rid, R.MISSING_VALUE, str(exc), "dispense left out")
        return None
    return Dispense(rid, match.drug, Supply(rid, handed, int(round(days))), tuple(extra))


#: What a record of each kind is filed under in :class:`PatientRecords`.
_SECTIONS = ((DiagnosisRecord, "diagnoses"), (NoncomplianceRecord, "noncompliance"), (AssessmentRecord, "assessments"),
             (LabRecord, "labs"), (PhenotypeRecord, "phenotypes"), (GenotypeRecord, "genotypes"),
             (ECTCourseRecord, "ect_courses"))


def _file(records: PatientRecords, record: Any) -> None:
    for cls, name in _SECTIONS:
        if isinstance(record, cls):
            getattr(records, name).append(record)
            return


def convert_patient(pid: str, patient_res: dict | None, resources: list[dict], scope: Scope) -> PatientRecords:
    """The records of one patient; every resource is accounted for in ``scope.report``."""
    report = scope.report
    issues_before = len(report.issues)
    if patient_res is not None:
        patient = map_patient(patient_res, pid, scope)
    else:
        # Records name a patient whose Patient resource is not in the input: keep the patient so
        # the records stay attached; its provenance is the reference itself.
        patient = PatientRecord(pid, from_resource=False)
    records = PatientRecords(patient)
    observations = {f"Observation/{_id_of(r)}": r for r in resources if r.get("resourceType") == "Observation"}
    parts: list[MedPart] = []
    dispenses: list[Dispense] = []
    adherence: list[AdherenceObservation] = []
    pending_items: list[PendingItem] = []
    for res in resources:
        rtype, rid = res["resourceType"], _id_of(res) or ""
        counted = report.counts[rtype].read if rtype in report.counts else 0
        try:
            if rtype == "Condition":
                _file(records, map_condition(res, rid, scope))
            elif rtype == "Observation":
                out = map_observation(res, rid, scope, observations)
                if isinstance(out, AdherenceObservation):
                    adherence.append(out)
                elif isinstance(out, PendingItem):
                    pending_items.append(out)
                else:
                    _file(records, out)
            elif rtype == "QuestionnaireResponse":
                _file(records, map_questionnaire(res, rid, scope))
            elif rtype == "Procedure":
                _file(records, map_procedure(res, rid, scope))
            elif rtype in ("MedicationStatement", "MedicationRequest"):
                part = _med_part(res, rtype, rid, scope)
                if part is not None:
                    parts.append(part)
            elif rtype == "MedicationDispense":
                d = _dispense(res, rid, scope)
                if d is not None:
                    dispenses.append(d)
        except (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError, RecursionError) as exc:
            # Safety net for shapes of JSON no reader foresaw: report the resource, go on.
            if (report.counts[rtype].read if rtype in report.counts else 0) == counted:
                scope.left_out(rtype, rid, R.MALFORMED, f"{type(exc).__name__}: {str(exc)[:200]}", "record left out")
    used_items = {src for a in records.assessments for src in a.sources}
    for item in pending_items:
        if f"Observation/{item.rid}" in used_items:
            scope.mapped("Observation", item.rid)
        else:
            scope.not_relevant("Observation", item.rid, R.NOT_APPLICABLE,
                               "a questionnaire item: totals are read from the total or a complete panel")
    records.trials, records.medication_uses = build_medications(parts, dispenses, adherence, scope)
    records.issues = [i.record() for i in report.issues[issues_before:]]
    return records


class TripleList(list):
    """A plain list of (s, p, o) rdflib terms with ``add``: the readers' sink without rdflib's
    store indexing, for callers that only serialise (about twice as fast as a Graph)."""

    add = list.append


#: n3() of terms that recur in every patient (predicates, classes, ontology individuals).
_N3_CACHE: dict[Any, str] = {}
_NT_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _n3(term: Any) -> str:
    text_ = _N3_CACHE.get(term)
    if text_ is None:
        if isinstance(term, Literal):
            # N-Triples, not Turtle: rdflib's n3() writes a literal with a line break as a
            # """long string""", which N-Triples readers refuse
            text_ = '"' + str(term).translate(_NT_ESCAPES) + '"'
            if term.language:
                text_ += "@" + term.language
            elif term.datatype is not None:
                text_ += f"^^<{term.datatype}>"
        else:
            text_ = term.n3()
        if isinstance(term, URIRef) and len(_N3_CACHE) < 100_000 and "/fhir/" not in term:
            _N3_CACHE[term] = text_
    return text_


def to_ntriples(triples: Iterable[tuple[Any, Any, Any]]) -> bytes:
    """N-Triples bytes of a triple list (duplicates removed, order kept)."""
    seen = dict.fromkeys(triples)
    return "".join(f"{_n3(s)} {_n3(p)} {_n3(o)} .\n" for s, p, o in seen).encode("utf-8")


#: What rdflib's ``URIRef.n3()`` refuses in an IRI (``rdflib.term._invalid_uri_chars``).
_NOT_IN_IRI = re.compile(r'[<>" {}|\\^`]')


def _text_n3(term: Any) -> str:
    """:func:`_n3` of a term of the text encoding (:data:`reasoner.fhir.triples.TEXT_TERMS`): the
    same text, without making the rdflib term."""
    if type(term) is str:
        if _NOT_IN_IRI.search(term):
            return URIRef(term).n3()  # refused as the rdflib encoding's n3() refuses it (raises)
        return f"<{term}>"
    lexical, datatype = term  # written as _n3 writes the rdflib literal of this text (no language)
    return '"' + lexical.translate(_NT_ESCAPES) + '"' + (f"^^<{datatype}>" if datatype is not None else "")


def text_to_ntriples(triples: Iterable[tuple[Any, Any, Any]]) -> bytes:
    """:func:`to_ntriples` of a triple list in the text encoding: the same bytes the rdflib
    encoding of the same records gives (tests/columnar/test_fhir_table.py), at a fraction of the
    cost (no rdflib term is made; each distinct term's text is made once per call)."""
    written: dict[Any, str] = {}

    def n3(term: Any) -> str:
        out = written.get(term)
        if out is None:
            out = written[term] = _text_n3(term)
        return out

    return "".join(f"{n3(s)} {n3(p)} {n3(o)} .\n" for s, p, o in dict.fromkeys(triples)).encode("utf-8")


def write_patients(importer: Importer, handle: Any, fmt: str = "turtle") -> int:
    """Serialise every patient of an importer to a binary file handle, one patient at a time.

    ``nt`` takes the fast path (plain triple lists, no rdflib store); ``turtle`` builds each
    patient's Graph for readable output (repeated ``@prefix`` lines are valid Turtle, so the
    per-patient chunks form one document). Returns the number of triples written.
    """
    count = 0
    if fmt == "nt":
        for _, triples in importer.patients(factory=TripleList):
            data = to_ntriples(triples)
            count += data.count(b"\n")
            handle.write(data)
    else:
        for _, graph in importer.patients():
            count += len(graph)
            handle.write(graph.serialize(format=fmt, encoding="utf-8"))
    return count


def resources_to_triples(resources: Iterable[dict[str, Any]], as_of: dt.date | None = None,
                         ctx: ImportContext | None = None, shared: Iterable[dict[str, Any]] = (),
                         terms: Terms = RDF_TERMS) -> tuple[TripleList, ImportReport, set[str]]:
    """Like :func:`resources_to_graph`, but the triples as a plain list (duplicates not yet
    removed) in the term encoding ``terms`` (:mod:`reasoner.fhir.triples`): what
    :func:`resources_to_ntriples` writes and the columnar engine's triples table is made from.

    ``shared``: copies of resources that belong to no patient (see ``Importer.feed``); returns
    also the keys of those the patients used.
    """
    importer = Importer(ctx, as_of)
    for res in shared:
        importer.feed(res, shared=True)
    for res in resources:
        importer.feed(res)
    out = TripleList()
    for _ in importer.patients(into=out, terms=terms):
        pass
    return out, importer.report, importer.used_shared


def resources_to_ntriples(resources: Iterable[dict[str, Any]], as_of: dt.date | None = None,
                          ctx: ImportContext | None = None, shared: Iterable[dict[str, Any]] = (),
                          ) -> tuple[bytes, ImportReport, set[str]]:
    """Like :func:`resources_to_graph`, but N-Triples bytes (for pipelines that load Oxigraph).

    ``shared``: copies of resources that belong to no patient (see ``Importer.feed``); returns
    also the keys of those the patients used.
    """
    # the text encoding: the same bytes as rdflib terms through to_ntriples, without making them
    triples, report, used_shared = resources_to_triples(resources, as_of=as_of, ctx=ctx, shared=shared,
                                                        terms=TEXT_TERMS)
    return text_to_ntriples(triples), report, used_shared


def resources_to_graph(resources: Iterable[dict[str, Any]], as_of: dt.date | None = None,
                       ctx: ImportContext | None = None) -> tuple[Graph, ImportReport]:
    """Convert one patient's (or a group's) resources into one graph and its import report."""
    importer = Importer(ctx, as_of)
    for res in resources:
        importer.feed(res)
    out = new_graph()
    for _ in importer.patients(into=out):
        pass
    return out, importer.report


__all__ = ["Importer", "PATIENT_TYPES", "new_graph", "convert_patient", "TripleList", "to_ntriples",
           "write_patients", "resources_to_ntriples", "resources_to_triples", "resources_to_graph", "text_to_ntriples"]
