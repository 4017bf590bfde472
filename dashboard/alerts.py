"""The Alerts page's actions, by running the alerts CLI as a child process.

The dashboard never imports ``alerts`` (the layering rule), exactly as it never imports
``ingest``: listing rules, switching one on or off and sending a test message run
``python -m alerts list|enable|disable|test`` with the database URL in the environment
(so a password never shows in ``ps``). Rules come from ``TENSION_ALERTS_FILE`` or
alerts.toml, as for every other alerts command.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["AlertsAnswer", "list_rules", "send_test", "switch_rule"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# A test send waits for its receivers' timeouts (10 s each by default, two tries).
TIMEOUT_S = 120


@dataclass(frozen=True)
class AlertsAnswer:
    """What the alerts CLI said: ok, a message in words, and its JSON output."""

    ok: bool
    message: str
    data: dict = field(default_factory=dict)


def _run(url: str, *args: str) -> AlertsAnswer:
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "alerts", *args, "--json"],
            cwd=PROJECT_ROOT,
            env={**os.environ, "TENSION_DB_URL": url},
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return AlertsAnswer(False, f"The alerts program took longer than {TIMEOUT_S} s.")
    except OSError as exc:
        return AlertsAnswer(False, f"Could not start the alerts program: {exc.strerror}.")
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        reason = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return AlertsAnswer(False, reason.removeprefix("error: ")[:400])
    try:
        return AlertsAnswer(True, "", json.loads(lines[-1]))
    except json.JSONDecodeError:
        return AlertsAnswer(False, "The alerts program answered something unexpected.")


def list_rules(url: str) -> AlertsAnswer:
    """The rules file's rules with their switch and last firing (``data['rules']``)."""
    return _run(url, "list")


def switch_rule(url: str, rule: str, enabled: bool) -> AlertsAnswer:
    """Switch ``rule`` on or off (stored in the database; the rules file is not edited)."""
    answer = _run(url, "enable" if enabled else "disable", rule)
    if answer.ok:
        return AlertsAnswer(True, f"{rule} is now {'on' if enabled else 'off'}.", answer.data)
    return answer


def send_test(url: str, rule: str) -> AlertsAnswer:
    """Send a test message for ``rule`` to its channels; the outcome per channel in words."""
    answer = _run(url, "test", rule)
    if not answer.ok:
        return answer
    parts = [
        f"{d['channel']}: {d['status']}" + (f" ({d['error']})" if d.get("error") else "")
        for d in answer.data.get("deliveries", [])
    ]
    ok = all(d["status"] == "sent" for d in answer.data.get("deliveries", []))
    return AlertsAnswer(ok, "Test message — " + ("; ".join(parts) or "no channel"), answer.data)
