"""The README documents every setting, names only paths that exist, and its commands are CI's."""

import re
from pathlib import Path

from harbour import settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented_in_the_readme():
    for setting in settings.SETTINGS:
        assert f"`{setting.name}`" in README, setting.name


def test_the_quick_start_is_exactly_two_commands():
    block = README.split("## Quick start", 1)[1].split("```", 2)[1]
    commands = [line for line in block.splitlines()[1:] if line.strip() and not line.startswith("#")]
    assert commands == ["pip install -e . && harbour serve", 'pip install -e ".[test]" && python -m pytest']


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert 'pip install -q -e ".[test]" && python -m pytest -q' in ci


def test_every_path_in_the_layout_tree_exists():
    tree = README.split("## Layout", 1)[1].split("```", 2)[1]
    for line in tree.splitlines()[1:]:
        match = re.match(r"^(\S+)", line)
        if match:
            assert (ROOT / match.group(1).rstrip("/")).exists(), match.group(1)
