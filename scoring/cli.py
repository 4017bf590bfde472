"""Command line: `python -m scoring score | evaluate | bench | rescore`.

score     JSON Lines in (stdin or --input), one JSON object out per input line, same
          order; a malformed line (blank lines included) yields {"id", "error"} and the
          run goes on. Exit 0 unless the input cannot be read at all (exit 2).
evaluate  labelled JSON Lines -> per language and overall: per-signal precision/recall/F1,
          macro/micro-F1, actor P/R/F1, direction accuracy, negation handled
          ([--part tune|check] for one side of the stable split, [--summary]).
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
from pathlib import Path
from typing import Any, NoReturn, TextIO

from scoring.errors import ScoringError
from scoring.evaluate import evaluate_items, format_report, format_summary, published_of
from scoring.item import score_item
from scoring.lexicon import load_lexicon
from scoring.types import ItemScore

__all__ = ["MAX_LINE_CHARS", "main", "score_line", "score_to_json"]

# An input line beyond this is answered with an error instead of being parsed: no feed
# item comes near it (ingest keeps titles to 1,000 and summaries to 5,000 characters).
MAX_LINE_CHARS = 1_000_000


def score_to_json(item_id: Any, result: ItemScore) -> dict[str, Any]:
    """The DESIGN.md output object for one scored item."""
    return {
        "id": item_id,
        "actors": list(result.actors),
        "signals": list(result.signals),
        "negated": list(result.negated),
        "direction": result.direction,
        "score": result.score,
        "places": list(result.places),
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
    if len(line) > MAX_LINE_CHARS:
        return {"id": None, "error": f"line longer than {MAX_LINE_CHARS:,} characters"}
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"id": None, "error": f"invalid JSON: {exc.msg} at column {exc.colno}"}
    except RecursionError:
        return {"id": None, "error": "invalid JSON: nested too deeply"}
    except ValueError as exc:  # e.g. an integer beyond Python's digit limit
        return {"id": None, "error": f"invalid JSON: {exc}"}
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
        published = published_of(obj.get("published"))
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
    report = evaluate_items(items, part=args.part)
    if args.summary:
        out.write(format_summary(report))
    else:
        out.write(format_report(report, show_errors=args.errors))
    return 0


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
    p_eval.add_argument("--part", choices=("all", "tune", "check"), default="all",
                        help="only the items of this part of the stable id-hash split")
    p_eval.add_argument("--summary", action="store_true",
                        help="one line per language group instead of the full tables")
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
