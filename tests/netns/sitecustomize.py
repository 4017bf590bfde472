"""Loaded by every Python process of tests/test_no_outside_requests.py (on PYTHONPATH):
records each connection attempt and name lookup through an audit hook, one line each, to
the file named by TENSION_CONNECT_LOG. Records only; never blocks or changes anything."""

import os
import sys

_LOG = os.environ.get("TENSION_CONNECT_LOG")


def _record(event: str, args: tuple) -> None:
    if event == "socket.connect":
        line = f"connect {args[1]!r}"
    elif event == "socket.getaddrinfo":
        line = f"lookup {args[0]!r}"
    elif event == "socket.sendto":
        line = f"sendto {args[1]!r}"
    else:
        return
    with open(_LOG, "a", encoding="utf-8") as out:  # noqa: PTH123 - no pathlib this early
        out.write(f"{os.getpid()} {line}\n")


if _LOG:
    sys.addaudithook(_record)
