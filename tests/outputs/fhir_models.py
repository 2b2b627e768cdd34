"""Validate FHIR resources with ``fhir.resources``' R4B models (the FHIR we write, docs/fhir-output.md).

The test tree is one package (``tests/__init__.py``), so ``tests/fhir/`` is ``tests.fhir`` and
never shadows the installed ``fhir`` library: the models are imported in this process.
"""

from __future__ import annotations

from fhir.resources.R4B import get_fhir_model_class


def validation_errors(resources: list[dict]) -> list[str]:
    """Every structural error of the resources (an empty list: all valid FHIR R4 per the R4B models)."""
    errors = []
    for i, item in enumerate(resources):
        try:
            get_fhir_model_class(item["resourceType"]).model_validate(item)
        except Exception as exc:  # noqa: BLE001 — every model error is a finding of this check
            errors.append(f"{i} {item.get('resourceType')}/{item.get('id')}: {exc}")
    return errors
