"""Turtle/N-Triples cohort input: find the patients of each file, then cut shards out of files.

Why a scan first: a folder of patient graphs may hold one patient per file or thousands per
file, and shards must hold about ``shard_size`` patients either way. One streaming parse per file
(pyoxigraph, ~1M triples/s, nothing kept but patient IRIs, which go to SQLite) numbers the
patients; a shard is then a range of those numbers. A worker re-reads only the files its range
touches and keeps the triples of its patients.

Which triples belong to a patient (docs/data-model.md §6): the patient node itself, every node
with ``trd:patient <patient>``, and every node with ``trd:trial <trial>`` of one of its trials
(dose periods). Nodes that reach no patient (a malformed record without ``trd:patient``) go with
the file's first patient, so they are validated exactly once and reported, never dropped.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from ..errors import InputError
from ..namespaces import TRD
from ..rdf_io import MAX_INPUT_BYTES
from ..workspace import OX_RDF_TYPE

#: Streaming formats this source reads directly (other RDF syntaxes: convert first).
TURTLE_FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ntriples": ox.RdfFormat.N_TRIPLES,
}

_PATIENT_CLASS = ox.NamedNode(str(TRD.Patient))
_PATIENT = ox.NamedNode(str(TRD.patient))
_TRIAL = ox.NamedNode(str(TRD.trial))


def turtle_files(path: Path) -> list[Path]:
    """The patient-graph files of an input (a file, or a folder searched recursively), sorted."""
    if path.is_file():
        if path.suffix.lower() not in TURTLE_FORMATS:
            raise InputError(f"{path}: not a Turtle or N-Triples file (expected .ttl or .nt)")
        return [path]
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TURTLE_FORMATS)
    raise InputError(f"{path}: no such file or folder")


def _parse(path: Path) -> Iterable[ox.Triple]:
    """Stream the triples of one file, with the project's size limit and a clear error."""
    size = path.stat().st_size
    if size > MAX_INPUT_BYTES:
        raise InputError(f"{path}: {size} bytes is larger than the limit of {MAX_INPUT_BYTES} bytes")
    try:
        yield from ox.parse(path=str(path), format=TURTLE_FORMATS[path.suffix.lower()])
    except (SyntaxError, ValueError) as exc:
        raise InputError(f"{path}: not valid RDF ({str(exc).splitlines()[0]})") from exc


class TurtleIndex:
    """Numbered patients of a set of Turtle files, kept in SQLite (bounded memory)."""

    def __init__(self, db_path: Path, files: list[Path]) -> None:
        self.files = files
        self._con = sqlite3.connect(db_path)

    def fingerprint(self) -> str:
        """Names, sizes and mtimes of the input files: a changed input is another run."""
        return self._fingerprint()

    def _fingerprint(self) -> str:
        return "|".join(f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in self.files)

    def build(self) -> int:
        """Scan every file once for ``?p a trd:Patient``; returns the number of patients."""
        con = self._con
        try:
            meta = dict(con.execute("SELECT key, value FROM tmeta").fetchall())
            if meta.get("complete") == "1" and meta.get("fingerprint") == self._fingerprint():
                return self.patient_count()
        except sqlite3.DatabaseError:
            pass
        con.executescript("""
            DROP TABLE IF EXISTS tmeta; DROP TABLE IF EXISTS tpatients;
            CREATE TABLE tmeta(key TEXT PRIMARY KEY, value TEXT);
            CREATE TABLE tpatients(ordinal INTEGER PRIMARY KEY, fno INTEGER, iri TEXT);
        """)
        for fno, path in enumerate(self.files):
            seen: set[str] = set()  # per file only: memory bounded by the largest file
            rows = []
            for t in _parse(path):
                if t.predicate == OX_RDF_TYPE and t.object == _PATIENT_CLASS and isinstance(t.subject, ox.NamedNode):
                    iri = t.subject.value
                    if iri not in seen:
                        seen.add(iri)
                        rows.append((fno, iri))
            con.executemany("INSERT INTO tpatients(fno, iri) VALUES (?, ?)", rows)
        con.execute("CREATE INDEX tp_fno ON tpatients(fno)")
        con.executemany("INSERT INTO tmeta VALUES (?, ?)",
                        [("fingerprint", self._fingerprint()), ("complete", "1")])
        con.commit()
        return self.patient_count()

    def patient_count(self) -> int:
        """Number of patients found."""
        return self._con.execute("SELECT COUNT(*) FROM tpatients").fetchone()[0]

    def shard_plan(self, first: int, stop: int) -> list[tuple[str, list[str], bool]]:
        """For patients ``[first, stop)``: (file, patient IRIs, whole file?) per file touched.

        "Whole file" means the shard holds every patient of the file, so the worker can load the
        file as it is, without picking triples out.
        """
        rows = self._con.execute(
            "SELECT fno, iri FROM tpatients WHERE ordinal > ? AND ordinal <= ? ORDER BY ordinal",
            (first, stop)).fetchall()
        by_file: dict[int, list[str]] = defaultdict(list)
        for fno, iri in rows:
            by_file[fno].append(iri)
        plan = []
        for fno, iris in by_file.items():
            total = self._con.execute("SELECT COUNT(*) FROM tpatients WHERE fno = ?", (fno,)).fetchone()[0]
            plan.append((str(self.files[fno]), iris, total == len(iris)))
        return plan

    def first_of_file(self, fno: int) -> str | None:
        """The IRI of the first patient of a file (the one that carries its unattributed nodes)."""
        row = self._con.execute("SELECT iri FROM tpatients WHERE fno = ? ORDER BY ordinal LIMIT 1", (fno,)).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        """Release the database handle."""
        self._con.close()


def group_by_patient(triples: Iterable[ox.Triple]) -> tuple[dict[str, list[ox.Triple]], list[ox.Triple], str | None]:
    """Triples grouped by patient IRI (see module docstring), the unattributed ones, the first patient."""
    by_subject: dict[object, list[ox.Triple]] = defaultdict(list)
    owner: dict[object, object] = {}
    trial_of: dict[object, object] = {}
    first_patient = None
    for t in triples:
        by_subject[t.subject].append(t)
        if t.predicate == _PATIENT:
            owner[t.subject] = t.object
        elif t.predicate == _TRIAL:
            trial_of[t.subject] = t.object
        elif t.predicate == OX_RDF_TYPE and t.object == _PATIENT_CLASS:
            owner.setdefault(t.subject, t.subject)  # a patient node is its own patient's
            if first_patient is None:
                first_patient = t.subject
    groups: dict[str, list[ox.Triple]] = defaultdict(list)
    orphans: list[ox.Triple] = []
    for subject, subject_triples in by_subject.items():
        patient = owner.get(subject)
        if patient is None and subject in trial_of:
            patient = owner.get(trial_of[subject])
        if isinstance(patient, ox.NamedNode):
            groups[patient.value].extend(subject_triples)
        else:
            orphans.extend(subject_triples)
    return dict(groups), orphans, first_patient.value if first_patient is not None else None


def extract_patients(path: Path, patient_iris: list[str]) -> bytes:
    """N-Triples of the named patients' subgraphs in one file (see module docstring).

    Unattributed nodes are kept when the file's first patient is among ``patient_iris``: exactly
    one shard starts each file, so they are validated once.
    """
    groups, orphans, first = group_by_patient(_parse(path))
    selected: list[ox.Triple] = []
    for iri in patient_iris:
        selected.extend(groups.get(iri, ()))
    if first is not None and first in set(patient_iris):
        selected.extend(orphans)
    return ox.serialize(selected, format=ox.RdfFormat.N_TRIPLES) or b""


def file_as_ntriples(path: Path) -> bytes:
    """A whole file as N-Triples (so several files can be joined without merging blank nodes)."""
    return ox.serialize(_parse(path), format=ox.RdfFormat.N_TRIPLES) or b""


__all__ = ["TurtleIndex", "turtle_files", "extract_patients", "group_by_patient", "file_as_ntriples", "TURTLE_FORMATS"]
