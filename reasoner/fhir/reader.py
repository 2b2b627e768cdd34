"""Reading FHIR R4 input as a stream of resources: a Bundle file or a Bulk Data NDJSON folder.

Why streaming: a Bulk export of a health system is many gigabytes; it is read one line at a time
and never held whole. A Bundle is one JSON document, so it is read whole but bounded in size.
Every refusal is an :class:`~reasoner.errors.InputError` naming the file (exit code 2).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reasoner.config import MAX_BUNDLE_BYTES, MAX_NDJSON_LINE_BYTES as MAX_LINE_BYTES
from reasoner.errors import InputError
from reasoner.fhir.references import patient_id


#: Bundle types that carry resources to import (fhir-profile: "Bundle").
BUNDLE_TYPES = frozenset({"collection", "searchset", "transaction", "batch"})

#: Key of the placeholder yielded for an unreadable NDJSON line (see iter_ndjson_lines).
UNREADABLE_KEY = "_unreadable"
#: Key of that placeholder naming the patient the broken line still shows (``subject``/``id``).
UNREADABLE_PATIENT_KEY = "_patient"

# What a broken line may still say about its patient (a truncated write keeps its beginning).
_SUBJECT = re.compile(rb'"(?:subject|patient)"\s*:\s*\{\s*"reference"\s*:\s*"([^"\\]+)"')
_PATIENT_ID = re.compile(rb'^\s*\{\s*"resourceType"\s*:\s*"Patient"\s*,\s*"id"\s*:\s*"([^"\\]+)"')

#: Key added to a Bundle entry's resource to carry the entry's ``fullUrl`` (references such as
#: ``urn:uuid:…`` point at it). Underscore keys are never FHIR elements of a resource.
FULL_URL_KEY = "_fullUrl"


def _check_resource(obj: Any, where: str) -> dict[str, Any]:
    if not isinstance(obj, dict) or not isinstance(obj.get("resourceType"), str):
        raise InputError(f"{where}: not a FHIR resource (no resourceType)")
    return obj


def bulk_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """(the data files of a Bulk Data export folder in sorted order, the other files, skipped).

    The one rule, for single and cohort mode alike: every ``*.ndjson`` file holds resources
    (servers name them ``Patient.ndjson``, ``Patient.000.ndjson``, ``Patient-1.ndjson``, ``1.Patient.ndjson``
    …; each line says its own ``resourceType``), except the export's own log (``log.ndjson``,
    ``log.*.ndjson``); anything else in the folder is listed as skipped.
    """
    files, skipped = [], []
    for p in sorted(folder.iterdir()):
        if not p.is_file():
            continue
        if p.suffix.lower() == ".ndjson" and not p.name.lower().startswith("log."):
            files.append(p)
        else:
            skipped.append(p)
    return files, skipped


def is_bulk_folder(path: Path) -> bool:
    """True when ``path`` is a folder holding Bulk Data NDJSON files (see :func:`bulk_files`)."""
    return path.is_dir() and bool(bulk_files(path)[0])


def _type_of_file(path: Path) -> str:
    return path.name.split(".", 1)[0]


def iter_ndjson(path: Path) -> Iterator[dict[str, Any]]:
    """Resources of one NDJSON file (see :func:`iter_ndjson_lines`)."""
    for resource, _ in iter_ndjson_lines(path):
        yield resource


def _bounded_int(text: str) -> int | float:
    """An integer of the JSON text; one beyond Python's digit limit is infinite (the importer
    then reports it as not a finite number instead of refusing the whole file)."""
    return int(text) if len(text) <= 4000 else float("inf")


def loads(data: bytes | str) -> object:
    """``json.loads``, but an integer of thousands of digits does not make the text unreadable."""
    try:
        return json.loads(data)
    except ValueError:
        return json.loads(data, parse_int=_bounded_int)


def patient_hint(line: bytes) -> str | None:
    """The patient a broken line still names (its subject reference, or a Patient's own id)."""
    found = _SUBJECT.search(line)
    if found is not None:
        return patient_id(found.group(1).decode("utf-8", "replace"))
    found = _PATIENT_ID.search(line)
    return found.group(1).decode("utf-8", "replace") if found is not None else None


def _placeholder(path: Path, why: str, line: bytes) -> dict[str, Any]:
    holder: dict[str, Any] = {"resourceType": _type_of_file(path), UNREADABLE_KEY: why}
    pid = patient_hint(line)
    if pid:
        holder[UNREADABLE_PATIENT_KEY] = pid
    return holder


def iter_ndjson_lines(path: Path) -> Iterator[tuple[dict[str, Any], bytes | None]]:
    """Resources of one NDJSON file, one line at a time; blank lines are allowed.

    A bad line (a truncated write in a million-line export) must not discard the export: it is
    yielded as a placeholder ``{"resourceType": <type of the file>, "_unreadable": why}`` (plus
    ``"_patient"`` when the broken line still names its patient) that the importer reports as a
    data issue, so read counts still equal line counts. A file in which no line is a FHIR
    resource is not NDJSON FHIR: InputError naming its first bad line.
    """
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    with handle:
        number = 0
        seen_resource = False
        held: list[tuple[InputError, bytes]] = []  # bad lines before the first resource
        while True:
            line = handle.readline(MAX_LINE_BYTES + 1)
            if not line:
                if held and not seen_resource:
                    raise held[0][0]
                return
            number += 1
            if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
                raise InputError(f"{path}:{number}: line longer than the limit of {MAX_LINE_BYTES} bytes")
            if not line.strip():
                continue
            try:
                try:
                    obj = loads(line)
                except ValueError as exc:
                    raise InputError(f"{path}:{number}: not valid JSON ({getattr(exc, 'msg', exc)})") from exc
                except RecursionError as exc:  # pathologically deep nesting
                    raise InputError(f"{path}:{number}: JSON nested too deeply") from exc
                resource = _check_resource(obj, f"{path}:{number}")
            except InputError as exc:
                if not seen_resource:
                    held.append((exc, line))
                else:
                    yield _placeholder(path, str(exc), line), None
                continue
            if not seen_resource:
                seen_resource = True
                for exc, bad in held:
                    yield _placeholder(path, str(exc), bad), None
            yield resource, line


def iter_bundle(path: Path) -> Iterator[dict[str, Any]]:
    """Resources of a Bundle file (or of a file holding a single resource)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if size > MAX_BUNDLE_BYTES:
        raise InputError(f"{path}: {size} bytes is larger than the Bundle limit of {MAX_BUNDLE_BYTES} bytes")
    try:
        doc = loads(path.read_bytes())
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except ValueError as exc:
        raise InputError(f"{path}: not valid JSON ({getattr(exc, 'msg', exc)})") from exc
    except RecursionError as exc:  # pathologically deep nesting
        raise InputError(f"{path}: JSON nested too deeply") from exc
    doc = _check_resource(doc, str(path))
    if doc["resourceType"] != "Bundle":
        yield doc
        return
    btype = doc.get("type")
    if btype not in BUNDLE_TYPES:
        raise InputError(f"{path}: Bundle type {btype!r} is not supported (expected one of {sorted(BUNDLE_TYPES)})")
    entries = doc.get("entry") or []
    if not isinstance(entries, list):
        raise InputError(f"{path}: Bundle.entry is not a list")
    for n, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise InputError(f"{path}: Bundle.entry[{n}] is not an object")
        resource = entry.get("resource")
        if resource is None:  # e.g. a transaction DELETE: nothing to import
            continue
        resource = _check_resource(resource, f"{path}: Bundle.entry[{n}].resource")
        if isinstance(entry.get("fullUrl"), str):
            resource[FULL_URL_KEY] = entry["fullUrl"]
        yield resource


def iter_resources_with_lines(path: Path | str) -> Iterator[tuple[dict[str, Any], bytes | None]]:
    """Like :func:`iter_resources`, each resource with its raw NDJSON line (None for a Bundle):
    the importer keeps the compact line rather than the parsed dict."""
    path = Path(path)
    if path.is_dir():
        for f in bulk_files(path)[0]:
            yield from iter_ndjson_lines(f)
    elif path.is_file() and path.suffix.lower() == ".ndjson":
        yield from iter_ndjson_lines(path)
    else:
        for resource in iter_resources(path):
            yield resource, None


def iter_resources(path: Path | str) -> Iterator[dict[str, Any]]:
    """Every resource of a FHIR input: a Bundle (JSON), an NDJSON file, or a Bulk Data folder.

    Lazy: resources are parsed as they are consumed, so a caller can group or index them without
    holding the export in memory.
    """
    path = Path(path)
    if path.is_dir():
        files, _ = bulk_files(path)
        for f in files:
            yield from iter_ndjson(f)
    elif path.is_file():
        if path.suffix.lower() == ".ndjson":
            yield from iter_ndjson(path)
        else:
            yield from iter_bundle(path)
    else:
        raise InputError(f"{path}: no such file or folder")
