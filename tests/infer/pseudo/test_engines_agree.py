"""The same rules give the same pseudo-resistance, mechanism, option and occupancy findings on
rdflib's SPARQL engine as on Oxigraph (a small, varied shard: rdflib is slow)."""

from __future__ import annotations

import pytest

from .cases import assess

SHARD = ("pgp-50nm", "bipolar-history", "crp-5.1", "tsh-4.6", "failed-tca", "ich", "dst-nmol-138",
         "noncompliance-during", "vns-4-single-23m")


@pytest.mark.slow
def test_rdflib_and_oxigraph_agree() -> None:
    ox = assess(SHARD, engine="oxigraph")
    rd = assess(SHARD, engine="rdflib")
    for pid in SHARD:
        a, b = ox[pid], rd[pid]
        assert a.pseudo == b.pseudo, pid
        assert a.mechanisms == b.mechanisms, pid
        assert {k: (v[0]["status"], sorted(v[0]["missing"])) for k, v in a.options.items()} == \
               {k: (v[0]["status"], sorted(v[0]["missing"])) for k, v in b.options.items()}, pid
        assert [{k: float(v) for k, v in o.items()} for o in a.occupancy] == \
               [{k: float(v) for k, v in o.items()} for o in b.occupancy], pid
    assert ox["pgp-50nm"].occupancy and ox["bipolar-history"].pseudo and ox["crp-5.1"].mechanisms
