"""Turtle/N-Triples cohort input: find the patients of each file, then cut shards out of files.

Why a scan first: a folder of patient graphs may hold one patient per file or thousands per
file, and shards must hold about ``shard_size`` patients either way. One streaming parse per file
(pyoxigraph, ~1M triples/s, nothing kept but patient IRIs, which go to SQLite) numbers the
patients; a shard is then a range of those numbers. A worker re-reads only the files its range
touches and keeps the triples of its patients.

Which triples belong to a patient (docs/data-model.md §6): the patient node itself, every node
with ``trd:patient <patient>``, and every node with ``trd:trial <trial>`` of one of its trials
(dose periods). Nodes that reach no patient of their file (a malformed record without
``trd:patient``, or one whose ``trd:patient`` is not a ``trd:Patient`` of that file) travel with
the shard that takes the file's first patient, so they are validated exactly once, apart from
every patient, and reported on an "(unattributed)" line, never dropped. A file without any
patient is indexed as a unit of its own (no patient IRI), for the same reason.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from reasoner.errors import InputError
from reasoner.inputs import rdf_files
from reasoner.knowledge.namespaces import TRD
from reasoner.config import MAX_INPUT_BYTES
from reasoner.rules.terms import OX_RDF_TYPE

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
        return rdf_files(path)  # the one rule of the input seam (reasoner.inputs)
    raise InputError(f"{path}: no such file or folder")


def _check_size(path: Path) -> None:
    size = path.stat().st_size
    if size > MAX_INPUT_BYTES:
        raise InputError(f"{path}: {size} bytes is larger than the limit of {MAX_INPUT_BYTES} bytes")


def _parse(path: Path) -> Iterable[ox.Triple]:
    """Stream the triples of one file, with the project's size limit and a clear error."""
    _check_size(path)
    try:
        yield from ox.parse(path=str(path), format=TURTLE_FORMATS[path.suffix.lower()])
    except (SyntaxError, ValueError) as exc:
        raise InputError(f"{path}: not valid RDF ({str(exc).splitlines()[0]})") from exc


#: Bumped when the index layout changes, so a resumed run never reuses an index of another layout.
_INDEX_VERSION = "2"


class TurtleIndex:
    """Numbered units of a set of Turtle files, kept in SQLite (bounded memory).

    A unit is a patient (its IRI), or a file that holds no patient at all (IRI NULL): that
    file's records are still assessed, so their data issues are reported rather than skipped.
    """

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
            if (meta.get("complete") == "1" and meta.get("fingerprint") == self._fingerprint()
                    and meta.get("version") == _INDEX_VERSION):
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
            if not rows:
                rows.append((fno, None))  # no patient: the file is a unit of its own (see class)
            con.executemany("INSERT INTO tpatients(fno, iri) VALUES (?, ?)", rows)
        con.execute("CREATE INDEX tp_fno ON tpatients(fno)")
        con.executemany("INSERT INTO tmeta VALUES (?, ?)",
                        [("fingerprint", self._fingerprint()), ("complete", "1"), ("version", _INDEX_VERSION)])
        con.commit()
        return self.patient_count()

    def patient_count(self) -> int:
        """Number of patients found."""
        return self._con.execute("SELECT COUNT(iri) FROM tpatients").fetchone()[0]

    def unit_count(self) -> int:
        """Number of units (patients, and files without a patient): what shards are cut from."""
        return self._con.execute("SELECT COUNT(*) FROM tpatients").fetchone()[0]

    def shard_plan(self, first: int, stop: int) -> list[tuple[str, list[str], bool]]:
        """For units ``[first, stop)``: (file, patient IRIs, whole file?) per file touched.

        "Whole file" means the shard holds every unit of the file, so the worker can load the
        file as it is, without picking triples out (a file without patients: no IRIs, whole).
        """
        rows = self._con.execute(
            "SELECT fno, iri FROM tpatients WHERE ordinal > ? AND ordinal <= ? ORDER BY ordinal",
            (first, stop)).fetchall()
        by_file: dict[int, list[str]] = defaultdict(list)
        for fno, iri in rows:
            iris_of_file = by_file[fno]
            if iri is not None:
                iris_of_file.append(iri)
        plan = []
        for fno, iris in by_file.items():
            total = self._con.execute("SELECT COUNT(iri) FROM tpatients WHERE fno = ?", (fno,)).fetchone()[0]
            plan.append((str(self.files[fno]), iris, total == len(iris)))
        return plan

    def close(self) -> None:
        """Release the database handle."""
        self._con.close()


def group_by_patient(triples: Iterable[ox.Triple]) -> tuple[dict[str, list[ox.Triple]], list[ox.Triple], str | None]:
    """Triples grouped by patient IRI (see module docstring), the unattributed ones, the first patient."""
    by_subject: dict[object, list[ox.Triple]] = defaultdict(list)
    owner: dict[object, object] = {}
    trial_of: dict[object, object] = {}
    patients: set[object] = set()
    first_patient = None
    for t in triples:
        by_subject[t.subject].append(t)
        if t.predicate == _PATIENT:
            owner[t.subject] = t.object
        elif t.predicate == _TRIAL:
            trial_of[t.subject] = t.object
        elif t.predicate == OX_RDF_TYPE and t.object == _PATIENT_CLASS:
            owner.setdefault(t.subject, t.subject)  # a patient node is its own patient's
            patients.add(t.subject)
            if first_patient is None and isinstance(t.subject, ox.NamedNode):  # as TurtleIndex numbers them
                first_patient = t.subject
    groups: dict[str, list[ox.Triple]] = defaultdict(list)
    orphans: list[ox.Triple] = []
    for subject, subject_triples in by_subject.items():
        patient = owner.get(subject)
        if patient is None and subject in trial_of:
            patient = owner.get(trial_of[subject])
        # Only a trd:Patient of this input owns a group: a record pointing elsewhere is an orphan
        # (kept and reported by the trd:patient shape), never a group that no shard asks for.
        if isinstance(patient, ox.NamedNode) and patient in patients:
            groups[patient.value].extend(subject_triples)
        else:
            orphans.extend(subject_triples)
    return dict(groups), orphans, first_patient.value if first_patient is not None else None


def read_file(path: Path) -> bytes:
    """A patient-graph file's bytes, with the project's size limit (parsed later, by a worker)."""
    _check_size(path)
    return path.read_bytes()


def format_of(path: Path | str) -> str:
    """"turtle" or "nt": how a patient-graph file is parsed."""
    return "nt" if TURTLE_FORMATS[Path(path).suffix.lower()] == ox.RdfFormat.N_TRIPLES else "turtle"


def file_patients(data: bytes, rdf_format: str, patient_iris: Iterable[str] | None = None,
                  ) -> tuple[list[tuple[str, bytes]], bytes]:
    """One file's patients as (IRI, N-Triples) and its records that reach none of them.

    ``patient_iris``: the patients a shard takes from the file (None: all of them). The file's
    unattributed records (see module docstring) come back only with the file's first patient,
    or when the file has no patient and is taken whole: exactly one shard gets them, and they
    are assessed apart from every patient, so whether a record finds its patient never depends
    on which files share a shard.
    """
    ox_format = ox.RdfFormat.TURTLE if rdf_format == "turtle" else ox.RdfFormat.N_TRIPLES
    try:
        groups, orphans, first = group_by_patient(ox.parse(data, format=ox_format))
    except (SyntaxError, ValueError) as exc:
        raise InputError(f"not valid RDF ({str(exc).splitlines()[0]})") from exc
    wanted = list(groups) if patient_iris is None else [i for i in patient_iris if i in groups]
    units = [(iri, ox.serialize(groups[iri], format=ox.RdfFormat.N_TRIPLES) or b"") for iri in wanted]
    owns_orphans = first in wanted if first is not None else patient_iris is None
    lost = (ox.serialize(orphans, format=ox.RdfFormat.N_TRIPLES) or b"") if orphans and owns_orphans else b""
    return units, lost


__all__ = ["TurtleIndex", "turtle_files", "read_file", "format_of", "file_patients", "group_by_patient",
           "TURTLE_FORMATS"]
