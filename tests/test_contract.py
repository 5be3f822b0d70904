"""The contract lives in the repository: the data standard and the outcome measures in docs/, equal to the
project's shared copies where those are beside the repository (under CI they are), and every path that the
README or the code's docstrings and comments name exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .support import require

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CONTRACT = ("data-standard.md", "metrics.md", "perturbation-table.csv")
# A repository path as prose names it: a folder of the project then a file with an extension (docs/metrics.md,
# etl/spec.py), or a Markdown link's target.
NAMED_PATH = re.compile(
    r"(?<![\w./-])((?:docs|etl|warehouse|metrics|views|components|pages|render|web|exchange|hub|scripts|assets|"
    r"tests|data|\.ci)/[\w./-]*\w)"
)
LINK = re.compile(r"\]\(([^)#\s]+)[^)]*\)")


@pytest.mark.parametrize("name", CONTRACT)
def test_the_contract_in_docs_is_the_shared_one(name):
    require(SHARED.is_dir(), "the project's shared/ folder beside the repository")
    assert (ROOT / "docs" / name).read_bytes() == (SHARED / name).read_bytes(), (
        f"docs/{name} differs from ../shared/{name}: copy the shared one in"
    )


def _named_paths(text: str, markdown: bool = True) -> set[str]:
    found = set(NAMED_PATH.findall(text))
    if markdown:
        found |= {target for target in LINK.findall(text) if "://" not in target and not target.startswith("mailto:")}
    return {p.rstrip(".,:;") for p in found}


def _exists(path: str) -> bool:
    base = path.split("::")[0]
    if any(ch in base for ch in "*<>{}"):  # a pattern or a placeholder, not a path
        return True
    if base.startswith("data/"):  # where the SQLite warehouse and keys land when run from a checkout (git-ignored)
        return (ROOT / "data").is_dir()
    return (ROOT / base).exists() or (ROOT / base.rstrip("/")).exists()


def test_every_path_the_readme_names_exists():
    missing = sorted(p for p in _named_paths((ROOT / "README.md").read_text(encoding="utf-8")) if not _exists(p))
    assert missing == []


def test_every_path_the_code_names_exists():
    missing = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in ("build", "tests") or rel.parts[0].startswith("."):
            continue
        for named in _named_paths(path.read_text(encoding="utf-8"), markdown=False):
            if not _exists(named):
                missing.append(f"{rel}: {named}")
    assert missing == []


def test_the_path_finder_finds_a_missing_path():
    """The checks above can fail: a made-up mention of a file that is not there is caught."""
    text = "See docs/no-such-file.md, etl/spec.py and [the standard](docs/data-standard.md)."
    assert _named_paths(text) == {"docs/no-such-file.md", "etl/spec.py", "docs/data-standard.md"}
    assert [p for p in sorted(_named_paths(text)) if not _exists(p)] == ["docs/no-such-file.md"]
