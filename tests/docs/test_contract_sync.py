"""The project's contracts in docs/ agree with the upstream reference in ../shared.

docs/clinical-reference.md, docs/fhir-profile.md and docs/output-contract.md are the project's own
copies of ../shared/clinical-reference.md, fhir-profile.md and json-output.md (the upstream
authority). Tests and users read the docs/ copies, so a clone works without ../shared; this
module checks that the copies have not drifted from upstream where it matters: the stable codes
(§1), table 2.1, the thresholds of §2–§7 that the ontology encodes, the code tables of the FHIR
profile, and the minimal JSON output contract.

Both texts go through the same parsing functions below; a comparison fails on any difference and
names it. When ../shared is not beside the repository (a user's clone), the comparisons skip with
that reason. The parsers themselves are checked on the docs/ copies in every clone.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
UPSTREAM = REPO.parent / "shared"

#: docs/ copy -> upstream file name
PAIRS = {
    "clinical-reference.md": "clinical-reference.md",
    "fhir-profile.md": "fhir-profile.md",
    "output-contract.md": "json-output.md",
}


# --- reading -----------------------------------------------------------------------------------
def _docs(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def upstream_dir() -> Path:
    """``<repo>/../shared``; the comparisons skip, saying so, when it is absent."""
    if not UPSTREAM.is_dir():
        pytest.skip(f"upstream reference folder {UPSTREAM} is not beside the repository "
                    "(a clone without ../shared): nothing to compare docs/ with")
    return UPSTREAM


@pytest.fixture(scope="module")
def both(upstream_dir: Path):
    """name -> (docs/ text, upstream text) for the three contracts."""
    return {name: (_docs(name), (upstream_dir / up).read_text(encoding="utf-8")) for name, up in PAIRS.items()}


# --- parsing (one set of functions for both texts) -----------------------------------------------
def _norm(text: str) -> str:
    """Whitespace collapsed, so that a rewrapped line is not a difference."""
    return re.sub(r"\s+", " ", text).strip()


def section(text: str, start: str, end: str | None) -> str:
    """The part of a markdown text between two markers (``start`` must be present; ``end`` None:
    to the end of the text)."""
    assert start in text, f"marker {start!r} not found"
    rest = text.split(start, 1)[1]
    return rest if end is None else rest.split(end, 1)[0]


def table_rows(text: str) -> list[list[str]]:
    """Cells of every markdown table row in ``text`` (header and separator rows left out)."""
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("|") or re.fullmatch(r"\|[-| :]+\|", line):
            continue
        rows.append([c.strip() for c in line.strip("|").split("|")])
    return rows[1:] if rows else rows  # the first row of a table section is its header


def backticked(text: str) -> list[str]:
    return re.findall(r"`([^`]+)`", text)


def stable_codes(text: str) -> dict[str, list[str]]:
    """Clinical reference §1: group -> its codes, in order."""
    return {cells[0]: backticked(cells[1]) for cells in table_rows(section(text, "## 1.", "## 2."))}


def drug_table(text: str) -> list[tuple[str, str, str, str, str]]:
    """Table 2.1: (drug, class, min mg/day, RxNorm, ATC), in order."""
    return [tuple(cells) for cells in table_rows(section(text, "### 2.1", "## 3.")) if len(cells) == 5]


def other_drug_codes(text: str) -> list[tuple[str, str, str]]:
    """The paragraph after table 2.1: (name, RxNorm, ATC or ''), for augmenting and other drugs."""
    para = _norm(section(text, "Augmenting agents (not antidepressant trials themselves):", "## 3."))
    return re.findall(r"([a-z]+) (\d+)(?: \(([A-Z]\d\d[A-Z]{2}\d\d)\))?", para)


#: Thresholds of the clinical reference that the ontology (or a policy graph) encodes:
#: name -> (section start, section end, pattern over the whitespace-collapsed section).
THRESHOLDS: dict[str, tuple[str, str | None, str]] = {
    # §2 adequate trial
    "trial-gap-days": ("## 2.", "### 2.1", r"gaps of ≤ (\d+) days merge"),
    "minimum-adequate-weeks": ("## 2.", "### 2.1", r"≥ \*\*(\d+) weeks\*\*"),
    "alternative-weeks (ATHF, ATHF-SF)": ("## 2.", "### 2.1", r"original ATHF used ≥ (\d+) weeks, ATHF-SF style (\d+) weeks"),
    "adherence-threshold": ("## 2.", "### 2.1", r"adherence ≥ \*\*([\d.]+)\*\*"),
    # §3 outcome
    "baseline-window-days": ("## 3.", "## 4.", r"\(up to (\d+) days before\)"),
    "endpoint-window-days": ("## 3.", "## 4.", r"to (\d+) days after its end"),
    "response-reduction": ("## 3.", "## 4.", r"Response = ≥ (\d+)% reduction"),
    "partial-response": ("## 3.", "## 4.", r"partial response = (\d+)–(\d+)%"),
    "non-response": ("## 3.", "## 4.", r"non-response < (\d+)%"),
    # §4 TRD and staging
    "trd-minimum-failed-trials": ("## 4.", "## 5.", r"\*\*TRD confirmed\*\*: ≥ (\d+) failed"),
    "mdq-positive-score": ("## 4.", "## 5.", r"or MDQ ≥ (\d+) means"),
    "maudsley-duration-months": ("## 4.", "## 5.", r"duration of episode ≤ (\d+) mo 1, (\d+)–(\d+) mo 2, > (\d+) mo 3"),
    "maudsley-failed-antidepressants": ("## 4.", "## 5.", r"failed antidepressants ((?:\d+–\d+: \d+, )+> \d+: \d+);"),
    "maudsley-total-bands": ("## 4.", "## 5.", r"mild (\d+)–(\d+), moderate (\d+)–(\d+), severe (\d+)–(\d+)"),
    "days-per-month and duration points": ("## 4.", "## 5.", r"÷ ([\d.]+) \(≤ (\d+) → (\d), > (\d+) and ≤ (\d+) → (\d), > (\d+) → (\d)\)"),
    "mghs-weights": ("## 4.", "## 5.", r"(\d+) per failed adequate trial, \+ ([\d.]+) for each failed adequate trial whose dose "
                     r"was raised during the trial \(at most ([\d.]+) a trial\), \+ ([\d.]+) for each failed adequate "
                     r"trial with augmentation \(at most ([\d.]+) a trial\), \+ (\d+) for each failed ECT course"),
    # §5 pseudo-resistance
    "mdq-bipolar": ("## 5.", "## 6.", r"or MDQ ≥ (\d+) \|"),
    "tsh-upper-normal and treatment": ("## 5.", "## 6.", r"TSH > ([\d.]+) mIU/L \(≥ (\d+): treat"),
    "tsh-consider-range": ("## 5.", "## 6.", r"`consider` for ([\d.]+) < TSH < (\d+)"),
    "ahi-osa": ("## 5.", "## 6.", r"AHI ≥ (\d+) /h"),
    "nonadherence-below": ("## 5.", "## 6.", r"a trial with adherence < ([\d.]+)"),
    "noncompliance-snomed": ("## 5.", "## 6.", r"coded SNOMED (\d+)"),
    "abcb1-genotypes": ("## 5.", "## 6.", r"ABCB1 (rs\d+ [ACGT]/[ACGT]) or (rs\d+ [ACGT]/[ACGT])"),
    "pgp-substrates": ("## 5.", "## 6.", r"P-gp substrate: ([a-z, ]+?) \("),
    "pgp-non-substrates": ("## 5.", "## 6.", r"non-substrates: ([a-z, ]+?) \|"),
    "cyp2c19-drugs": ("## 5.", "## 6.", r"CYP2C19 ultrarapid .*? of ([a-z, ]+? or [a-z]+)"),
    "cyp2d6-drugs": ("## 5.", "## 6.", r"CYP2D6 ultrarapid .*? of ([a-z, ]+? or [a-z]+)"),
    "psychotic-features-icd": ("## 5.", "## 6.", r"psychotic features \(([A-Z]\d\d\.\d)/([A-Z]\d\d\.\d)\)"),
    "substance-use-icd": ("## 5.", "## 6.", r"active substance use disorder \(([^)]+)\)"),
    "sert-kd and occupancy threshold": ("## 5.", "## 6.", r"K = (\d+) nM, therapeutic threshold (\d+)% SERT occupancy"),
    "pgp-worked-example": ("## 5.", "## 6.", r"Plasma (\d+) nM → ([\d.]+)% occupancy; .*? to (\d+) nM → ([\d.]+)%"),
    # §6 mechanisms
    "crp-inflammation": ("## 6.", "## 7.", r"hs-CRP \(or CRP\) > (\d+) mg/L"),
    "crp-infliximab": ("## 6.", "## 7.", r"only if CRP > (\d+) mg/L"),
    "dst-cortisol": ("## 6.", "## 7.", r"cortisol ≥ (\d+) µg/dL \(nmol/L ÷ ([\d.]+); (\d+) µg/dL ≈ (\d+) nmol/L\)"),
    "sert-occupancy-bbb": ("## 6.", "## 7.", r"SERT occupancy < (\d+)%"),
    # §7 options
    "esketamine-contraindication-icd": ("## 7.", "`not-yet-eligible` carries", r"\(ICD-10-CM ([^)]+)\), arteriovenous malformation \(([^)]+)\), history of intracerebral haemorrhage \(([^)]+)\)"),
    "not-yet-eligible-example": ("## 7.", None, r"\(for example \"needs ≥ (\d+) failed adequate trials; has (\d+)\"\)"),
}


def thresholds(text: str) -> dict[str, tuple[str, ...]]:
    """name -> the values THRESHOLDS' pattern finds in the text (each pattern must match)."""
    found = {}
    for name, (start, end, pattern) in THRESHOLDS.items():
        part = _norm(section(text, start, end))
        match = re.search(pattern, part)
        assert match, f"threshold {name!r}: pattern {pattern!r} not found"
        found[name] = tuple(_norm(g) for g in match.groups())
    return found


def instrument_table(text: str) -> dict[str, tuple[str, str]]:
    """§3: scale -> (score range, remission cut-off with its operator)."""
    out = {}
    for cells in table_rows(section(text, "## 3.", "Response =")):
        if len(cells) == 4:
            remission = re.match(r"([≤<]) (\d+)", cells[2])
            out[cells[0]] = (cells[1], " ".join(remission.groups()) if remission else cells[2])
    return out


def maudsley_severity(text: str) -> dict[str, list[tuple[str, str]]]:
    """§4: instrument -> [(score or range, severity)] of the Maudsley severity dimension."""
    part = _norm(section(text, "Severity from the latest score in the episode:", "psychotic features (active)"))
    out = {}
    for chunk in part.split(";"):
        name = re.match(r"\s*([A-Z][A-Za-z0-9-]+)", chunk)
        if name:
            out[name.group(1)] = re.findall(r"(≤ \d+|≥ \d+|\d+–\d+) (subsyndromal|mild|moderate|severe)", chunk)
    return out


def option_table(text: str) -> dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], bool]]:
    """§7: option -> (statuses named, numbers of the eligibility rule, ICD codes ruling it out,
    bipolar spectrum rules it out)."""
    out = {}
    for cells in table_rows(section(text, "## 7.", "`not-yet-eligible` carries")):
        if len(cells) != 4:
            continue
        eligible = _norm(cells[2])
        numbers = tuple(re.findall(r"(?:≥ \d+ (?:failed adequate trials?|months)|Thase–Rush ≥ [IV]+|TRD confirmed)", eligible))
        icd = tuple(re.findall(r"\b[A-Z]\d\d(?:\.[0-9A-Z*]+)?", cells[3]))
        for code in backticked(cells[0]):
            out[code] = (tuple(backticked(cells[1])), numbers, icd, "bipolar spectrum" in cells[3])
    return out


_COMPARISON = re.compile(r"[≤≥<>]\s?\d+(?:\.\d+)?|\d+(?:\.\d+)?\s?–\s?\d+(?:\.\d+)?")


def comparisons(text: str, start: str, end: str | None) -> list[str]:
    """Every comparison (``≥ 24``, ``< 0.80``) and range (``17–23``) of a section, in order: the
    net that catches a changed threshold no named pattern covers."""
    return [re.sub(r"\s", "", m) for m in _COMPARISON.findall(_norm(section(text, start, end)))]


def condition_codes(text: str) -> dict[str, tuple[list[str], list[str]]]:
    """FHIR profile, Condition table: concept -> (SNOMED CT codes, ICD-10-CM codes or ranges)."""
    out = {}
    for cells in table_rows(section(text, "## Condition", "## MedicationStatement")):
        if len(cells) == 3:
            icd = re.sub(r"\([^)]*\)", "", cells[2])  # remarks in brackets are no codes
            out[cells[0]] = (re.findall(r"\d{6,}", cells[1]),
                             re.findall(r"\b[A-Z]\d\d(?:\.[0-9A-Z*]+)?(?:–[A-Z]\d\d(?:\.[0-9A-Z*]+)?)?", icd))
    return out


def observation_codes(text: str) -> dict[str, tuple[list[str], str]]:
    """FHIR profile, Observation table: concept -> (codes, unit cell)."""
    out = {}
    for cells in table_rows(section(text, "## Observation", "## Procedure")):
        if len(cells) == 3:
            codes = re.findall(r"trd#[a-z0-9-]+|LA\d+-\d|\b\d+-\d\b|HGNC:\d+", cells[1])
            out[cells[0]] = (codes, cells[2])
    return out


def stop_reason_codes(text: str) -> dict[str, list[str]]:
    """FHIR profile: statusReason meaning -> SNOMED codes."""
    part = _norm(section(text, "with `statusReason`:", "- Augmenting agents"))
    return {meaning: re.findall(r"\d{6,}", codes)
            for codes, meaning in re.findall(r"((?:\d{6,}(?:, )?)+)(?: \(SNOMED\))? → ([a-z ]+)", part)}


def codes_named(text: str) -> set[str]:
    """Every code and code system the FHIR profile names anywhere: the net behind the tables."""
    return (set(re.findall(r"https?://[^\s`)*]+", text)) | set(re.findall(r"trd#[a-z0-9-]+", text))
            | set(re.findall(r"\bLA\d+-\d\b|\b\d{3,5}-\d\b|\b\d{6,}\b", text))
            | set(re.findall(r"\b[A-Z]\d\d\.[0-9A-Z*]+", text)))


def minimal_contract(text: str) -> str:
    """The output contract up to the project's own additions (its first ``## `` heading)."""
    return text.split("\n## ", 1)[0]


def example_keys(text: str) -> set[str]:
    """Key paths of the example document of the minimal contract (``patients[].trials[].drug``)."""
    block = re.search(r"```json\n(.*?)```", minimal_contract(text), re.S).group(1)
    doc = json.loads(block.replace("[...]", "[]").replace('"..."', '""'))
    paths: set[str] = set()

    def walk(node, prefix: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                paths.add(prefix + k)
                walk(v, prefix + k + ".")
        elif isinstance(node, list):
            for item in node:
                walk(item, prefix[:-1] + "[].")

    walk(doc, "")
    return paths


def exit_codes(text: str) -> list[tuple[str, str]]:
    """(code, meaning) of the minimal contract's exit code sentence."""
    line = _norm(next(b for b in minimal_contract(text).split("\n- ") if "Exit code" in b))
    return re.findall(r"\b([0-9])\b (?:when|for) ([^,]+?)(?:,| \(|$)", line)


def severities(text: str) -> list[str]:
    return backticked(_norm(minimal_contract(text)).split("Severities:", 1)[1].split(".", 1)[0])


# --- the parsers read the docs/ copies (every clone) ------------------------------------------------
def test_parsers_read_the_docs_copies() -> None:
    ref, fhir, out = (_docs(name) for name in PAIRS)
    assert len(stable_codes(ref)) == 8
    assert len(drug_table(ref)) >= 20 and len(other_drug_codes(ref)) >= 8
    assert len(thresholds(ref)) == len(THRESHOLDS)
    assert len(instrument_table(ref)) == 5 and len(maudsley_severity(ref)) == 4
    assert len(option_table(ref)) >= 15
    assert all(comparisons(ref, f"## {n}.", f"## {n + 1}.") for n in range(3, 7))
    assert len(condition_codes(fhir)) >= 7 and len(observation_codes(fhir)) >= 12
    assert set(stop_reason_codes(fhir)) == {"stopped for intolerance", "nonadherence", "absent response"}
    assert {"asOf", "patients[].trials[].failed", "patients[].dataIssues[].severity"} <= example_keys(out)
    assert [c for c, _ in exit_codes(out)] == ["0", "1", "2"]
    assert severities(out) == ["violation", "warning", "info"]


# --- docs/ against upstream (skipped when ../shared is absent) ------------------------------------
def _same(parse, docs_text: str, upstream_text: str, what: str) -> None:
    mine, theirs = parse(docs_text), parse(upstream_text)
    if isinstance(mine, dict):
        diff = {k: (mine.get(k), theirs.get(k)) for k in set(mine) | set(theirs) if mine.get(k) != theirs.get(k)}
        assert not diff, f"{what}: docs/ copy differs from ../shared ((docs, upstream) per key): {diff}"
    elif isinstance(mine, set):
        assert mine == theirs, f"{what}: only in docs/ {sorted(mine - theirs)}, only upstream {sorted(theirs - mine)}"
    else:
        diff = [(i, a, b) for i, (a, b) in enumerate(zip(mine, theirs)) if a != b]
        assert mine == theirs, (f"{what}: docs/ copy differs from ../shared: (index, docs, upstream) {diff}; "
                                f"{len(mine)} entries in docs/, {len(theirs)} upstream")


def test_stable_codes_agree(both) -> None:
    _same(stable_codes, *both["clinical-reference.md"], "clinical reference §1 stable codes")


def test_drug_table_agrees(both) -> None:
    _same(drug_table, *both["clinical-reference.md"], "clinical reference table 2.1 (drug, class, min mg/day, RxNorm, ATC)")
    _same(other_drug_codes, *both["clinical-reference.md"], "clinical reference 2.1, augmenting and other drugs' codes")


def test_named_thresholds_agree(both) -> None:
    _same(thresholds, *both["clinical-reference.md"], "clinical reference thresholds (§2–§7)")


def test_instrument_and_staging_tables_agree(both) -> None:
    _same(instrument_table, *both["clinical-reference.md"], "clinical reference §3 instruments (range, remission)")
    _same(maudsley_severity, *both["clinical-reference.md"], "clinical reference §4 Maudsley severity bands")


def test_option_table_agrees(both) -> None:
    _same(option_table, *both["clinical-reference.md"], "clinical reference §7 options")


@pytest.mark.parametrize("number", [3, 4, 5, 6, 7])
def test_every_comparison_of_a_section_agrees(both, number: int) -> None:
    end = f"## {number + 1}." if number < 7 else None  # §7 runs to the end of the text
    _same(lambda t: comparisons(t, f"## {number}.", end), *both["clinical-reference.md"],
          f"clinical reference §{number} comparisons and ranges")


def test_fhir_condition_codes_agree(both) -> None:
    _same(condition_codes, *both["fhir-profile.md"], "FHIR profile Condition codes")


def test_fhir_observation_codes_agree(both) -> None:
    _same(observation_codes, *both["fhir-profile.md"], "FHIR profile Observation codes")


def test_fhir_stop_reason_codes_agree(both) -> None:
    _same(stop_reason_codes, *both["fhir-profile.md"], "FHIR profile statusReason codes")


def test_fhir_profile_names_the_same_codes(both) -> None:
    _same(codes_named, *both["fhir-profile.md"], "FHIR profile codes and code systems")


def test_minimal_output_contract_agrees(both) -> None:
    _same(example_keys, *both["output-contract.md"], "output contract example document (key paths)")
    _same(exit_codes, *both["output-contract.md"], "output contract exit codes")
    _same(severities, *both["output-contract.md"], "output contract severities")
