"""Nothing but feed fetches may leave the machine: the dashboard server (started with the
project's .streamlit/config.toml, as `make run` does), every page through AppTest, and an
ingest of local files, each recording every connection attempt and name lookup. Any
address but the machine's own fails the test.

As root the processes run in a fresh network namespace with only loopback (`unshare -n`),
so nothing could leave even by a path the recorder misses; elsewhere they run as they are
and the recorder alone decides. Also checked by reading: no page asks the browser for an
icon font or another outside file.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLE_FILES

RECORDER = ROOT / "tests" / "netns"
LOCAL = {"127.0.0.1", "::1", "localhost", "0.0.0.0", "::", None, ""}  # noqa: S104


def _isolated() -> list[str]:
    """The command prefix that runs a command with loopback only, or [] where it cannot."""
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip"):
        return []
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, check=False)
    return ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"] if (
        probe.returncode == 0
    ) else []  # fmt: skip


def _env(log: Path, db_url: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("TENSION_")}
    return {
        **keep,
        "PYTHONPATH": os.pathsep.join([str(RECORDER), str(ROOT)]),
        "TENSION_CONNECT_LOG": str(log),
        "TENSION_DB_URL": db_url,
        "TENSION_FEEDS_FILE": str(log.parent / "feeds.toml"),
        # Streamlit keeps its own settings in ~/.streamlit; an empty home has none.
        "HOME": str(log.parent),
    }


def _outside(log: Path) -> list[str]:
    """Recorded attempts whose host is not this machine."""
    bad = []
    for line in log.read_text(encoding="utf-8").splitlines() if log.exists() else []:
        _pid, kind, target = line.split(" ", 2)
        host = target
        match = re.match(r"\('([^']*)', \d+", target) or re.match(r"'([^']*)'", target)
        if match:
            host = match.group(1)
        elif target.startswith("'/") or target == "None":  # a unix socket path
            continue
        if host not in LOCAL:
            bad.append(line)
    return bad


PAGES_SCRIPT = textwrap.dedent(
    """
    from streamlit.testing.v1 import AppTest
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import app_test

    class Navigation(PagesManager):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            PagesManager.uses_pages_directory = False

    app_test.PagesManager = Navigation
    at = AppTest.from_file("app.py", default_timeout=120)
    at.query_params.update(range="custom", **{"from": "2022-01-05", "to": "2025-12-31"})
    at.run()
    for page in ("pages/actor.py", "pages/news.py", "pages/map.py", "pages/sources.py"):
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
    print("pages ok")
    """
)


@pytest.mark.timeout(300)
def test_dashboard_and_ingest_of_local_files_stay_on_the_machine(tmp_path: Path) -> None:
    log = tmp_path / "connections.log"
    (tmp_path / "feeds.toml").write_text("", encoding="utf-8")
    env = _env(log, f"sqlite:///{tmp_path / 'tension.db'}")
    prefix = _isolated()

    ingest = subprocess.run(
        [*prefix, sys.executable, "-m", "ingest", *map(str, SAMPLE_FILES), "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert ingest.returncode == 0, ingest.stderr[-2000:]
    pages = subprocess.run(
        [*prefix, sys.executable, "-c", PAGES_SCRIPT],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert pages.returncode == 0 and "pages ok" in pages.stdout, pages.stderr[-3000:]

    # The real server, headless, with the project's config, until it answers on loopback.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    health = (
        "import time, urllib.request\n"
        "for _ in range(120):\n"
        "    try:\n"
        f"        urllib.request.urlopen('http://127.0.0.1:{port}/_stcore/health', timeout=2)\n"
        "        break\n"
        "    except OSError:\n"
        "        time.sleep(0.5)\n"
        "else:\n"
        "    raise SystemExit('the dashboard never answered')\n"
        "time.sleep(3)\n"  # the start-up messages (and any IP lookup) come after listening
    )
    script = (
        f"{sys.executable} -m streamlit run app.py --server.port {port} & pid=$!; "
        f"{sys.executable} -c \"$HEALTH\"; rc=$?; kill $pid; wait $pid; exit $rc"
    )
    server = subprocess.run(
        [*prefix, "sh", "-c", script],
        cwd=ROOT, env={**env, "HEALTH": health}, capture_output=True, text=True, timeout=240,
        check=False,
    )  # fmt: skip
    assert server.returncode == 0, (server.stdout + server.stderr)[-3000:]
    assert "External URL" not in server.stdout

    recorded = log.read_text(encoding="utf-8")
    assert f"{port}" in recorded, "the recorder saw the loopback connections"
    assert _outside(log) == [], "connections that would leave the machine"


def test_the_recorder_sees_an_outside_attempt(tmp_path: Path) -> None:
    # The check above can fail: an attempt to reach an outside address is recorded as one.
    log = tmp_path / "connections.log"
    code = "import socket\ntry:\n    socket.create_connection(('192.0.2.1', 80), 0.2)\nexcept OSError:\n    pass\n"  # noqa: E501
    subprocess.run(
        [*_isolated(), sys.executable, "-c", code],
        env=_env(log, "sqlite://"), timeout=60, check=False,
    )  # fmt: skip
    assert any(line.endswith("connect ('192.0.2.1', 80)") for line in _outside(log))


def test_streamlit_settings_keep_the_server_to_itself() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False
    # Said explicitly, Streamlit prints it instead of looking up the public IP.
    assert config["browser"]["serverAddress"]
    assert config["server"]["headless"] is True
    assert config["client"]["showErrorDetails"] == "none"


def test_no_page_asks_the_browser_for_outside_files() -> None:
    # ":material/...:" icons make the browser load an icon font; CDN fonts and scripts the same.
    pattern = re.compile(r":material/|fonts\.googleapis|fonts\.gstatic|cdn\.jsdelivr|unpkg\.com")
    files = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")),
             *sorted((ROOT / "dashboard").glob("*.py"))]  # fmt: skip
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in files
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []
