"""CLI contract of DESIGN.md, run as a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scoring", *args], input=stdin,
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_score_contract_keeps_order_and_reports_bad_lines():
    lines = [
        json.dumps({"id": "a", "title": "Serbia denies reports of a military buildup"}),
        "{not json",
        json.dumps({"id": 7, "title": "Пуцњава у Звечану", "summary": "", "lang": "sr",
                    "published": "2023-05-29T10:00:00Z"}),
        json.dumps({"id": "c"}),
        json.dumps({"id": "d", "title": "Football: Partizan beat Red Star"}),
    ]
    proc = _run(["score"], "\n".join(lines) + "\n")
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(x) for x in proc.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", None, 7, "c", "d"]
    first = out[0]
    assert set(first) == {"id", "actors", "signals", "negated", "direction", "score", "places",
                          "evidence"}
    assert first["signals"] == ["denial"] and first["negated"] == ["military_buildup"]
    assert first["direction"] == "neutral" and isinstance(first["score"], float)
    for e in first["evidence"]:
        assert {"signal", "actor", "text", "start", "end", "negated"} <= set(e)
    assert "error" in out[1] and "error" in out[3]
    assert out[2]["signals"] == ["armed_clash"]
    assert out[4]["signals"] == []


def test_blank_lines_get_an_error_line_each_so_output_lines_match_input_lines():
    good = json.dumps({"id": "g", "title": "Kosovo police arrest two Serbs"})
    proc = _run(["score"], "\n".join([good, "", "   \t", good]) + "\n")
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(x) for x in proc.stdout.splitlines()]
    assert len(out) == 4
    assert out[1] == {"id": None, "error": "empty line"}
    assert out[2] == {"id": None, "error": "empty line"}
    assert out[0]["signals"] == out[3]["signals"] == ["police_action"]


def test_rescore_hands_over_to_the_orchestrator(db_url):
    proc = _run(["rescore", "--db", db_url])
    assert proc.returncode == 0, proc.stderr
    assert "re-scored 0 items" in proc.stdout


def test_scoring_cli_never_imports_storage_or_ingest():
    # rescore must exec the orchestrator, not import it (DESIGN.md: scoring is pure)
    code = ("import sys, scoring.cli; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('storage', 'ingest')))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_unreadable_input_exits_2():
    proc = _run(["score", "--input", "/nonexistent/file.jsonl"])
    assert proc.returncode == 2
    assert "cannot read" in proc.stderr


def test_evaluate_prints_figures(tmp_path):
    f = tmp_path / "l.jsonl"
    f.write_text(json.dumps({"id": "x", "title": "Kosovo police arrest two Serbs", "summary": "",
                             "lang": "en", "actors": ["KOS", "SRB"], "signals": ["police_action"],
                             "negated": [], "direction": "escalation"}) + "\n", encoding="utf-8")
    proc = _run(["evaluate", str(f)])
    assert proc.returncode == 0, proc.stderr
    assert "macro-F1 (signals): 1.000   micro-F1: 1.000" in proc.stdout
    assert "actors: precision 1.000 recall 1.000 F1 1.000" in proc.stdout
    assert "direction accuracy: 1.000" in proc.stdout
    assert "== en (all part): 1 items" in proc.stdout


def test_evaluate_reports_one_part_of_the_split_per_language(tmp_path):
    from scoring.evaluate import split_of

    ids = [f"i{n}" for n in range(40)]
    check = [i for i in ids if split_of(i) == "check"]
    rows = [{"id": i, "title": "Kosovo police arrest two Serbs" if n % 2 else "Vreme sunčano",
             "lang": "en" if n % 2 else "sr", "actors": [], "signals": ["police_action"],
             "negated": [], "direction": "escalation"} for n, i in enumerate(ids)]
    f = tmp_path / "l.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    proc = _run(["evaluate", str(f), "--part", "check", "--summary"])
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "part: check"
    counts = {ln.split()[0]: int(ln.split()[1]) for ln in lines[2:]}
    assert counts["all"] == len(check) and 0 < len(check) < len(ids)
    assert counts["en"] + counts["local"] == len(check)


def test_bench_prints_items_per_second():
    proc = _run(["bench", "--n", "200"])
    assert proc.returncode == 0
    assert "items/s" in proc.stdout


_HOSTILE = st.one_of(
    st.integers(min_value=1_000, max_value=200_000).map(lambda n: "[" * n + "]" * n),
    st.integers(min_value=1_000, max_value=200_000).map(lambda n: '{"a":' * n + "1" + "}" * n),
    st.integers(min_value=5_000, max_value=60_000).map(lambda n: '{"id": 1, "n": ' + "9" * n + "}"),
    st.binary(min_size=1, max_size=200).map(lambda b: b.decode("latin-1")),
    st.integers(min_value=1_000_001, max_value=1_100_000).map(lambda n: '{"id": 1, "title": "'
                                                              + "a" * n + '"}'),
)


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_HOSTILE, min_size=1, max_size=3))
def test_hostile_lines_get_an_error_each_and_later_lines_survive(hostile):
    from scoring.cli import score_line

    lines = []
    for i, bad in enumerate(hostile):
        lines += [bad.replace("\n", " ").replace("\r", " "), json.dumps({"id": i, "title": "ok"})]
    out = [score_line(line) for line in lines]
    assert len(out) == len(lines)
    for i in range(len(hostile)):
        assert "error" in out[2 * i] or out[2 * i].get("id") is not None
        assert out[2 * i + 1]["id"] == i and "error" not in out[2 * i + 1]


def test_deep_json_and_huge_numbers_through_the_cli():
    lines = ["[" * 100_000 + "]" * 100_000, json.dumps({"id": "after-deep", "title": "ok"}),
             '{"id": 1, "n": ' + "9" * 50_000 + "}", json.dumps({"id": "after-big", "title": "x"})]
    proc = _run(["score"], "\n".join(lines) + "\n")
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(x) for x in proc.stdout.splitlines()]
    assert [o["id"] for o in out] == [None, "after-deep", None, "after-big"]
    assert "nested too deeply" in out[0]["error"] and "error" in out[2]
