"""Generated patients with the defects real exports send, for the validators' differential test.

Why: the generator (benchmarks/support/synthetic.py) writes well-formed patients, about 1% with a
malformed record, so on its own it never reaches the shapes of imprecise and unreadable dates
(shapes/patient.ttl: ``trd:startDateUnknown``, ``trd:startDateLatest``, ``trd:endDateEarliest``,
``trd:onsetDateLatest``, ``trd:dateLatest``, …) nor the quarantined numbers of the hardening work.
``mutated`` changes a share of the records (chosen by a seeded random generator, so a failure can
be replayed) in one of those ways: a date dropped, made unknown (with a flag that is true, ``"1"``,
false, ``"TRUE"`` or a plain string), bounded (a bound before, on or after the date, invalid, a
plain string, two bounds, with a time zone), doubled; a number replaced by an ill-typed, huge,
``NaN``, ``INF`` or oddly written one; a boolean written oddly.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable, Iterable

import pyoxigraph as ox

TRD = "https://w3id.org/trd-reasoner/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

Triples = list[tuple[str, ox.NamedNode | ox.BlankNode | ox.Literal]]   # (predicate IRI, object) of one subject


def _lit(text: str, datatype: str | None = "date") -> ox.Literal:
    return ox.Literal(text) if datatype is None else ox.Literal(text, datatype=ox.NamedNode(XSD + datatype))


FLAGS = [_lit("true", "boolean"), _lit("1", "boolean"), _lit("false", "boolean"), _lit("TRUE", "boolean"),
         _lit("true", None), _lit("0", "boolean")]
NUMBERS = [_lit("ten", "decimal"), _lit("high", "decimal"), _lit("NaN", "decimal"), _lit("NaN", "double"),
           _lit("1e400", "double"), _lit("INF", "double"), _lit("-INF", "float"), _lit("1e2", "decimal"),
           _lit("1.000000000000000000001", "decimal"), _lit("9999999999999999999", "integer"),
           _lit("1e15", "double"), _lit("05", "int"), _lit("0.50", "decimal"), _lit("-0", "integer"),
           _lit("+100.0", "decimal"), _lit("100", None), _lit("2.5e1", "double"), _lit("7", "unsignedByte"),
           _lit("-3", "nonNegativeInteger")]
BOOLEANS = [_lit("1", "boolean"), _lit("0", "boolean"), _lit("yes", "boolean"), _lit("true", None),
            _lit("TRUE", "boolean")]


def _date(o: ox.Literal | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(o.value) if isinstance(o, ox.Literal) else None
    except ValueError:
        return None


def _bound(rng: random.Random, day: dt.date | None) -> list[ox.Literal]:
    """One or two values for a date bound near ``day``: before, on, after, invalid, a string, zoned."""
    day = day or dt.date(2025, 1, 6)
    choices = [lambda: [_lit((day + dt.timedelta(days=rng.randint(1, 40))).isoformat())],
               lambda: [_lit((day - dt.timedelta(days=rng.randint(1, 40))).isoformat())],
               lambda: [_lit(day.isoformat())],
               lambda: [_lit("2025-02-30")],
               lambda: [_lit(day.isoformat()[:7], None)],
               lambda: [_lit(day.isoformat() + rng.choice(["Z", "+14:00", "-14:00"]))],
               lambda: [_lit(day.isoformat()), _lit((day + dt.timedelta(days=1)).isoformat())],
               lambda: [_lit(day.isoformat()[:7], "gYearMonth")]]
    return rng.choice(choices)()


def _one(triples: Triples, p: str) -> ox.Literal | None:
    return next((o for q, o in triples if q == p and isinstance(o, ox.Literal)), None)


def _drop(triples: Triples, *ps: str) -> Triples:
    return [(q, o) for q, o in triples if q not in {TRD + p for p in ps}]


def _start_unknown(rng: random.Random, t: Triples) -> Triples:
    out = _drop(t, "startDate") if rng.random() < 0.8 else list(t)
    return out + [(TRD + "startDateUnknown", f) for f in rng.sample(FLAGS, rng.choice([0, 1, 1, 1, 2]))]


def _end_unknown(rng: random.Random, t: Triples) -> Triples:
    out = _drop(t, "endDate", *(["ongoing"] if rng.random() < 0.7 else [])) if rng.random() < 0.8 else list(t)
    return out + [(TRD + "endDateUnknown", f) for f in rng.sample(FLAGS, rng.choice([0, 1, 1, 1, 2]))]


def _start_latest(rng: random.Random, t: Triples) -> Triples:
    return list(t) + [(TRD + "startDateLatest", b) for b in _bound(rng, _date(_one(t, TRD + "startDate")))]


def _end_earliest(rng: random.Random, t: Triples) -> Triples:
    out = _drop(t, "endDate") if rng.random() < 0.2 else list(t)
    return out + [(TRD + "endDateEarliest", b) for b in _bound(rng, _date(_one(t, TRD + "endDate")))]


def _onset(rng: random.Random, t: Triples) -> Triples:
    day = _date(_one(t, TRD + "onsetDate"))
    out = _drop(t, "onsetDate") if rng.random() < 0.8 else list(t)
    kind = rng.choice(["latest", "unknown", "none", "two"])
    if kind == "latest":
        out += [(TRD + "onsetDateLatest", b) for b in _bound(rng, day)]
    elif kind == "unknown":
        out += [(TRD + "onsetDateUnknown", f) for f in rng.sample(FLAGS, rng.choice([1, 1, 2]))]
    elif kind == "two":
        out += [(TRD + "onsetDate", b) for b in _bound(rng, day)]
    return out


def _second_start(rng: random.Random, t: Triples) -> Triples:
    return list(t) + [(TRD + "startDate", b) for b in _bound(rng, _date(_one(t, TRD + "startDate")))[:1]]


def _date_latest(rng: random.Random, t: Triples) -> Triples:
    return list(t) + [(TRD + "dateLatest", b) for b in _bound(rng, _date(_one(t, TRD + "date")))]


def _number(rng: random.Random, t: Triples) -> Triples:
    numeric = [q for q, o in t if q in {TRD + p for p in ("dailyDoseMg", "adherence", "score", "value",
                                                           "weeksAtAdequateDose")}]
    if not numeric:
        return list(t)
    p = rng.choice(numeric)
    return _drop(t, p[len(TRD):]) + [(p, rng.choice(NUMBERS))]


def _boolean(rng: random.Random, t: Triples) -> Triples:
    flags = [q for q, _o in t if q in (TRD + "isActive", TRD + "ongoing")]
    p = rng.choice(flags) if flags else TRD + "ongoing"
    return _drop(t, p[len(TRD):]) + [(p, rng.choice(BOOLEANS))]


PERIOD = [_start_unknown, _end_unknown, _start_latest, _end_earliest, _second_start, _number, _boolean]
MUTATIONS: dict[str, list[Callable[[random.Random, Triples], Triples]]] = {
    "AntidepressantTrial": PERIOD, "DosePeriod": PERIOD, "ECTCourse": PERIOD,
    "Assessment": [_date_latest, _number], "LabMeasurement": [_date_latest, _number],
}


def mutated(triples: Iterable[ox.Triple], seed: int, share: float = 0.05) -> list[ox.Triple]:
    """The triples with ``share`` of the trials, dose periods, ECT courses, diagnoses (any subject
    with a trd:onsetDate or trd:isActive), assessments and lab measurements changed by one mutation."""
    rng = random.Random(seed)
    by_subject: dict[ox.NamedNode | ox.BlankNode, Triples] = defaultdict(list)
    for t in triples:
        by_subject[t.subject].append((t.predicate.value, t.object))
    out = []
    for subject in sorted(by_subject, key=str):
        t = by_subject[subject]
        types = {o.value[len(TRD):] for q, o in t if q == RDF_TYPE and o.value.startswith(TRD)}
        kinds = [m for ty in sorted(types) for m in MUTATIONS.get(ty, [])]
        if any(q in (TRD + "onsetDate", TRD + "isActive") for q, _o in t):
            kinds += [_onset, _onset, _boolean]
        if kinds and rng.random() < share:
            t = rng.choice(kinds)(rng, t)
        out += [ox.Triple(subject, ox.NamedNode(p), o) for p, o in dict.fromkeys(t)]
    return out
