"""``trd serve --workers 2``: the balancer gives each connection to the worker with the fewest.

The service is started as the real command, on a free loopback port, and called over HTTP with
signed JWTs by keep-alive clients; which worker holds a connection is read from the operating
system (psutil), not from the service's own account."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil
import pytest

from benchmarks.support.cds import bundle_resources, hook_request
from reasoner.serve.app import SETTINGS_ENV, ServeSettings, settings_to_env
from reasoner.serve.balancer import Balancer, Worker, bind, least_busy
from reasoner.serve.worker import CLOSED, CONNECTION, READY
from tests.serve.conftest import AS_OF, EXAMPLES, SigningKey, free_port, write_trust

ROOT = Path(__file__).resolve().parents[2]
PV = "/cds-services/trd-patient-view"


def _worker(number: int, ready: bool, open_connections: int) -> Worker:
    return Worker(number, process=None, channel=None, ready=ready, open_connections=open_connections)  # type: ignore[arg-type]


def test_least_busy_takes_the_ready_worker_with_fewest_connections_and_rotates_among_equals() -> None:
    workers = [_worker(0, True, 3), _worker(1, True, 1), _worker(2, False, 0), _worker(3, True, 1)]
    assert least_busy(workers, 0).number == 1       # worker 2 has none but is not ready yet
    assert least_busy(workers, 1).number == 3       # 1 and 3 are tied: the turn picks
    assert least_busy([_worker(0, False, 0)], 0) is None


class _Service:
    """``trd serve --workers 2`` as a process; its log is kept for the assertion messages."""

    def __init__(self, tmp: Path, key: SigningKey) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.key = key
        self.log = tmp / "serve.log"
        handle = self.log.open("a")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "reasoner.cli.main", "serve", "--port", str(self.port), "--workers", "2",
             "--trust", str(write_trust(tmp, key)), "--data-dir", str(tmp / "data"), "--as-of", AS_OF],
            env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=handle, stderr=handle, cwd=ROOT)
        self.wait_until_ready(workers=2)

    def discover(self, client: httpx.Client) -> httpx.Response:
        path = "/cds-services"
        return client.get(path, headers={"Authorization": f"Bearer {self.key.token(self.url + path)}"})

    def worker_pids(self) -> list[int]:
        return sorted(p.pid for p in psutil.Process(self.proc.pid).children()
                      if "reasoner.serve.worker" in " ".join(p.cmdline()))

    def wait_until_ready(self, workers: int) -> None:
        deadline = time.monotonic() + 120
        while self.log.read_text().count("is ready") < workers:
            assert self.proc.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, self.log.read_text()
            time.sleep(0.2)

    def connections(self) -> dict[int, int]:
        """Established client connections on the service's port, per worker pid."""
        out = {}
        for pid in self.worker_pids():
            listed = psutil.Process(pid).net_connections("tcp")
            out[pid] = sum(1 for c in listed if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == self.port)
        return out

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=60)


@pytest.mark.slow
def test_two_workers_share_keep_alive_connections_evenly_and_survive_a_worker_crash(tmp_path: Path) -> None:
    key = SigningKey.new("ehr-key-1")
    service = _Service(tmp_path, key)
    clients = [httpx.Client(base_url=service.url, timeout=60, trust_env=False) for _ in range(8)]
    try:
        request = hook_request("patient-view", "pat-001", bundle_resources(EXAMPLES / "trd-confirmed.fhir.json"))

        def call(client: httpx.Client) -> httpx.Response:
            return client.post(PV, json=request, headers={"Authorization": f"Bearer {key.token(service.url + PV)}"})

        with ThreadPoolExecutor(len(clients)) as pool:   # 8 keep-alive connections opened at once
            responses = list(pool.map(call, clients))
        for response in responses:
            assert response.status_code == 200, response.text
            assert any(c["summary"].startswith("TRD confirmed") for c in response.json()["cards"])
        assert sorted(service.connections().values()) == [4, 4], service.log.read_text()

        # 3 clients leave; of 2 new ones each goes to whichever worker then has fewer
        for client in clients[:3]:
            client.close()
        time.sleep(0.5)             # the workers tell the balancer that the connections closed
        before = service.connections()
        for client in clients[3:5]:
            clients.append(httpx.Client(base_url=service.url, timeout=60, trust_env=False))
            assert service.discover(clients[-1]).status_code == 200
        after = service.connections()
        assert sum(after.values()) == 7 and max(after.values()) - min(after.values()) <= 1, (before, after)

        # a worker that dies is replaced; its clients reconnect and are answered
        victim = service.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        service.wait_until_ready(workers=3)     # the two first workers and the replacement
        assert "starting another" in service.log.read_text()
        assert victim not in service.worker_pids() and len(service.worker_pids()) == 2
        for client in clients[3:]:
            assert service.discover(client).status_code == 200
    finally:
        for client in clients:
            client.close()
        workers = service.worker_pids()
        status = service.stop()
    assert status == 0, service.log.read_text()
    assert not [pid for pid in workers if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]


def test_a_worker_serves_a_passed_connection_and_stops_when_the_balancer_goes(tmp_path: Path) -> None:
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    settings = ServeSettings(insecure_dev=True, as_of=AS_OF, data_dir=tmp_path / "data")
    env = {**os.environ, "PYTHONPATH": str(ROOT), SETTINGS_ENV: settings_to_env(settings)}
    worker = subprocess.Popen([sys.executable, "-m", "reasoner.serve.worker", "--channel-fd", str(theirs.fileno()),
                               "--log-level", "warning"], pass_fds=[theirs.fileno()], env=env, cwd=ROOT)
    theirs.close()
    try:
        ours.settimeout(120)
        assert ours.recv(1) == READY                    # warm before it is given anything
        with socket.create_server(("127.0.0.1", 0)) as listener, \
                socket.create_connection(listener.getsockname()) as client:
            conn, _ = listener.accept()                 # accepted here, as the balancer does ...
            socket.send_fds(ours, [CONNECTION], [conn.fileno()])
            conn.close()
            client.sendall(b"GET /cds-services HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            client.settimeout(60)
            response = b""
            while chunk := client.recv(65536):          # ... and answered there
                response += chunk
        assert response.startswith(b"HTTP/1.1 200"), response[:200]
        assert b'"id":"trd-patient-view"' in response
        assert ours.recv(1) == CLOSED                   # the worker says the connection is gone
        ours.close()                                    # the balancer goes away: the worker stops
        assert worker.wait(timeout=60) == 0
    finally:
        if worker.poll() is None:
            worker.kill()


def test_a_worker_failing_at_start_stops_the_service_with_its_status(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # settings a worker cannot start with (the policy does not exist): the balancer must not restart it forever
    settings = ServeSettings(policy="no-such-policy", insecure_dev=True, data_dir=tmp_path / "data")
    monkeypatch.setenv(SETTINGS_ENV, settings_to_env(settings))
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    listener = bind("127.0.0.1", 0)
    port = listener.getsockname()[1]
    assert Balancer(listener, 1, "warning").run() != 0
    with socket.socket() as probe:   # and it no longer listens
        assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_a_busy_port_is_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "reasoner.cli.main", "serve", "--port", str(port), "--workers", "2",
                               "--insecure-dev", "--data-dir", str(tmp_path / "data")],
                              env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, cwd=ROOT,
                              timeout=120)
    assert done.returncode == 2      # a refusal, as everywhere in the CLI (docs/output-contract.md)
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "Traceback" not in done.stderr
