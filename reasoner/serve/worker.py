"""One worker process of ``trd serve --workers N``: a uvicorn server fed connections by the balancer.

Why not let every worker accept from the shared listening socket (uvicorn's own ``--workers``)?
asyncio's accept loop takes every connection waiting when its process wakes, so the 8 keep-alive
connections of an EHR's (or a benchmark's) clients often landed 6/2 or 7/1 on two workers, and the
busier worker's calls queued while the other core idled (benchmarks/results/cds-hooks.md). Here the
balancer (:mod:`reasoner.serve.balancer`) accepts, and hands each connection to the worker with the
fewest open connections over a Unix socket (``SCM_RIGHTS``); the worker serves it with uvicorn's own
HTTP protocol, exactly as if it had accepted it.

The channel carries one-byte messages: the balancer sends ``F`` with a connection's descriptor;
the worker answers ``R`` once its pipeline is warm (it is given no connection before) and ``C``
each time one of its connections closes. When the balancer goes away, the worker shuts down.

    python -m reasoner.serve.worker --channel-fd FD [--log-level info]

The app's settings come from :data:`reasoner.serve.app.SETTINGS_ENV`, as for every worker.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import logging
import socket
from typing import Any

import uvicorn

log = logging.getLogger("trd.serve")

#: balancer -> worker: a connection (its descriptor rides along)
CONNECTION = b"F"
#: worker -> balancer: warm, give me connections
READY = b"R"
#: worker -> balancer: one of my connections closed
CLOSED = b"C"
#: most descriptors taken from the channel in one read
_FDS_PER_READ = 16


class ChannelServer(uvicorn.Server):
    """A uvicorn server that listens on nothing and serves the connections its channel brings."""

    def __init__(self, config: uvicorn.Config, channel: socket.socket) -> None:
        super().__init__(config)
        self.channel = channel
        self._factory: Any = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])  # the app is warm (lifespan ran); no listener of our own
        if self.should_exit:
            return
        channel = self.channel

        class Counted(self.config.http_protocol_class):  # type: ignore[name-defined, misc]
            """uvicorn's HTTP protocol that tells the balancer when its connection closes."""

            def connection_lost(self, exc: Exception | None) -> None:
                super().connection_lost(exc)
                _tell(channel, CLOSED)

        self._factory = functools.partial(Counted, config=self.config, server_state=self.server_state,
                                          app_state=self.lifespan.state)
        channel.setblocking(False)
        asyncio.get_running_loop().add_reader(channel.fileno(), self._receive)
        _tell(channel, READY)

    def _receive(self) -> None:
        """Take the connections waiting on the channel; the balancer gone means shut down."""
        loop = asyncio.get_running_loop()
        while True:
            try:
                msg, fds, _flags, _addr = socket.recv_fds(self.channel, 1, _FDS_PER_READ)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                log.error("balancer channel failed (%s); shutting down", exc)
                msg, fds = b"", []
            if not msg and not fds:
                loop.remove_reader(self.channel.fileno())
                self.should_exit = True
                return
            for fd in fds:
                loop.create_task(self._serve_connection(socket.socket(fileno=fd)))

    async def _serve_connection(self, conn: socket.socket) -> None:
        try:
            conn.setblocking(False)
            await asyncio.get_running_loop().connect_accepted_socket(self._factory, conn)
        except OSError as exc:  # the client left between the balancer's accept and now
            log.info("connection dropped before it was served: %s", exc)
            conn.close()
            _tell(self.channel, CLOSED)


def _tell(channel: socket.socket, message: bytes) -> None:
    """One message to the balancer; if it cannot take it, its count is off by one, nothing worse."""
    try:
        channel.send(message)
    except OSError:
        pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m reasoner.serve.worker", description=__doc__.split("\n")[0])
    parser.add_argument("--channel-fd", type=int, required=True, help="the Unix socket to the balancer")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])
    args = parser.parse_args(argv)
    from reasoner.serve.app import configure_logging

    configure_logging(args.log_level)
    channel = socket.socket(fileno=args.channel_fd)
    config = uvicorn.Config("reasoner.serve.app:app_from_environment", factory=True, log_level=args.log_level,
                            access_log=False, server_header=False)
    ChannelServer(config, channel).run()


if __name__ == "__main__":
    main()

__all__ = ["ChannelServer", "CONNECTION", "READY", "CLOSED", "main"]
