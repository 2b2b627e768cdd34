"""Small patient graphs for the core rules, written as data: one scenario = one patient.

Every scenario is a near-miss pair partner of another: the same patient with one fact moved
across one threshold of clinical-reference §2–§4 (HAM-D 7 vs 8, 50% vs 45.8% drop, 0.80 vs 0.79
adherence, 42 vs 41 days, one vs two failed classes, …). All scenarios go into ONE graph that is
assessed once per policy, which also proves that the rules are patient-local.

Used by the core-rule tests (tests/infer/core: the expectations live there) and by
``benchmarks/core_rules.py`` (every core code is produced on these patients). The builder
(:class:`Scenario`, :class:`Trial`, :func:`second` …) also makes the patients of :mod:`.pseudo`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

AS_OF = "2026-01-15"
BASE = dt.date(2025, 1, 6)          # start of the standard trial
ONSET = "2024-12-01"                # onset of the standard current episode

PREFIX = """@prefix trd: <https://w3id.org/trd-reasoner/ontology#> .
@prefix ex: <https://example.org/trd/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def day(offset: int) -> str:
    """The ISO date ``offset`` days after the standard trial start."""
    return (BASE + dt.timedelta(days=offset)).isoformat()


def _date(value: str) -> str:
    return f'"{value}"^^xsd:date'


@dataclass
class Trial:
    """One antidepressant trial; defaults are the standard adequate, failed sertraline trial."""

    drug: str = "sertraline"
    start: int = 0
    end: int | None = 63               # 9 weeks
    dose: float | None = 100.0
    adherence: float | None = 0.9
    stop: str | None = None
    weeks: float | None = None          # asserted shortcut
    augmented: str | None = None
    optimised: bool = False
    ongoing: bool = False
    periods: list[tuple[int, int, float]] = field(default_factory=list)   # (start, end, dose)
    baseline: int | None = 24           # HAM-D17 the day before the start
    baseline_day: int = -1
    endpoint: int | None = 20           # HAM-D17 the day before the end
    endpoint_day: int | None = None     # default: end - 1
    instrument: str = "HAMD17"


@dataclass
class Scenario:
    pid: str
    trials: list[Trial] = field(default_factory=list)
    dx: str | None = "MDDRecurrentDiagnosis"
    dx_onset: str = ONSET
    extra: str = ""                     # more Turtle about ex:<pid> (diagnoses, ECT, MDQ…)

    def turtle(self) -> str:
        p = f"ex:{self.pid}"
        out = [f'{p} a trd:Patient ; trd:identifier "{self.pid}" .']
        if self.dx:
            out.append(f"{p}-dx a trd:{self.dx} ; trd:patient {p} ; trd:onsetDate {_date(self.dx_onset)} ; trd:isActive true .")
        for i, t in enumerate(self.trials, 1):
            node = f"{p}-t{i}"
            props = ["a trd:AntidepressantTrial", f"trd:patient {p}", f'trd:identifier "{self.pid}-t{i}"',
                     f"trd:drug trd:{t.drug}", f"trd:startDate {_date(day(t.start))}"]
            if t.end is not None:
                props.append(f"trd:endDate {_date(day(t.end))}")
            if t.ongoing:
                props.append("trd:ongoing true")
            if t.dose is not None:
                props.append(f"trd:dailyDoseMg {t.dose:.1f}")
            if t.adherence is not None:
                props.append(f"trd:adherence {t.adherence:.2f}")
            if t.stop:
                props.append(f"trd:stopReason trd:stop-{t.stop}")
            if t.weeks is not None:
                props.append(f"trd:weeksAtAdequateDose {t.weeks:.1f}")
            if t.augmented:
                props.append(f"trd:augmentedWith trd:{t.augmented}")
            if t.optimised:
                props.append("trd:doseOptimised true")
            out.append(f"{node} " + " ;\n    ".join(props) + " .")
            for j, (ps, pe, pd) in enumerate(t.periods, 1):
                out.append(f"{node}-p{j} a trd:DosePeriod ; trd:trial {node} ; trd:dailyDoseMg {pd:.1f} ; "
                           f"trd:startDate {_date(day(ps))} ; trd:endDate {_date(day(pe))} .")
            if t.baseline is not None:
                out.append(f"{node}-b a trd:Assessment ; trd:patient {p} ; trd:instrument trd:{t.instrument} ; "
                           f"trd:score {t.baseline} ; trd:date {_date(day(t.start + t.baseline_day))} .")
            if t.endpoint is not None:
                end_day = t.endpoint_day if t.endpoint_day is not None else (t.end if t.end is not None else t.start + 63) - 1
                out.append(f"{node}-e a trd:Assessment ; trd:patient {p} ; trd:instrument trd:{t.instrument} ; "
                           f"trd:score {t.endpoint} ; trd:date {_date(day(end_day))} .")
        if self.extra:
            out.append(self.extra.replace("$P", p))
        return "\n".join(out) + "\n"


def second(drug: str = "venlafaxine", dose: float = 150.0, **kw: Any) -> Trial:
    """A second failed trial, after the standard one (default: an SNRI, another class)."""
    return Trial(drug=drug, start=80, end=143, dose=dose, **kw)


def third(drug: str, dose: float, **kw: Any) -> Trial:
    return Trial(drug=drug, start=160, end=223, dose=dose, **kw)


def fourth(drug: str, dose: float, **kw: Any) -> Trial:
    return Trial(drug=drug, start=240, end=303, dose=dose, **kw)


def ect(laterality: str, absent: bool = True, start: int = 320) -> str:
    return (f"$P-ect a trd:ECTCourse ; trd:patient $P ; trd:startDate {_date(day(start))} ; "
            f"trd:endDate {_date(day(start + 30))} ; trd:laterality trd:laterality-{laterality} ; "
            f"trd:absentResponse {'true' if absent else 'false'} .")


SCENARIOS: list[Scenario] = [
    # --- adequacy (§2) ------------------------------------------------------------------
    Scenario("adequate", [Trial()]),
    Scenario("dose-49", [Trial(dose=49.0)]),
    Scenario("dose-50", [Trial(dose=50.0)]),
    Scenario("days-42", [Trial(end=42)]),
    Scenario("days-41", [Trial(end=41)]),
    Scenario("weeks-7", [Trial(end=49)]),
    Scenario("adherence-080", [Trial(adherence=0.80)]),
    Scenario("adherence-079", [Trial(adherence=0.79)]),
    Scenario("intolerance", [Trial(stop="intolerance")]),
    Scenario("intolerance-short", [Trial(stop="intolerance", end=20)]),
    Scenario("absent-response", [Trial(stop="absent-response")]),
    Scenario("no-dose", [Trial(dose=None)]),
    Scenario("no-end", [Trial(end=None)]),
    Scenario("ongoing", [Trial(end=None, ongoing=True, endpoint_day=62)]),
    Scenario("no-adherence", [Trial(adherence=None)]),
    Scenario("periods-6w", [Trial(dose=None, periods=[(0, 21, 25.0), (21, 63, 50.0)])]),
    Scenario("periods-5w", [Trial(dose=None, periods=[(0, 28, 25.0), (28, 63, 50.0)])]),
    Scenario("weeks-shortcut", [Trial(end=21, weeks=9.0, endpoint_day=20)]),
    # --- outcome (§3) -------------------------------------------------------------------
    Scenario("hamd-7", [Trial(endpoint=7)]),
    Scenario("hamd-8", [Trial(endpoint=8)]),
    Scenario("drop-50", [Trial(endpoint=12)]),
    Scenario("drop-46", [Trial(endpoint=13)]),
    Scenario("drop-25", [Trial(endpoint=18)]),
    Scenario("drop-21", [Trial(endpoint=19)]),
    Scenario("no-endpoint", [Trial(endpoint=None)]),
    Scenario("baseline-30d", [Trial(baseline_day=-30)]),
    Scenario("baseline-31d", [Trial(baseline_day=-31)]),
    Scenario("endpoint-14d", [Trial(endpoint_day=63 + 14)]),
    Scenario("endpoint-15d", [Trial(endpoint_day=63 + 15)]),
    Scenario("madrs-10", [Trial(instrument="MADRS", baseline=30, endpoint=10)]),
    Scenario("madrs-11", [Trial(instrument="MADRS", baseline=30, endpoint=11)]),
    # --- TRD status (§4) ----------------------------------------------------------------
    Scenario("two-classes", [Trial(), second()]),
    Scenario("one-class", [Trial(), second(drug="citalopram", dose=20.0)]),
    Scenario("possible", [Trial(), second(adherence=None)]),
    Scenario("possible-remitted", [Trial(), second(adherence=None, endpoint=5)]),
    Scenario("bipolar", [Trial(), second()],
             extra="$P-bp a trd:BipolarIDiagnosis ; trd:patient $P ; trd:isActive false ; "
                   "trd:onsetDate \"2010-01-01\"^^xsd:date ."),
    Scenario("mdq-7", [Trial(), second()],
             extra=f"$P-mdq a trd:Assessment ; trd:patient $P ; trd:instrument trd:MDQ ; trd:score 7 ; "
                   f"trd:date {_date(day(-2))} ."),
    Scenario("mdq-6", [Trial(), second()],
             extra=f"$P-mdq a trd:Assessment ; trd:patient $P ; trd:instrument trd:MDQ ; trd:score 6 ; "
                   f"trd:date {_date(day(-2))} ."),
    Scenario("no-trials", []),
    Scenario("old-episode-trial", [Trial(), second()], dx_onset=day(70)),
    Scenario("no-diagnosis", [Trial(), second()], dx=None),
    # --- staging (§4) -------------------------------------------------------------------
    Scenario("tr-3", [Trial(), second(), third("amitriptyline", 150.0)]),
    Scenario("tr-4", [Trial(), second(), third("amitriptyline", 150.0), fourth("phenelzine", 45.0)]),
    Scenario("tr-5", [Trial(), second(), third("amitriptyline", 150.0), fourth("phenelzine", 45.0)],
             extra=ect("bilateral")),
    Scenario("tr-5-unilateral", [Trial(), second(), third("amitriptyline", 150.0), fourth("phenelzine", 45.0)],
             extra=ect("unilateral")),
    Scenario("mghs", [Trial(optimised=True, augmented="aripiprazole"), second()], extra=ect("unilateral")),
    Scenario("maudsley-severe", [Trial(), second(endpoint=30)], dx_onset="2023-06-01"),
]

BY_ID = {s.pid: s for s in SCENARIOS}


def shard_turtle(scenarios: list[Scenario] = SCENARIOS) -> str:
    """One Turtle document with every scenario patient."""
    return PREFIX + "\n".join(s.turtle() for s in scenarios)
