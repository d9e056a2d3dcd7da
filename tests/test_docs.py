"""The README is for people who run the pipeline; docs/ for people who change it.

Neither, nor any source or YAML comment, carries run history: which corpus seed or
which run prompted a rule lives in benchmarks/results/ and in git, not in prose.
"""

from __future__ import annotations

import os
import re
from typing import Iterator, List, Tuple

import pytest

from tests.conftest import REPO

README = os.path.join(REPO, "README.md")
README_MAX_BYTES = 25 * 1024
DOCS = os.path.join(REPO, "docs")
DESIGN_PAGES = ("architecture.md", "pii-detection.md", "audio-redaction-and-audit.md", "pseudonyms-and-keys.md",
                "speed-and-packing.md", "release-gates.md", "evaluation.md")

#: A corpus seed named in prose ("seed 313131", "seeds 565656, 676767").
SEED = re.compile(r"(?i)\bseeds?\b[^.\n]{0,12}?\b\d{4,}\b")
#: An abbreviated or full commit hash: hex with both a digit and a letter.
COMMIT = re.compile(r"\b(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}\b")
#: A pointer to the tracker instead of an explanation ("(issue 6)").
ISSUE = re.compile(r"(?i)\bissue\s+#?\d+")


def prose_files() -> List[str]:
    files = [README, os.path.join(REPO, "benchmarks", "README.md")]
    files += [os.path.join(DOCS, name) for name in sorted(os.listdir(DOCS)) if name.endswith(".md")]
    return files


def source_files() -> Iterator[str]:
    for top in ("pipeline", "transforms", "schemas"):
        for folder, _, names in os.walk(os.path.join(REPO, top)):
            for name in sorted(names):
                if name.endswith((".py", ".yaml", ".yml")):
                    yield os.path.join(folder, name)


def hits(path: str, pattern: re.Pattern) -> List[Tuple[int, str]]:
    with open(path, encoding="utf-8") as handle:
        return [(number, match.group(0)) for number, line in enumerate(handle, 1)
                for match in pattern.finditer(line)]


def test_the_readme_fits_in_25_kb():
    assert os.path.getsize(README) <= README_MAX_BYTES


def test_docs_hold_one_page_per_design_area():
    missing = [name for name in ("README.md", *DESIGN_PAGES) if not os.path.isfile(os.path.join(DOCS, name))]
    assert not missing


@pytest.mark.parametrize("pattern", [SEED, COMMIT, ISSUE], ids=["seed", "commit", "issue"])
def test_no_prose_names_a_seed_a_commit_or_an_issue(pattern):
    found = {os.path.relpath(path, REPO): hits(path, pattern) for path in prose_files()}
    assert not {path: lines for path, lines in found.items() if lines}


@pytest.mark.parametrize("pattern", [SEED, ISSUE], ids=["seed", "issue"])
def test_no_source_or_yaml_comment_names_a_seed_or_an_issue(pattern):
    found = {os.path.relpath(path, REPO): hits(path, pattern) for path in source_files()}
    assert not {path: lines for path, lines in found.items() if lines}


def test_every_relative_link_in_the_prose_resolves():
    broken = []
    for path in prose_files():
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if "://" in target:
                continue
            if not os.path.exists(os.path.join(os.path.dirname(path), target)):
                broken.append((os.path.relpath(path, REPO), target))
    assert not broken


def test_the_patterns_catch_what_they_name_and_pass_near_misses():
    assert SEED.search("on the unseen corpus of seed 313131") and SEED.search("seeds 565656, 676767")
    assert not SEED.search("--seed N makes the corpus") and not SEED.search("seeded at 12")
    assert COMMIT.search("at `6ea2cb8`") and not COMMIT.search("a decade of defaced facade")
    assert not COMMIT.search("1000000 clips")
    assert ISSUE.search("(issue 6)") and not ISSUE.search("an issue with the keyring")


def test_the_readme_figures_are_the_ones_the_benchmarks_wrote():
    from benchmarks.headline import headline_table

    with open(README, encoding="utf-8") as handle:
        readme = handle.read()
    table = headline_table()
    assert table.count("\n") >= 5, "benchmarks/results/ lacks the headline results files"
    assert table in readme, "README figures are stale: paste the output of python benchmarks/headline.py"
