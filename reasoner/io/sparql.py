"""A user's SPARQL text (``trd query``) checked and parsed before any engine evaluates it.

Why more than a keyword check: a query file is untrusted input, and both engines can reach
outside the given data. rdflib loads ``FROM <http://…>`` / ``FROM <file:///…>`` graphs itself
(network, local files) and both engines call out for ``SERVICE``. A regex over the text is
fooled by quoting (a triple-quoted literal holding ``'``, an escaped ``\\#`` in a prefixed name).
So the text goes through three gates, in this order:

1. **bounded** before any parser sees it: at most ``MAX_QUERY_BYTES`` of UTF-8 and at most
   ``MAX_QUERY_NESTING`` levels of ``{ ( [`` (rdflib's parser recurses per level; a few thousand
   braces crash Oxigraph with a segfault). Nesting is measured by a lexer that knows SPARQL's
   strings, IRIs, comments and escapes, so brackets inside a literal neither count nor hide;
2. **parsed by the engine's own parser** (rdflib's parser and algebra) and the algebra walked:
   only a SELECT; no ``SERVICE`` anywhere; no dataset clause (``FROM``/``FROM NAMED``) at all —
   the data is the data given on the command line or the store, and a query cannot name other
   data; update forms (``INSERT``, ``LOAD``, …) are not queries and are refused;
3. the same lexer's tokens hold no ``SERVICE`` keyword: a second, independent check, because
   Oxigraph parses the text again with its own parser and must not meet a ``SERVICE`` that
   rdflib's parser read differently.

Evaluation is sandboxed too (:func:`rdflib_sandbox`): rdflib's graph loading is switched off and
the network guard of :mod:`reasoner.io.rdf` is on, so even a dataset clause that slipped through
could neither read a file nor connect. Every refusal is an :class:`~reasoner.errors.InputError`
(one line, exit code 2). What ``trd query`` accepts is documented in docs/security.md.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from reasoner.config import MAX_QUERY_BYTES, MAX_QUERY_NESTING
from reasoner.errors import InputError

# --- the lexer -------------------------------------------------------------------------------
# SPARQL 1.1 §19.8 terminals that can hide a bracket or a keyword: the four string forms (with
# ECHAR escapes), IRIREF, comments, and the PN_LOCAL_ESC escapes (``\#``) of prefixed names.
_LEXER = re.compile(r"""
      (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''
                |\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                |'(?:[^'\\\n\r]|\\.)*'
                |"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<comment>\#[^\n\r]*)
    | (?P<escape>\\.)
    | (?P<open>[{(\[])
    | (?P<close>[})\]])
    | (?P<word>(?<![\w:?$\-])[A-Za-z]+(?![\w:\-]))
""", re.VERBOSE | re.DOTALL)

# SPARQL §19.2: \\uXXXX and \\UXXXXXXXX are replaced before parsing, everywhere in the text
# (both engines do it), so the checks read the text the parsers read.
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _expand_codepoints(text: str, name: str) -> str:
    def expand(match: re.Match[str]) -> str:
        try:
            return chr(int(match.group(1) or match.group(2), 16))
        except (ValueError, OverflowError) as exc:
            raise InputError(f"{name}: invalid \\u escape {match.group(0)!r}") from exc
    return _CODEPOINT.sub(expand, text)


@dataclass(frozen=True)
class Scan:
    """What the lexer found: the deepest bracket nesting and the keywords outside literals."""

    depth: int
    keywords: frozenset[str]


def scan(text: str) -> Scan:
    """Bracket depth and bare keywords of a query text (after \\u expansion), in one linear pass."""
    depth = deepest = 0
    keywords: set[str] = set()
    for match in _LEXER.finditer(text):
        kind = match.lastgroup
        if kind == "open":
            depth += 1
            deepest = max(deepest, depth)
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "word":
            keywords.add(match.group().upper())
    return Scan(deepest, frozenset(keywords))


# --- the checks ------------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed every gate: its text and rdflib's parsed algebra (evaluate this one)."""

    text: str
    name: str
    query: Any   # rdflib.plugins.sparql.sparql.Query, with no dataset clause and no SERVICE


def _bounded(text: str, name: str) -> str:
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_QUERY_BYTES:
        raise InputError(f"{name}: query of {size} bytes is larger than the limit of {MAX_QUERY_BYTES} bytes "
                         "(TRD_MAX_QUERY_BYTES)")
    if "\x00" in text:
        raise InputError(f"{name}: query text holds a NUL character")
    return _expand_codepoints(text, name)


def _walk(node: Any) -> Iterator[Any]:
    """Every node of an rdflib algebra tree (CompValue dicts, lists, terms), without recursion."""
    stack, seen = [node], set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)


def _parse(expanded: str, name: str) -> Any:
    """rdflib's parse and algebra of the text; updates and syntax errors refused, one line."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        return translateQuery(parseQuery(expanded))
    except RecursionError as exc:
        raise InputError(f"{name}: query too complex to parse (nested too deeply, or too many terms)") from exc
    except ParseBaseException as exc:
        try:
            parseUpdate(expanded)
        except Exception:  # noqa: BLE001 - not an update either: report the query's parse error
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise InputError(f"{name}: not valid SPARQL ({first})") from exc
        raise InputError(f"{name}: SPARQL updates are refused (trd query runs only SELECT)") from exc
    except Exception as exc:  # noqa: BLE001 - rdflib's algebra raises plain Exceptions on bad queries
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"{name}: not valid SPARQL ({first})") from exc


@functools.lru_cache(maxsize=32)
def check_query(text: str, name: str = "query") -> CheckedQuery:
    """Run the three gates of the module docstring; the checked query, or an InputError."""
    from rdflib.plugins.sparql.parserutils import CompValue

    expanded = _bounded(text, name)
    found = scan(expanded)
    if found.depth > MAX_QUERY_NESTING:
        raise InputError(f"{name}: query nested {found.depth} levels deep (brackets); "
                         f"the limit is {MAX_QUERY_NESTING}")
    query = _parse(expanded, name)
    algebra = query.algebra
    for node in _walk(algebra):
        if isinstance(node, CompValue) and node.name == "ServiceGraphPattern":
            raise InputError(f"{name}: SPARQL SERVICE (a network request) is refused")
    if "SERVICE" in found.keywords:
        raise InputError(f"{name}: SPARQL SERVICE (a network request) is refused")
    if algebra.name != "SelectQuery":
        raise InputError(f"{name}: only SELECT queries are supported by trd query")
    if algebra.get("datasetClause"):
        raise InputError(f"{name}: FROM and FROM NAMED are refused: a query runs over the data given "
                         "to trd query (or --store) and cannot name other graphs or files")
    return CheckedQuery(text, name, query)


def assert_no_service(query_text: str, name: str = "query") -> None:
    """Refuse a SERVICE keyword anywhere outside literals, IRIs and comments (any query form).

    For SPARQL that is not a user's SELECT (the project's own CONSTRUCT rules, checked when the
    rule set is built); a user's query goes through :func:`check_query`.
    """
    if "SERVICE" in scan(_bounded(query_text, name)).keywords:
        raise InputError(f"{name}: SPARQL SERVICE (a network request) is refused")


@contextlib.contextmanager
def rdflib_sandbox() -> Iterator[None]:
    """Evaluate rdflib SPARQL with graph loading off and every socket or URL open refused.

    ``SPARQL_LOAD_GRAPHS`` is rdflib's switch for fetching the graphs a dataset clause names
    (``FROM <file:///…>`` would read a local file): off, a named graph is only looked up in the
    dataset. The network guard (an audit hook) refuses any connection made meanwhile.
    """
    import rdflib.plugins.sparql as rdflib_sparql

    from reasoner.io.rdf import no_network

    previous = rdflib_sparql.SPARQL_LOAD_GRAPHS
    rdflib_sparql.SPARQL_LOAD_GRAPHS = False
    try:
        with no_network():
            yield
    finally:
        rdflib_sparql.SPARQL_LOAD_GRAPHS = previous


__all__ = ["check_query", "CheckedQuery", "assert_no_service", "rdflib_sandbox", "scan", "Scan"]
