"""Feedback through the real command: ``trd serve`` started as a process, cards issued, feedback
posted (the spec's own feedback examples among it), the process stopped and started again on the
same data folder, and ``trd feedback summary`` shows what clinicians did, per card type."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from benchmarks.support.cds import bundle_resources, hook_request
from tests.serve.conftest import AS_OF, EXAMPLES, SPEC, SigningKey, free_port, write_trust

ROOT = Path(__file__).resolve().parents[2]


def _start(port: int, trust: Path, data: Path, log: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    handle = log.open("a")
    proc = subprocess.Popen([sys.executable, "-m", "reasoner.cli.main", "serve", "--port", str(port), "--trust", str(trust),
                             "--data-dir", str(data), "--as-of", AS_OF], env=env, stdout=handle, stderr=handle, cwd=ROOT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"trd serve exited: {log.read_text()}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/cds-services", timeout=1, trust_env=False)
            return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("trd serve did not start")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=30)


def _post(key: SigningKey, url: str, path: str, body: Any) -> httpx.Response:
    token = key.token(f"{url}{path}")
    return httpx.post(f"{url}{path}", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=60, trust_env=False)


def _summary(data: Path) -> dict[str, dict[str, Any]]:
    out = subprocess.run([sys.executable, "-m", "reasoner.cli.main", "feedback", "summary", "--data-dir", str(data),
                          "--format", "json"], capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
                         cwd=ROOT, check=True)
    return {row["card_type"]: row for row in json.loads(out.stdout)}


@pytest.mark.slow
def test_feedback_survives_a_restart(tmp_path: Path) -> None:
    key = SigningKey.new("ehr-key-1")
    trust = write_trust(tmp_path, key)
    data, log = tmp_path / "data", tmp_path / "serve.log"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = _start(port, trust, data, log)
    try:
        request = hook_request("patient-view", "pat-pr", bundle_resources(EXAMPLES / "pseudo-resistant.fhir.json"))
        cards = _post(key, url, "/cds-services/trd-patient-view", request).json()["cards"]
        uuids = {c["source"]["topic"]["code"]: c["uuid"] for c in cards}
        feedback = {"feedback": [
            {"card": uuids["pseudo-resistance/nonadherence"], "outcome": "overridden",
             "overrideReason": {"reason": {"system": "https://example.org/override", "code": "pt-reports-adherence",
                                           "display": "Patient reports taking every dose"},
                                "userComment": "Pharmacy records incomplete"},
             "outcomeTimestamp": "2026-01-15T10:00:00Z"},
            {"card": uuids["pseudo-resistance/bipolar-spectrum"], "outcome": "accepted",
             "acceptedSuggestions": [{"id": "none"}], "outcomeTimestamp": "2026-01-15T10:01:00Z"},
        ]}
        response = _post(key, url, "/cds-services/trd-patient-view/feedback", feedback)
        assert response.status_code == 200 and response.json() == {"stored": 2, "unknownCards": []}
        # the spec's own feedback examples: accepted, overridden, overridden with a reason (cards
        # this service never issued: stored, and reported as unknown)
        for name in ("feedback-accepted.json", "feedback-overridden.json", "feedback-overridden-reason.json"):
            example = json.loads((SPEC / name).read_text())
            response = _post(key, url, "/cds-services/trd-patient-view/feedback", example)
            assert response.status_code == 200
            assert response.json()["unknownCards"] == [example["feedback"][0]["card"]]
    finally:
        _stop(proc)
    # after the restart the store still holds everything, and the service takes more feedback
    proc = _start(port, trust, data, log)
    try:
        before = _summary(data)
        assert before["pseudo-resistance/nonadherence"]["overridden"] == 1
        assert before["pseudo-resistance/nonadherence"]["reasons"] == {"Patient reports taking every dose": 1}
        assert before["pseudo-resistance/nonadherence"]["comments"] == ["Pharmacy records incomplete"]
        assert before["pseudo-resistance/bipolar-spectrum"]["accepted"] == 1
        assert before["(unknown card)"]["accepted"] == 1 and before["(unknown card)"]["overridden"] == 2
        assert before["trd-status"]["issued"] == 1
        response = _post(key, url, "/cds-services/trd-patient-view/feedback",
                         {"feedback": [{"card": uuids["trd-status"], "outcome": "overridden",
                                        "outcomeTimestamp": "2026-01-15T11:00:00Z"}]})
        assert response.status_code == 200
    finally:
        _stop(proc)
    after = _summary(data)
    assert after["trd-status"]["overridden"] == 1
    assert after["trd-status"]["reasons"] == {"(no reason given)": 1}
    table = subprocess.run([sys.executable, "-m", "reasoner.cli.main", "feedback", "summary", "--data-dir", str(data)],
                           capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT, check=True)
    assert "pseudo-resistance/nonadherence" in table.stdout and "Patient reports taking every dose ×1" in table.stdout
    # the request log: one line per request with hook, patient, cards, milliseconds
    text = log.read_text()
    assert "hook=patient-view patient=pat-pr" in text and "cards=4" in text and " ms=" in text


def test_feedback_summary_without_a_store_is_a_one_line_error(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "reasoner.cli.main", "feedback", "summary", "--data-dir", str(tmp_path)],
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    assert out.returncode == 2
    assert out.stderr.startswith("trd: error:") and "no feedback store" in out.stderr
    assert "Traceback" not in out.stderr


def test_serve_without_trust_refuses_to_start(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "reasoner.cli.main", "serve", "--port", str(free_port()),
                          "--data-dir", str(tmp_path)], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT, timeout=120)
    assert out.returncode == 2
    assert "needs --trust FILE" in out.stderr and "Traceback" not in out.stderr
