"""CLI contract of DESIGN.md, run as a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
    assert set(first) == {"id", "actors", "signals", "negated", "direction", "score", "evidence"}
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
                             "lang": "en", "actors": ["KOS"], "signals": ["police_action"],
                             "negated": [], "direction": "escalation"}) + "\n", encoding="utf-8")
    proc = _run(["evaluate", str(f)])
    assert proc.returncode == 0, proc.stderr
    assert "macro-F1 (signals): 1.000" in proc.stdout
    assert "actor F1 (micro): 1.000" in proc.stdout
    assert "direction accuracy: 1.000" in proc.stdout


def test_bench_prints_items_per_second():
    proc = _run(["bench", "--n", "200"])
    assert proc.returncode == 0
    assert "items/s" in proc.stdout
