"""Validate FHIR resources with ``fhir.resources``' R4B models, in a child Python process.

Why a child process: the test tree has a package named ``fhir`` (tests/fhir/), which pytest puts
on ``sys.path`` ahead of site-packages, so ``import fhir.resources`` inside the test process finds
the wrong ``fhir``. The child runs isolated (``python -I``) with the installed library only.
"""

from __future__ import annotations

import json
import subprocess
import sys

_CHILD = r"""
import json, sys
from fhir.resources.R4B import get_fhir_model_class
errors = []
for i, item in enumerate(json.load(sys.stdin)):
    try:
        get_fhir_model_class(item["resourceType"]).model_validate(item)
    except Exception as exc:
        errors.append(f"{i} {item.get('resourceType')}/{item.get('id')}: {exc}")
print(json.dumps(errors))
"""


def validation_errors(resources: list[dict]) -> list[str]:
    """Every structural error of the resources (an empty list: all valid FHIR R4 per the R4B models)."""
    done = subprocess.run([sys.executable, "-I", "-c", _CHILD], input=json.dumps(resources), capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
