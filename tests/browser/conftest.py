"""Fixtures for the real-browser tests: a ``streamlit run app.py`` server on a free port
against a seeded database, and Debian's Chromium driven by Playwright.

The browser is the system's ``chromium`` (never ``playwright install``, which downloads
one). A missing Chromium or Playwright fails these tests with the reason: a skipped
browser test would look green in CI while proving nothing.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# How long a cold server may take to answer its health check on a busy 2-core machine.
STARTUP_LIMIT_S = 90


def chromium_path() -> str:
    """The Chromium to drive: $TENSION_CHROMIUM, else Debian's /usr/bin/chromium, else PATH."""
    for candidate in (os.environ.get("TENSION_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file():
            return candidate
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    pytest.fail(
        "Chromium not found: the browser tests need Debian's chromium package "
        "(`apt-get install chromium`, which .ci/run does) or TENSION_CHROMIUM=/path/to/chromium",
        pytrace=False,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _log_tail(path: Path, lines: int = 40) -> str:
    text = path.read_text(errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def _wait_healthy(proc: subprocess.Popen, base: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode}:\n{_log_tail(log)}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    pytest.fail(f"streamlit did not become healthy in {STARTUP_LIMIT_S} s:\n{_log_tail(log)}")


def _stop(proc: subprocess.Popen) -> None:
    """End the server's whole process group (streamlit may have started children)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)
    except ProcessLookupError:
        pass


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Start ``streamlit run app.py`` against a database URL; returns the server's base URL."""
    started: list[subprocess.Popen] = []

    def start(db_url: str) -> str:
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("TENSION_")}
        env["TENSION_DB_URL"] = db_url
        log = tmp_path / f"streamlit-{port}.log"
        cmd = [
            sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.headless", "true",
            "--server.address", "127.0.0.1",
            "--server.port", str(port),
            "--browser.gatherUsageStats", "false",
            # Others edit the working tree while tests run; a file change must not
            # rerun the app under the test's feet.
            "--server.fileWatcherType", "none",
        ]  # fmt: skip
        with log.open("w") as out:
            proc = subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        started.append(proc)
        _wait_healthy(proc, base, log)
        return base

    yield start
    for proc in started:
        _stop(proc)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's headless Chromium under Playwright, shared by the browser tests."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - a broken environment, said plainly
        pytest.fail(f"playwright is not installed (requirements-dev.txt): {exc}", pytrace=False)
    path = chromium_path()
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh browser tab at 1400×900 that accepts downloads; JS errors are collected."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    tab = context.new_page()
    tab.js_errors = []
    tab.on("pageerror", lambda exc: tab.js_errors.append(str(exc)))
    yield tab
    context.close()
