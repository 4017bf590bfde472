"""A clone without ../shared: collection never stops on a missing shared file, the tests
that need one skip with a reason naming the missing folder, and TENSION_REQUIRE_SHARED=1
(set by .ci/run) turns those skips into failures. Runs the real pytest on a copy of the
tracked files in a folder that has no ../shared beside it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_SHARED_ENV, ROOT

# Files whose tests read ../shared (and one that reads it at collection time).
SAMPLED = ["tests/dashboard/test_text.py", "tests/scoring/test_item.py",
           "tests/ingest/test_normalize.py"]  # fmt: skip


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False
    )
    if listed.returncode != 0:
        pytest.skip("not a git checkout: cannot list the tracked files to copy")
    repo = tmp_path_factory.mktemp("clone") / "repo"
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    assert not (repo.parent / "shared").exists()
    return repo


def _pytest(repo: Path, *args: str, require: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TENSION_")}
    env["PYTHONPATH"] = str(repo)
    if require:
        env[REQUIRE_SHARED_ENV] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *args],
        cwd=repo, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


def test_collection_of_the_whole_suite_needs_no_shared_folder(clone: Path) -> None:
    result = _pytest(clone, "--collect-only", require=False)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "error" not in result.stdout.splitlines()[-1].lower()


def test_shared_tests_skip_naming_the_folder_or_fail_when_required(clone: Path) -> None:
    missing = str(clone.parent / "shared")
    relaxed = _pytest(clone, *SAMPLED, require=False)
    assert relaxed.returncode == 0, relaxed.stdout[-3000:]
    assert "skipped" in relaxed.stdout and f"the folder {missing} is missing" in relaxed.stdout
    strict = _pytest(clone, *SAMPLED, require=True)
    assert strict.returncode != 0
    assert f"{REQUIRE_SHARED_ENV}=1 makes that an error" in strict.stdout
    assert "skipped" not in strict.stdout.splitlines()[-1]
