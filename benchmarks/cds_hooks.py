"""Benchmark: ``trd serve`` over HTTP — warm ``patient-view`` latency and throughput.

Starts the real command (``trd serve``, uvicorn, JWT verification on) on a free loopback port, with
a trust file and an EC P-384 key made here, and drives it with httpx as an EHR would:

- latency: sequential warm ``patient-view`` calls on a typical patient (5 antidepressant trials,
  20 Observations: adherence, HAM-D before and after each trial, TSH, CRP, free T4, PHQ-9, AHI),
  client-observed p50/p95;
- throughput: 8 concurrent clients for a fixed number of calls, hooks per second, and the server's
  CPU time per call (its process tree, psutil).

The calls cycle through ``--patients`` distinct patients of that shape (8 clients are 8 clinicians
opening 8 charts). Four servers are measured side by side in one run: ``--max-batch 1`` (every call
assessed alone), ``--max-batch 8`` with no wait, the default (``--max-batch 8``: calls waiting
together are assessed as one batch, and a batch waits up to ``--batch-wait-ms`` for calls already
received or expected; reasoner/serve/batching.py), and the default with the same patient in every
call (never batched: two calls about one patient never share a batch). Each server runs
``--repeat`` times, interleaved, and each run records how the 8 client connections split between
the workers (read from the operating system; ``trd serve``'s balancer should make it even, and
before it did, an uneven split was what moved the result most).

Tokens are signed before the timed phases (a real EHR signs on its own machine). Targets (issue 18):
p95 ≤ 100 ms, ≥ 50 hooks/s. The load average is printed next to the figures: the machine is
shared, so run it when it is quiet. Every loop is bounded; the server is stopped at the end.

    python -m benchmarks.cds_hooks [--calls 300] [--concurrent-calls 800] [--workers 2] [--patients 200] [--repeat 3] [--write]
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
import psutil
from cryptography.hazmat.primitives.asymmetric import ec

from benchmarks.support.cds import hook_request
from reasoner.config import CDS_BATCH_WAIT_MS

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


class Server:
    """A running ``trd serve`` (JWT verification on) and the key its trusted client signs with."""

    def __init__(self, tmpdir: Path, workers: int, max_batch: int, wait_ms: float) -> None:
        self.key = ec.generate_private_key(ec.SECP384R1())
        jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"kid": "bench", "alg": "ES384"})
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        (tmpdir / "jwks.json").write_text(json.dumps({"keys": [jwk]}))
        (tmpdir / "trust.json").write_text(json.dumps({"clients": [{"iss": ISS, "jwks_file": "jwks.json"}],
                                                      "algorithms": ["ES384"]}))
        self.log_path = tmpdir / "serve.log"
        self.log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "reasoner.cli.main", "serve", "--port", str(self.port),
             "--trust", str(tmpdir / "trust.json"), "--data-dir", str(tmpdir / "data"), "--as-of", "2026-01-15",
             "--log-level", "warning", "--workers", str(workers), "--max-batch", str(max_batch),
             "--batch-wait-ms", str(wait_ms)],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 120
        while True:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"trd serve did not start: {self.log_path.read_text()}")
            try:
                httpx.get(f"{self.url}/cds-services", timeout=1, trust_env=False)
                break
            except httpx.HTTPError:
                time.sleep(0.3)

    def tokens(self, n: int) -> list[str]:
        now = int(time.time())
        return [jwt.encode({"iss": ISS, "aud": f"{self.url}{PATH}", "iat": now, "exp": now + 900,
                            "jti": str(uuid.uuid4())}, self.key, algorithm="ES384", headers={"kid": "bench"})
                for _ in range(n)]

    def cpu_by_process(self) -> dict[int, float]:
        """CPU time (user + system) so far of the server and each of its worker processes, by pid."""
        proc = psutil.Process(self.proc.pid)
        out: dict[int, float] = {}
        for p in [proc, *proc.children(recursive=True)]:
            try:
                t = p.cpu_times()
                out[p.pid] = t.user + t.system
            except psutil.NoSuchProcess:
                pass
        return out

    def connections(self) -> list[int]:
        """Client connections each worker holds now (largest first): keep-alive connections stay with
        the worker they were given to, and how they split decides how the calls batch."""
        counts = []
        for p in psutil.Process(self.proc.pid).children(recursive=True):
            try:
                listed = p.net_connections("tcp") if hasattr(p, "net_connections") else p.connections("tcp")
            except psutil.Error:
                continue
            n = sum(1 for c in listed if c.status == psutil.CONN_ESTABLISHED and c.laddr and c.laddr.port == self.port)
            if n:
                counts.append(n)
        return sorted(counts, reverse=True)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()


PATH = "/cds-services/trd-patient-view"


def _call(client: httpx.Client, url: str, token: str, body: bytes) -> float:
    t0 = time.perf_counter()
    r = client.post(f"{url}{PATH}", content=body, headers={"Authorization": f"Bearer {token}",
                                                           "Content-Type": "application/json"})
    elapsed = (time.perf_counter() - t0) * 1000
    if r.status_code != 200:
        raise SystemExit(f"call failed: {r.status_code} {r.text[:300]}")
    return elapsed


def measure(server: Server, bodies: list[bytes], calls: int, concurrent_calls: int, clients: int) -> dict[str, Any]:
    """Sequential latency, then ``clients`` concurrent clients sharing ``concurrent_calls`` calls
    (call i sends ``bodies[i % len(bodies)]``); hooks/s and the server's CPU per call."""
    with httpx.Client(timeout=30, trust_env=False) as client:
        for i, token in enumerate(server.tokens(30)):   # warm-up
            _call(client, server.url, token, bodies[i % len(bodies)])
        latencies = [_call(client, server.url, token, bodies[i % len(bodies)])
                     for i, token in enumerate(server.tokens(calls))]
    shared = list(enumerate(server.tokens(concurrent_calls)))
    lock = threading.Lock()
    done: list[float] = []

    def worker() -> None:
        with httpx.Client(timeout=60, trust_env=False) as client:
            while True:
                with lock:
                    if not shared:
                        return
                    i, token = shared.pop()
                elapsed = _call(client, server.url, token, bodies[i % len(bodies)])
                with lock:
                    done.append(elapsed)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    load_before, by_process, t0 = os.getloadavg(), server.cpu_by_process(), time.perf_counter()
    client_cpu = time.process_time()
    for t in threads:
        t.start()
    time.sleep(1.0)
    split = server.connections()   # every client is connected by now (the run lasts many seconds)
    for t in threads:
        t.join(timeout=600)
    wall = time.perf_counter() - t0
    client_cpu = time.process_time() - client_cpu
    after = server.cpu_by_process()
    cpu = sum(after[pid] - by_process.get(pid, 0.0) for pid in after)
    return {"p50": statistics.median(latencies), "p95": _percentile(latencies, 0.95), "max": max(latencies),
            "latencies": latencies, "sequential": len(latencies), "rate": len(done) / wall, "calls": len(done),
            "c50": statistics.median(done), "c95": _percentile(done, 0.95),
            "server_cpu_ms": cpu / max(1, len(done)) * 1000, "client_cpu_ms": client_cpu / max(1, len(done)) * 1000,
            "split": split, "load": (load_before, os.getloadavg())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300, help="sequential warm calls for the latency figures")
    parser.add_argument("--concurrent-calls", type=int, default=800, help="calls shared by the concurrent clients")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="trd serve --workers (one per core)")
    parser.add_argument("--patients", type=int, default=200,
                        help="distinct typical patients the calls cycle through (8 clinicians open 8 charts)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each server (interleaved), to show how steady the figures are")
    parser.add_argument("--write", action="store_true", help=f"write {RESULTS.relative_to(ROOT)}")
    args = parser.parse_args(argv)

    distinct = [json.dumps(hook_request("patient-view", f"bench-{n}", typical_patient(f"bench-{n}"))).encode()
                for n in range(args.patients)]
    same = [distinct[0]]
    # side by side in one run: batching off and on, distinct charts and one chart called again and again
    configurations = [("--max-batch 1 (one call at a time)", 1, 0.0, distinct),
                      ("--max-batch 8 --batch-wait-ms 0 (no wait)", 8, 0.0, distinct),
                      (f"--max-batch 8 --batch-wait-ms {CDS_BATCH_WAIT_MS:g} (default)", 8, CDS_BATCH_WAIT_MS, distinct),
                      ("default, the same patient in every call", 8, CDS_BATCH_WAIT_MS, same)]
    runs: dict[str, list[dict[str, Any]]] = {label: [] for label, *_ in configurations}
    cards: list[dict[str, Any]] = []
    started = os.getloadavg()
    for round_ in range(args.repeat):   # interleaved: a drift of the machine touches every server alike
        for label, max_batch, wait_ms, bodies in configurations:
            with tempfile.TemporaryDirectory() as tmp:
                server = Server(Path(tmp), args.workers, max_batch, wait_ms)
                try:
                    with httpx.Client(timeout=30, trust_env=False) as client:
                        cards = client.post(f"{server.url}{PATH}", content=bodies[0], headers={
                            "Authorization": f"Bearer {server.tokens(1)[0]}",
                            "Content-Type": "application/json"}).json()["cards"]
                    m = measure(server, bodies, args.calls, args.concurrent_calls, args.clients)
                finally:
                    server.stop()
            runs[label].append(m)
            print(f"run {round_ + 1}: {label}", {k: (round(v, 1) if isinstance(v, float) else v)
                                                 for k, v in m.items() if k != "latencies"}, flush=True)
    ended = os.getloadavg()
    lines = [
        f"| when | {dt.datetime.now().isoformat(timespec='minutes')} |",
        f"| machine | {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"trd serve --workers {args.workers}; {args.clients} client threads in the benchmark process |",
        f"| load average (1, 5, 15 min) at start | {started[0]:.2f}, {started[1]:.2f}, {started[2]:.2f} |",
        f"| load average at end | {ended[0]:.2f}, {ended[1]:.2f}, {ended[2]:.2f} |",
        f"| patient | 5 trials, 20 Observations; {len(cards)} cards "
        f"({', '.join(c['source']['topic']['code'] for c in cards)}); {args.patients} distinct patients of that shape |",
        "",
        f"{args.repeat} runs of each server, interleaved; hooks/s and CPU are the median run's, "
        "with the range over the runs; sequential latency pools the runs' calls.",
        "",
        "| server | sequential p50 / p95 / max (ms) | concurrent: hooks/s (range) | per call p50 / p95 (ms) "
        "| server CPU ms per call (range) | client CPU ms per call | client connections per worker, each run |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for label, ms in runs.items():
        pooled = [x for m in ms for x in m["latencies"]]
        mid = sorted(ms, key=lambda m: m["rate"])[len(ms) // 2]
        rates, cpus = [m["rate"] for m in ms], [m["server_cpu_ms"] for m in ms]
        splits = "; ".join("/".join(map(str, m["split"])) or "?" for m in ms)
        lines.append(f"| {label} | {statistics.median(pooled):.1f} / {_percentile(pooled, 0.95):.1f} / "
                     f"{max(pooled):.1f} | **{mid['rate']:.1f}** ({min(rates):.1f}–{max(rates):.1f}) | "
                     f"{mid['c50']:.1f} / {mid['c95']:.1f} | {mid['server_cpu_ms']:.1f} "
                     f"({min(cpus):.1f}–{max(cpus):.1f}) | {mid['client_cpu_ms']:.1f} | {splits} |")
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
