"""Alert rules and channels as data: read ``alerts.toml``, validate, return frozen values.

Path order: ``--rules`` > ``TENSION_ALERTS_FILE`` > ``alerts.toml`` in the project folder.
Every problem is an ``AlertRulesError`` naming the file and the rule or channel.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from alerts.errors import AlertRulesError
from scoring import ACTOR_CODES, SIGNAL_CODES

__all__ = [
    "DEFAULT_RULES_PATH",
    "KINDS",
    "RULES_FILE_ENV",
    "SEVERITIES",
    "Channel",
    "Rule",
    "RuleSet",
    "Settings",
    "load_rules",
    "resolve_rules_path",
]

DEFAULT_RULES_PATH = Path(__file__).resolve().parent.parent / "alerts.toml"
RULES_FILE_ENV = "TENSION_ALERTS_FILE"
KINDS = ("spike", "rise", "level", "corroborated", "first_seen")
SEVERITIES = ("info", "warning", "critical")
DIGESTS = ("none", "hourly", "daily")
CHANNEL_TYPES = ("email", "webhook", "atom")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_PAIR = re.compile(r"^([A-Z]{2,4})\s*(<>|↔|>|→)\s*([A-Z]{2,4})$")
_QUIET = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class Settings:
    """The ``[settings]`` table: delivery limits and the zone quiet hours are read in."""

    timezone: str = "UTC"
    timeout: float = 10.0  # seconds per delivery attempt (connect, send, answer)
    attempts_per_run: int = 2  # tries within one run before the message waits for the next
    backoff: float = 1.0  # seconds before the second try in a run; doubles each try
    retry_after: float = 60.0  # seconds before a failed message is due again; doubles, max 6 h
    lookback_days: int = 7  # days of data each evaluation looks back over
    dashboard_url: str = ""  # prefix for links back to the dashboard in messages


@dataclass(frozen=True)
class Channel:
    """Where messages go: an SMTP mailbox, a webhook, or an Atom file."""

    name: str
    type: str
    # email
    host: str = ""
    port: int = 25
    starttls: bool = False
    sender: str = ""
    to: tuple[str, ...] = ()
    username_env: str = ""
    password_env: str = ""
    # webhook
    url: str = ""
    url_env: str = ""
    allow_private: bool = False
    # atom
    path: str = ""
    entries: int = 50


@dataclass(frozen=True)
class Rule:
    """One rule: what it watches, when it fires, how loud, and where its messages go."""

    name: str
    kind: str
    channels: tuple[str, ...]
    actor: str | None = None
    pairs: tuple[tuple[str, str], ...] = ()
    pair_label: str = ""
    signal: str | None = None
    place: str | None = None
    rise_pct: float = 25.0
    baseline_weeks: int = 4
    level: float | None = None
    min_outlets: int = 3
    min_value: float = 1.0
    severity: str = "warning"
    cooldown_hours: float = 0.0
    digest: str = "none"
    quiet_hours: tuple[time, time] | None = None
    lookback_days: int = 7
    enabled: bool = True
    description: str = ""

    @property
    def subject(self) -> str:
        """What the rule watches, in the codes a reader knows (``SRB↔KOS``, ``armed_clash@SRB``)."""
        parts = []
        if self.pair_label:
            parts.append(self.pair_label)
        if self.signal:
            parts.append(self.signal)
        if self.actor:
            parts.append(self.actor)
        if self.place:
            parts.append(f"place {self.place}")
        return " / ".join(parts)


@dataclass(frozen=True)
class RuleSet:
    """A validated rules file."""

    path: str
    settings: Settings
    channels: Mapping[str, Channel]
    rules: tuple[Rule, ...] = field(default_factory=tuple)

    def rule(self, name: str) -> Rule:
        """The rule called ``name``; AlertRulesError when there is none."""
        for rule in self.rules:
            if rule.name == name:
                return rule
        raise AlertRulesError(self.path, f"rule {name!r}", "no such rule in this file")


def resolve_rules_path(cli_value: str | Path | None, environ: Mapping[str, str]) -> Path:
    """``--rules`` > ``TENSION_ALERTS_FILE`` > alerts.toml in the project folder."""
    if cli_value:
        return Path(cli_value)
    env_value = environ.get(RULES_FILE_ENV, "").strip()
    return Path(env_value) if env_value else DEFAULT_RULES_PATH


def load_rules(path: Path | str) -> RuleSet:
    """Read and validate a rules file; AlertRulesError(file, rule, reason) on any problem."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AlertRulesError(path, None, "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AlertRulesError(path, None, f"cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise AlertRulesError(path, None, f"not valid TOML: {exc}") from exc
    unknown = set(data) - {"settings", "channel", "rule"}
    if unknown:
        raise AlertRulesError(path, None, f"unknown table(s): {', '.join(sorted(unknown))}")
    settings = _settings(path, data.get("settings", {}))
    channels: dict[str, Channel] = {}
    for raw in _tables(path, data, "channel"):
        channel = _channel(path, raw)
        if channel.name in channels:
            raise AlertRulesError(path, f"channel {channel.name!r}", "defined twice")
        channels[channel.name] = channel
    rules: list[Rule] = []
    for raw in _tables(path, data, "rule"):
        rule = _rule(path, raw, settings, channels)
        if any(r.name == rule.name for r in rules):
            raise AlertRulesError(path, f"rule {rule.name!r}", "defined twice")
        rules.append(rule)
    return RuleSet(str(path), settings, channels, tuple(rules))


def _tables(path: Path, data: dict, key: str) -> list[dict]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise AlertRulesError(path, None, f"[[{key}]] must be an array of tables")
    return value


class _Reader:
    """Typed access to one table, with errors that name the file and entry."""

    def __init__(self, path: Path, entry: str, raw: dict, known: set[str]) -> None:
        self.path, self.entry, self.raw = path, entry, raw
        extra = set(raw) - known
        if extra:
            self.fail(f"unknown key(s): {', '.join(sorted(extra))}")

    def fail(self, reason: str) -> None:
        raise AlertRulesError(self.path, self.entry, reason)

    def get(self, key: str, kind: type | tuple, default: object = None) -> object:
        value = self.raw.get(key, default)
        if value is None or value is default:
            return value
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            name = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            self.fail(f"{key} must be a {name}, not {value!r}")
        return value

    def number(self, key: str, default: float, *, low: float, high: float) -> float:
        value = self.get(key, float, default)
        if value != value or not low <= value <= high:  # NaN fails too
            self.fail(f"{key} must be between {low:g} and {high:g}, not {value!r}")
        return value  # type: ignore[return-value]

    def choice(self, key: str, options: tuple[str, ...], default: str) -> str:
        value = self.get(key, str, default)
        if value not in options:
            self.fail(f"{key} must be one of {', '.join(options)}, not {value!r}")
        return value  # type: ignore[return-value]


def _settings(path: Path, raw: object) -> Settings:
    if not isinstance(raw, dict):
        raise AlertRulesError(path, "[settings]", "must be a table")
    known = set(Settings.__dataclass_fields__)
    r = _Reader(path, "[settings]", raw, known)
    zone = r.get("timezone", str, "UTC")
    try:
        ZoneInfo(zone)  # type: ignore[arg-type]
    except (ZoneInfoNotFoundError, ValueError):
        r.fail(f"unknown time zone {zone!r}")
    return Settings(
        timezone=zone,  # type: ignore[arg-type]
        timeout=r.number("timeout", 10.0, low=0.1, high=300),
        attempts_per_run=int(r.number("attempts_per_run", 2, low=1, high=10)),
        backoff=r.number("backoff", 1.0, low=0, high=60),
        retry_after=r.number("retry_after", 60.0, low=1, high=86_400),
        lookback_days=int(r.number("lookback_days", 7, low=1, high=3660)),
        dashboard_url=r.get("dashboard_url", str, "").rstrip("/"),  # type: ignore[union-attr]
    )


def _channel(path: Path, raw: dict) -> Channel:
    name = raw.get("name")
    entry = f"channel {name!r}" if isinstance(name, str) else "a channel without a name"
    known = {"name", "type", "host", "port", "starttls", "from", "to", "username_env",
             "password_env", "url", "url_env", "allow_private", "path", "entries"}  # fmt: skip
    r = _Reader(path, entry, raw, known)
    if not isinstance(name, str) or not _NAME.match(name):
        r.fail("name must be letters, digits, '-', '_' or '.'")
    kind = r.choice("type", CHANNEL_TYPES, "")
    if kind == "email":
        to = r.get("to", list, [])
        if isinstance(to, str):
            to = [to]
        if not to or not all(isinstance(a, str) and "@" in a for a in to):
            r.fail("to must list at least one e-mail address")
        sender = r.get("from", str, "")
        if not sender or "@" not in sender:
            r.fail("from must be an e-mail address")
        host = r.get("host", str, "")
        if not host:
            r.fail("host (the SMTP server) is required")
        return Channel(
            name=name, type=kind, host=host,  # type: ignore[arg-type]
            port=int(r.number("port", 25, low=1, high=65535)),
            starttls=bool(r.get("starttls", bool, False)), sender=sender,  # type: ignore[arg-type]
            to=tuple(to), username_env=r.get("username_env", str, ""),  # type: ignore[arg-type]
            password_env=r.get("password_env", str, ""),  # type: ignore[arg-type]
        )  # fmt: skip
    if kind == "webhook":
        url = r.get("url", str, "")
        url_env = r.get("url_env", str, "")
        if bool(url) == bool(url_env):
            r.fail("give exactly one of url or url_env (the variable holding a secret URL)")
        if url and not str(url).lower().startswith(("http://", "https://")):
            r.fail(f"url must be http or https, not {url!r}")
        return Channel(
            name=name, type=kind, url=url, url_env=url_env,  # type: ignore[arg-type]
            allow_private=bool(r.get("allow_private", bool, False)),
        )  # fmt: skip
    target = r.get("path", str, "")
    if not target:
        r.fail("path (the Atom file to write) is required")
    base = Path(path).resolve().parent
    full = Path(target) if Path(target).is_absolute() else base / target  # type: ignore[arg-type]
    return Channel(
        name=name, type=kind, path=str(full),  # type: ignore[arg-type]
        entries=int(r.number("entries", 50, low=1, high=1000)),
    )


def _pairs(r: _Reader, value: str) -> tuple[tuple[tuple[str, str], ...], str]:
    match = _PAIR.match(value.strip())
    if not match:
        r.fail(f"pair must look like 'SRB>KOS' (directed) or 'SRB<>KOS' (both), not {value!r}")
    a, arrow, b = match.groups()  # type: ignore[union-attr]
    for code in (a, b):
        if code not in ACTOR_CODES:
            r.fail(f"unknown actor code {code!r} in pair")
    if a == b:
        r.fail("a pair needs two different actors")
    if arrow in ("<>", "↔"):
        return ((a, b), (b, a)), f"{a}↔{b}"
    return ((a, b),), f"{a}→{b}"


def _rule(path: Path, raw: dict, settings: Settings, channels: Mapping[str, Channel]) -> Rule:
    name = raw.get("name")
    entry = f"rule {name!r}" if isinstance(name, str) else "a rule without a name"
    known = {"name", "when", "channels", "actor", "pair", "signal", "place", "rise_pct",
             "baseline_weeks", "level", "min_outlets", "min_value", "severity",
             "cooldown_hours", "digest", "quiet_hours", "lookback_days", "enabled",
             "description"}  # fmt: skip
    r = _Reader(path, entry, raw, known)
    if not isinstance(name, str) or not _NAME.match(name):
        r.fail("name must be letters, digits, '-', '_' or '.'")
    kind = r.choice("when", KINDS, "")
    actor = r.get("actor", str)
    if actor is not None and actor not in ACTOR_CODES:
        r.fail(f"unknown actor code {actor!r} (known: {', '.join(ACTOR_CODES)})")
    signal = r.get("signal", str)
    if signal is not None and signal not in SIGNAL_CODES:
        r.fail(f"unknown signal code {signal!r}")
    place = r.get("place", str)
    pair_raw = r.get("pair", str)
    pairs, label = _pairs(r, pair_raw) if pair_raw else ((), "")  # type: ignore[arg-type]
    if pairs and (actor or signal or place):
        r.fail("a pair rule watches the pair only: leave actor, signal and place out")
    if not (pairs or actor or signal or place):
        r.fail("say what the rule watches: actor, pair, signal or place")
    if kind == "first_seen" and not actor:
        r.fail("when = 'first_seen' needs the actor whose new signals it reports")
    if kind == "first_seen" and (pairs or place):
        r.fail("when = 'first_seen' watches an actor (and optionally one signal) only")
    level = r.get("level", float)
    if kind == "level" and level is None:
        r.fail("when = 'level' needs level = the index value to cross")
    chosen = r.get("channels", list, [])
    if not chosen:
        r.fail("channels must name at least one [[channel]]")
    for ch in chosen:  # type: ignore[union-attr]
        if ch not in channels:
            r.fail(f"channel {ch!r} is not defined in this file")
    quiet = r.get("quiet_hours", str)
    return Rule(
        name=name,  # type: ignore[arg-type]
        kind=kind,
        channels=tuple(chosen),  # type: ignore[arg-type]
        actor=actor,  # type: ignore[arg-type]
        pairs=pairs,
        pair_label=label,
        signal=signal,  # type: ignore[arg-type]
        place=place,  # type: ignore[arg-type]
        rise_pct=r.number("rise_pct", 25.0, low=0, high=100_000),
        baseline_weeks=int(r.number("baseline_weeks", 4, low=0 if kind == "first_seen" else 1,
                                    high=104)),
        level=level,  # type: ignore[arg-type]
        min_outlets=int(r.number("min_outlets", 3, low=2, high=1000)),
        min_value=r.number("min_value", 1.0, low=0, high=1e9),
        severity=r.choice("severity", SEVERITIES, "warning"),
        cooldown_hours=r.number("cooldown_hours", 0.0, low=0, high=24 * 365),
        digest=r.choice("digest", DIGESTS, "none"),
        quiet_hours=_quiet(r, quiet) if quiet else None,  # type: ignore[arg-type]
        lookback_days=int(r.number("lookback_days", settings.lookback_days, low=1, high=3660)),
        enabled=bool(r.get("enabled", bool, True)),
        description=r.get("description", str, ""),  # type: ignore[arg-type]
    )


def _quiet(r: _Reader, value: str) -> tuple[time, time]:
    match = _QUIET.match(value.strip())
    if not match:
        r.fail(f"quiet_hours must look like '22:00-07:00', not {value!r}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())  # type: ignore[union-attr]
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59 or (h1, m1) == (h2, m2):
        r.fail(f"quiet_hours must be two different times of day, not {value!r}")
    return time(h1, m1), time(h2, m2)
