"""Command line: `python -m scoring score | evaluate | bench | rescore`.

score     JSON Lines in (stdin or --input), one JSON object out per input line, same
          order; a malformed line (blank lines included) yields {"id", "error"} and the
          run goes on. Exit 0 unless the input cannot be read at all (exit 2).
evaluate  labelled JSON Lines -> per-signal precision/recall/F1, macro-F1, actor F1,
          negation and direction accuracy.
bench     scores generated items and prints items per second on one core.
rescore   re-scores the stored items after a lexicon change ([--db URL]); runs
          `python -m ingest.rescore`, because scoring never imports storage.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn, TextIO

from scoring.errors import ScoringError
from scoring.item import score_item
from scoring.lexicon import load_lexicon
from scoring.types import ItemScore

__all__ = ["main", "score_line", "score_to_json"]


def _published(value: Any) -> datetime | date | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError("published must be an ISO 8601 string")
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return date.fromisoformat(text[:10])


def score_to_json(item_id: Any, result: ItemScore) -> dict[str, Any]:
    """The DESIGN.md output object for one scored item."""
    return {
        "id": item_id,
        "actors": list(result.actors),
        "signals": list(result.signals),
        "negated": list(result.negated),
        "direction": result.direction,
        "score": result.score,
        "evidence": [
            {
                "signal": e.signal, "actor": e.actor, "text": e.text, "start": e.start,
                "end": e.end, "negated": e.negated, "field": e.field, "target": e.target,
                "weight": e.weight, "hedged": e.hedged, "suppressed_by": e.suppressed_by,
            }
            for e in result.evidence
        ],
    }


def score_line(line: str) -> dict[str, Any]:
    """Score one JSONL input line; problems come back as {"id", "error"}."""
    if not line.strip():
        # still one output line per input line, so callers can zip input and output
        return {"id": None, "error": "empty line"}
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"id": None, "error": f"invalid JSON: {exc.msg} at column {exc.colno}"}
    if not isinstance(obj, dict):
        return {"id": None, "error": "line is not a JSON object"}
    item_id = obj.get("id")
    if item_id is None:
        return {"id": None, "error": "missing id"}
    title, summary, lang = obj.get("title"), obj.get("summary") or "", obj.get("lang")
    if not isinstance(title, str):
        return {"id": item_id, "error": "title must be a string"}
    if not isinstance(summary, str):
        return {"id": item_id, "error": "summary must be a string"}
    if lang is not None and not isinstance(lang, str):
        return {"id": item_id, "error": "lang must be a string"}
    try:
        published = _published(obj.get("published"))
    except ValueError as exc:
        return {"id": item_id, "error": f"bad published: {exc}"}
    return score_to_json(item_id, score_item(title, summary, lang, published))


def _lines(stream: Any) -> Iterator[str]:
    for raw in stream:
        text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
        yield text.rstrip("\r\n")


def _score(args: argparse.Namespace, out: TextIO) -> int:
    try:
        if args.input and args.input != "-":
            handle = open(args.input, "rb")  # closed in the finally below
        else:
            handle = sys.stdin.buffer
    except OSError as exc:
        print(f"scoring: cannot read {args.input}: {exc}", file=sys.stderr)
        return 2
    try:
        load_lexicon()
    except ScoringError as exc:
        print(f"scoring: {exc}", file=sys.stderr)
        return 2
    try:
        for line in _lines(handle):
            out.write(json.dumps(score_line(line), ensure_ascii=False) + "\n")
    except OSError as exc:
        print(f"scoring: input unreadable: {exc}", file=sys.stderr)
        return 2
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()
    out.flush()
    return 0


def _read_labelled(paths: Iterable[str]) -> list[dict[str, Any]]:
    items = []
    for p in paths:
        for n, line in enumerate(Path(p).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ScoringError(f"{p}:{n}: invalid JSON: {exc.msg}") from exc
    return items


def _evaluate(args: argparse.Namespace, out: TextIO) -> int:
    try:
        items = _read_labelled(args.files)
    except (OSError, ScoringError) as exc:
        print(f"scoring: {exc}", file=sys.stderr)
        return 2
    report = evaluate_items(items)
    out.write(format_report(report, show_errors=args.errors))
    return 0


def evaluate_items(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Score labelled items and compare: per-signal P/R/F1, macro-F1, actor F1, accuracies."""
    from scoring.taxonomy import SIGNAL_CODES

    tp = dict.fromkeys(SIGNAL_CODES, 0)
    fp = dict.fromkeys(SIGNAL_CODES, 0)
    fn = dict.fromkeys(SIGNAL_CODES, 0)
    a_tp = a_fp = a_fn = 0
    neg_items = neg_ok = dir_ok = 0
    errors = []
    for it in items:
        res = score_item(it.get("title", ""), it.get("summary") or "", it.get("lang"),
                         _published(it.get("published")))
        gold, pred = set(it.get("signals", [])), set(res.signals)
        for s in SIGNAL_CODES:
            tp[s] += s in gold and s in pred
            fp[s] += s not in gold and s in pred
            fn[s] += s in gold and s not in pred
        ga, pa = set(it.get("actors", [])), set(res.actors)
        a_tp, a_fp, a_fn = a_tp + len(ga & pa), a_fp + len(pa - ga), a_fn + len(ga - pa)
        gn, pn = set(it.get("negated", [])), set(res.negated)
        if gn or pn:
            neg_items += 1
            neg_ok += gn == pn
        dir_ok += it.get("direction") == res.direction
        if gold != pred or gn != pn or ga != pa:
            errors.append((it, res))
    per = {}
    for s in SIGNAL_CODES:
        p = tp[s] / (tp[s] + fp[s]) if tp[s] + fp[s] else 0.0
        r = tp[s] / (tp[s] + fn[s]) if tp[s] + fn[s] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        per[s] = (p, r, f, tp[s] + fn[s])
    seen = [s for s in SIGNAL_CODES if tp[s] + fp[s] + fn[s]]
    ap = a_tp / (a_tp + a_fp) if a_tp + a_fp else 0.0
    ar = a_tp / (a_tp + a_fn) if a_tp + a_fn else 0.0
    n = len(items) or 1
    return {
        "items": len(items),
        "per_signal": per,
        "macro_f1": sum(per[s][2] for s in seen) / len(seen) if seen else 0.0,
        "actor_f1": 2 * ap * ar / (ap + ar) if ap + ar else 0.0,
        "negation_accuracy": neg_ok / neg_items if neg_items else 1.0,
        "negation_items": neg_items,
        "direction_accuracy": dir_ok / n,
        "errors": errors,
    }


def format_report(rep: dict[str, Any], show_errors: bool = False) -> str:
    """Plain-text table of an evaluate_items() result."""
    header = f"{'signal':24} {'prec':>6} {'rec':>6} {'f1':>6} {'support':>8}"
    lines = [f"items: {rep['items']}", header]
    for s, (p, r, f, sup) in rep["per_signal"].items():
        lines.append(f"{s:24} {p:6.3f} {r:6.3f} {f:6.3f} {sup:8d}")
    lines += [
        f"macro-F1 (signals): {rep['macro_f1']:.3f}",
        f"actor F1 (micro): {rep['actor_f1']:.3f}",
        f"negation accuracy: {rep['negation_accuracy']:.3f} over {rep['negation_items']} items",
        f"direction accuracy: {rep['direction_accuracy']:.3f}",
    ]
    if show_errors:
        for it, res in rep["errors"]:
            lines.append(f"- {it.get('id')}: {it.get('title')!r}")
            lines.append(f"    gold signals={sorted(it.get('signals', []))} negated="
                         f"{sorted(it.get('negated', []))} actors={sorted(it.get('actors', []))}")
            lines.append(f"    pred signals={list(res.signals)} negated={list(res.negated)} "
                         f"actors={list(res.actors)}")
            for e in res.evidence:
                lines.append(f"      {e.signal}: {e.text!r} neg={e.negated} "
                             f"supp={e.suppressed_by}")
    return "\n".join(lines) + "\n"


_BENCH_WORDS = (
    "the government said on tuesday that officials would meet next week in the capital to "
    "discuss budget plans while ministers argued over energy prices and regional trade as "
    "analysts expect growth to slow this year amid inflation and rising costs for families "
    "local media reported that the new road project will connect several towns near the river"
).split()
_BENCH_PHRASES = (
    "Serbia", "Kosovo", "KFOR", "Vučić", "Kurti", "EU", "military buildup", "denies reports",
    "police arrested", "protesters blocked roads", "talks in Brussels", "sanctions",
    "exchange of fire", "Russian influence", "referendum", "NATO", "Dodik", "Републике Српске",
    "hedh poshtë akuzat", "pucnjava", "no evidence of",
)


def bench_items(n: int, seed: int = 7) -> list[tuple[str, str]]:
    """Deterministic generated (title, summary) pairs of about 70 words."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        words = [rng.choice(_BENCH_WORDS) for _ in range(62)]
        for _ in range(5):
            words.insert(rng.randrange(len(words)), rng.choice(_BENCH_PHRASES))
        words[20] += "."
        out.append((" ".join(words[:12]).capitalize(), " ".join(words[12:]) + "."))
    return out


def _bench(args: argparse.Namespace, out: TextIO) -> int:
    lex = load_lexicon()
    items = bench_items(args.n)
    t0, c0 = time.perf_counter(), time.process_time()
    for title, summary in items:
        score_item(title, summary, None, None, lex)
    elapsed = time.perf_counter() - t0
    # CPU time is the fairer figure on a shared machine; wall time is printed too
    cpu = max(time.process_time() - c0, 1e-9)
    out.write(f"scored {len(items)} items (~70 words): {len(items) / cpu:,.0f} items/s "
              f"on one core (CPU time {cpu:.2f} s; wall {elapsed:.2f} s, "
              f"{len(items) / elapsed:,.0f} items/s; lexicon {lex.version}, "
              f"{lex.phrase_count} phrases)\n")
    return 0


def _rescore(rest: list[str]) -> NoReturn:
    """Hand `rescore [--db URL]` over to `python -m ingest.rescore`, replacing this process.

    Re-scoring reads and writes the database, and scoring must never import storage or
    ingest (DESIGN.md: scoring is pure; tests/test_layering.py checks the imports). The
    orchestrator side owns that join, so this command only execs it with the same
    interpreter and passes the arguments through; its exit code and output are the
    command's own.
    """
    # S606: no shell is involved; the arguments go to our own module as a list
    os.execv(sys.executable, [sys.executable, "-m", "ingest.rescore", *rest])  # noqa: S606


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit code."""
    args_in = sys.argv[1:] if argv is None else argv
    if args_in[:1] == ["rescore"]:
        # before argparse, so --db and any later option reach the orchestrator verbatim
        return _rescore(args_in[1:])
    parser = argparse.ArgumentParser(prog="python -m scoring", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p_score = sub.add_parser("score", help="score JSON Lines items")
    p_score.add_argument("--input", help="JSONL file (default: stdin)")
    p_eval = sub.add_parser("evaluate", help="compare with labelled JSONL files")
    p_eval.add_argument("files", nargs="+")
    p_eval.add_argument("--errors", action="store_true", help="list the items scored wrongly")
    p_bench = sub.add_parser("bench", help="print items per second on generated items")
    p_bench.add_argument("--n", type=int, default=100_000)
    # listed for --help; main() hands "rescore" over before parsing
    p_rescore = sub.add_parser("rescore", help="re-score stored items (python -m ingest.rescore)")
    p_rescore.add_argument("--db", help="database URL (default: $TENSION_DB_URL, "
                           "else data/tension.db)")
    args = parser.parse_args(args_in)
    stream = out or sys.stdout
    handlers = {"score": _score, "evaluate": _evaluate, "bench": _bench}
    return handlers[args.command](args, stream)
