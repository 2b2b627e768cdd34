"""The options every command shares, defined once so they read, check and explain themselves alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from reasoner.knowledge.policy import as_of_date


def _check_as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """The one check of ``--as-of``: a calendar date, given back as YYYY-MM-DD (None: today)."""
    checked = as_of_date(value)
    return None if checked is None else checked.isoformat()


def _policy_help() -> str:
    from reasoner.knowledge.policy import available_policies

    names = ", ".join(available_policies()) or "none installed"
    return f"Policy: a name ({names}) or a policy Turtle file that extends one."


#: What every command that reads patient data accepts (the one input seam, reasoner/inputs.py).
INPUTS_HELP = """\b
INPUT is any of:
  a patient graph        Turtle, N-Triples, JSON-LD or RDF/XML (.ttl .nt .jsonld .rdf)
  a FHIR R4 file         a Bundle (collection, searchset, transaction, batch) or one resource (.json),
                         Bulk NDJSON (.ndjson)
  a folder               a Bulk FHIR export (*.ndjson), or Turtle/N-Triples patient graphs
FHIR input is read as docs/fhir-profile.md says; what it could not use as given is listed
in the output's dataIssues (and counted by trd import --report).
"""


def policies_help() -> str:
    """The shipped policies, one line (for a command's help)."""
    from reasoner.knowledge.policy import available_policies

    return "\b\nPolicies: " + (", ".join(available_policies()) or "none installed") + \
        " (or a policy Turtle file that extends one)\n"


def epilog(*examples: str, inputs: bool = True) -> str:
    """A command's help epilog: the accepted inputs, the policies, and examples that run."""
    parts = ([INPUTS_HELP] if inputs else []) + [policies_help()]
    if examples:
        parts.append("\b\nExamples:\n" + "\n".join(f"  {e}" for e in examples) + "\n")
    return "\n".join(parts)


def as_of_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--as-of", "as_of", metavar="YYYY-MM-DD", default=None, callback=_check_as_of,
                        help="Evaluation date (default: today): ongoing trials and open orders run up to it.")(f)


def policy_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--policy", default="default", show_default=True, help=_policy_help())(f)


def backend_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--backend", type=click.Choice(["oxigraph", "rdflib"]), default="oxigraph",
                        show_default=True,
                        help="SPARQL store the rules run in: oxigraph (fast) or rdflib (the pure-Python reference).")(f)


def validator_option(default: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        return click.option("--validator", type=click.Choice(["fast", "reference"]), default=default,
                            show_default=True,
                            help="SHACL validator: fast (shapes compiled to SPARQL) or reference (pySHACL); "
                                 "the same report.")(f)
    return decorate


__all__ = ["as_of_option", "policy_option", "backend_option", "validator_option", "epilog", "policies_help",
           "INPUTS_HELP"]
