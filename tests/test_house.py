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


# ---- one disclosure module (issue: "no view, slide, renderer or pack decides a c or a noise by itself") --------

# Where a c may be written outside metrics/disclosure.py: echoing a value that already is c (a figure's label; the
# formatter's passthrough), and the DfE's own symbols for its published tables.
C_ECHOES = {("views/figures.py", "_label"), ("views/format.py", "_special"), ("reference/dfe.py", None)}
NOISE = ("harbour_table", "published_count", "noise_for")


def _c_written(tree: ast.AST) -> list[tuple[int, str | None]]:
    """(line, enclosing function) of each ``"c"`` literal or ``SUPPRESSED`` that is produced (not compared with)."""
    parents, found = {}, []
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    for node in ast.walk(tree):
        is_c = (isinstance(node, ast.Constant) and node.value == "c") or (
            isinstance(node, (ast.Name, ast.Attribute))
            and getattr(node, "id", getattr(node, "attr", None)) == "SUPPRESSED"
        )
        if not is_c:
            continue
        up = parents.get(node)
        while isinstance(up, (ast.Tuple, ast.List, ast.Set)):
            up = parents.get(up)
        if isinstance(up, (ast.Compare, ast.ImportFrom, ast.alias)):
            continue
        if isinstance(up, ast.Assign) and any(getattr(t, "id", None) == "SUPPRESSED" for t in up.targets):
            continue  # the name itself
        function = up
        while function is not None and not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = parents.get(function)
        found.append((node.lineno, function.name if function is not None else None))
    return found


def _product_modules():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(("tests/", "scripts/", "build/", ".")) or "/." in relative:
            continue
        yield relative, path


def test_only_the_disclosure_module_decides_a_c_or_a_noise():
    """Every c and every noise is decided in metrics/disclosure.py (or perturbation.py, the table's mechanics): a
    page, slide, renderer or pack that wrote its own c, or looked a noise up, would be a second rule."""
    written, noisy = [], []
    for relative, path in _product_modules():
        if relative in ("metrics/disclosure.py", "metrics/perturbation.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        written += [
            f"{relative}:{line} ({function})"
            for line, function in _c_written(tree)
            if (relative, function) not in C_ECHOES and (relative, None) not in C_ECHOES
        ]
        noisy += [
            f"{relative}:{node.lineno}"
            for node in ast.walk(tree)
            if isinstance(node, (ast.Name, ast.Attribute)) and getattr(node, "id", getattr(node, "attr", None)) in NOISE
        ]
    assert not written, f"a c decided outside metrics/disclosure.py: {written}"
    assert not noisy, f"a noise looked up outside metrics/disclosure.py: {noisy}"


def test_the_one_module_check_can_fail():
    """The check above finds a c written by a page, and not one compared with."""
    tree = ast.parse('def f(v):\n    shares = "c"\n    return v == "c" or SUPPRESSED in (v,)\n')
    assert _c_written(tree) == [(2, "f")]
    tree = ast.parse("def g(hide):\n    return SUPPRESSED if hide else 1\n")
    assert _c_written(tree) == [(2, "g")]
