"""`python -m ingest` as DESIGN.md specifies it: the JSON summary, exit codes, one-line errors,
the progress display, and the bundled sample data. Run as real subprocesses where what is
checked is the process's own output (stderr lines, exit status), in-process otherwise.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.cli import main
from tests.conftest import ROOT, SAMPLE_FILES

pytestmark = pytest.mark.timeout(180)

FEEDS_DIR = ROOT / "tests" / "data" / "feeds"
FEED_KEYS = {"source", "status", "new", "duplicates", "error"}
STATUSES = {"ok", "not_modified", "error", "gone"}


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m ingest ARGS` from the project folder, without our variables leaking in."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TENSION_")}
    return subprocess.run(
        [sys.executable, "-m", "ingest", *args],
        cwd=ROOT,
        env={**environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=150,
    )


def run_inline(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(list(args))
    return code, out.getvalue()


def assert_contract(summary: dict) -> None:
    """The summary object of DESIGN.md, key for key and type for type."""
    assert set(summary) == {"feeds", "new", "duplicates", "errors"}
    for key in ("new", "duplicates", "errors"):
        assert type(summary[key]) is int, key
    assert isinstance(summary["feeds"], list)
    for feed in summary["feeds"]:
        assert set(feed) == FEED_KEYS
        assert isinstance(feed["source"], str) and feed["source"]
        assert feed["status"] in STATUSES
        assert type(feed["new"]) is int and type(feed["duplicates"]) is int
        assert feed["error"] is None or (isinstance(feed["error"], str) and feed["error"])
        assert (feed["error"] is None) == (feed["status"] in {"ok", "not_modified"})
    assert summary["new"] == sum(f["new"] for f in summary["feeds"])
    assert summary["duplicates"] == sum(f["duplicates"] for f in summary["feeds"])
    assert summary["errors"] == sum(f["status"] in {"error", "gone"} for f in summary["feeds"])


# --------------------------------------------------------------------------- the summary


def test_json_summary_matches_the_contract_and_failing_feeds_exit_0(db_url: str, tmp_path):
    missing = tmp_path / "no-such-feed.xml"
    result = run(
        str(FEEDS_DIR / "rss20_en.xml"),
        str(FEEDS_DIR / "html_page.xml"),
        str(FEEDS_DIR / "broken_no_items.xml"),
        str(missing),
        "--db", db_url, "--json",
    )

    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1  # one object, nothing else on stdout
    summary = json.loads(lines[0])
    assert_contract(summary)
    by_source = {f["source"]: f for f in summary["feeds"]}
    assert list(by_source) == [
        str(FEEDS_DIR / "rss20_en.xml"), str(FEEDS_DIR / "html_page.xml"),
        str(FEEDS_DIR / "broken_no_items.xml"), str(missing),
    ]
    ok = by_source[str(FEEDS_DIR / "rss20_en.xml")]
    assert (ok["status"], ok["new"], ok["duplicates"], ok["error"]) == ("ok", 3, 0, None)
    assert "not a feed" in by_source[str(FEEDS_DIR / "html_page.xml")]["error"]
    assert "cannot read file" in by_source[str(missing)]["error"]
    assert (summary["new"], summary["errors"]) == (3, 3)


def test_without_json_the_summary_is_one_human_line(db_url: str):
    result = run(str(FEEDS_DIR / "rss20_en.xml"), "--db", db_url)
    assert result.returncode == 0
    assert result.stdout == ""
    assert "1 feeds: 3 new, 0 duplicates, 0 errors" in result.stderr


def test_sample_data_loads_once(db_url: str):
    files = [str(p.relative_to(ROOT)) for p in SAMPLE_FILES]
    assert len(files) >= 8

    first = run(*files, "--db", db_url, "--json")
    second = run(*files, "--db", db_url, "--json")

    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    one, two = json.loads(first.stdout), json.loads(second.stdout)
    assert_contract(one)
    assert_contract(two)
    assert one["new"] >= 300 and one["errors"] == 0
    assert len(one["feeds"]) == len(files)
    assert two["new"] == 0 and two["errors"] == 0
    assert two["duplicates"] == one["new"] + one["duplicates"]


# --------------------------------------------------------------------------- exit 2


def _assert_one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for word in words:
        assert word in lines[0]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("[[feed]\nname = 1\n", ("feed config unusable", "not valid TOML")),
        ("colour = 'red'\n", ("unknown top-level keys: colour",)),
        (
            '[[feed]]\nname = "x"\nurl = "https://x.example.org/rss"\nlang = "en"\n'
            'countries = ["SRB"]\npriority = 3\n',
            ("feed #1 ('x')", "unknown keys: priority"),
        ),
        ("[settings]\ntimeout = -1\n", ("[settings]", "timeout must be positive")),
    ],
    ids=["bad-toml", "unknown-top-level-key", "unknown-feed-key", "bad-setting"],
)
def test_unusable_feed_config_exits_2(tmp_path: Path, db_url: str, content: str, words):
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(content, encoding="utf-8")
    _assert_one_line_error(run("--feeds", str(feeds), "--db", db_url), *words)


def test_unusable_feed_config_from_the_environment_exits_2(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
):
    feeds = tmp_path / "feeds.toml"
    feeds.write_text("[[feed]]\nname = 'x'\n", encoding="utf-8")
    monkeypatch.setenv("TENSION_FEEDS_FILE", str(feeds))
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["--db", db_url, "--json"])
    assert code == 2
    assert err.getvalue().startswith(f"error: feed config unusable: {feeds}")
    assert "missing required key 'url'" in err.getvalue()


def test_missing_feed_config_exits_2(tmp_path: Path, db_url: str):
    missing = tmp_path / "nowhere.toml"
    _assert_one_line_error(run("--feeds", str(missing), "--db", db_url), "file not found")
    # Naming it explicitly is a mistake even when SOURCEs make it optional.
    _assert_one_line_error(
        run(str(FEEDS_DIR / "rss20_en.xml"), "--feeds", str(missing), "--db", db_url),
        "file not found",
    )


def test_read_only_database_exits_2(db_url: str):
    if not db_url.startswith("sqlite:///"):
        pytest.skip("a read-only open is a SQLite URL feature")
    path = db_url.removeprefix("sqlite:///")
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    result = run(str(FEEDS_DIR / "rss20_en.xml"), "--db", read_only, "--json")
    _assert_one_line_error(result, "unusable", "readonly")


def test_database_under_a_regular_file_exits_2(tmp_path: Path):
    blocker = tmp_path / "plain-file"
    blocker.write_text("not a folder")
    result = run(str(FEEDS_DIR / "rss20_en.xml"), "--db", f"sqlite:///{blocker}/tension.db")
    _assert_one_line_error(result, "unusable", str(blocker))


def test_database_in_a_missing_folder_exits_2_and_creates_nothing(tmp_path: Path):
    missing = tmp_path / "typo" / "deeper"
    result = run(str(FEEDS_DIR / "rss20_en.xml"), "--db", f"sqlite:///{missing}/tension.db")
    _assert_one_line_error(result, "unusable", "does not exist")
    assert not (tmp_path / "typo").exists()
    for command in ("migrate", "stats"):
        storage = subprocess.run(
            [sys.executable, "-m", "storage", command, "--db", f"sqlite:///{missing}/t.db"],
            cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert storage.returncode == 2 and len(storage.stderr.strip().splitlines()) == 1
        assert "does not exist" in storage.stderr
    assert not (tmp_path / "typo").exists()


def test_not_a_database_url_exits_2():
    result = run(str(FEEDS_DIR / "rss20_en.xml"), "--db", "nonsense://")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("value", ["0", "-5", "nan", "soon", "1e-9", "9.99", "inf", "1e300"])
def test_interval_must_be_at_least_ten_seconds_and_bounded(value: str, db_url: str):
    with contextlib.redirect_stderr(io.StringIO()) as err, pytest.raises(SystemExit) as info:
        main([str(FEEDS_DIR / "rss20_en.xml"), "--db", db_url, "--interval", value])
    assert info.value.code == 2
    assert "--interval" in err.getvalue()


# --------------------------------------------------------------------------- progress


def test_progress_is_one_updating_line_on_a_terminal(db_url: str):
    sources = [str(FEEDS_DIR / "rss20_en.xml"), str(FEEDS_DIR / "atom_sr_cyrl.xml")]
    controller, terminal = pty.openpty()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TENSION_")}
    with subprocess.Popen(
        [sys.executable, "-m", "ingest", *sources, "--db", db_url, "--json"],
        cwd=ROOT, env=environ, stdout=subprocess.PIPE, stderr=terminal,
    ) as process:
        os.close(terminal)
        screen = b""
        while True:
            ready, _, _ = select.select([controller], [], [], 60)
            if not ready:
                break
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal closed: the process is done
                break
            if not chunk:
                break
            screen += chunk
        stdout, _ = process.communicate(timeout=60)
    os.close(controller)

    text = screen.decode("utf-8", errors="replace")
    assert process.returncode == 0
    assert "\r\x1b[2K[1/2]" in text and "\r\x1b[2K[2/2]" in text
    assert " INFO [1/2]" not in text  # no log lines for progress on a terminal
    assert json.loads(stdout)["new"] == 6


def test_progress_is_plain_log_lines_otherwise(db_url: str):
    result = run(str(FEEDS_DIR / "rss20_en.xml"), "--db", db_url, "--json")
    assert result.returncode == 0
    assert "\x1b[" not in result.stderr and "\r" not in result.stderr
    assert "INFO [1/1] ok" in result.stderr


# --------------------------------------------------------------------------- --watch


def test_watch_repeats_until_terminated(db_url: str):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TENSION_")}
    with subprocess.Popen(
        [sys.executable, "-m", "ingest", str(FEEDS_DIR / "rss20_en.xml"), "--db", db_url,
         "--json", "--watch", "--interval", "10"],
        cwd=ROOT, env=environ, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    ) as process:
        first = json.loads(process.stdout.readline())
        second = json.loads(process.stdout.readline())
        process.terminate()  # SIGTERM: finish the current round, then leave cleanly
        process.wait(timeout=60)

    assert process.returncode == 0
    assert (first["new"], first["duplicates"]) == (3, 0)
    assert (second["new"], second["duplicates"]) == (0, 3)
