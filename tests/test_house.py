"""The house's habits, checked where every developer runs the tests: ruff's rules (pyproject.toml) pass and the code
is as ruff formats it; no comment or docstring names an issue instead of saying why."""

from __future__ import annotations

import ast
import io
import re
import shutil
import subprocess
import tokenize
from pathlib import Path

from .support import require

ROOT = Path(__file__).resolve().parents[1]


def _ruff(*args: str) -> subprocess.CompletedProcess:
    found = shutil.which("ruff")
    require(found is not None, "ruff (the test extra)")
    return subprocess.run([found, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_ruff_finds_nothing():
    done = _ruff("check", "--no-cache", ".")
    assert done.returncode == 0, done.stdout[-3000:]


def test_the_code_is_as_ruff_formats_it():
    done = _ruff("format", "--check", "--no-cache", ".")
    assert done.returncode == 0, done.stdout[-3000:]


ISSUE = re.compile(r"(?<![\w&])#\d{1,3}\b(?![0-9a-fA-F])|\bissue \d+\b", re.I)


def _comments_and_docstrings(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    found = [t.string for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type == tokenize.COMMENT]
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            doc = ast.get_docstring(node, clean=False)
            if doc:
                found.append(doc)
    return found


def test_no_comment_names_an_issue():
    """Comments say why; which issue asked for a change is the history's to tell (git log)."""
    offenders = [
        f"{path.relative_to(ROOT)}: {text.strip()[:80]}"
        for path in ROOT.rglob("*.py")
        if ".git" not in path.parts
        for text in _comments_and_docstrings(path)
        if ISSUE.search(text) and "noqa" not in text
    ]
    assert offenders == []


def test_the_issue_check_can_fail(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('"""A module."""\n\nX = 1  # fixed for #19\n')
    assert any(ISSUE.search(t) for t in _comments_and_docstrings(sample))
    sample.write_text('"""A module."""\n\nX = 1  # 28 days, the horizon\n')
    assert not any(ISSUE.search(t) for t in _comments_and_docstrings(sample))
