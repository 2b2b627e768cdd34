"""``trd serve --workers N``: one process accepts, and gives each connection to the least busy worker.

The workers (:mod:`reasoner.serve.worker`) each hold a warm pipeline and assess one batch at a
time, so a worker with more client connections than another queues calls while the other's core
idles. This process only listens: it accepts a connection and passes its descriptor over a Unix
socket to the ready worker with the fewest open connections (ties in turn), then forgets it; the
worker reports when a connection closes. Keep-alive connections therefore split evenly (8 clients
on 2 workers: 4 and 4), and short connections go to whichever worker has fewest.

A worker that dies after it was ready is logged and started again; one that dies before (a
broken setting, say) stops the service with its exit status, since the next would die too.
SIGINT or SIGTERM stops accepting, asks the workers to finish their calls (SIGTERM; uvicorn's
graceful shutdown) and waits for them.

This needs ``SCM_RIGHTS`` (Linux, macOS); the balancer costs one ``accept`` and one ``sendmsg`` per
connection, nothing per request.
"""

from __future__ import annotations

import logging
import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass

from reasoner.serve.worker import CLOSED, CONNECTION, READY

log = logging.getLogger("trd.serve")

#: how long stopping workers may take to finish their calls before they are killed (seconds)
STOP_GRACE_SECONDS = 15.0
#: most connections taken from the listening socket per wake-up, so worker messages are read between
ACCEPTS_PER_WAKE = 64


@dataclass(eq=False)
class Worker:
    """A worker process, the balancer's end of its channel, and what the balancer knows of its load."""

    number: int
    process: subprocess.Popen[bytes]
    channel: socket.socket
    ready: bool = False
    open_connections: int = 0


def least_busy(workers: list[Worker], turn: int) -> Worker | None:
    """The ready worker with the fewest open connections; among equals, the first from ``turn`` on."""
    ready = [w for w in workers if w.ready]
    if not ready:
        return None
    fewest = min(w.open_connections for w in ready)
    tied = [w for w in ready if w.open_connections == fewest]
    return tied[turn % len(tied)]


class Balancer:
    """The listening socket, the worker processes and the loop that hands connections to them."""

    def __init__(self, listener: socket.socket, workers: int, log_level: str) -> None:
        self.listener = listener
        self.count = workers
        self.log_level = log_level
        self.workers: list[Worker] = []
        self.selector = selectors.DefaultSelector()
        self.turn = 0
        self.stopping = False
        self.exit_status = 0
        self._listening = False

    # -- workers ---------------------------------------------------------------------------------

    def _spawn(self, number: int) -> Worker:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "reasoner.serve.worker", "--channel-fd", str(theirs.fileno()),
                 "--log-level", self.log_level],
                pass_fds=[theirs.fileno()])
        finally:
            theirs.close()
        ours.setblocking(False)
        worker = Worker(number, process, ours)
        self.selector.register(ours, selectors.EVENT_READ, worker)
        log.info("worker %d started (pid %d)", number, process.pid)
        return worker

    def _on_worker_message(self, worker: Worker) -> None:
        while True:
            try:
                msg = worker.channel.recv(64)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                msg = b""
            if not msg:
                self._on_worker_exit(worker)
                return
            for byte in msg:
                one = bytes([byte])
                if one == READY:
                    worker.ready = True
                    log.info("worker %d (pid %d) is ready", worker.number, worker.process.pid)
                elif one == CLOSED:
                    worker.open_connections = max(0, worker.open_connections - 1)

    def _on_worker_exit(self, worker: Worker) -> None:
        self.selector.unregister(worker.channel)
        worker.channel.close()
        status = worker.process.wait()
        if self.stopping:
            return
        if not worker.ready:
            log.error("worker %d exited with status %d before it was ready; stopping", worker.number, status)
            self.exit_status = status or 1
            self.stopping = True
            return
        log.error("worker %d (pid %d) exited with status %d; starting another", worker.number,
                  worker.process.pid, status)
        self.workers[self.workers.index(worker)] = self._spawn(worker.number)

    # -- connections ----------------------------------------------------------------------------

    def _accept(self) -> None:
        for _ in range(ACCEPTS_PER_WAKE):
            worker = least_busy(self.workers, self.turn)
            if worker is None:
                return
            try:
                conn, _addr = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # e.g. out of descriptors: log, let the client retry
                log.error("accept failed: %s", exc)
                return
            with conn:
                try:
                    socket.send_fds(worker.channel, [CONNECTION], [conn.fileno()])
                except OSError as exc:  # the worker is going away; the client sees a closed connection
                    log.error("could not pass a connection to worker %d: %s", worker.number, exc)
                    continue
            worker.open_connections += 1
            self.turn += 1

    def _listen_if_a_worker_is_ready(self) -> None:
        """Accept only while some worker can take a connection; otherwise clients wait in the backlog."""
        want = any(w.ready for w in self.workers) and not self.stopping
        if want and not self._listening:
            self.selector.register(self.listener, selectors.EVENT_READ, None)
        elif not want and self._listening:
            self.selector.unregister(self.listener)
        self._listening = want

    # -- the loop -------------------------------------------------------------------------------

    def run(self) -> int:
        """Serve until SIGINT/SIGTERM (or a worker failing at start); the exit status."""
        self.listener.setblocking(False)
        wake_r, wake_w = socket.socketpair()
        wake_r.setblocking(False)
        wake_w.setblocking(False)
        self.selector.register(wake_r, selectors.EVENT_READ, "wake")
        previous = signal.set_wakeup_fd(wake_w.fileno(), warn_on_full_buffer=False)
        handlers = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.workers = [self._spawn(n) for n in range(self.count)]
            while not self.stopping:
                self._listen_if_a_worker_is_ready()
                for key, _events in self.selector.select(timeout=1.0):
                    if key.data == "wake":
                        while True:
                            try:
                                if not wake_r.recv(64):
                                    break
                            except (BlockingIOError, InterruptedError):
                                break
                    elif key.data is None:
                        self._accept()
                    else:  # a worker's channel (unregistered when it exits, so never a stale one)
                        self._on_worker_message(key.data)
                    if self.stopping:
                        break
        finally:
            self._stop_workers()
            for sig, handler in handlers.items():
                signal.signal(sig, handler)
            signal.set_wakeup_fd(previous)
            wake_r.close()
            wake_w.close()
        return self.exit_status

    def _on_signal(self, signum: int, _frame: object) -> None:
        log.info("%s: stopping", signal.Signals(signum).name)
        self.stopping = True

    def _stop_workers(self) -> None:
        self.stopping = True
        if self._listening:
            self.selector.unregister(self.listener)
            self._listening = False
        self.listener.close()  # new clients are refused at once instead of waiting in a dead backlog
        alive = [w for w in self.workers if w.process.poll() is None]
        for w in alive:
            w.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for w in alive:
            try:
                w.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.error("worker %d did not stop in %.0f s; killing it", w.number, STOP_GRACE_SECONDS)
                w.process.kill()
                w.process.wait()
        for w in self.workers:
            if w.channel.fileno() != -1:
                self.selector.unregister(w.channel)
                w.channel.close()
        self.selector.close()


def bind(host: str, port: int) -> socket.socket:
    """The listening socket (``SO_REUSEADDR``, a deep backlog for a burst of connections)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=2048)


def serve_balanced(listener: socket.socket, workers: int, log_level: str) -> int:
    """Balance the connections of ``listener`` over ``workers`` worker processes until stopped; the exit status.

    The workers read the app's settings from :data:`reasoner.serve.app.SETTINGS_ENV`, which the
    caller has set in this process's environment.
    """
    host, port = listener.getsockname()[:2]
    log.info("listening on http://%s:%d, connections balanced over %d workers (pid %d)", host, port, workers,
             os.getpid())
    return Balancer(listener, workers, log_level).run()


__all__ = ["Balancer", "Worker", "least_busy", "bind", "serve_balanced", "STOP_GRACE_SECONDS"]
