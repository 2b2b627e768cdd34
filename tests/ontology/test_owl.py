"""OWL 2 DL checks that need Java: HermiT through owlready2 on build/trd.owl, and the OWL API
(the library Protégé uses) through the repository's tools/owlapi-check/run.sh. Skipped, with the
reason, only when `java` is not on PATH (the `java` marker); CI has Java, so they run there."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from reasoner.knowledge import paths
from reasoner.knowledge.build import MERGED_FILE, OWL_FILE

pytestmark = pytest.mark.java
TRD_IRI = "https://w3id.org/trd-reasoner/ontology#"


@pytest.fixture(scope="module")
def reasoned_world():
    """A private owlready2 World holding build/trd.owl plus one test trial, after HermiT ran.

    onto_path is pinned to the build folder and the file is loaded by file:// IRI, so owlready2
    never tries to download anything.
    """
    import owlready2

    owl_file = paths.BUILD_DIR / OWL_FILE
    assert owl_file.is_file(), "run `trd ontology build` first"
    saved_path = list(owlready2.onto_path)
    owlready2.onto_path[:] = [str(paths.BUILD_DIR)]
    world = owlready2.World()
    onto = world.get_ontology(owl_file.resolve().as_uri()).load()
    trd = world.get_namespace(TRD_IRI)
    data = world.get_ontology("https://example.org/trd/owl-test#")
    with data:
        trial = trd.AntidepressantTrial("trial-of-sertraline")
        trial.drug = trd.sertraline
    try:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError as exc:  # never swallowed as "Java absent"
        pytest.fail(f"HermiT: the ontology is inconsistent ({exc})")
    yield world, onto, trd, trial
    owlready2.onto_path[:] = saved_path


def test_hermit_finds_no_unsatisfiable_class(reasoned_world) -> None:
    world, onto, _, _ = reasoned_world
    assert len(list(onto.classes())) > 50
    assert list(world.inconsistent_classes()) == []


def test_hermit_classifies_pgp_substrates_as_the_reference_lists(reasoned_world, reference_text: str) -> None:
    _, _, trd, _ = reasoned_world
    row = next(line for line in reference_text.splitlines() if line.startswith("| `pgp-efflux`"))
    substrates = {n.strip() for n in re.search(r"P-gp substrate: ([a-z, ]+?) \(", row).group(1).split(",")}
    inferred = {i.name for i in trd.PgpSubstrateDrug.instances()}
    assert inferred == substrates


def test_hermit_classifies_a_sertraline_trial_as_ssri_trial(reasoned_world) -> None:
    _, _, trd, trial = reasoned_world
    assert trd.SSRITrial in trial.is_a
    assert trd.SNRITrial not in trial.is_a


@pytest.mark.parametrize("target", [paths.ONTOLOGY_TTL, paths.BUILD_DIR / OWL_FILE, paths.BUILD_DIR / MERGED_FILE],
                         ids=["trd.ttl", "trd.owl", "trd-merged.ttl"])
def test_owl_api_parses_dl_consistent_satisfiable(target: Path, repo_dir: Path) -> None:
    script = repo_dir / "tools" / "owlapi-check" / "run.sh"
    assert script.is_file(), f"{script} is part of the repository"
    run = subprocess.run(["bash", str(script), str(target)], capture_output=True, text=True, timeout=600, cwd=repo_dir)
    out = run.stdout
    assert "unparsed triples: 0" in out, out
    assert "OWL2 DL violations: 0" in out, out
    assert "consistent (HermiT): true" in out, out
    assert "unsatisfiable classes: 0" in out, out
    assert run.returncode == 0, out + run.stderr[-2000:]
