"""`python -m bench [NAME ...] [options]`: run the named benchmarks (default: all, in order).

With one name, the benchmark runs in this process and takes that benchmark's
options (``python -m bench ingest --items 200``). With several names or none,
each runs in its own subprocess, so peak RSS, Streamlit's caches and imported
modules of one do not colour the figures of the next.
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import time

from bench import BENCHMARKS
from bench.common import PROJECT_ROOT, machine_line

__all__ = ["main"]


def _module(name: str):  # noqa: ANN202 - a benchmark module
    return importlib.import_module(f"bench.run_{name}")


def _run_one(name: str, argv: list[str]) -> int:
    module = _module(name)
    parser = argparse.ArgumentParser(
        prog=f"python -m bench {name}",
        description=module.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    module.add_arguments(parser)
    args = parser.parse_args(argv)
    print(f"== {name} == {machine_line()}", flush=True)
    start = time.perf_counter()
    module.run(args)
    print(f"== {name} done in {time.perf_counter() - start:.1f} s", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    names = [a for a in argv if a in BENCHMARKS]
    unknown = [a for a in argv if not a.startswith("-") and a not in BENCHMARKS]
    if unknown and not names:
        print(
            f"unknown benchmark {unknown[0]!r}; choose from {', '.join(BENCHMARKS)}",
            file=sys.stderr,
        )
        return 2
    if len(names) == 1:
        return _run_one(names[0], [a for a in argv if a != names[0]])
    if any(a.startswith("-") for a in argv):
        print(
            "options apply to one benchmark at a time: python -m bench NAME --help", file=sys.stderr
        )
        return 2
    failed = []
    start = time.perf_counter()
    for name in names or BENCHMARKS:
        done = subprocess.run([sys.executable, "-m", "bench", name], cwd=PROJECT_ROOT, check=False)
        if done.returncode != 0:
            failed.append(name)
    print(
        f"== all benchmarks done in {time.perf_counter() - start:.1f} s"
        + (f"; failed: {', '.join(failed)}" if failed else ""),
        flush=True,
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
