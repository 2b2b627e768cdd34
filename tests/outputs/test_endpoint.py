"""``trd endpoint``: Oxigraph's read-only server over a cohort's results store, called over HTTP by a
real SPARQL client (SPARQLWrapper) on a free loopback port.

Every competency question of queries/report/ returns over HTTP the same rows as
``trd query --store`` (reasoner.questions.select_store); an INSERT is refused.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException
from urllib.error import HTTPError

from reasoner.questions import read_query, select_store

from .conftest import REPO, run_cli

REPORT_QUERIES = sorted((REPO / "queries" / "report").glob("*.rq"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint(cohort_results: Path) -> Iterator[str]:
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(REPO))
    server = subprocess.Popen([sys.executable, "-m", "reasoner.cli.main", "endpoint", str(cohort_results / "store"),
                               "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the endpoint did not listen within 60 s")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def _http_rows(url: str, text: str) -> list[dict[str, str]]:
    client = SPARQLWrapper(url + "/query")
    client.setQuery(text)
    client.setReturnFormat(JSON)
    result = client.query().convert()
    return [{k: v["value"] for k, v in b.items()} for b in result["results"]["bindings"]]


@pytest.mark.parametrize("query", REPORT_QUERIES, ids=lambda p: p.stem)
def test_report_queries_give_the_same_rows_over_http(endpoint: str, cohort_results: Path, query: Path) -> None:
    text = read_query(query)
    names, rows = select_store(cohort_results / "store", text, str(query))
    expected = [{n: str(r[n]) for n in names if n in r} for r in rows]
    got = _http_rows(endpoint, text)
    assert sorted(map(sorted, map(dict.items, got))) == sorted(map(sorted, map(dict.items, expected)))


def test_the_store_answers_with_findings(endpoint: str) -> None:
    rows = _http_rows(endpoint, (REPO / "queries" / "report" / "inadequate-trials.rq").read_text(encoding="utf-8"))
    assert rows, "the Turtle examples have inadequate trials (pat-002, pat-003)"


def test_an_insert_is_refused(endpoint: str, cohort_results: Path) -> None:
    update = "INSERT DATA { <urn:trd:test> <urn:trd:p> <urn:trd:o> }"
    for path in ("/update", "/query"):
        client = SPARQLWrapper(endpoint + path)
        client.setMethod(POST)
        client.setQuery(update)
        with pytest.raises((HTTPError, SPARQLWrapperException)):
            client.query()
    names, rows = select_store(cohort_results / "store", "SELECT * WHERE { <urn:trd:test> ?p ?o }")
    assert rows == []


def test_endpoint_binds_loopback_by_default() -> None:
    from reasoner.cli.endpoint import server_command

    command = server_command(Path("store"), "127.0.0.1", 7878)
    assert command[1] == "serve-read-only" and "127.0.0.1:7878" in command and "--union-default-graph" in command
    code, _, err = run_cli("endpoint", "/nonexistent/store")
    assert code == 2 and "store directory not found" in err
