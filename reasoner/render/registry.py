"""The registry of output formats: a format is a module with a ``render`` function and one line here.

Why a registry: ``trd assess --format`` lists what is registered, and a new output (an HTML
report, FHIR resources) is one module plus one line of :data:`_MODULES`, with no change to the
commands, the pipeline or the other renderers. Modules are imported on first use, so a format's
dependencies (rich for tables) cost nothing to a command that does not print it.

A renderer is ``render(result: AssessmentResult, out: TextIO) -> None``: it writes the result to
``out`` and decides nothing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, TextIO

from reasoner.errors import InputError

Renderer = Callable[[Any, TextIO], None]

#: format name -> module whose ``render`` writes it (one line per format).
_MODULES: dict[str, str] = {
    "table": "reasoner.render.table",
    "json": "reasoner.render.json",
    "jsonl": "reasoner.render.jsonl",
    "turtle": "reasoner.render.turtle",
    "fhir": "reasoner.render.fhir",
    "html": "reasoner.render.html",
}

RENDERERS: dict[str, Renderer] = {}


def formats() -> list[str]:
    """The registered format names, in registration order."""
    return list(_MODULES)


def renderer(name: str) -> Renderer:
    """The renderer of a format (imported on first use)."""
    found = RENDERERS.get(name)
    if found is None:
        if name not in _MODULES:
            raise InputError(f"unknown output format {name!r} (expected one of {', '.join(_MODULES)})")
        found = RENDERERS[name] = importlib.import_module(_MODULES[name]).render
    return found


def render(name: str, result: Any, out: TextIO) -> None:
    """Write ``result`` in format ``name`` to ``out``."""
    renderer(name)(result, out)


__all__ = ["Renderer", "RENDERERS", "formats", "renderer", "render"]
