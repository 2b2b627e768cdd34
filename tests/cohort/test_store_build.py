"""The results store is built from the staged N-Quads parts in one bulk load over them all
(reasoner/cohort/writer.py): every quad of every part ends in the store, a part whose last line
lacks its line break does not run into the next part, and the parts are removed once loaded."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from reasoner.cohort.manifest import Manifest
from reasoner.cohort.writer import QUADS_DIR, STORE_NAME, ResultWriter, _Concatenated

G = "<https://w3id.org/trd-reasoner/graph/asserted>"


def _part(n: int, last_newline: bool = True) -> bytes:
    lines = [f'<https://example.org/p{n}/s{i}> <https://example.org/v> "{n}-{i}" {G} .' for i in range(50)]
    return ("\n".join(lines) + ("\n" if last_newline else "")).encode()


def test_concatenated_parts_read_as_one_stream_with_line_breaks_kept(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_bytes(b"x1\nx2")
    b.write_bytes(b"y1\n")
    with _Concatenated([a, b]) as stream:
        out = b"".join(iter(lambda: stream.read(3), b""))
    assert out == b"x1\nx2\ny1\n"


def test_the_store_holds_every_quad_of_every_part(tmp_path: Path) -> None:
    out = tmp_path / "run"
    writer = ResultWriter(out, Manifest(tmp_path / "manifest.sqlite"), store=True)
    (out / QUADS_DIR).mkdir(parents=True, exist_ok=True)
    for n in range(5):
        (out / QUADS_DIR / f"part-{n:05d}.nq").write_bytes(_part(n, last_newline=n != 2))
    assert writer.build_store() == 250
    store = ox.Store.read_only(str(out / STORE_NAME))
    values = {q.object.value for q in store.quads_for_pattern(None, ox.NamedNode("https://example.org/v"), None)}
    assert values == {f"{n}-{i}" for n in range(5) for i in range(50)}
    assert not (out / QUADS_DIR).exists()
