"""The FHIR importer's triples as an Arrow triples table, without N-Triples text in between.

Why: the columnar cohort engine needs a triples table (:data:`reasoner.columnar.tables.SCHEMA`:
s, p, o, k, d). Writing the importer's triples as N-Triples and parsing them back
(:func:`reasoner.columnar.tables.parse_ntriples`) built rdflib terms, wrote their text and had
Oxigraph read it again, for every triple of a shard. Here the same records are written in the
text encoding of :mod:`reasoner.fhir.triples` (IRIs as ``str``, literals as ``(lexical form,
datatype)``) and the columns are taken from those tuples directly. The FHIR understanding stays in
:mod:`reasoner.fhir` (the one reader, the same records and data issues); only the serialisation
differs, and it gives exactly the table the N-Triples path gives (tests/columnar/test_fhir_table.py
compares them row by row).

Layer: columnar (reads :mod:`reasoner.fhir`'s triples; :mod:`reasoner.fhir` knows nothing of Arrow).
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

import pyarrow as pa

from reasoner.columnar.tables import SCHEMA

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_FIRST, _SECOND, _THIRD = itemgetter(0), itemgetter(1), itemgetter(2)


def text_triples_table(triples: list[tuple[Any, Any, Any]]) -> pa.Table:
    """Triples of the text encoding as a triples table: duplicates removed, order kept, each row
    what an N-Triples reader gives for the line :func:`reasoner.fhir.convert.text_to_ntriples`
    writes (a plain literal's datatype is ``xsd:string``).

    Subjects are always IRIs here (the importer makes no blank nodes). Raises what Arrow raises
    for text it cannot hold (a lone surrogate); the caller then writes N-Triples instead, which
    fail the same way the N-Triples path does.
    """
    seen = list(dict.fromkeys(triples))
    if not seen:
        return SCHEMA.empty_table()
    # columns by itemgetter maps: ``zip(*seen)`` over a shard's hundreds of thousands of triples
    # costs several times more (one argument tuple of them all)
    objects = list(map(_THIRD, seen))
    o = [x if type(x) is str else x[0] for x in objects]
    k = ["I" if type(x) is str else "L" for x in objects]
    d = [None if type(x) is str else (x[1] or _XSD_STRING) for x in objects]
    return pa.Table.from_arrays([pa.array(list(map(_FIRST, seen)), pa.string()),
                                 pa.array(list(map(_SECOND, seen)), pa.string()), pa.array(o, pa.string()),
                                 pa.array(k, pa.string()), pa.array(d, pa.string())], schema=SCHEMA)


def join_tables(parts: list[Any]) -> Any:
    """Units' triples joined as the N-Triples path joins their bytes: tables concatenated (no
    duplicate removal across units, as joined N-Triples have none), or the bytes joined when a
    unit had to stay N-Triples (then every part is bytes: see ``ShardImport.units``)."""
    if all(isinstance(part, pa.Table) for part in parts):
        if not parts:
            return SCHEMA.empty_table()
        return parts[0] if len(parts) == 1 else pa.concat_tables(parts)
    return b"".join(parts)


__all__ = ["join_tables", "text_triples_table"]
