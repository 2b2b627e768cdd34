"""patient-view calls that wait for the pipeline together are assessed as one batch, and each call
still gets exactly what it would get alone (reasoner/serve/batching.py, Assessor.assess_view).

The group commit is driven with real threads; the batch's results are held to the same calls
assessed one at a time on the project's example patients, a generated typical patient and two
calls about the same patient with different data (never put in one batch)."""

from __future__ import annotations

import copy
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from benchmarks.cds_hooks import typical_patient
from benchmarks.support.cds import bundle_resources, hook_request
from reasoner.serve.assessor import Assessor, _disjoint_rounds, _subjects
from reasoner.serve.batching import GroupCommit, Job
from tests.serve.conftest import AS_OF, EXAMPLES, Env

PATIENT_IRI = b"<https://w3id.org/trd-reasoner/fhir/Patient/"
EXAMPLE_CALLS = [("pat-001", "trd-confirmed"), ("pat-pr", "pseudo-resistant"), ("pat-nt", "not-trd"),
                 ("pat-empty", "empty-patient")]


# --- the group commit ---------------------------------------------------------------------------
def _wait_until(condition: Any, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_calls_that_wait_together_run_as_one_batch_and_each_gets_its_own_result() -> None:
    release = threading.Event()
    batches: list[list[int]] = []

    def run(jobs: list[Job[int]]) -> None:
        batches.append([j.payload for j in jobs])
        if len(batches) == 1:
            release.wait(10)          # the first call holds the pipeline while the others queue
        for j in jobs:
            j.result = j.payload * 10

    commit: GroupCommit[int] = GroupCommit(run, max_batch=4)
    with ThreadPoolExecutor(7) as pool:
        first = pool.submit(commit.submit, 0)
        _wait_until(lambda: len(batches) == 1)
        rest = [pool.submit(commit.submit, n) for n in range(1, 7)]
        _wait_until(lambda: len(commit._queue) == 6)
        release.set()
        assert first.result() == 0
        assert [f.result() for f in rest] == [10, 20, 30, 40, 50, 60]
    assert batches[0] == [0]
    assert sorted(len(b) for b in batches[1:]) == [2, 4]          # at most max_batch per batch
    assert sorted(p for b in batches for p in b) == list(range(7))  # every call run exactly once


def test_an_error_of_a_batch_reaches_its_calls_and_a_call_left_without_result_is_told() -> None:
    def run(jobs: list[Job[int]]) -> None:
        for j in jobs:
            if j.payload == "bad":
                j.error = ValueError("bad call")
            elif j.payload != "forgotten":
                j.result = 1

    commit: GroupCommit[int] = GroupCommit(run)
    assert commit.submit("good") == 1
    with pytest.raises(ValueError, match="bad call"):
        commit.submit("bad")
    with pytest.raises(RuntimeError, match="no result"):
        commit.submit("forgotten")
    assert commit.submit("good") == 1   # nothing left behind by the failures

    def broken(jobs: list[Job[int]]) -> None:
        raise KeyError("defect")

    with pytest.raises(KeyError):
        GroupCommit(broken).submit("x")
    with pytest.raises(ValueError):
        GroupCommit(run, max_batch=0)


def test_a_leader_waits_briefly_for_calls_already_received_and_never_for_others() -> None:
    batches: list[list[str]] = []

    def run(jobs: list[Job[str]]) -> None:
        batches.append([j.payload for j in jobs])
        for j in jobs:
            j.result = j.payload

    commit: GroupCommit[str] = GroupCommit(run, max_batch=8, linger=5.0)
    # nobody on the way: a call alone is run at once
    started = time.monotonic()
    assert commit.submit("alone") == "alone"
    assert time.monotonic() - started < 1.0 and batches == [["alone"]]
    # a call received (authenticating, reading its body) when another starts a batch: waited for
    arrival = commit.arrival()
    with ThreadPoolExecutor(1) as pool:
        leader = pool.submit(commit.submit, "first")
        time.sleep(0.2)
        assert len(batches) == 1               # the leader is waiting for the arriving call
        assert commit.submit("second", arrival) == "second"
        assert leader.result() == "first"
    assert sorted(batches[1]) == ["first", "second"]
    # an arriving call that fails before submitting releases the leader at once (a commit with no
    # recent concurrency: nobody else is expected, see the next test)
    commit = GroupCommit(run, max_batch=8, linger=5.0)
    arrival = commit.arrival()
    with ThreadPoolExecutor(1) as pool:
        leader = pool.submit(commit.submit, "third")
        time.sleep(0.2)
        started = time.monotonic()
        arrival.close()
        assert leader.result() == "third" and time.monotonic() - started < 1.0
    # and the wait is bounded: a call that never comes delays a batch by `linger` at most
    quick: GroupCommit[str] = GroupCommit(run, linger=0.05)
    never = quick.arrival()
    started = time.monotonic()
    assert quick.submit("bounded") == "bounded"
    assert 0.04 <= time.monotonic() - started < 1.0
    never.close()


def test_a_leader_waits_for_calls_expected_from_recent_concurrency_and_a_lone_client_never_waits() -> None:
    batches: list[list[str]] = []
    release = threading.Event()

    def run(jobs: list[Job[str]]) -> None:
        batches.append([j.payload for j in jobs])
        if "slow" in [j.payload for j in jobs]:
            assert release.wait(10)
        for j in jobs:
            j.result = j.payload

    commit: GroupCommit[str] = GroupCommit(run, max_batch=8, linger=5.0)
    # one client calling again and again has never had company: none of its calls waits
    started = time.monotonic()
    for n in range(3):
        assert commit.submit(f"lone-{n}") == f"lone-{n}"
    assert time.monotonic() - started < 1.0 and commit.expected() == 1
    # two clients: one call is assessed while the other's waits; when the first ends, its client
    # (just answered) is expected back, so the waiting call leads a batch that waits for it
    def overlap(pool: ThreadPoolExecutor, on: GroupCommit[str], payload: str) -> tuple[Any, Any]:
        """A slow call being assessed and `payload` queued behind it; then the slow one ends."""
        first = pool.submit(on.submit, "slow")
        _wait_until(lambda: batches[-1] == ["slow"])
        second = pool.submit(on.submit, payload)
        _wait_until(lambda: on.expected() == 2)
        release.set()
        return first, second

    with ThreadPoolExecutor(2) as pool:
        first, second = overlap(pool, commit, "waiting")
        assert first.result() == "slow"
        time.sleep(0.2)
        assert batches[-1] == ["slow"]          # "waiting" leads, and waits for the expected call
        assert commit.submit("next") == "next"
        assert second.result() == "waiting"
    assert sorted(batches[-1]) == ["next", "waiting"]
    # the wait for an expected call is bounded by `linger` too
    quick: GroupCommit[str] = GroupCommit(run, linger=0.05)
    release.clear()
    with ThreadPoolExecutor(2) as pool:
        first, second = overlap(pool, quick, "alone after all")
        assert first.result() == "slow" and second.result() == "alone after all"
    assert batches[-1] == ["alone after all"]


def test_calls_sharing_a_subject_or_a_patient_go_into_different_rounds() -> None:
    a, b, c = (frozenset({x}) for x in (b"<a>", b"<b>", b"<c>"))
    items = [(1, b"", None, a | b), (2, b"", None, c), (3, b"", None, b), (4, b"", None, None), (5, b"", None, a)]
    rounds = [[i[0] for i in r] for r in _disjoint_rounds(items)]
    assert rounds == [[1, 2], [3, 5], [4]]
    assert _subjects(b'<s> <p> "x" .\n<t> <p> <s> .\n') == {b"<s>", b"<t>"}
    assert _subjects(b'_:b0 <p> "x" .\n') is None     # a blank node: assessed alone


# --- the assessor: a batch gives what each call gives alone -------------------------------------
@pytest.fixture(scope="module")
def assessor() -> Assessor:
    return Assessor("default", AS_OF)


def _calls() -> list[tuple[str, list[dict[str, Any]]]]:
    calls = [(pid, bundle_resources(EXAMPLES / f"{name}.fhir.json")) for pid, name in EXAMPLE_CALLS]
    calls.append(("bench-7", typical_patient("bench-7")))
    # the same patient again with other data: it must not be merged with the first call
    other = copy.deepcopy(calls[0][1])
    other = [r for r in other if r["resourceType"] != "MedicationStatement"]
    calls.append(("pat-001", other))
    calls.append(("pat-001", []))    # a call about the same patient with no data: gets no patient's findings
    return calls


def _batched(assessor: Assessor, calls: list[tuple[str, list[dict[str, Any]]]]) -> list[Any]:
    jobs: list[Job[Any]] = [Job(call) for call in calls]
    assessor._assess_batch(jobs)
    assert all(j.error is None for j in jobs), [j.error for j in jobs]
    return [j.result for j in jobs]


def test_a_batch_gives_each_call_the_patient_it_gives_alone(assessor: Assessor) -> None:
    calls = _calls()
    alone = [assessor.assess(pid, resources) for pid, resources in calls]
    batched = _batched(assessor, calls)
    for (pid, resources), one, many in zip(calls, alone, batched):
        assert one.patient is None if not resources else one.patient["id"] == pid
        assert many.patient == one.patient, pid
        assert many.import_problems == one.import_problems
        assert many.accounting() == one.accounting()
    assert alone[0].patient["trd"]["status"] != alone[-2].patient["trd"]["status"]   # the data differ
    assert batched[0].patient != batched[-2].patient


def test_a_failing_batch_is_assessed_call_by_call(assessor: Assessor, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _calls()[:3]
    pipe = assessor.pipeline()
    real = pipe.assess
    batches: list[int] = []

    def flaky(data: bytes, *args: Any, **kwargs: Any) -> Any:
        batches.append(len({line.split(b" ")[0] for line in data.splitlines() if line.startswith(PATIENT_IRI)}))
        if b"Patient/pat-pr>" in data:
            raise RuntimeError("a defect on this patient's data")
        return real(data, *args, **kwargs)

    monkeypatch.setattr(pipe, "assess", flaky)
    jobs: list[Job[Any]] = [Job(call) for call in calls]
    assessor._assess_batch(jobs)
    assert batches[0] == 3                     # tried as one batch first
    assert isinstance(jobs[1].error, RuntimeError)
    assert jobs[0].result.patient["id"] == "pat-001" and jobs[2].result.patient["id"] == "pat-nt"
    assert batches[1:] == [1, 1, 1]            # then each call alone


def test_concurrent_calls_over_http_get_the_cards_of_sequential_calls(env: Env) -> None:
    calls = _calls()[:5]
    path = "/cds-services/trd-patient-view"

    def cards(pid: str, resources: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
        response = env.post(path, hook_request("patient-view", pid, resources))
        assert response.status_code == 200, response.text
        return [(c["source"]["topic"]["code"], c["summary"], c["detail"]) for c in response.json()["cards"]]

    sequential = [cards(pid, res) for pid, res in calls]
    with ThreadPoolExecutor(len(calls)) as pool:
        for _ in range(3):
            concurrent = list(pool.map(lambda call: cards(*call), calls))
            assert concurrent == sequential
    assert json.dumps(sequential).count("TRD confirmed") >= 1
