#!/usr/bin/env bash
# The project's test command (README "Run the tests"). Java-dependent checks (HermiT, OWL API)
# run when `java` is on PATH and are reported as skipped, with the reason, when it is not.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 -m pytest -q tests "$@"
