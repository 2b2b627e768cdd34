"""Benchmark: ``trd serve`` over HTTP — warm ``patient-view`` latency and throughput.

Starts the real command (``trd serve``, uvicorn, JWT verification on) on a free loopback port, with
a trust file and an EC P-384 key made here, and drives it with httpx as an EHR would:

- latency: sequential warm ``patient-view`` calls on a typical patient (5 antidepressant trials,
  20 Observations: adherence, HAM-D before and after each trial, TSH, CRP, free T4, PHQ-9, AHI),
  client-observed p50/p95;
- throughput: 8 concurrent clients for a fixed number of calls, hooks per second.

Tokens are signed before the timed phases (a real EHR signs on its own machine). Targets (issue 18):
p95 ≤ 100 ms, ≥ 50 hooks/s. The load average is printed next to the figures: the machine is
shared, so run it when it is quiet. Every loop is bounded; the server is stopped at the end.

    python -m benchmarks.cds_hooks [--calls 300] [--concurrent-calls 800] [--workers 2] [--write]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from benchmarks.support.cds import hook_request

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "cds-hooks.md"
ISS = "https://ehr.bench.example/"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
LOINC = "http://loinc.org"
TRD = "https://w3id.org/trd-reasoner/fhir/CodeSystem/trd"
UCUM = "http://unitsofmeasure.org"


def typical_patient(pid: str = "bench-1") -> list[dict[str, Any]]:
    """5 trials (sertraline, escitalopram, venlafaxine, duloxetine, bupropion; 10 weeks each) and 20
    Observations (5 adherence, 10 HAM-D, TSH, CRP, free T4, PHQ-9, AHI)."""
    subject = {"reference": f"Patient/{pid}"}
    out: list[dict[str, Any]] = [
        {"resourceType": "Patient", "id": pid, "birthDate": "1975-04-02", "gender": "female"},
        {"resourceType": "Condition", "id": f"{pid}-dx", "subject": subject, "onsetDateTime": "2023-06-01",
         "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "F33.2"}]},
         "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                        "code": "active"}]}},
    ]
    drugs = [("36437", "sertraline", 150), ("321988", "escitalopram", 20), ("39786", "venlafaxine", 225),
             ("72625", "duloxetine", 60), ("42347", "bupropion", 300)]
    start = dt.date(2023, 7, 1)
    for n, (code, name, dose) in enumerate(drugs):
        end = start + dt.timedelta(weeks=10)
        sid = f"{pid}-ms{n}"
        out.append({"resourceType": "MedicationStatement", "id": sid, "status": "completed", "subject": subject,
                    "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": code, "display": name}]},
                    "effectivePeriod": {"start": start.isoformat(), "end": end.isoformat()},
                    "dosage": [{"timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
                                "doseAndRate": [{"doseQuantity": {"value": dose, "unit": "mg", "system": UCUM, "code": "mg"}}]}]})
        out.append({"resourceType": "Observation", "id": f"{pid}-adh{n}", "status": "final", "subject": subject,
                    "code": {"coding": [{"system": TRD, "code": "adherence"}]}, "focus": [{"reference": f"MedicationStatement/{sid}"}],
                    "effectiveDateTime": end.isoformat(), "valueQuantity": {"value": 0.9, "unit": "1", "system": UCUM, "code": "1"}})
        for m, (when, score) in enumerate(((start - dt.timedelta(days=2), 24 - n), (end + dt.timedelta(days=3), 21 - n))):
            out.append({"resourceType": "Observation", "id": f"{pid}-hamd{n}-{m}", "status": "final", "subject": subject,
                        "code": {"coding": [{"system": TRD, "code": "hamd17-total"}]}, "effectiveDateTime": when.isoformat(),
                        "valueInteger": score})
        start = end + dt.timedelta(weeks=2)
    labs = [("3016-3", 2.1, "mIU/L"), ("1988-5", 2.0, "mg/L"), ("3024-7", 1.2, "ng/dL"), ("44261-6", 19, "{score}"),
            ("69990-0", 2.0, "/h")]
    for n, (code, value, unit) in enumerate(labs):
        out.append({"resourceType": "Observation", "id": f"{pid}-lab{n}", "status": "final", "subject": subject,
                    "code": {"coding": [{"system": LOINC, "code": code}]}, "effectiveDateTime": "2025-01-10",
                    "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit}})
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300, help="sequential warm calls for the latency figures")
    parser.add_argument("--concurrent-calls", type=int, default=800, help="calls shared by the concurrent clients")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="trd serve --workers (one per core)")
    parser.add_argument("--write", action="store_true", help=f"write {RESULTS.relative_to(ROOT)}")
    args = parser.parse_args(argv)

    key = ec.generate_private_key(ec.SECP384R1())
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": "bench", "alg": "ES384"})
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    path = "/cds-services/trd-patient-view"
    body = json.dumps(hook_request("patient-view", "bench-1", typical_patient())).encode()
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        (tmpdir / "jwks.json").write_text(json.dumps({"keys": [jwk]}))
        (tmpdir / "trust.json").write_text(json.dumps({"clients": [{"iss": ISS, "jwks_file": "jwks.json"}],
                                                      "algorithms": ["ES384"]}))
        log = (tmpdir / "serve.log").open("w")
        proc = subprocess.Popen([sys.executable, "-m", "reasoner.cli.main", "serve", "--port", str(port),
                                 "--trust", str(tmpdir / "trust.json"), "--data-dir", str(tmpdir / "data"),
                                 "--as-of", "2026-01-15", "--log-level", "warning", "--workers", str(args.workers)],
                                cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + 120
            while True:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"trd serve did not start: {(tmpdir / 'serve.log').read_text()}")
                try:
                    httpx.get(f"{url}/cds-services", timeout=1, trust_env=False)
                    break
                except httpx.HTTPError:
                    time.sleep(0.3)

            def tokens(n: int) -> list[str]:
                now = int(time.time())
                return [jwt.encode({"iss": ISS, "aud": f"{url}{path}", "iat": now, "exp": now + 600,
                                    "jti": str(uuid.uuid4())}, key, algorithm="ES384", headers={"kid": "bench"})
                        for _ in range(n)]

            def call(client: httpx.Client, token: str) -> float:
                t0 = time.perf_counter()
                r = client.post(f"{url}{path}", content=body, headers={"Authorization": f"Bearer {token}",
                                                                       "Content-Type": "application/json"})
                elapsed = (time.perf_counter() - t0) * 1000
                if r.status_code != 200:
                    raise SystemExit(f"call failed: {r.status_code} {r.text[:300]}")
                return elapsed

            load_before = os.getloadavg()
            with httpx.Client(timeout=30, trust_env=False) as client:
                cards = client.post(f"{url}{path}", content=body, headers={
                    "Authorization": f"Bearer {tokens(1)[0]}", "Content-Type": "application/json"}).json()["cards"]
                for token in tokens(30):                      # warm-up
                    call(client, token)
                latencies = [call(client, token) for token in tokens(args.calls)]
            # throughput: N clients share the calls
            shared = tokens(args.concurrent_calls)
            lock = threading.Lock()
            done: list[float] = []

            def worker() -> None:
                with httpx.Client(timeout=60, trust_env=False) as client:
                    while True:
                        with lock:
                            if not shared:
                                return
                            token = shared.pop()
                        elapsed = call(client, token)
                        with lock:
                            done.append(elapsed)

            threads = [threading.Thread(target=worker) for _ in range(args.clients)]
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=600)
            wall = time.perf_counter() - t0
            load_after = os.getloadavg()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            log.close()
    p50, p95 = statistics.median(latencies), _percentile(latencies, 0.95)
    rate = len(done) / wall
    lines = [
        f"| when | {dt.datetime.now().isoformat(timespec='minutes')} |",
        f"| machine | {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"trd serve --workers {args.workers} |",
        f"| load average (1, 5, 15 min) before | {load_before[0]:.2f}, {load_before[1]:.2f}, {load_before[2]:.2f} |",
        f"| load average after | {load_after[0]:.2f}, {load_after[1]:.2f}, {load_after[2]:.2f} |",
        f"| patient | 5 trials, 20 Observations; {len(cards)} cards ({', '.join(c['source']['topic']['code'] for c in cards)}) |",
        f"| warm patient-view, sequential ({len(latencies)} calls) | p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {max(latencies):.1f} ms |",
        f"| {args.clients} concurrent clients ({len(done)} calls) | {rate:.1f} hooks/s; per call p50 "
        f"{statistics.median(done):.1f} ms, p95 {_percentile(done, 0.95):.1f} ms |",
    ]
    print("\n".join(lines))
    if args.write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        previous = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else (
            "# trd serve (CDS Hooks): warm patient-view latency and throughput\n\n"
            "`python -m benchmarks.cds_hooks --write` (benchmarks/cds_hooks.py): the real `trd serve` on a "
            "loopback port, JWT verification on, driven over HTTP by httpx. Targets (issue 18): p95 ≤ 100 ms, "
            "≥ 50 hooks/s with 8 concurrent clients.\n")
        RESULTS.write_text(previous.rstrip("\n") + "\n\n## Run\n\n| | |\n|---|---|\n" + "\n".join(lines) + "\n",
                           encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
