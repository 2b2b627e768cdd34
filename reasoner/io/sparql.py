"""Checks on SPARQL text from outside the project (a user's query file) before any engine sees it."""

from __future__ import annotations

import re

from reasoner.errors import InputError


def assert_no_service(query_text: str, name: str = "query") -> None:
    """Refuse SPARQL federated queries: rdflib would send them over the network."""
    # Strip IRIs, string literals and comments so the keyword check is fooled by none of them.
    stripped = re.sub(r'<[^<>\s]*>|"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|#[^\n]*', " ", query_text)
    if re.search(r"\bSERVICE\b", stripped, re.IGNORECASE):
        raise InputError(f"{name}: SPARQL SERVICE (a network request) is refused")


__all__ = ["assert_no_service"]
