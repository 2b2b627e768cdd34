"""FHIR resources -> per-patient graphs: routing, medication reading, and the streaming driver.

Why this shape: trial assembly needs all of one patient's medication records together, but a Bulk
export is ordered by resource type. The :class:`Importer` therefore reads the stream once, drops
(and reports) what the reasoner never uses as soon as it is read, keeps only each patient's
relevant resources, and converts patient by patient. The cohort runner, which groups huge exports
on disk, calls :func:`resources_to_graph` once per patient group instead.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from reasoner.knowledge.namespaces import PREFIXES
from reasoner.fhir import report as R
from reasoner.fhir.codes import codings_of, first_code_string
from reasoner.fhir.context import ImportContext, get_context
from reasoner.fhir.medications import daily_dose_mg, match_drug
from reasoner.fhir.reader import FULL_URL_KEY, UNREADABLE_KEY
from reasoner.fhir.records import AdherenceObservation, map_condition, map_observation, map_patient, map_procedure
from reasoner.fhir.report import ImportReport
from reasoner.fhir.trials import Dispense, MedPart, build_medications
from reasoner.fhir.references import patient_id, resolve
from reasoner.fhir.values import text, BadValue, node, number, optional_date, parse_date, valid_id
from reasoner.fhir.adherence import Supply
from reasoner.fhir.terms import T

#: Resource types that belong to a patient and that the importer maps.
PATIENT_TYPES = frozenset({"Condition", "Observation", "Procedure", "MedicationStatement",
                           "MedicationRequest", "MedicationDispense"})
#: MedicationStatement/Request statuses that mean the drug was not (or is not known to be) taken.
_VOID_MED_STATUS = {"entered-in-error", "not-taken", "cancelled", "draft"}
_ONGOING_STATUS = {"active", "intended", "on-hold"}


def _parsed(stored: dict | bytes) -> dict:
    """A kept resource as a dict (raw NDJSON lines were valid JSON when first read)."""
    return json.loads(stored) if isinstance(stored, bytes) else stored


def _subject(res: dict, full_urls: dict[str, str]) -> str | None:
    """The patient id a resource belongs to (``subject`` or ``patient``; fhir/references.py)."""
    for key in ("subject", "patient"):
        pid = patient_id(res.get(key), full_urls)
        if pid is not None:
            return pid
    return None


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


class Importer:
    """Streaming FHIR import: ``feed`` resources, then iterate ``patients()`` for graphs."""

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
        self.medications: dict[str, dict] = {}
        # Kept resources are stored as their raw NDJSON line when the caller gives it (bytes are
        # 5-10× smaller than the parsed dict) and parsed again when their patient is converted.
        self.groups: dict[str, list[dict | bytes]] = {}
        self.patients_seen: dict[str, dict | bytes] = {}
        # (resource type, id, subject/patient elements, stored resource): references may name a
        # Bundle fullUrl that appears later, so patients are resolved at the end.
        self._pending: list[tuple[str, str, tuple[Any, Any], dict | bytes]] = []

    def feed(self, res: dict, raw: bytes | None = None, shared: bool = False) -> None:
        """Route one resource: keep it for its patient, or report it now.

        ``raw`` is the resource's NDJSON line, stored instead of the dict to bound memory.
        ``shared``: a copy of a resource that belongs to no patient (a Medication) handed in
        beside a patient group; it resolves references but is counted where the export holds
        it, once (the cohort runner's loose pass), not here.
        """
        rtype = res.get("resourceType")
        rid = res.get("id")
        if not isinstance(rtype, str):  # only direct API callers can pass such a dict
            self.report.not_mapped("(no resourceType)", str(rid or ""), R.MALFORMED, "not a FHIR resource")
            return
        if UNREADABLE_KEY in res:
            where, _, why = str(res[UNREADABLE_KEY]).partition(": ")
            self.report.not_mapped(rtype, where, R.UNREADABLE, why)
            return
        if not valid_id(rid):
            self.report.not_mapped(rtype, str(rid or ""), R.BAD_ID, f"id {rid!r}")
            return
        if isinstance(res.get(FULL_URL_KEY), str):
            self.full_urls[res[FULL_URL_KEY]] = f"{rtype}/{rid}"
        if rtype == "Patient":
            if rid in self.patients_seen:
                self.report.not_mapped(rtype, rid, R.NOT_APPLICABLE, "duplicate Patient resource")
                return
            self.patients_seen[rid] = raw if raw is not None else res
            self.groups.setdefault(rid, [])
        elif rtype == "Medication":
            key = f"Medication/{rid}"
            if shared:
                self.medications.setdefault(key, res)
                self._shared.add(key)
                return
            if key in self.medications and key not in self._shared:
                self.report.not_mapped(rtype, rid, R.NOT_APPLICABLE, "duplicate Medication resource")
                return
            self._shared.discard(key)
            self.medications[key] = res
        elif rtype in PATIENT_TYPES:
            # References may name a Bundle fullUrl that appears later: resolve at the end.
            self._pending.append((rtype, rid, (res.get("subject"), res.get("patient")), raw if raw is not None else res))
        else:
            self.report.not_mapped(rtype, rid, R.UNSUPPORTED_TYPE)

    def _resolve_pending(self) -> None:
        for rtype, rid, (subject, patient), stored in self._pending:
            pid = _subject({"subject": subject, "patient": patient}, self.full_urls)
            if pid is None:
                self.report.not_mapped(rtype, rid, R.MISSING_SUBJECT, "no subject/patient reference to a Patient")
            else:
                self.groups.setdefault(pid, []).append(stored)
        self._pending = []

    def patients(self, into: Any = None, factory: Any = None) -> Iterator[tuple[str, Any]]:
        """(patient id, patient graph) for every patient, in id order; counts Medication last.

        With ``into``, every patient is added to that one graph (and it is what is yielded).
        ``factory`` makes each patient's container (default an rdflib Graph); anything with an
        ``add(triple)`` method works, e.g. :class:`TripleList` for the N-Triples fast path.
        """
        self._resolve_pending()
        used_medications: set[str] = set()
        for pid in sorted(self.groups):
            g = into if into is not None else (factory or new_graph)()
            patient_res = self.patients_seen.get(pid)
            convert_patient(pid, _parsed(patient_res) if patient_res is not None else None,
                            [_parsed(r) for r in self.groups[pid]], g, self.ctx, self.report,
                            self.full_urls, self.medications, self.as_of, used_medications)
            self.report.patients += 1
            yield pid, g
        self.groups = {}
        self.used_shared = used_medications & self._shared
        for key, med in self.medications.items():
            if key in self._shared:
                continue  # counted once, where the export holds it (see ``feed``)
            rid = key.split("/", 1)[1]
            if key in used_medications or key in self.used_elsewhere:
                self.report.mapped("Medication", rid)
            elif match_drug(med.get("code"), self.ctx).drug is None:
                self.report.not_mapped("Medication", rid, R.UNKNOWN_CODE, first_code_string(med.get("code")))
            else:
                self.report.not_mapped("Medication", rid, R.NOT_USED, "no statement or order refers to it")


def _med_part(res: dict, rtype: str, rid: str, ctx: ImportContext, report: ImportReport,
              full_urls: dict[str, str], medications: dict[str, dict], used_medications: set[str],
              as_of: dt.date) -> MedPart | None:
    """Read a MedicationStatement/Request; None (reported) when it cannot be placed in time."""
    if text(res.get("status")) in _VOID_MED_STATUS:
        report.not_mapped(rtype, rid, R.NOT_APPLICABLE, f"status {res.get('status')}")
        return None
    concept = res.get("medicationCodeableConcept")
    extra: list[str] = []
    if concept is None and res.get("medicationReference") is not None:
        ref = resolve(res.get("medicationReference"), full_urls)
        med = medications.get(ref or "")
        if med is None:
            report.not_mapped(rtype, rid, R.UNRESOLVED_REFERENCE, f"medicationReference {ref!r} not in the input")
            return None
        concept = med.get("code")
        used_medications.add(ref)  # type: ignore[arg-type]
        extra.append(ref)  # type: ignore[arg-type]
    match = match_drug(concept, ctx)
    try:
        if rtype == "MedicationStatement":
            period = res.get("effectivePeriod") if isinstance(res.get("effectivePeriod"), dict) else {}
            start = optional_date(period.get("start") or res.get("effectiveDateTime"), "effective start")
            end = optional_date(period.get("end"), "effectivePeriod.end")
            supply_days = None
        else:
            start = optional_date(res.get("authoredOn"), "authoredOn")
            end = None
            supply_days = _supply_days(res, ctx)
    except BadValue as exc:
        report.not_mapped(rtype, rid, R.BAD_DATE, str(exc))
        return None
    if start is None:
        report.not_mapped(rtype, rid, R.BAD_DATE, "no start date (effective[x] / authoredOn)")
        return None
    ongoing = False
    if rtype == "MedicationRequest":
        end = start + dt.timedelta(days=supply_days)  # type: ignore[arg-type]
        if text(res.get("status")) in _ONGOING_STATUS and end > as_of:
            end, ongoing = None, True
    elif text(res.get("status")) in _ONGOING_STATUS and (end is None or end > as_of):
        # Still taken on the evaluation date (a planned end in the future is not an end yet).
        end, ongoing = None, True
    kind = "unknown" if match.drug is None else ctx.drug_kind(match.drug)
    daily = None
    if kind == "antidepressant" or kind == "augmenting":
        dosage_list = res.get("dosage" if rtype == "MedicationStatement" else "dosageInstruction")
        dosage = dosage_list[0] if isinstance(dosage_list, list) and dosage_list else None
        daily, why = daily_dose_mg(dosage, match.strength_mg, ctx)
        if why is not None and kind == "antidepressant":
            report.issue(rtype, rid, f"dose unknown: {why}")
    stop = None
    reasons = res.get("statusReason")
    reasons = reasons if isinstance(reasons, list) else [reasons] if reasons else []
    if reasons:
        codings = [c for concept_ in reasons for c in codings_of(concept_)]
        found, _ = ctx.lookup(codings, T.StopReason)
        if found:
            stop = found[0]
        else:
            report.issue(rtype, rid, f"statusReason {first_code_string(reasons[0])} is not a known stop reason")
    return MedPart(
        rtype=rtype, rid=rid, drug=match.drug, kind=kind, start=start, end=end, ongoing=ongoing,
        daily_mg=daily, stop_reason=stop, code=match.code or first_code_string(concept), text=match.text,
        co_drugs=match.co_drugs, extra_sources=extra,
        unmapped_reason=(R.UNKNOWN_CODE, f"{first_code_string(concept)}; kept as trd:MedicationUse without drug")
        if match.drug is None else None,
    )


def _supply_days(res: dict, ctx: ImportContext) -> float:
    """Days one order covers: expectedSupplyDuration, else (repeats + 1) × the default supply."""
    request = res.get("dispenseRequest") if isinstance(res.get("dispenseRequest"), dict) else {}
    duration = request.get("expectedSupplyDuration")
    if isinstance(duration, dict) and number(duration.get("value")) is not None:
        unit = text(duration.get("code")) or text(duration.get("unit")) or "d"
        per = ctx.days(unit)
        if per is not None:
            return number(duration["value"]) * per  # type: ignore[operator]
    repeats = number(request.get("numberOfRepeatsAllowed"))
    return ((int(repeats) if repeats is not None and repeats >= 0 else 0) + 1) * ctx.default_supply_days


def _dispense(res: dict, rid: str, ctx: ImportContext, report: ImportReport, full_urls: dict[str, str],
              medications: dict[str, dict], used_medications: set[str]) -> Dispense | None:
    if text(res.get("status")) not in (None, "completed"):
        report.not_mapped("MedicationDispense", rid, R.NOT_APPLICABLE, f"status {res.get('status')}")
        return None
    concept = res.get("medicationCodeableConcept")
    if concept is None:
        ref = resolve(res.get("medicationReference"), full_urls)
        med = medications.get(ref or "")
        concept = med.get("code") if med else None
        if med is not None:
            used_medications.add(ref)  # type: ignore[arg-type]
    drug = match_drug(concept, ctx).drug
    if drug is None:
        report.not_mapped("MedicationDispense", rid, R.UNKNOWN_CODE, first_code_string(concept))
        return None
    try:
        handed = parse_date(res.get("whenHandedOver"), "whenHandedOver")
    except BadValue as exc:
        report.not_mapped("MedicationDispense", rid, R.BAD_DATE, str(exc))
        return None
    supply = res.get("daysSupply") if isinstance(res.get("daysSupply"), dict) else {}
    days = number(supply.get("value"))
    if days is None or days <= 0:
        report.not_mapped("MedicationDispense", rid, R.MISSING_VALUE, "no daysSupply")
        return None
    return Dispense(rid, drug, Supply(rid, handed, int(round(days))))


def convert_patient(pid: str, patient_res: dict | None, resources: list[dict], g: Graph, ctx: ImportContext,
                    report: ImportReport, full_urls: dict[str, str], medications: dict[str, dict],
                    as_of: dt.date, used_medications: set[str]) -> None:
    """All nodes of one patient into ``g``; every resource is counted in ``report``."""
    if patient_res is not None:
        patient = map_patient(patient_res, pid, g, report)
    else:
        # Records name a patient whose Patient resource is not in the input: keep the node so the
        # records stay attached; its provenance is the reference itself.
        patient = node("Patient", pid)
        g.add((patient, RDF.type, T.Patient))
        g.add((patient, T.identifier, Literal(pid)))
        g.add((patient, T.sourceResource, Literal(f"Patient/{pid}")))
    parts: list[MedPart] = []
    dispenses: list[Dispense] = []
    observations: list[AdherenceObservation] = []
    for res in resources:
        rtype, rid = res["resourceType"], res["id"]
        counted = report.counts[rtype].read if rtype in report.counts else 0
        sink = TripleList()  # a resource's triples reach the graph only if it maps without error
        try:
            if rtype == "Condition":
                map_condition(res, rid, patient, sink, ctx, report)
            elif rtype == "Observation":
                obs = map_observation(res, rid, patient, sink, ctx, report, full_urls)
                if obs is not None:
                    observations.append(obs)
            elif rtype == "Procedure":
                map_procedure(res, rid, patient, sink, ctx, report)
            elif rtype in ("MedicationStatement", "MedicationRequest"):
                part = _med_part(res, rtype, rid, ctx, report, full_urls, medications, used_medications, as_of)
                if part is not None:
                    parts.append(part)
            elif rtype == "MedicationDispense":
                d = _dispense(res, rid, ctx, report, full_urls, medications, used_medications)
                if d is not None:
                    dispenses.append(d)
        except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
            # Safety net for shapes of JSON no mapper foresaw: report the resource, go on.
            if (report.counts[rtype].read if rtype in report.counts else 0) == counted:
                report.not_mapped(rtype, rid, R.MALFORMED, f"{type(exc).__name__}: {exc}")
            continue
        for triple in sink:
            g.add(triple)
    build_medications(patient, parts, dispenses, observations, g, ctx, report, as_of)


class TripleList(list):
    """A plain list of (s, p, o) rdflib terms with ``add``: the mappers' sink without rdflib's
    store indexing, for callers that only serialise (about twice as fast as a Graph)."""

    add = list.append


#: n3() of terms that recur in every patient (predicates, classes, ontology individuals).
_N3_CACHE: dict[Any, str] = {}


def _n3(term: Any) -> str:
    text = _N3_CACHE.get(term)
    if text is None:
        text = term.n3()
        if isinstance(term, URIRef) and len(_N3_CACHE) < 100_000 and "/fhir/" not in term:
            _N3_CACHE[term] = text
    return text


def to_ntriples(triples: Iterable[tuple[Any, Any, Any]]) -> bytes:
    """N-Triples bytes of a triple list (duplicates removed, order kept)."""
    seen = dict.fromkeys(triples)
    return "".join(f"{_n3(s)} {_n3(p)} {_n3(o)} .\n" for s, p, o in seen).encode("utf-8")


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


def resources_to_ntriples(resources: Iterable[dict[str, Any]], as_of: dt.date | None = None,
                          ctx: ImportContext | None = None, shared: Iterable[dict[str, Any]] = (),
                          ) -> tuple[bytes, ImportReport, set[str]]:
    """Like :func:`resources_to_graph`, but N-Triples bytes (for pipelines that load Oxigraph).

    ``shared``: copies of resources that belong to no patient (see ``Importer.feed``); returns
    also the keys of those the patients used.
    """
    importer = Importer(ctx, as_of)
    for res in shared:
        importer.feed(res, shared=True)
    for res in resources:
        importer.feed(res)
    out = TripleList()
    for _ in importer.patients(into=out):
        pass
    return to_ntriples(out), importer.report, importer.used_shared


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
