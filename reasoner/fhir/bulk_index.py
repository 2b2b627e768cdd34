"""On-disk SQLite index that groups a Bulk FHIR export by patient.

Why: a Bulk Data export is grouped by resource *type* (``Patient.ndjson``, ``Condition.ndjson``,
…), but the reasoner needs each patient's resources together. Holding the export in memory does
not scale to a million patients, so one streaming pass records, for every line, *where it is*
(file number, byte offset, length) and *whose it is* (the patient id). Shards are then read back
patient-group by patient-group with ``pread``; the resource text itself is never copied into the
index, which keeps it small (~40 bytes a resource) and the build I/O-light.

Rules of attribution (documented, because they decide which patient a line belongs to):

* which files hold resources is :func:`reasoner.fhir.reader.bulk_files` and whose a resource is
  :func:`reasoner.fhir.references.owner`: the same rules as single-patient mode, so a folder gives
  the same patients either way (a fast regular expression locates ``subject.reference``, with a
  full JSON parse as fallback);
* a resource with no patient (``Medication``, ``Practitioner``, a Condition without a subject, a
  Patient with an invalid id …) is *loose*: every loose line is read once more after the patients
  (the cohort runner's last unit), so it is counted or reported like in single mode, never lost;
  a loose ``Medication`` is also *shared*: indexed by ``<Type>/<id>`` (and ``urn:uuid:<id>``, and
  each of its identifiers) and handed to every patient group whose resources point at it with
  ``medicationReference`` (the only such reference the importer reads);
* a resource whose subject is a logical reference (``{"identifier": {…}}``) belongs to the patient
  whose Patient resource carries that identifier (resolved after the pass, as single mode does);
  when none does, the line is loose;
* a line that is not JSON, or not a FHIR resource, is recorded as a bad line (file, line number,
  reason, and the patient the broken text still names, :func:`reasoner.fhir.reader.patient_hint`);
  it reaches the importer as the same placeholder single mode yields (a data issue with its
  ``source`` ``File.ndjson:17``), on its patient's line, or on the ``"(unattributed)"`` line when
  it names none (and in the summary's ``bad_input_lines``); the run goes on.

Patients are numbered (``ordinal``) in order of first appearance over the files in sorted order,
so the same export always gives the same shards.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from reasoner.errors import InputError
from reasoner.fhir.reader import UNREADABLE_KEY, UNREADABLE_PATIENT_KEY, bulk_files, is_bulk_folder, patient_hint
from reasoner.fhir.references import owner, patient_id, shared_key

#: Bump when the index layout changes: an index of another version is rebuilt, never misread.
INDEX_VERSION = "4"

_BATCH = 20_000

# Fast paths over the raw bytes of one NDJSON line. They only *locate* values; a line they
# cannot read is parsed as JSON, so a surprising layout costs time, never correctness.
_RTYPE = re.compile(rb'"resourceType"\s*:\s*"([A-Za-z]+)"')
_SUBJECT = re.compile(rb'"(?:subject|patient)"\s*:\s*\{\s*"reference"\s*:\s*"([^"]+)"')
_MEDREF = re.compile(rb'"medicationReference"\s*:\s*\{\s*"reference"\s*:\s*"([^"]+)"')
_ID = re.compile(rb'"id"\s*:\s*"([^"]+)"')


def _identifier_keys(identifier: object) -> list[str]:
    """``system|value`` keys of an Identifier (or a list of them), each also as ``|value`` (a
    logical reference without a system matches any system, as in single mode)."""
    items = identifier if isinstance(identifier, list) else [identifier]
    keys: list[str] = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("value"), str):
            system = item.get("system") if isinstance(item.get("system"), str) else ""
            keys += [f"{system}|{item['value']}"] + ([f"|{item['value']}"] if system else [])
    return keys


@dataclass(frozen=True)
class IndexStats:
    """What the index saw: counts for the run summary (nothing silently dropped)."""

    files: int
    lines: int
    patients: int
    shared: int
    bad_lines: int
    unattributed: int


class FhirIndex:
    """The SQLite index of one Bulk export (see module docstring). Build once, read many."""

    def __init__(self, db_path: Path, export_dir: Path) -> None:
        self.db_path = Path(db_path)
        self.export_dir = Path(export_dir)
        self._con = sqlite3.connect(self.db_path)
        self._con.execute("PRAGMA journal_mode=WAL")
        self._files: list[Path] | None = None

    # --- build ---------------------------------------------------------------------------
    def fingerprint(self) -> str:
        """Names, sizes and mtimes of the input files: a changed input is another run."""
        return self._fingerprint()

    def _fingerprint(self) -> str:
        """Names, sizes and mtimes of the export's files: a changed export means a new index."""
        parts = []
        for p in bulk_files(self.export_dir)[0]:
            st = p.stat()
            parts.append(f"{p.name}:{st.st_size}:{st.st_mtime_ns}")
        return "|".join(parts)

    def is_built(self) -> bool:
        """True when a complete index of this very export (same files, same version) exists."""
        try:
            rows = dict(self._con.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError:
            return False
        return rows.get("version") == INDEX_VERSION and rows.get("complete") == "1" and \
            rows.get("fingerprint") == self._fingerprint()

    def build(self) -> IndexStats:
        """Index the export in one streaming pass (memory: one batch of rows), unless done already."""
        if self.is_built():
            return self.stats()
        con = self._con
        # A half-built index (crash during build) is simply rebuilt: the build is cheap and
        # all-or-nothing, marked complete only at the end.
        con.executescript("""
            DROP TABLE IF EXISTS meta; DROP TABLE IF EXISTS files; DROP TABLE IF EXISTS res;
            DROP TABLE IF EXISTS patients; DROP TABLE IF EXISTS shared; DROP TABLE IF EXISTS medref;
            DROP TABLE IF EXISTS bad; DROP TABLE IF EXISTS loose; DROP TABLE IF EXISTS ident;
            DROP TABLE IF EXISTS waiting;
            CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
            CREATE TABLE files(fno INTEGER PRIMARY KEY, name TEXT);
            CREATE TABLE res(pid TEXT, fno INTEGER, off INTEGER, len INTEGER);
            CREATE TABLE patients(ordinal INTEGER PRIMARY KEY, pid TEXT UNIQUE);
            CREATE TABLE shared(key TEXT PRIMARY KEY, fno INTEGER, off INTEGER, len INTEGER, rtype TEXT);
            CREATE TABLE medref(pid TEXT, key TEXT);
            CREATE TABLE bad(fno INTEGER, lineno INTEGER, reason TEXT, pid TEXT);
            CREATE TABLE loose(fno INTEGER, off INTEGER, len INTEGER, rtype TEXT);
            CREATE TABLE ident(key TEXT, pid TEXT);
            CREATE TABLE waiting(fno INTEGER, off INTEGER, len INTEGER, rtype TEXT, key TEXT);
        """)
        con.execute("PRAGMA synchronous=OFF")
        files = bulk_files(self.export_dir)[0]
        con.executemany("INSERT INTO files VALUES (?, ?)", [(i, p.name) for i, p in enumerate(files)])
        res_rows: list[tuple[str, int, int, int]] = []
        pids: list[tuple[str]] = []
        refs: list[tuple[str, str]] = []
        lines = 0
        seen_pid_batch: set[str] = set()

        def flush() -> None:
            con.executemany("INSERT INTO res VALUES (?, ?, ?, ?)", res_rows)
            con.executemany("INSERT OR IGNORE INTO patients(pid) VALUES (?)", pids)
            con.executemany("INSERT INTO medref VALUES (?, ?)", refs)
            res_rows.clear(), pids.clear(), refs.clear(), seen_pid_batch.clear()

        for fno, path in enumerate(files):
            try:
                handle = path.open("rb")
            except OSError as exc:
                raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
            with handle:
                offset = 0
                for lineno, raw in enumerate(handle, start=1):
                    length = len(raw)
                    start, offset = offset, offset + length
                    if not raw.strip():
                        continue
                    lines += 1
                    attributed = self._attribute(raw)
                    if isinstance(attributed, str):  # a reason: the line is unusable
                        hint = patient_hint(raw)
                        con.execute("INSERT INTO bad VALUES (?, ?, ?, ?)", (fno, lineno, attributed, hint))
                        if hint is not None and hint not in seen_pid_batch:
                            seen_pid_batch.add(hint)
                            pids.append((hint,))
                        continue
                    rtype, pid, rid, medref, idents, waits_for = attributed
                    if rtype == "Patient" and pid is not None:
                        con.executemany("INSERT INTO ident VALUES (?, ?)", [(k, pid) for k in idents])
                    if pid is None and waits_for is not None:
                        con.execute("INSERT INTO waiting VALUES (?, ?, ?, ?, ?)", (fno, start, length, rtype, waits_for))
                        continue
                    if pid is None:
                        con.execute("INSERT INTO loose VALUES (?, ?, ?, ?)", (fno, start, length, rtype))
                        if rid is not None:
                            keys = [f"{rtype}/{rid}", f"urn:uuid:{rid}"] + [f"identifier:{k}" for k in idents]
                            con.executemany("INSERT OR IGNORE INTO shared VALUES (?, ?, ?, ?, ?)",
                                            [(k, fno, start, length, rtype) for k in keys])
                        continue
                    res_rows.append((pid, fno, start, length))
                    if pid not in seen_pid_batch:
                        seen_pid_batch.add(pid)
                        pids.append((pid,))
                    key = medref if medref is not None and medref.startswith("identifier:") else \
                        shared_key(medref) if medref is not None else None
                    if key is not None:
                        refs.append((pid, key))
                    if len(res_rows) >= _BATCH:
                        flush()
        flush()
        # Logical subjects: the patient whose Patient carries the identifier (the first read);
        # none: the line is loose, like a resource without a subject.
        con.executescript("""
            CREATE INDEX ident_key ON ident(key);
            INSERT INTO res SELECT (SELECT i.pid FROM ident i WHERE i.key = w.key ORDER BY i.rowid LIMIT 1),
                                   w.fno, w.off, w.len
                FROM waiting w WHERE EXISTS (SELECT 1 FROM ident i WHERE i.key = w.key);
            INSERT INTO loose SELECT w.fno, w.off, w.len, w.rtype FROM waiting w
                WHERE NOT EXISTS (SELECT 1 FROM ident i WHERE i.key = w.key);
        """)
        # One sort at the end instead of a B-tree insert per row: the index that makes each
        # shard a range scan (covering: no lookup back into the table).
        con.executescript("""
            CREATE INDEX res_pid ON res(pid, fno, off, len);
            CREATE INDEX medref_pid ON medref(pid);
            CREATE INDEX bad_pid ON bad(pid);
        """)
        con.executemany("INSERT INTO meta VALUES (?, ?)", [
            ("version", INDEX_VERSION), ("fingerprint", self._fingerprint()), ("lines", str(lines)),
            ("complete", "1")])
        con.commit()
        con.execute("PRAGMA synchronous=NORMAL")
        return self.stats()

    @staticmethod
    def _attribute(raw: bytes) -> tuple[str, str | None, str | None, str | None, list[str], str | None] | str:
        """(resourceType, patient id, resource id, medicationReference key, identifier keys, the
        identifier key a logical subject waits for) of one line, or a reason it is unusable."""
        m_type = _RTYPE.search(raw)
        if m_type is not None and m_type.group(1) != b"Patient":
            m_subj = _SUBJECT.search(raw)
            # an escaped character (\n, \u0000, \") in the reference: the JSON parse reads it right;
            # a line that does not end its object is truncated: the parse reports it with its place
            if m_subj is not None and b"\\" not in m_subj.group(1) and raw.rstrip().endswith(b"}"):
                pid = patient_id(m_subj.group(1).decode())
                m_med = _MEDREF.search(raw)
                # a logical medicationReference (by identifier) needs the parse below
                if pid is not None and (m_med is not None or b'"medicationReference"' not in raw):
                    return (m_type.group(1).decode(), pid, None,
                            m_med.group(1).decode() if m_med else None, [], None)
        # Slow path: a Patient, a resource without a subject, or an unusual layout.
        try:
            doc = json.loads(raw)
        except ValueError:
            return "not valid JSON"
        except RecursionError:
            return "JSON nested too deeply"
        if not isinstance(doc, dict) or not isinstance(doc.get("resourceType"), str):
            return "not a FHIR resource (no resourceType)"
        rtype = doc["resourceType"]
        rid = doc.get("id") if isinstance(doc.get("id"), str) else None
        med = doc.get("medicationReference")
        medref = med.get("reference") if isinstance(med, dict) and isinstance(med.get("reference"), str) else None
        if medref is None and isinstance(med, dict):
            logical = _identifier_keys(med.get("identifier"))
            medref = f"identifier:{logical[0]}" if logical else None
        idents = _identifier_keys(doc.get("identifier")) if rtype in ("Patient", "Medication") else []
        pid = owner(doc)
        waits_for = None
        if pid is None and rtype != "Patient":
            for key in ("subject", "patient"):
                ref = doc.get(key)
                logical = _identifier_keys(ref.get("identifier")) if isinstance(ref, dict) and "reference" not in ref else []
                if logical:
                    waits_for = logical[0]
                    break
        return rtype, pid, rid, medref, idents, waits_for

    # --- read ----------------------------------------------------------------------------
    def stats(self) -> IndexStats:
        """Counts for the summary."""
        q = self._con.execute
        meta = dict(q("SELECT key, value FROM meta").fetchall())
        return IndexStats(
            files=q("SELECT COUNT(*) FROM files").fetchone()[0],
            lines=int(meta.get("lines", 0)),
            patients=q("SELECT COUNT(*) FROM patients").fetchone()[0],
            shared=q("SELECT COUNT(DISTINCT fno || ':' || off) FROM shared").fetchone()[0],
            bad_lines=q("SELECT COUNT(*) FROM bad").fetchone()[0],
            unattributed=0,
        )

    def bad_lines(self) -> list[tuple[str, int, str]]:
        """(file name, line number, reason) of every unusable line that names no patient."""
        return self._con.execute(
            "SELECT f.name, b.lineno, b.reason FROM bad b JOIN files f USING (fno) WHERE b.pid IS NULL "
            "ORDER BY f.name, b.lineno").fetchall()

    def _placeholder(self, fno: int, lineno: int, reason: str, pid: str | None) -> dict[str, str]:
        """The importer's placeholder of an unusable line (as :func:`reasoner.fhir.reader.iter_ndjson_lines`)."""
        path = self._paths()[fno]
        holder = {"resourceType": path.name.split(".", 1)[0], UNREADABLE_KEY: f"{path}:{lineno}: {reason}"}
        if pid is not None:
            holder[UNREADABLE_PATIENT_KEY] = pid
        return holder

    def broken_loose(self) -> list[dict[str, str]]:
        """Placeholders of the unusable lines that name no patient (accounted by the loose pass)."""
        return [self._placeholder(fno, lineno, reason, None) for fno, lineno, reason in self._con.execute(
            "SELECT fno, lineno, reason FROM bad WHERE pid IS NULL ORDER BY fno, lineno")]

    def patient_count(self) -> int:
        """Number of patient groups."""
        return self._con.execute("SELECT COUNT(*) FROM patients").fetchone()[0]

    def unit_count(self) -> int:
        """Number of units shards are cut from: here one per patient group."""
        return self.patient_count()

    def _paths(self) -> list[Path]:
        if self._files is None:
            names = [n for (n,) in self._con.execute("SELECT name FROM files ORDER BY fno")]
            self._files = [self.export_dir / n for n in names]
        return self._files

    def read_group(self, first: int, stop: int) -> list[tuple[str, list[bytes], list[bytes], list[dict[str, str]]]]:
        """Patients with ordinal in ``[first, stop)``: (patient id, its own raw resource lines, the
        shared resources it points at with ``medicationReference``, placeholders of its unusable
        lines), in order."""
        paths = self._paths()
        fds: dict[int, int] = {}
        try:
            def read(fno: int, off: int, length: int) -> bytes:
                fd = fds.get(fno)
                if fd is None:
                    fd = fds[fno] = os.open(paths[fno], os.O_RDONLY)
                return os.pread(fd, length, off).rstrip(b"\r\n")

            own: dict[str, list[bytes]] = {}
            shared_lines: dict[str, list[bytes]] = {}
            order = self._con.execute(
                "SELECT pid FROM patients WHERE ordinal >= ? AND ordinal < ? ORDER BY ordinal",
                (first + 1, stop + 1)).fetchall()  # INTEGER PRIMARY KEY starts at 1
            for (pid,) in order:
                own[pid], shared_lines[pid] = [], []
            rows = self._con.execute(
                "SELECT r.pid, r.fno, r.off, r.len FROM patients p JOIN res r ON r.pid = p.pid "
                "WHERE p.ordinal >= ? AND p.ordinal < ? ORDER BY p.ordinal, r.fno, r.off",
                (first + 1, stop + 1))
            for pid, fno, off, length in rows:
                own[pid].append(read(fno, off, length))
            shared = self._con.execute(
                "SELECT DISTINCT m.pid, s.fno, s.off, s.len FROM patients p JOIN medref m ON m.pid = p.pid "
                "JOIN shared s ON s.key = m.key WHERE p.ordinal >= ? AND p.ordinal < ? "
                "ORDER BY m.pid, s.fno, s.off", (first + 1, stop + 1))
            for pid, fno, off, length in shared:
                shared_lines[pid].append(read(fno, off, length))
            broken: dict[str, list[dict[str, str]]] = {pid: [] for pid in own}
            for pid, fno, lineno, reason in self._con.execute(
                    "SELECT b.pid, b.fno, b.lineno, b.reason FROM patients p JOIN bad b ON b.pid = p.pid "
                    "WHERE p.ordinal >= ? AND p.ordinal < ? ORDER BY p.ordinal, b.fno, b.lineno", (first + 1, stop + 1)):
                broken[pid].append(self._placeholder(fno, lineno, reason, pid))
            return [(pid, own[pid], shared_lines[pid], broken[pid]) for pid in own]
        finally:
            for fd in fds.values():
                os.close(fd)

    def loose_count(self) -> int:
        """Number of lines that belong to no patient (read after the patients, see module docstring)."""
        return self._con.execute("SELECT COUNT(*) FROM loose").fetchone()[0]

    def read_loose(self, first: int, stop: int) -> list[bytes]:
        """Loose lines ``[first, stop)`` in file order."""
        paths = self._paths()
        out: list[bytes] = []
        fds: dict[int, int] = {}
        try:
            for fno, off, length in self._con.execute(
                    "SELECT fno, off, len FROM loose ORDER BY fno, off LIMIT ? OFFSET ?", (stop - first, first)):
                fd = fds.get(fno)
                if fd is None:
                    fd = fds[fno] = os.open(paths[fno], os.O_RDONLY)
                out.append(os.pread(fd, length, off).rstrip(b"\r\n"))
        finally:
            for fd in fds.values():
                os.close(fd)
        return out

    def iter_groups(self, shard_size: int) -> Iterator[tuple[int, list[tuple[str, list[bytes], list[bytes]]]]]:
        """(shard id, patient groups) for every shard, streaming."""
        total = self.patient_count()
        for shard_id, first in enumerate(range(0, total, shard_size)):
            yield shard_id, self.read_group(first, min(first + shard_size, total))

    def close(self) -> None:
        """Release the database handle."""
        self._con.close()


__all__ = ["FhirIndex", "IndexStats", "is_bulk_folder", "INDEX_VERSION"]
