"""Every hostile query of tests/corpus/queries (issue 16) is refused with one line and exit 2, on
both engines and on ``--store``; no file is read and no connection is made, even to the loopback
server the queries name; and the sandbox holds when the checks are bypassed.
"""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from reasoner.cli.main import main

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CORPUS = REPO / "tests" / "corpus" / "queries"
EXPECTED: dict[str, str] = json.loads((CORPUS / "expected.json").read_text())
DATA = REPO / "examples" / "inadequate-trial.ttl"
PASSWD = "/etc/passwd"

_opened: list[str] = []


def _audit_open(event: str, args: tuple) -> None:
    if event == "open" and args and str(args[0]) == PASSWD:
        _opened.append(str(args[0]))


sys.addaudithook(_audit_open)


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the handler API
        _Recorder.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/turtle")
        self.end_headers()
        self.wfile.write(b"<urn:leak> <urn:leak> <urn:leak> .\n")

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[int]:
    """A loopback HTTP server the hostile queries name: it must never be asked for anything."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_port
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An Oxigraph store of the example's assessment, as a cohort run leaves one."""
    import pyoxigraph as ox

    from reasoner.questions import assess_workspace

    directory = tmp_path_factory.mktemp("store") / "store"
    disk = ox.Store(str(directory))
    disk.bulk_extend(assess_workspace([DATA], "default", "2026-01-15").store.quads_for_pattern(None, None, None, None))
    disk.flush()
    del disk
    return directory


def _query_file(tmp_path: Path, name: str, port: int) -> Path:
    path = tmp_path / f"{name}.rq"
    path.write_text((CORPUS / f"{name}.rq").read_text().replace("{PORT}", str(port)))
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


@pytest.mark.parametrize("where", ["oxigraph", "rdflib", "store"])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_query_is_refused(capsys, tmp_path: Path, server: int, store: Path, name: str, where: str) -> None:
    query = _query_file(tmp_path, name, server)
    source = ["--store", str(store)] if where == "store" else [str(DATA), "--as-of", "2026-01-15", "--backend", where]
    _Recorder.requests.clear()
    _opened.clear()
    code, out, err = _run(capsys, "query", str(query), *source, "--format", "json")
    assert code == 2, err
    assert EXPECTED[name] in err and err.startswith("trd: error:")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err and out == ""
    assert _Recorder.requests == [] and _opened == []


@pytest.mark.parametrize("name", ["deep-braces", "from-file", "service-escaped-hash"])
def test_hostile_query_through_a_real_process(tmp_path: Path, server: int, store: Path, name: str) -> None:
    """The crash cases in a process of their own: a segfault would show as a negative code."""
    query = _query_file(tmp_path, name, server)
    _Recorder.requests.clear()
    done = subprocess.run([sys.executable, "-m", "reasoner.cli.main", "query", str(query), "--store", str(store)],
                          capture_output=True, timeout=120, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert err.startswith("trd: error:") and len(err.strip().splitlines()) == 1
    assert "root:" not in done.stdout.decode() and _Recorder.requests == []


def test_a_50_mb_literal_is_refused_before_it_is_read(capsys, tmp_path: Path) -> None:
    """issue 16: a 50 MB literal cost 3.4 GB in the old regex; the size is checked on the file."""
    query = tmp_path / "big.rq"
    with open(query, "w") as handle:
        handle.write('SELECT * WHERE { ?s ?p "')
        handle.write("x" * (50 * 1024 * 1024))
        handle.write('" }')
    code, _, err = _run(capsys, "query", str(query), str(DATA))
    assert code == 2 and "larger than the limit" in err


def test_the_sandbox_holds_when_the_checks_are_bypassed(server: int) -> None:
    """Defence in depth: a query whose algebra still has FROM (as if the check had a hole) is
    evaluated by rdflib with graph loading off and the network guard on: no file, no request."""
    from rdflib import Dataset
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    from reasoner.io.sparql import CheckedQuery
    from reasoner.questions import _select_rdflib

    dataset = Dataset(default_union=True)
    for text in (f"SELECT * FROM <file://{PASSWD}> WHERE {{ ?s ?p ?o }}",
                 f"SELECT * FROM <http://127.0.0.1:{server}/x.ttl> WHERE {{ ?s ?p ?o }}",
                 f"SELECT * FROM NAMED <http://127.0.0.1:{server}/y.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"):
        _Recorder.requests.clear()
        _opened.clear()
        unchecked = CheckedQuery(text, "bypass.rq", translateQuery(parseQuery(text)))
        _names, rows = _select_rdflib(dataset, unchecked)
        assert rows == [] and _opened == [] and _Recorder.requests == []


def test_the_project_report_queries_pass_the_checks() -> None:
    """The competency questions shipped in queries/report stay accepted (nesting, parser, SELECT)."""
    from reasoner.io.sparql import check_query
    from reasoner.knowledge.paths import REPORT_DIR

    for path in sorted(REPORT_DIR.glob("*.rq")):
        check_query(path.read_text(), str(path))
