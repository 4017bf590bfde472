"""What every benchmark shares: figure lines, timing statistics, machine facts, ports, RSS."""

from __future__ import annotations

import os
import platform
import resource
import socket
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

__all__ = [
    "OUT_DIR",
    "PROJECT_ROOT",
    "figure",
    "free_port",
    "info",
    "machine_line",
    "peak_rss_mib",
    "repeat",
    "summary",
]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Generated feeds and the cached 1M-item database live here (gitignored).
OUT_DIR = Path(os.environ.get("TENSION_BENCH_OUT", PROJECT_ROOT / "bench" / "out"))


def figure(name: str, value: float, unit: str = "", target: str = "") -> None:
    """Print one figure line: ``name value [unit] [(target ...)]`` — the format tests look for."""
    text = f"{name} {value:.1f}" if abs(value) >= 100 else f"{name} {value:.3f}"
    if unit:
        text += f" {unit}"
    if target:
        text += f" ({target})"
    print(text, flush=True)


def info(name: str, text: str) -> None:
    """Print a context line that is not a figure (what was measured, on what)."""
    print(f"{name} # {text}", flush=True)


def machine_line() -> str:
    """Cores, CPU model, Python: the facts a figure means nothing without."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} cores ({model}); Python {platform.python_version()} "
        f"({sys.implementation.name}); load average {load}"
    )


def peak_rss_mib() -> float:
    """This process's peak resident set size in MiB (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def repeat(fn: Callable[[], object], times: int, warmup: int = 1) -> list[float]:
    """Wall seconds of ``times`` calls of ``fn`` after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(times):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def summary(samples: Sequence[float]) -> tuple[float, float]:
    """(median, p95) of ``samples``; p95 by nearest rank, so 20 samples give the 19th."""
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(0.95 * len(ordered)) - 1))
    return statistics.median(ordered), ordered[rank]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
