"""Loading the bundled sample data and triggering a poll, by running the ingest CLI.

The dashboard never imports ``ingest`` (the layering rule): it starts
``python -m ingest`` as a child process, exactly as a user would, with the
database URL passed in the environment so a password never shows in ``ps``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "IngestRun",
    "SAMPLE_DIR",
    "load_sample_data",
    "poll_now",
]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"
# The sample is a few hundred items; a minute is generous even on a busy machine.
SAMPLE_TIMEOUT_S = 180


@dataclass(frozen=True)
class IngestRun:
    """What a run of the ingest CLI did, in words for the page."""

    ok: bool
    message: str
    new: int = 0


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "TENSION_DB_URL": url}


def load_sample_data(url: str, timeout: float = SAMPLE_TIMEOUT_S) -> IngestRun:
    """Ingest every file in data/sample into the database at ``url``."""
    files = sorted(SAMPLE_DIR.glob("*.xml"))
    if not files:
        return IngestRun(False, f"No sample files found in {SAMPLE_DIR}.")
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "ingest", *map(str, files), "--json"],
            cwd=PROJECT_ROOT,
            env=_env(url),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return IngestRun(False, f"Loading the sample data took longer than {timeout:.0f} s.")
    except OSError as exc:
        return IngestRun(False, f"Could not start the ingest program: {exc.strerror}.")
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        reason = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return IngestRun(False, f"Loading the sample data failed: {reason[:300]}")
    try:
        summary = json.loads(lines[-1])
    except json.JSONDecodeError:
        return IngestRun(False, "The ingest program answered something unexpected.")
    new = int(summary.get("new", 0))
    return IngestRun(
        True,
        f"Loaded {new} sample items from {len(files)} files "
        f"({int(summary.get('duplicates', 0))} were already stored).",
        new,
    )


def poll_now(url: str) -> IngestRun:
    """Start one poll of every enabled feed in the background; the page refreshes as items land."""
    log = Path(os.environ.get("TMPDIR", "/tmp")) / "tension-poll-now.log"  # noqa: S108
    try:
        with log.open("ab") as out:
            subprocess.Popen(
                [sys.executable, "-m", "ingest", "--json"],
                cwd=PROJECT_ROOT,
                env=_env(url),
                stdout=out,
                stderr=out,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
    except OSError as exc:
        return IngestRun(False, f"Could not start a poll: {exc.strerror}.")
    return IngestRun(
        True, "A poll of every enabled feed has started; new items appear here when stored."
    )
