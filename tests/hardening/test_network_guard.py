"""The test suite's own network guard (tests/conftest.py) catches what it must and lets loopback be."""

from __future__ import annotations

import http.server
import socket
import threading
import urllib.request

import pytest


def test_a_connect_beyond_loopback_is_refused_and_recorded(network_attempts) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(ConnectionRefusedError, match="test network guard"):
            sock.connect(("192.0.2.1", 80))   # TEST-NET-1: never reached, the hook refuses first
    finally:
        sock.close()
    assert network_attempts == [("socket.connect", "192.0.2.1")]
    network_attempts.clear()   # this test wanted the attempt: do not fail it


def test_a_name_lookup_is_refused(network_attempts) -> None:
    with pytest.raises(ConnectionRefusedError):
        socket.getaddrinfo("example.org", 80)
    assert network_attempts == [("socket.getaddrinfo", "example.org")]
    network_attempts.clear()


def test_a_loopback_server_is_reached(network_attempts) -> None:
    class Hello(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the handler API
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"hello")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/", timeout=10) as reply:
            assert reply.read() == b"hello"
    finally:
        server.shutdown()
        server.server_close()
    assert network_attempts == []
