"""Odd scenario patients for the differential oracle: each one a case where a SPARQL rule's exact
semantics (a packed-key MAX, DISTINCT rows of a SUM, an OPTIONAL's all-or-nothing match, blank nodes,
ill-typed and non-numeric literals, term equality after Oxigraph's canonical forms) could make a
twin differ. They are written with the core rules' scenario builder (benchmarks/support/scenarios/core.py);
what the rules conclude about them is not asserted here, only that both engines conclude the same.
"""

from __future__ import annotations

from benchmarks.support.scenarios.core import PREFIX, Scenario, Trial, day, ect, fourth, second, third


def _date(offset: int) -> str:
    return f'"{day(offset)}"^^xsd:date'


def _assessment(name: str, score: str, on: int, instrument: str = "HAMD17") -> str:
    return (f"$P-{name} a trd:Assessment ; trd:patient $P ; trd:instrument trd:{instrument} ; "
            f"trd:score {score} ; trd:date {_date(on)} .\n")


def _lab(name: str, analyte: str, value: str, on: int | None = -5) -> str:
    date = f" ; trd:date {_date(on)}" if on is not None else ""
    return f"$P-{name} a trd:LabMeasurement ; trd:patient $P ; trd:analyte trd:{analyte} ; trd:value {value}{date} .\n"


TWO = [Trial(), second()]

SCENARIOS: list[Scenario] = [
    # --- Maudsley severity: the latest banded score is chosen by a string MAX over a packed key
    Scenario("ms-decimal-integral", TWO, extra=_assessment("x1", '"12.0"^^xsd:decimal', 200)),  # STR gives "12"
    Scenario("ms-decimal", TWO, extra=_assessment("x1", "12.5", 200)),                     # no integer: no level
    Scenario("ms-leading-zero", TWO, extra=_assessment("x1", '"07"^^xsd:integer', 200) + _assessment("x2", "10", 200)),
    Scenario("ms-same-day", TWO, extra=_assessment("x1", "9", 200) + _assessment("x2", "25", 200, "MADRS")),
    Scenario("ms-double", TWO, extra=_assessment("x1", '"2.2E1"^^xsd:double', 200)),
    Scenario("ms-string-with-space", TWO, extra=_assessment("x1", '"1 2"', 200)),
    Scenario("ms-blank-assessment", TWO, extra=f"[] a trd:Assessment ; trd:patient $P ; trd:instrument trd:HAMD17 ; "
                                               f"trd:score 30 ; trd:date {_date(200)} .\n"),
    Scenario("ms-other-instrument", TWO, extra=_assessment("x1", "20", 210, "PHQ9")),
    Scenario("ms-after-as-of", TWO, extra=_assessment("x1", "30", 5000)),
    Scenario("ms-psychotic-boolean-1", TWO, extra=f'$P-psy a trd:MDDWithPsychoticFeaturesDiagnosis ; trd:patient $P ; '
                                                  f'trd:isActive "1"^^xsd:boolean ; trd:onsetDate {_date(-400)} .\n'),
    Scenario("ms-no-episode", TWO, dx=None, extra=_assessment("x1", "26", 200)),
    Scenario("ms-ill-typed", TWO, extra=_assessment("x1", '"high"^^xsd:integer', 200)),
    # --- MGH-S: dose periods, a raise recorded twice, blank-node periods, strings
    Scenario("mghs-periods", [Trial(periods=[(0, 20, 50.0), (21, 63, 100.0)]),
                              second(optimised=True, augmented="lithium")], extra=ect("bilateral")),
    Scenario("mghs-blank-periods", TWO, extra=f"[] a trd:DosePeriod ; trd:trial $P-t1 ; trd:dailyDoseMg 20.0 ; trd:startDate {_date(0)} .\n"
                                              f"[] a trd:DosePeriod ; trd:trial $P-t1 ; trd:dailyDoseMg 200.0 ; trd:startDate {_date(10)} .\n"),
    Scenario("mghs-strings", TWO, extra='$P-t1 trd:doseOptimised "true" ; trd:augmentedWith "lithium" .\n'),
    # --- Thase-Rush
    Scenario("tr-tca-maoi-ect", [Trial(), second(), third("amitriptyline", 150.0), fourth("phenelzine", 45.0)],
             extra=ect("bilateral")),
    Scenario("tr-blank-ect", TWO, extra=f"[] a trd:ECTCourse ; trd:patient $P ; trd:startDate {_date(300)} ; "
                                        "trd:laterality trd:laterality-bilateral ; trd:absentResponse true .\n"),
    # --- options
    Scenario("op-vns-single", [Trial(), second(), third("bupropion", 300.0), fourth("mirtazapine", 15.0)],
             dx="MDDSingleEpisodeDiagnosis", dx_onset="2022-01-01"),
    Scenario("op-episode-after-as-of", [Trial()], dx="MDDSingleEpisodeDiagnosis", dx_onset="2027-01-01"),
    Scenario("op-two-episodes", [Trial()], dx="MDDSingleEpisodeDiagnosis",
             extra=f"$P-dx2 a trd:MDDSingleEpisodeDiagnosis ; trd:patient $P ; trd:isActive true ; trd:onsetDate {_date(-30)} .\n"),
    Scenario("op-contraindications", TWO, extra="$P-ich a trd:IntracerebralHaemorrhageDiagnosis, trd:AneurysmalVascularDiseaseDiagnosis ; "
                                                "trd:patient $P .\n[] a trd:ArteriovenousMalformationDiagnosis ; trd:patient $P .\n"),
    Scenario("op-bipolar-and-mdq", TWO, extra="$P-bp a trd:BipolarIDiagnosis ; trd:patient $P .\n" + _assessment("mdq", "9", -3, "MDQ")),
    # --- pseudo-resistance
    Scenario("ps-tsh-same-day", [Trial()], extra=_lab("t1a", "TSH", "12.0") + _lab("t1b", "TSH", "5.0")),
    Scenario("ps-tsh-ill-typed", [Trial()], extra=_lab("t1a", "TSH", '"x"^^xsd:decimal')
             + '$P-h a trd:HypothyroidismDiagnosis ; trd:patient $P ; trd:isActive "false" .\n'),
    Scenario("ps-adherence-odd", [Trial(adherence=None)], extra='$P-t1 trd:adherence "low"^^xsd:decimal, "0.5"^^xsd:double .\n'),
    Scenario("ps-noncompliance-onset", [Trial()], extra=f"$P-nc a trd:NoncomplianceFinding ; trd:patient $P ; trd:onsetDate {_date(20)} .\n"
                                                        f"[] a trd:NoncomplianceFinding ; trd:patient $P ; trd:date {_date(30)} .\n"),
    Scenario("ps-ahi", [Trial()], extra=_lab("a", "AHI", '"5"^^xsd:double', None)
             + "[] a trd:LabMeasurement ; trd:patient $P ; trd:analyte trd:AHI ; trd:value 30 .\n"),
    Scenario("ps-osa-inactive-0", [Trial()], extra='$P-o a trd:ObstructiveSleepApneaDiagnosis ; trd:patient $P ; trd:isActive "0"^^xsd:boolean .\n'),
    Scenario("ps-cyp-blank", [Trial(drug="citalopram", dose=20.0)],
             extra="[] a trd:PhenotypeResult ; trd:patient $P ; trd:gene trd:CYP2C19 ; trd:phenotype trd:phenotype-ultrarapid .\n"),
    Scenario("ps-intolerance-short", [Trial(dose=20.0, stop="intolerance", end=10),
                                      Trial(drug="venlafaxine", start=80, end=100, dose=50.0)]),
    Scenario("ps-two-alleles", [Trial(drug="escitalopram", dose=10.0)],
             extra='$P-g a trd:GenotypeResult ; trd:patient $P ; trd:gene trd:ABCB1 ; trd:variant trd:rs2032583 ; trd:alleles "T/T", "C/T" .\n'),
    Scenario("ps-substance-subclass", [Trial()], extra="$P-s a trd:AlcoholUseDisorderDiagnosis ; trd:patient $P .\n"
                                                       "$P-s2 a trd:SubstanceUseDisorderDiagnosis ; trd:patient $P ; trd:isActive false .\n"),
    # --- trials
    Scenario("tr-ongoing", [Trial(end=None, ongoing=True),
                            Trial(drug="venlafaxine", dose=150.0, start=80, end=None, ongoing=True)]),
    Scenario("tr-blank-trial", [Trial()], extra=f"[] a trd:AntidepressantTrial ; trd:patient $P ; trd:drug trd:sertraline ; "
                                                f"trd:startDate {_date(10)} ; trd:endDate {_date(80)} ; trd:dailyDoseMg 100.0 ; "
                                                "trd:adherence 0.5 ; trd:stopReason trd:stop-nonadherence .\n"),
    Scenario("tr-two-drugs", [Trial()], extra="$P-t1 trd:drug trd:venlafaxine .\n"),
    # --- outcomes: a reduction exactly halfway at the 4th decimal (SPARQL ROUND is half up: -1/32 -> -0.0312;
    # found by the 10,000-patient differential, where the twin rounded half away from zero to -0.0313)
    Scenario("oc-halfway-reduction", [Trial(baseline=32, endpoint=33), second(), Trial(drug="venlafaxine", dose=150.0,
                                                                                       start=80, end=150, baseline=32,
                                                                                       endpoint=31)]),
]


def turtle() -> str:
    """One Turtle document with every odd scenario patient."""
    return PREFIX + "\n".join(s.turtle() for s in SCENARIOS)
