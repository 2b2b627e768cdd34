"""The findings of a cohort run as Parquet tables, for pandas, polars and DuckDB users.

Why tables beside the JSON Lines: a research extract is analysed with dataframes; reading a
million nested JSON objects to count option statuses is slow and every user would flatten them
their own way. Each table is the JSON Lines flattened one way, made in the worker from the very
patient objects its lines are written from, so the two cannot disagree (a test reads both back):

    findings/patients/part-NNNNNN.parquet           one row per patient
    findings/trials/…                               one row per antidepressant trial
    findings/pseudo_resistance/…, mechanisms/…, options/…, data_issues/…   one row per item

``NNNNNN`` is the shard id: a shard redone after a crash rewrites its own file, so no row is
there twice. Read a table whole with ``duckdb.sql("FROM 'R/findings/options/*.parquet'")`` or
``pandas.read_parquet("R/findings/options")``. The "(unattributed)" line of a run (data issues
of records that name no patient) has rows in ``data_issues`` only, with that id.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from reasoner.render.jsonl import UNATTRIBUTED_ID

FINDINGS_DIR = "findings"

_S, _F, _I, _B = pa.string(), pa.float64(), pa.int64(), pa.bool_()
_LIST = pa.list_(pa.string())


def _num(value: Any) -> float | None:
    return None if value is None or isinstance(value, bool) else float(value)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _patient_rows(p: dict[str, Any]) -> list[dict[str, Any]]:
    trd = p.get("trd") or {}
    stages = p.get("stages") or {}
    maudsley = stages.get("maudsley") or {}
    issues = p.get("dataIssues") or []
    return [{"patient_id": p["id"], "trd_status": _text(trd.get("status")),
             "failed_adequate_trials": _int(trd.get("failedAdequateTrials")),
             "distinct_failed_classes": _int(trd.get("distinctFailedClasses")),
             "thase_rush": _num(stages.get("thaseRush")), "maudsley_score": _num(maudsley.get("score")),
             "maudsley_band": _text(maudsley.get("band")), "mghs": _num(stages.get("mghS")),
             "trials": len(p.get("trials") or []), "data_issues": len(issues),
             "violations": sum(1 for i in issues if i.get("severity") == "violation")}]


def _trial_rows(p: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"patient_id": p["id"], "trial_id": _text(t.get("id")), "drug": _text(t.get("drug")),
             "rxnorm": _text(t.get("rxnorm")), "class": _text(t.get("class")), "start": _text(t.get("start")),
             "end": _text(t.get("end")), "daily_dose_mg": _num(t.get("dailyDoseMg")),
             "weeks_at_adequate_dose": _num(t.get("weeksAtAdequateDose")), "adherence": _num(t.get("adherence")),
             "adequacy": _text(t.get("adequacy")), "reasons": [str(r) for r in t.get("reasons") or []],
             "outcome": _text(t.get("outcome")), "failed": bool(t.get("failed"))}
            for t in p.get("trials") or []]


def _pseudo_rows(p: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"patient_id": p["id"], "code": _text(x.get("code")), "actions": [str(a) for a in x.get("actions") or []]}
            for x in p.get("pseudoResistance") or []]


def _mechanism_rows(p: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"patient_id": p["id"], "code": _text(x.get("code")), "via": [str(v) for v in x.get("via") or []]}
            for x in p.get("mechanisms") or []]


def _option_rows(p: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"patient_id": p["id"], "code": _text(x.get("code")), "status": _text(x.get("status")),
             "reason": _text(x.get("reason")), "missing_criterion": _text(x.get("missingCriterion"))}
            for x in p.get("options") or []]


def _issue_rows(p: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"patient_id": p["id"], "severity": _text(i.get("severity")), "kind": _text(i.get("kind")),
             "source": _text(i.get("source")), "focus_node": _text(i.get("focusNode")),
             "path": _text(i.get("path")), "value": _text(i.get("value")), "message": _text(i.get("message")),
             "effect": _text(i.get("effect"))}
            for i in p.get("dataIssues") or []]


#: table -> (schema, rows of one patient object); every table has ``patient_id`` first
TABLES: dict[str, tuple[pa.Schema, Callable[[dict[str, Any]], list[dict[str, Any]]]]] = {
    "patients": (pa.schema([("patient_id", _S), ("trd_status", _S), ("failed_adequate_trials", _I),
                            ("distinct_failed_classes", _I), ("thase_rush", _F), ("maudsley_score", _F),
                            ("maudsley_band", _S), ("mghs", _F), ("trials", _I), ("data_issues", _I),
                            ("violations", _I)]), _patient_rows),
    "trials": (pa.schema([("patient_id", _S), ("trial_id", _S), ("drug", _S), ("rxnorm", _S), ("class", _S),
                          ("start", _S), ("end", _S), ("daily_dose_mg", _F), ("weeks_at_adequate_dose", _F),
                          ("adherence", _F), ("adequacy", _S), ("reasons", _LIST), ("outcome", _S),
                          ("failed", _B)]), _trial_rows),
    "pseudo_resistance": (pa.schema([("patient_id", _S), ("code", _S), ("actions", _LIST)]), _pseudo_rows),
    "mechanisms": (pa.schema([("patient_id", _S), ("code", _S), ("via", _LIST)]), _mechanism_rows),
    "options": (pa.schema([("patient_id", _S), ("code", _S), ("status", _S), ("reason", _S),
                           ("missing_criterion", _S)]), _option_rows),
    "data_issues": (pa.schema([("patient_id", _S), ("severity", _S), ("kind", _S), ("source", _S),
                               ("focus_node", _S), ("path", _S), ("value", _S), ("message", _S),
                               ("effect", _S)]), _issue_rows),
}


def findings_tables(patients: list[dict[str, Any]]) -> dict[str, pa.Table]:
    """The findings tables of some patient objects (the "(unattributed)" entry: data issues only)."""
    out = {}
    for name, (schema, rows_of) in TABLES.items():
        rows: list[dict[str, Any]] = []
        for patient in patients:
            if patient.get("id") == UNATTRIBUTED_ID and name != "data_issues":
                continue
            rows.extend(rows_of(patient))
        out[name] = pa.Table.from_pylist(rows, schema=schema)
    return out


def findings_parquet(patients: list[dict[str, Any]]) -> dict[str, bytes]:
    """:func:`findings_tables` as Parquet bytes per table (what a worker sends to the writer)."""
    out = {}
    for name, table in findings_tables(patients).items():
        sink = io.BytesIO()
        pq.write_table(table, sink, compression="zstd")
        out[name] = sink.getvalue()
    return out


def part_name(shard_id: int) -> str:
    """The file of one shard in a table's folder."""
    return f"part-{shard_id:06d}.parquet"


__all__ = ["FINDINGS_DIR", "TABLES", "findings_tables", "findings_parquet", "part_name"]
