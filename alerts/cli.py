"""`python -m alerts run|test RULE|list|enable RULE|disable RULE [--db URL] [--rules FILE]`.

Every command takes ``--json`` too.

Exit 0 when the command ran (failed deliveries are recorded and retried later); exit 2
with a one-line error when the database or the rules file is unusable.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from datetime import UTC, date, datetime

from alerts.errors import AlertRulesError
from alerts.rules import load_rules, resolve_rules_path
from alerts.run import run_once, send_test
from storage import StorageError, alerts_store, migrate, redact, resolve_db_url

__all__ = ["main"]


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help="database URL (default: $TENSION_DB_URL or data/tension.db)")
    common.add_argument(
        "--rules", help="rules file (default: $TENSION_ALERTS_FILE or alerts.toml)"
    )
    common.add_argument("--json", action="store_true", help="print one JSON object")
    p = argparse.ArgumentParser(
        prog="python -m alerts", description="Evaluate alert rules and deliver their messages."
    )
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", parents=[common], help="evaluate every rule once and deliver")
    run.add_argument(
        "--as-of", type=_day, help="evaluate as of this day (default: the newest day with data)"
    )
    test = sub.add_parser("test", parents=[common], help="send a test message for RULE")
    test.add_argument("rule", metavar="RULE")
    sub.add_parser("list", parents=[common], help="list the rules and their last firings")
    for name in ("enable", "disable"):
        switch = sub.add_parser(name, parents=[common], help=f"{name} RULE (kept in the database)")
        switch.add_argument("rule", metavar="RULE")
    return p


def _fail(what: str, exc: BaseException) -> int:
    lines = str(exc).strip().splitlines()
    print(f"error: {what}: {lines[0] if lines else type(exc).__name__}", file=sys.stderr)
    return 2


def _print(as_json: bool, payload: dict, text: str) -> None:
    if as_json:
        print(json.dumps(payload, ensure_ascii=False, default=str))
    else:
        print(text)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    url = resolve_db_url(args.db, os.environ)
    path = resolve_rules_path(args.rules, os.environ)
    try:
        ruleset = load_rules(path)
        if args.command in ("test", "enable", "disable"):
            ruleset.rule(args.rule)
    except AlertRulesError as exc:
        return _fail("rules unusable", exc)
    try:
        migrate(url)
        return _command(args, url, ruleset)
    except StorageError as exc:
        return _fail(f"database {redact(url)} unusable", exc)
    except KeyboardInterrupt:
        return 130


def _command(args: argparse.Namespace, url: str, ruleset) -> int:  # noqa: ANN001 - a RuleSet
    now = datetime.now(UTC)
    if args.command == "run":
        report = run_once(url, ruleset, now=now, as_of=args.as_of)
        lines = [
            f"{report.rules} rules as of {report.as_of or 'no data'}: {report.fired} fired, "
            f"{report.suppressed} suppressed by cooldown, {report.already_recorded} already "
            f"recorded; {report.sent} sent, {report.failed} failed (retried later)"
        ]
        lines += [
            f"  {d.status:<7} {d.rule} → {d.channel}" + (f": {d.error}" if d.error else "")
            for d in report.deliveries
        ]
        _print(args.json, report.as_json(), "\n".join(lines))
        return 0
    if args.command == "test":
        outcomes = send_test(url, ruleset, args.rule, now=now)
        payload = {"rule": args.rule, "deliveries": [vars(o) for o in outcomes]}
        text = "\n".join(
            f"{o.status:<7} test of {o.rule} → {o.channel}" + (f": {o.error}" if o.error else "")
            for o in outcomes
        )
        _print(args.json, payload, text or f"rule {args.rule} has no channel")
        return 0
    if args.command in ("enable", "disable"):
        alerts_store.set_rule_enabled(url, args.rule, args.command == "enable", now)
        _print(args.json, {"rule": args.rule, "enabled": args.command == "enable"},
               f"{args.rule}: {args.command}d")  # fmt: skip
        return 0
    switches = alerts_store.rule_switches(url)
    firings = alerts_store.alert_firings(url, limit=1000)
    rules = []
    for rule in ruleset.rules:
        mine = firings[firings["rule"] == rule.name]
        last = mine.iloc[0] if not mine.empty else None
        rules.append(
            {
                "name": rule.name,
                "when": rule.kind,
                "subject": rule.subject,
                "severity": rule.severity,
                "channels": list(rule.channels),
                "enabled": switches.get(rule.name, rule.enabled),
                "cooldown_hours": rule.cooldown_hours,
                "digest": rule.digest,
                "last_fired_at": None if last is None else str(last["fired_at"]),
                "last_firing": None if last is None else str(last["why"]),
            }
        )
    text = "\n".join(
        f"{'on ' if r['enabled'] else 'off'} {r['name']}: {r['when']} on {r['subject']} "
        f"[{r['severity']}] → {', '.join(r['channels'])}; "
        f"last fired {r['last_fired_at'] or 'never'}"
        for r in rules
    )
    _print(args.json, {"rules_file": ruleset.path, "rules": rules}, text or "no rules")
    return 0
