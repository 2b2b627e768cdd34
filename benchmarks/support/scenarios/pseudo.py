"""Scenario patients of the pseudo-resistance, mechanism, option and P-gp rules, as data.

Every scenario is a near-miss partner of another (TSH 4.5 vs 4.6, CRP 3.0 vs 3.1 and 5.0 vs 5.1,
AHI 4 vs 5, MDQ 6 vs 7, 3 vs 4 failures for VNS, CYP2C19 rapid vs normal, ABCB1 T/T vs C/T …),
and all of them go into ONE graph, which also proves that the rules stay patient-local (the
cohort runner puts ~1,000 patients in one store). Patients and trials are built with the core
rules' scenario builder (:mod:`benchmarks.support.scenarios.core`) so that the trial/TRD facts
these rules read are the same ones the core tests check.

Used by the rule tests (tests/infer/pseudo/cases.py reads the findings back and holds the
expectations) and by ``benchmarks/bench_pseudo_options.py`` (every rule of the area fires on
these patients, which the synthetic cohort does not guarantee).
"""

from __future__ import annotations

from benchmarks.support.scenarios.core import AS_OF, PREFIX, Scenario, Trial, day, fourth, second, third

EX = "https://example.org/trd/"


# --- Turtle snippets about $P (the patient) --------------------------------------------------
def lab(name: str, analyte: str, value: float, unit: str, on: int = -5, drug: str | None = None) -> str:
    """A lab measurement ``$P-<name>`` dated ``on`` days after the standard trial start."""
    drug_part = f" trd:drug trd:{drug} ;" if drug else ""
    return (f'$P-{name} a trd:LabMeasurement ; trd:patient $P ; trd:analyte trd:{analyte} ;{drug_part} '
            f'trd:value {value} ; trd:unit trd:unit-{unit} ; trd:date "{day(on)}"^^xsd:date .\n')


def dx(name: str, cls: str, active: bool = True, onset: str = "2020-01-01") -> str:
    return (f'$P-{name} a trd:{cls} ; trd:patient $P ; trd:isActive {"true" if active else "false"} ; '
            f'trd:onsetDate "{onset}"^^xsd:date .\n')


def genotype(variant: str, alleles: str) -> str:
    return (f'$P-abcb1 a trd:GenotypeResult ; trd:patient $P ; trd:gene trd:ABCB1 ; trd:variant trd:{variant} ; '
            f'trd:alleles "{alleles}" ; trd:date "{day(-10)}"^^xsd:date .\n')


def phenotype(gene: str, level: str) -> str:
    return (f'$P-{gene.lower()} a trd:PhenotypeResult ; trd:patient $P ; trd:gene trd:{gene} ; '
            f'trd:phenotype trd:phenotype-{level} ; trd:date "{day(-10)}"^^xsd:date .\n')


def noncompliance(on: int) -> str:
    return (f'$P-nc a trd:NoncomplianceFinding ; trd:patient $P ; trd:date "{day(on)}"^^xsd:date ; '
            f'trd:sourceCode "SNOMEDCT:129834002" .\n')


def ect_course(absent: bool) -> str:
    return (f'$P-ect a trd:ECTCourse ; trd:patient $P ; trd:startDate "{day(100)}"^^xsd:date ; '
            f'trd:endDate "{day(130)}"^^xsd:date ; trd:laterality trd:laterality-unilateral ; '
            f'trd:absentResponse {"true" if absent else "false"} .\n')


ESCITALOPRAM = Trial(drug="escitalopram", dose=10.0)
TWO_CLASSES = [Trial(), second()]                       # sertraline + venlafaxine: TRD confirmed


def failures(n: int) -> list[Trial]:
    """n failed adequate trials (SSRI, SNRI, NDRI, NaSSA …): at least two classes from n = 2 on."""
    drugs = [("sertraline", 50.0), ("venlafaxine", 150.0), ("bupropion", 300.0), ("mirtazapine", 15.0)]
    builders = [lambda d, m: Trial(drug=d, dose=m), lambda d, m: second(drug=d, dose=m),
                lambda d, m: third(d, m), lambda d, m: fourth(d, m)]
    return [builders[i](*drugs[i]) for i in range(n)]


SCENARIOS: list[Scenario] = [
    # --- hypothyroidism (§5): latest TSH > 4.5 (consider) / ≥ 10 (recommended), or a diagnosis
    Scenario("tsh-4.5", [Trial()], extra=lab("tsh", "TSH", 4.5, "mIU-per-L")),
    Scenario("tsh-4.6", [Trial()], extra=lab("tsh", "TSH", 4.6, "mIU-per-L")),
    Scenario("tsh-9.9", [Trial()], extra=lab("tsh", "TSH", 9.9, "mIU-per-L")),
    Scenario("tsh-10", [Trial()], extra=lab("tsh", "TSH", 10.0, "mIU-per-L")),
    Scenario("tsh-latest-normal", [Trial()],
             extra=lab("tsh1", "TSH", 12.0, "mIU-per-L", on=-60) + lab("tsh2", "TSH", 2.0, "mIU-per-L", on=-5)),
    Scenario("hypothyroid-dx", [Trial()], extra=dx("hypo", "HypothyroidismDiagnosis")),
    Scenario("hypothyroid-dx-inactive", [Trial()], extra=dx("hypo", "HypothyroidismDiagnosis", active=False)),
    # --- obstructive sleep apnoea: AHI ≥ 5 or a diagnosis
    Scenario("ahi-4", [Trial()], extra=lab("ahi", "AHI", 4.0, "per-hour")),
    Scenario("ahi-5", [Trial()], extra=lab("ahi", "AHI", 5.0, "per-hour")),
    Scenario("osa-dx", [Trial()], extra=dx("osa", "ObstructiveSleepApneaDiagnosis")),
    # --- bipolar spectrum: MDQ ≥ 7, or a bipolar diagnosis ever (with the options of §7)
    Scenario("mdq-6", TWO_CLASSES, extra=f'$P-mdq a trd:Assessment ; trd:patient $P ; trd:instrument trd:MDQ ; '
                                         f'trd:score 6 ; trd:date "{day(-2)}"^^xsd:date .\n'),
    Scenario("mdq-7", TWO_CLASSES, extra=f'$P-mdq a trd:Assessment ; trd:patient $P ; trd:instrument trd:MDQ ; '
                                         f'trd:score 7 ; trd:date "{day(-2)}"^^xsd:date .\n'),
    Scenario("bipolar-history", TWO_CLASSES, extra=dx("bp", "BipolarIIDiagnosis", active=False, onset="2010-01-01")),
    # --- intolerance, nonadherence, inadequate trial
    Scenario("intolerance", [Trial(stop="intolerance", end=20)]),
    Scenario("adherence-0.79", [Trial(adherence=0.79)]),
    Scenario("adherence-0.80", [Trial(adherence=0.80)]),
    Scenario("stop-nonadherence", [Trial(stop="nonadherence")]),
    Scenario("noncompliance-during", [Trial()], extra=noncompliance(30)),
    Scenario("noncompliance-after", [Trial()], extra=noncompliance(90)),
    Scenario("dose-49", [Trial(dose=49.0)]),
    Scenario("dose-50", [Trial(dose=50.0)]),
    Scenario("days-41", [Trial(end=41)]),
    # --- pharmacogenomics
    Scenario("abcb1-tt", [ESCITALOPRAM], extra=genotype("rs2032583", "T/T")),
    Scenario("abcb1-ct", [ESCITALOPRAM], extra=genotype("rs2032583", "C/T")),
    Scenario("abcb1-gg", [ESCITALOPRAM], extra=genotype("rs2235015", "G/G")),
    Scenario("abcb1-tt-fluoxetine", [Trial(drug="fluoxetine", dose=20.0)], extra=genotype("rs2032583", "T/T")),
    Scenario("abcb1-tt-remitted", [Trial(drug="escitalopram", dose=10.0, endpoint=5)],
             extra=genotype("rs2032583", "T/T")),
    Scenario("cyp2c19-rapid", [Trial()], extra=phenotype("CYP2C19", "rapid")),
    Scenario("cyp2c19-normal", [Trial()], extra=phenotype("CYP2C19", "normal")),
    Scenario("cyp2c19-ultrarapid-bupropion", [Trial(drug="bupropion", dose=300.0)],
             extra=phenotype("CYP2C19", "ultrarapid")),
    Scenario("cyp2d6-ultrarapid", [Trial(drug="paroxetine", dose=20.0)], extra=phenotype("CYP2D6", "ultrarapid")),
    Scenario("cyp2d6-rapid", [Trial(drug="paroxetine", dose=20.0)], extra=phenotype("CYP2D6", "rapid")),
    # --- psychotic features, substance use
    Scenario("psychotic", [Trial()], extra=dx("psy", "MDDWithPsychoticFeaturesDiagnosis", onset="2024-06-01")),
    Scenario("psychotic-inactive", [Trial()],
             extra=dx("psy", "MDDWithPsychoticFeaturesDiagnosis", active=False, onset="2024-06-01")),
    Scenario("sud", [Trial()], extra=dx("sud", "SubstanceUseDisorderDiagnosis")),
    Scenario("sud-inactive", [Trial()], extra=dx("sud", "SubstanceUseDisorderDiagnosis", active=False)),
    # --- mechanisms (§6)
    Scenario("crp-3.0", [Trial()], extra=lab("crp", "hsCRP", 3.0, "mg-per-L")),
    Scenario("crp-3.1", [Trial()], extra=lab("crp", "hsCRP", 3.1, "mg-per-L")),
    Scenario("crp-5.0", [Trial()], extra=lab("crp", "CRP", 5.0, "mg-per-L")),
    Scenario("crp-5.1", [Trial()], extra=lab("crp", "CRP", 5.1, "mg-per-L")),
    Scenario("crp-mg-dl", [Trial()], extra=lab("crp", "CRP", 0.4, "mg-per-dL")),      # 4 mg/L
    Scenario("il6-high", [Trial()], extra=lab("il6", "IL6", 100.0, "pg-per-mL")),
    Scenario("crp-3.1-il6", [Trial()], extra=lab("crp", "hsCRP", 3.1, "mg-per-L") + lab("il6", "IL6", 100.0, "pg-per-mL")),
    Scenario("dst-4.9", [Trial()], extra=lab("dst", "DSTCortisol", 4.9, "ug-per-dL")),
    Scenario("dst-5.0", [Trial()], extra=lab("dst", "DSTCortisol", 5.0, "ug-per-dL")),
    Scenario("dst-nmol-138", [Trial()], extra=lab("dst", "DSTCortisol", 138.0, "nmol-per-L")),   # 5.002 µg/dL
    Scenario("dst-nmol-137", [Trial()], extra=lab("dst", "DSTCortisol", 137.0, "nmol-per-L")),   # 4.966 µg/dL
    # --- options (§7)
    Scenario("no-trials", []),
    Scenario("one-failure", failures(1)),
    Scenario("two-classes", TWO_CLASSES),
    Scenario("two-classes-crp", TWO_CLASSES, extra=lab("crp", "hsCRP", 4.0, "mg-per-L")),
    Scenario("one-class", [Trial(), second(drug="citalopram", dose=20.0)]),
    Scenario("same-agent", [Trial(), second(drug="sertraline", dose=50.0)]),
    Scenario("vns-3", failures(3)),
    Scenario("vns-4", failures(4)),
    Scenario("vns-4-single-24m", failures(4), dx="MDDSingleEpisodeDiagnosis", dx_onset="2024-01-01"),
    Scenario("vns-4-single-23m", failures(4), dx="MDDSingleEpisodeDiagnosis", dx_onset="2024-02-01"),
    Scenario("ich", TWO_CLASSES, extra=dx("ich", "IntracerebralHaemorrhageDiagnosis", active=False)),
    Scenario("avm", TWO_CLASSES, extra=dx("avm", "ArteriovenousMalformationDiagnosis")),
    Scenario("aneurysm", TWO_CLASSES, extra=dx("an", "AneurysmalVascularDiseaseDiagnosis")),
    Scenario("failed-tca", [Trial(drug="amitriptyline", dose=150.0)]),
    Scenario("failed-maoi", [Trial(drug="phenelzine", dose=45.0)]),
    Scenario("failed-ect", [Trial()], extra=ect_course(True)),
    Scenario("responded-ect", [Trial()], extra=ect_course(False)),
    # --- the P-gp worked example (§5): 50 nM plasma → 25 nM brain → 71.4 %; inhibited 83.3 %
    Scenario("pgp-50nm", [ESCITALOPRAM],
             extra=genotype("rs2032583", "T/T") + lab("plasma", "PlasmaDrugConcentration", 50.0, "nmol-per-L",
                                                      drug="escitalopram")),
    Scenario("pgp-50nm-ct", [ESCITALOPRAM],
             extra=genotype("rs2032583", "C/T") + lab("plasma", "PlasmaDrugConcentration", 50.0, "nmol-per-L",
                                                      drug="escitalopram")),
]

BY_ID: dict[str, Scenario] = {s.pid: s for s in SCENARIOS}
assert len(BY_ID) == len(SCENARIOS), "scenario ids must be unique"


def turtle(pids: tuple[str, ...] | None = None) -> str:
    """One Turtle document with the chosen scenario patients (all by default)."""
    chosen = SCENARIOS if pids is None else [BY_ID[p] for p in pids]
    return PREFIX + "\n".join(s.turtle() for s in chosen)


__all__ = ["AS_OF", "PREFIX", "EX", "SCENARIOS", "BY_ID", "turtle", "lab", "dx", "genotype", "phenotype",
           "noncompliance", "ect_course", "failures"]
