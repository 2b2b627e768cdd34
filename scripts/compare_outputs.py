"""Snapshot what `trd` prints on every example, fixture and generated patient, and compare two snapshots.

Why: a restructuring must not change behaviour. This script runs the installed ``trd`` command
in-process (click's runner, so hundreds of inputs take seconds) on:

* every Turtle example and fixture of the repository (``examples/``, ``tests/**/*.ttl`` but the
  expected-report files), with ``trd assess --format json`` under every policy and
  ``trd validate --format text``;
* the FHIR inputs of the repository (``examples/*.json``, ``tests/fhir/real-shapes/``,
  ``tests/data/smart-bulk-fhir-10``);
* a generated cohort (``--patients``, Turtle and Bulk FHIR), single mode on each Turtle file and
  cohort mode (``--out``) on both forms (``patients.jsonl`` lines sorted).

Usage::

    python scripts/compare_outputs.py inputs DIR [--patients 300]   # generate the cohort once
    python scripts/compare_outputs.py snapshot DIR/inputs OUT        # run the current code
    python scripts/compare_outputs.py compare OUT_A OUT_B            # differences, exit 1 if any

The generated cohort is written once and reused, so both snapshots read the same bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
AS_OF = "2026-01-15"
POLICIES = ("default", "fda-ema", "athf-strict", "eu-pearl")


def _cli():
    """The click group of whichever layout is installed."""
    try:
        from reasoner.cli.main import cli  # type: ignore[import-not-found]
    except ImportError:
        from reasoner.cli import cli  # type: ignore[no-redef]
    return cli


def _run(args: list[str]) -> tuple[int, str]:
    from click.testing import CliRunner

    runner = CliRunner()
    result = runner.invoke(_cli(), args, catch_exceptions=True)
    out = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        out += f"\nEXCEPTION {type(result.exception).__name__}: {result.exception}"
    return result.exit_code, out


def _inputs(root: Path) -> list[tuple[str, Path]]:
    """(name, path) of every input, in a fixed order."""
    found: list[tuple[str, Path]] = []
    for p in sorted((REPO / "examples").glob("*")):
        if p.suffix in (".ttl", ".json", ".ndjson") or p.is_dir():
            found.append((f"examples/{p.name}", p))
    for p in sorted(REPO.glob("tests/**/*.ttl")):
        if not p.name.endswith(".expected.ttl"):
            found.append((str(p.relative_to(REPO)), p))
    for p in sorted(REPO.glob("tests/fhir/real-shapes/*")):
        found.append((str(p.relative_to(REPO)), p))
    bulk = REPO / "tests" / "data" / "smart-bulk-fhir-10"
    if bulk.is_dir():
        found.append(("tests/data/smart-bulk-fhir-10", bulk))
    for p in sorted((root / "cohort" / "turtle").glob("*.ttl")):
        found.append((f"cohort/{p.name}", p))
    return found


def cmd_inputs(args: argparse.Namespace) -> None:
    try:
        from benchmarks.support.synthetic import generate_cohort  # type: ignore[import-not-found]
    except ImportError:
        from reasoner.cohort.synthetic import generate_cohort  # type: ignore[no-redef]
    root = Path(args.dir) / "inputs"
    root.mkdir(parents=True, exist_ok=True)
    # small Turtle files so single mode runs on each (one patient graph per file)
    generate_cohort(root / "cohort", args.patients, patients_per_turtle_file=25)
    print(f"inputs in {root}")


def cmd_snapshot(args: argparse.Namespace) -> None:
    root, out = Path(args.inputs), Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    count = 0
    for name, path in _inputs(root):
        safe = name.replace("/", "__")
        policies = POLICIES if name.startswith(("examples/", "tests/infer")) else ("default",)
        for policy in policies:
            code, text = _run(["assess", str(path), "--format", "json", "--as-of", AS_OF, "--policy", policy])
            (out / f"{safe}.assess.{policy}.txt").write_text(f"exit {code}\n{text}")
            count += 1
        if path.suffix == ".ttl":
            code, text = _run(["validate", str(path), "--format", "text", "--as-of", AS_OF])
            (out / f"{safe}.validate.txt").write_text(f"exit {code}\n{text}")
            count += 1
    for kind in ("turtle", "fhir"):
        source = root / "cohort" / kind
        with tempfile.TemporaryDirectory() as tmp:
            code, text = _run(["assess", str(source), "--out", tmp, "--as-of", AS_OF])
            lines = sorted((Path(tmp) / "patients.jsonl").read_text().splitlines()) if code in (0, 1) else []
            summary = json.loads((Path(tmp) / "summary.json").read_text()) if code in (0, 1) else {}
            for volatile in ("seconds", "out_dir", "shards_run", "shards"):
                summary.pop(volatile, None)
            (out / f"cohort-{kind}.jsonl").write_text(f"exit {code}\n" + "\n".join(lines))
            (out / f"cohort-{kind}.summary.json").write_text(json.dumps(summary, indent=1, sort_keys=True))
            count += 1
    print(f"{count} outputs in {out}")


def _normalise(text: str, path: str) -> str:
    """The same text with the repository's path replaced (snapshots of two clones compare)."""
    return text.replace(path, "<REPO>")


def cmd_compare(args: argparse.Namespace) -> None:
    a, b = Path(args.a), Path(args.b)
    names = sorted({p.name for p in a.iterdir()} | {p.name for p in b.iterdir()})
    differ = 0
    for name in names:
        pa, pb = a / name, b / name
        if not pa.exists() or not pb.exists():
            print(f"only in {'B' if not pa.exists() else 'A'}: {name}")
            differ += 1
            continue
        if pa.read_text() != pb.read_text():
            differ += 1
            print(f"differs: {name}")
    print(f"{len(names)} outputs compared, {differ} differ")
    sys.exit(1 if differ else 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("inputs")
    p.add_argument("dir")
    p.add_argument("--patients", type=int, default=300)
    p.set_defaults(func=cmd_inputs)
    p = sub.add_parser("snapshot")
    p.add_argument("inputs")
    p.add_argument("out")
    p.set_defaults(func=cmd_snapshot)
    p = sub.add_parser("compare")
    p.add_argument("a")
    p.add_argument("b")
    p.set_defaults(func=cmd_compare)
    args = parser.parse_args()
    os.environ.setdefault("COLUMNS", "240")
    args.func(args)


if __name__ == "__main__":
    main()
