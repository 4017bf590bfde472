"""`streamlit run app.py` to a healthy server: seconds from process start to HTTP 200 on health.

Polls ``http://127.0.0.1:PORT/_stcore/health`` every 20 ms. The server runs
headless on a free port against the generated database when it is cached
(the health endpoint does not run the app script, so the database hardly
matters), else against an empty temporary one. Target (issue 4): < 3 s.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.bigdb import cached_path
from bench.common import OUT_DIR, PROJECT_ROOT, figure, free_port, info, summary

__all__ = ["add_arguments", "run", "start_server"]

TARGET_S = 3.0
_TIMEOUT_S = 60.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeats", type=int, default=3, help="server starts to time")


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


def start_server(db_url: str) -> tuple[float, str]:
    """Start, wait for health, stop. Returns (seconds to healthy or -1, a note on failure)."""
    port = free_port()
    env = {**os.environ, "TENSION_DB_URL": db_url}
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
    ]
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        while time.perf_counter() - start < _TIMEOUT_S:
            if _healthy(port):
                return time.perf_counter() - start, ""
            if proc.poll() is not None:
                return -1.0, f"server exited with {proc.returncode}: {proc.stderr.read()[-300:]}"
            time.sleep(0.02)
        return -1.0, f"not healthy after {_TIMEOUT_S:.0f} s"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if proc.stderr:
            proc.stderr.close()


def run(args: argparse.Namespace) -> None:
    big = cached_path(OUT_DIR, 1_000_000, 1000)
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        db_url = f"sqlite:///{big}" if big.exists() else f"sqlite:///{Path(tmp) / 'empty.db'}"
        info("startup", f"database {'1M-item bench DB' if big.exists() else 'empty temp file'}")
        times = []
        for _ in range(args.repeats):
            seconds, note = start_server(db_url)
            if seconds < 0:
                info("startup", note)
                return
            times.append(seconds)
    median, p95 = summary(times)
    figure(
        "startup.streamlit_run_to_healthy_s",
        median,
        "s median",
        f"target < {TARGET_S:.0f} s; worst {max(times):.2f} s over {len(times)} starts",
    )
