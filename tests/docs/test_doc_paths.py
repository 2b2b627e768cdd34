"""Every repository path that README.md, a page of docs/ or tests/data/README.md mentions exists,
so doc links stay true.

A path is a word that starts with a top-level folder of the repository (``docs/…``,
``examples/…``, ``tests/…``, ``queries/infer/*.rq`` …) or a bare ``*.md`` name (looked up beside
the page, then at the repository root). A glob must match at least one file; a placeholder
(``ontology/policies/<name>.ttl``) is not a path. Paths outside the repository (``../shared/…``)
are not checked here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md")), REPO / "tests" / "data" / "README.md"]

#: Paths the docs name that another branch adds (not yet in this one): path -> why. Remove an
#: entry once its file is in the repository.
PENDING: dict[str, str] = {}

_TOP = sorted(p.name for p in REPO.iterdir() if not p.name.startswith(".") and p.is_dir())
_PATH = re.compile(r"(?<![\w./:#-])(?:" + "|".join(map(re.escape, _TOP)) + r")/[\w./*<>{}@+-]*")
_BARE_MD = re.compile(r"(?<![\w./:#-])[\w-]+\.md\b")


def mentioned_paths(text: str) -> set[str]:
    """Repository paths (and bare ``*.md`` names) a markdown text mentions."""
    found = {m.rstrip(".,;:") for m in _PATH.findall(text)}
    found |= set(_BARE_MD.findall(text))
    return {p for p in found if not re.search(r"[<>{}]", p)}


def _exists(page: Path, path: str) -> bool:
    for base in (page.parent, REPO) if "/" not in path else (REPO,):
        if any(ch in path for ch in "*?["):
            if any(base.glob(path)):
                return True
        elif (base / path).exists():
            return True
    return False


def test_the_pattern_finds_paths() -> None:
    found = mentioned_paths("See `docs/data-model.md`, examples/*.ttl and (tests/data/README.md). "
                            "Not https://w3id.org/trd-reasoner/ontology#, ../shared/x.md nor ontology/policies/<name>.ttl.")
    assert found == {"docs/data-model.md", "examples/*.ttl", "tests/data/README.md"}


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(REPO)) for p in PAGES])
def test_every_mentioned_path_exists(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    paths = mentioned_paths(text)
    missing = sorted(p for p in paths if p not in PENDING and not _exists(page, p))
    assert not missing, f"{page.relative_to(REPO)} names paths that do not exist: {missing}"


def test_pending_paths_are_still_mentioned() -> None:
    """An entry of PENDING that no page mentions any more is stale."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in PAGES)
    assert all(path in text for path in PENDING)
