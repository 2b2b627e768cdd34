"""User SPARQL text is checked before any engine sees it (reasoner.io.sparql)."""

from __future__ import annotations

import pytest

from reasoner.errors import InputError
from reasoner.io import sparql


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "select * where { service   <http://x> { ?s ?p ?o } }",
        "PREFIX ex: <http://e.org/x#frag> SELECT * WHERE { ?s ex:p ?o . SERVICE <http://x> {} }",
    ],
)
def test_service_is_refused(query: str) -> None:
    with pytest.raises(InputError, match="SERVICE"):
        sparql.assert_no_service(query, "q.rq")


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { ?s ?p "SERVICE" }',
        "# SERVICE in a comment\nSELECT * WHERE { ?s ?p ?o }",
        "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
    ],
)
def test_service_word_in_strings_comments_or_iris_is_allowed(query: str) -> None:
    sparql.assert_no_service(query, "q.rq")
