"""Load and validate the lexicon data files into one immutable Lexicon.

All phrases of all files (signals, actors, discards, negation cues, clause
boundaries) go into ONE Aho-Corasick automaton, so an item is scanned once
whatever the size of the lexicon. The automaton runs over the spaced text (see
``text.py``: every non-alphanumeric character is a space, plus one space of
padding at each end), and a key that needs a word boundary carries a space on
that side, so "ne" never fires inside "new" and most candidates need no Python
check at all. Phrases made only of punctuation (".", ";") cannot be found in
spaced text; the one-character ones are found with str.find in the folded text,
longer ones (" - ") stay in the automaton as spaces and are compared exactly.
Validation fails loudly with the file, the entry and the reason (LexiconError)
instead of scoring with a broken dictionary.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import ahocorasick

from scoring.errors import LexiconError
from scoring.places import Gazetteer, compile_places
from scoring.taxonomy import ACTOR_CODES, SIGNAL_CODES, signal_sign
from scoring.text import fold_pattern, spaced

__all__ = [
    "Gate",
    "Lexicon",
    "Rule",
    "load_lexicon",
    "reason_words",
]

FILES = ("signals.toml", "actors.toml", "discards.toml", "negation.toml", "places.toml")

# Rule kinds. Small ints keep the hot loop cheap.
SIGNAL, ACTOR, DENIAL, DENIAL_OBJ, CLAIM, NEG, HEDGE, IRREALIS, REPORT, BREAK, SOFT, DISCARD = (
    range(12)
)
PLACE = 12  # a gazetteer alias (places.toml); its value is the place id
CUE_KINDS = frozenset({DENIAL, DENIAL_OBJ, CLAIM, NEG, HEDGE, IRREALIS, REPORT})
# Which list of the matcher's result a rule's hits go to (see matcher.Scan).
DEST_SIGNAL, DEST_GATED, DEST_ACTOR, DEST_CUE, DEST_BREAK, DEST_DISCARD, DEST_PLACE = range(7)
THIRD_PARTY = ""  # actor "code" of a speaker without an actor code
NOBODY = "-"  # actor "code" of words that look like an alias but name no actor
_MIN_STEM = 3


@dataclass(frozen=True, slots=True)
class Gate:
    """Condition on a gated signal rule: who must speak, or who must be named nearby."""

    speaker: frozenset[str]
    cooccur: frozenset[str]
    other_actor: bool = False  # an accuser other than the subject is named in the clause
    # the speaker must be the headline's colon speaker, talking about another actor
    # ("Kurti: Vučić plans ..."): a plan verb is an accusation only as a quoted claim
    quoted: bool = False
    # words that may stand between a claim noun and its accuser named after it ("by")
    accuser_after: frozenset[str] = frozenset()
    # the speaker of a verb of saying is the actor next to it, in its comma segment:
    # "before" ("..., Serbian President Vucic said"), "around" (also "..., says Rama")
    nearest: str = ""
    # derived: the gate asks only for a co-named actor in the clause, which the scorer
    # can check before it works out whom the mention belongs to
    cooccur_only: bool = dataclasses.field(init=False, default=False)

    def __post_init__(self) -> None:
        only = bool(self.cooccur) and not (self.speaker or self.other_actor or self.quoted
                                           or self.nearest)
        object.__setattr__(self, "cooccur_only", only)


@dataclass(frozen=True, slots=True)
class Rule:
    """One compiled phrase: what it means and how to check a candidate hit."""

    kind: int
    value: str  # signal code, actor code, discard name, or the cue text
    source: str  # the phrase as written in the data file
    prefix: bool  # key is a stem: no right word boundary
    verifier: re.Pattern[str] | None  # full-phrase check for inner stems
    need_left: bool
    need_right: bool
    lang: str | None = None  # language family the rule is limited to
    cased: str | None = None  # exact original spelling required
    gate: Gate | None = None
    valid_from: int | None = None
    valid_to: int | None = None
    unambiguous: bool = True
    capital: bool = False  # a capital-city alias (a club name in sport items)
    negated_only: bool = False  # counts only when negated ("without incident")


@dataclass(frozen=True, slots=True)
class DirectionRules:
    """When a signal moves the item's direction other than by its own ``moves_direction``.

    ``openers``: a title that opens as a question or an analysis ("What if Dodik ...",
    "Zašto ...") is neutral whatever it tags (LABELS.md: analysis is neutral).
    ``neutral_discards``: discards.toml contexts that, named in the title, make the item
    neutral (a trial or verdict story: LABELS.md lists verdicts as neutral).
    ``moves_when``: (signals, regex over the folded title and summary): a statement signal
    that reports a concrete act, such as a deployment, moves the direction by its sign.
    ``still_when``: (signals, other signals, regex or None): the signal stays asserted
    but leaves the direction alone when one of the other signals is asserted or the
    regex matches (friendly summits with Moscow or Beijing, failed or merely planned talks).
    """

    openers: re.Pattern[str] | None
    neutral_discards: frozenset[str]
    moves_when: tuple[tuple[frozenset[str], re.Pattern[str]], ...]
    still_when: tuple[tuple[frozenset[str], frozenset[str], re.Pattern[str] | None], ...]


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Immutable compiled lexicon; ``version`` is stored with every score."""

    version: str
    # ahocorasick.Automaton over spaced text: padded key -> (back, klen, check, prefix,
    # dest, rank, rule, None) for a key with one plain rule, else (..., groups) with
    # groups of (back, klen, check, prefix, simple, complex); see _Builder.automaton
    automaton: Any
    weights: dict[str, float]
    hedge_factor: float
    # signal -> (weight, hedged weight), each rounded to 4 places as evidence shows it
    rounded_weights: dict[str, tuple[float, float]]
    groups: dict[str, frozenset[str]]
    immune: frozenset[str]
    discard_scope: dict[str, str]
    discard_suppresses: dict[str, frozenset[str]]
    phrase_count: int
    # signal -> actors whose every mention asserts it (NATO/KFOR -> nato_statement)
    actor_triggers: dict[str, str]
    # signal -> (speakers, co-named actors) that stop it: a NATO deployment is not a
    # regional build-up; a meeting with Russia is influence, not diplomacy
    unless: dict[str, Gate]
    # one-character punctuation keys, found with str.find in folded text:
    # character -> (klen, simple, complex) rules
    punct_rules: dict[str, tuple[int, tuple[Any, ...], tuple[Any, ...]]]
    # (discard rule, regex over the folded text): score lines such as "2:1"
    discard_regex: tuple[tuple[Rule, re.Pattern[str]], ...] = ()
    # discards in whose items capital-city aliases name a club, not a state
    capital_discards: frozenset[str] = frozenset()
    # words that end a denial's reach after its first negated mention ("... at the rally")
    setting_re: re.Pattern[str] | None = None
    # official bodies whose "X: there was no Y" is a denial
    official_re: re.Pattern[str] | None = None
    # words naming a part in an act ("role in", "anything to do with"): a denial of them
    # denies the attribution, so the act after them is neither asserted nor negated
    role_re: re.Pattern[str] | None = None
    # signal -> (words before it that make its subject a victim, the signal that must
    # precede): "Gunmen fire on police" is no police action
    victim: dict[str, tuple[re.Pattern[str], str]] | None = None
    # (derived signal, source signal, speakers): an accusation by Russia is influence too
    implied: tuple[tuple[str, str, frozenset[str], bool], ...] = ()
    # the source signals of ``implied``, for a set lookup per mention
    implied_sources: frozenset[str] = frozenset()
    # signals that count in the score but do not set the direction (LABELS.md: a third
    # party's appeal with no concrete measure is neutral)
    direction_neutral: frozenset[str] = frozenset()
    # the place gazetteer (places.toml): towns and crossings -> their country actor
    places: Gazetteer | None = None
    # why a match did not count, in words: discard name or reason -> text (discards.toml
    # `explains` and [reasons]); see ``reason_words``
    reasons: dict[str, str] | None = None
    # signals whose summary-only mentions give way to another act in the title
    # (signals.toml `title_led`)
    title_led: frozenset[str] = frozenset()
    # signals.toml [direction]: analysis openers and the exceptions to direction_neutral
    direction: DirectionRules | None = None
    # signals that calls, plans and futures do not suppress (negation.toml [irrealis]
    # `asserted`): a threatened referendum is the secession move (LABELS.md)
    irrealis_asserted: frozenset[str] = frozenset()
    # signals that a negation keeps from being asserted but that never go to `negated`:
    # statements are not denied facts ("X did not react", "Serbia is nobody's puppet")
    unreported_negated: frozenset[str] = frozenset()
    # signal -> (other signal, regex over folded mention text): when the other signal is
    # asserted in the item, only mentions matching the regex count (a protest's clashes
    # are armed_clash only with casualties, LABELS.md)
    only_with: dict[str, tuple[str, re.Pattern[str]]] | None = None
    # discard -> words that, said earlier in the sentence, leave the main clause without an
    # event of its own ("Tensions rise amid protests": the protest is the news)
    discard_unless_before: dict[str, re.Pattern[str]] | None = None


def _compile(pattern: str, file: str, entry: str) -> list[tuple[str, bool, re.Pattern[str] | None]]:
    """Folded automaton keys for one phrase: (key, is_prefix, verifier)."""
    if not isinstance(pattern, str) or not pattern.strip() or pattern.strip() == "*":
        raise LexiconError(file, entry, f"empty pattern {pattern!r}")
    out = []
    for folded in fold_pattern(pattern):
        star = folded.find("*")
        gap = folded.find(" ~")  # a "~" word before any stem also needs the verifier
        if gap >= 0 and (star < 0 or gap < star):
            star = gap
        if star < 0:
            out.append((folded, False, None))
            continue
        key = folded[:star]
        if star == len(folded) - 1 and len(key.split(" ")[-1]) < _MIN_STEM:
            raise LexiconError(file, entry, f"stem too short in {pattern!r}")
        if not key.strip():
            raise LexiconError(file, entry, f"pattern {pattern!r} starts with a stem marker")
        if star == len(folded) - 1:
            out.append((key, True, None))
            continue
        parts = []
        for word in folded.split(" "):
            if word == "~":
                parts.append(r"\w+")  # any one word: "lower* ~ readiness"
            elif word.endswith("*"):
                parts.append(re.escape(word[:-1]) + r"\w*")
            else:
                parts.append(re.escape(word))
        regex = r"[\s\-]+".join(parts)
        if not folded.endswith("*") and folded[-1].isalnum():
            regex += r"(?!\w)"
        out.append((key.rstrip(), True, re.compile(regex)))
    return out


class _Builder:
    """Collects rules per automaton key, checking alias ownership as it goes."""

    def __init__(self) -> None:
        self.keys: dict[str, list[Rule]] = {}
        self.alias_owner: dict[tuple[str, bool, str, str], str] = {}
        self.count = 0

    def add(self, pattern: str, kind: int, value: str, file: str, entry: str, **extra: Any) -> None:
        for key, prefix, verifier in _compile(pattern, file, entry):
            rule = Rule(
                kind=kind,
                value=value,
                source=pattern,
                prefix=prefix,
                verifier=verifier,
                need_left=key[0].isalnum(),
                need_right=(not prefix) and key[-1].isalnum(),
                **extra,
            )
            if kind == ACTOR:
                ident = (key, prefix, verifier.pattern if verifier else "", rule.cased or "")
                owner = self.alias_owner.setdefault(ident, value)
                if owner != value:
                    who = owner or "third_parties"
                    raise LexiconError(file, entry, f"alias {pattern!r} already belongs to {who}")
            bucket = self.keys.setdefault(key, [])
            if rule not in bucket:
                bucket.append(rule)
                self.count += 1

    def automaton(self, places: dict[str, str] | None = None) -> tuple[Any, dict[str, Any]]:
        """The spaced-text automaton, plus the rules of one-character punctuation.

        A key becomes up to three automaton keys, one per way of ending a hit: "exact"
        (padded on the right when it needs a right word boundary), "prefix" (a stem:
        the hit runs to the end of the word) and "verify" (an inner-stem regex decides).
        The left pad stands for the left word boundary. ``check`` is the folded key
        when it holds a non-alphanumeric character, because spacing maps "-", "'"
        and " " alike; an all-alphanumeric key found in spaced text is already exact.
        Each rule carries its rank and destination list; rules with a language, an
        exact spelling or a verifier are "complex" and checked one by one.
        ``places`` (gazetteer key -> place id, keys already padded as in places.py) join
        the same automaton, so one pass over the text also finds the places it names.
        """
        groups: dict[str, list[tuple[Any, ...]]] = {}
        punct: dict[str, tuple[int, tuple[Any, ...], tuple[Any, ...]]] = {}
        for key in sorted(self.keys):
            klen = len(key)
            by_mode: dict[str, tuple[list[Any], list[Any]]] = {}
            for idx, r in enumerate(self.keys[key]):
                mode = "verify" if r.verifier is not None else "prefix" if r.prefix else "exact"
                simple = r.verifier is None and r.lang is None and r.cased is None
                entry = (_rank(r, klen, idx), r, _dest(r))
                by_mode.setdefault(mode, ([], []))[0 if simple else 1].append(entry)
            if not any(c.isalnum() for c in key) and klen == 1:
                simple_rules, complex_rules = [], []
                for s, c in by_mode.values():
                    simple_rules += s
                    complex_rules += c
                punct[key] = (klen, tuple(simple_rules), _checks(complex_rules))
                continue
            left = " " if key[0].isalnum() else ""
            check = None if key.isalnum() else key
            for mode, (simple_rules, complex_rules) in by_mode.items():
                right = " " if mode == "exact" and key[-1].isalnum() else ""
                akey = left + spaced(key) + right
                groups.setdefault(akey, []).append((
                    len(akey) - len(left), klen, check, mode == "prefix",
                    tuple(simple_rules), _checks(complex_rules),
                ))
        for akey, pid in (places or {}).items():
            stem = not akey.endswith(" ")
            rule = Rule(kind=PLACE, value=pid, source=akey.strip(), prefix=stem, verifier=None,
                        need_left=True, need_right=not stem)
            # prefix False: the place's span is never used, only its id
            groups.setdefault(akey, []).append((
                len(akey) - 1, len(akey.strip()), None, False, ((0, rule, DEST_PLACE),), (),
            ))
        auto = ahocorasick.Automaton()
        for akey, gs in groups.items():
            back, klen, check, prefix, simple_rules, complex_rules = gs[0]
            if len(gs) == 1 and len(simple_rules) == 1 and not complex_rules:
                # the common case, unpacked in one step by the matcher
                rank, rule, dest = simple_rules[0]
                auto.add_word(akey, (back, klen, check, prefix, dest, rank, rule, None))
            else:
                auto.add_word(akey, (0, 0, None, False, 0, 0, None, tuple(gs)))
        auto.make_automaton()
        return auto, punct


def _checks(rules: list[tuple[int, Rule, int]]) -> tuple[Any, ...]:
    """The "complex" rules of one key and mode as ``(any_verifier, rules)``, or () if none.

    ``any_verifier`` is the alternation of the rules' verifiers when every rule has one
    and there are several ("block* the road*", "block* legislation", ...): when it does
    not match at a candidate, none of them can, and one regex call settles them all.
    """
    if not rules:
        return ()
    any_verifier = None
    if len(rules) > 1 and all(r.verifier is not None for _, r, _ in rules):
        any_verifier = re.compile("|".join(f"(?:{r.verifier.pattern})"  # type: ignore[union-attr]
                                           for _, r, _ in rules))
    return any_verifier, tuple(rules)


def _rank(rule: Rule, klen: int, idx: int) -> int:
    """Sort key of a hit after (start, end): kind, plain before gated, shorter key first,
    then the rule's place in its key. This is the order of the first matcher (automaton
    order, then stable sorts), which attribution depends on when two actors share a span."""
    return ((rule.kind * 2 + (rule.gate is not None)) << 40) | (klen << 20) | idx


def _dest(rule: Rule) -> int:
    if rule.kind == SIGNAL:
        return DEST_GATED if rule.gate is not None else DEST_SIGNAL
    if rule.kind == ACTOR:
        return DEST_ACTOR
    if rule.kind in CUE_KINDS:
        return DEST_CUE
    if rule.kind in (BREAK, SOFT):
        return DEST_BREAK
    if rule.kind == PLACE:
        return DEST_PLACE
    return DEST_DISCARD


def _read(data_dir: Path | None, name: str) -> tuple[dict[str, Any], bytes]:
    try:
        if data_dir is None:
            raw = resources.files("scoring").joinpath("data").joinpath(name).read_bytes()
        else:
            raw = (Path(data_dir) / name).read_bytes()
    except OSError as exc:
        raise LexiconError(name, "-", f"cannot read: {exc}") from exc
    try:
        return tomllib.loads(raw.decode("utf-8")), raw
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LexiconError(name, "-", f"not valid TOML: {exc}") from exc


def _strings(value: Any, file: str, entry: str, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LexiconError(file, entry, f"{what} must be a list of strings")
    return value


def _load_actors(doc: dict[str, Any], b: _Builder) -> dict[str, frozenset[str]]:
    file = "actors.toml"
    seen: set[str] = set()
    for i, actor in enumerate(doc.get("actor", [])):
        code = actor.get("code")
        entry = f"actor[{i}] {code}"
        if code not in ACTOR_CODES:
            raise LexiconError(file, entry, f"unknown actor code {code!r}")
        if code in seen:
            raise LexiconError(file, entry, "actor listed twice")
        seen.add(code)
        for alias in _strings(actor.get("aliases", []), file, entry, "aliases"):
            b.add(alias, ACTOR, code, file, entry)
        for alias in _strings(actor.get("cased", []), file, entry, "cased"):
            b.add(alias, ACTOR, code, file, entry, cased=alias)
        for fam, aliases in actor.get("by_lang", {}).items():
            for alias in _strings(aliases, file, entry, f"by_lang.{fam}"):
                b.add(alias, ACTOR, code, file, entry, lang=fam)
        for j, holder in enumerate(actor.get("holder", [])):
            hentry = f"{entry} holder[{j}]"
            start, end = holder.get("valid_from"), holder.get("valid_to")
            if start is not None and end is not None and start > end:
                raise LexiconError(file, hentry, "valid_from is after valid_to")
            names = _strings(holder.get("names", []), file, hentry, "names")
            if not names:
                raise LexiconError(file, hentry, "holder without names")
            for name in names:
                b.add(
                    name, ACTOR, code, file, hentry,
                    valid_from=start, valid_to=end,
                    unambiguous=bool(holder.get("unambiguous", False)),
                )
    missing = [c for c in ACTOR_CODES if c not in seen]
    if missing:
        raise LexiconError(file, "-", f"actor codes without aliases: {', '.join(missing)}")
    capitals = set(_strings(doc.get("capitals", {}).get("aliases", []), file, "capitals",
                            "aliases"))
    if capitals:
        for rules in b.keys.values():
            for i, r in enumerate(rules):
                if r.kind == ACTOR and r.source in capitals:
                    rules[i] = dataclasses.replace(r, capital=True)
    nobody = doc.get("nobody", {})
    for alias in _strings(nobody.get("aliases", []), file, "nobody", "aliases"):
        b.add(alias, ACTOR, NOBODY, file, "nobody")
    for alias in _strings(nobody.get("cased", []), file, "nobody", "cased"):
        b.add(alias, ACTOR, NOBODY, file, "nobody", cased=alias)
    third = doc.get("third_parties", {})
    for alias in _strings(third.get("aliases", []), file, "third_parties", "aliases"):
        b.add(alias, ACTOR, THIRD_PARTY, file, "third_parties")
    for alias in _strings(third.get("cased", []), file, "third_parties", "cased"):
        b.add(alias, ACTOR, THIRD_PARTY, file, "third_parties", cased=alias)
    groups: dict[str, frozenset[str]] = {}
    for name, members in doc.get("groups", {}).items():
        members = _strings(members, file, f"groups.{name}", "members")
        bad = [m for m in members if m not in ACTOR_CODES and m != "@third"]
        if bad:
            raise LexiconError(file, f"groups.{name}", f"unknown actor codes {bad}")
        groups[name] = frozenset(THIRD_PARTY if m == "@third" else m for m in members)
    return groups


def _actor_set(
    values: list[str], groups: dict[str, frozenset[str]], file: str, entry: str
) -> frozenset[str]:
    out: set[str] = set()
    for v in values:
        if v.startswith("@"):
            if v[1:] not in groups:
                raise LexiconError(file, entry, f"unknown actor group {v!r}")
            out |= groups[v[1:]]
        elif v in ACTOR_CODES:
            out.add(v)
        else:
            raise LexiconError(file, entry, f"unknown actor code {v!r}")
    return frozenset(out)


def _word_regex(words: list[str]) -> re.Pattern[str]:
    """One regex for folded words or phrases (a trailing "*" is a stem), on word bounds."""
    parts = []
    for w in sorted(words, key=len, reverse=True):
        for folded in fold_pattern(w):
            # every word may be a stem ("poveca* prisustv*"), as in the automaton's phrases
            parts.append(r"\s+".join(
                re.escape(word[:-1]) + r"\w*" if word.endswith("*") else re.escape(word)
                for word in folded.split()))
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


def _load_signals(
    doc: dict[str, Any], b: _Builder, groups: dict[str, frozenset[str]]
) -> tuple[dict[str, float], dict[str, str], dict[str, Gate], dict[str, Any]]:
    file = "signals.toml"
    sets = doc.get("sets", {})
    for name, phrases in sets.items():
        _strings(phrases, file, f"sets.{name}", "set")

    def expand(patterns: list[str], entry: str) -> list[str]:
        out = []
        for p in patterns:
            if p.startswith("@"):
                if p[1:] not in sets:
                    raise LexiconError(file, entry, f"unknown phrase set {p!r}")
                out.extend(sets[p[1:]])
            else:
                out.append(p)
        return out

    weights: dict[str, float] = {}
    triggers: dict[str, str] = {}
    unless: dict[str, Gate] = {}
    victim: dict[str, tuple[re.Pattern[str], str]] = {}
    only_with: dict[str, tuple[str, re.Pattern[str]]] = {}
    implied: list[tuple[str, str, frozenset[str], bool]] = []
    neutral: set[str] = set()
    title_led: set[str] = set()
    for i, sig in enumerate(doc.get("signal", [])):
        code = sig.get("code")
        entry = f"signal[{i}] {code}"
        if code not in SIGNAL_CODES:
            raise LexiconError(file, entry, f"unknown signal code {code!r}")
        if code in weights:
            raise LexiconError(file, entry, "signal listed twice")
        weight = sig.get("weight")
        if not isinstance(weight, int | float):
            raise LexiconError(file, entry, "weight must be a number")
        sign = signal_sign(code)
        if sig.get("sign", sign) != sign:
            raise LexiconError(
                file, entry, f"sign {sig.get('sign')} contradicts the taxonomy ({sign})"
            )
        if (weight > 0) - (weight < 0) != sign:
            raise LexiconError(
                file, entry, f"weight {weight} contradicts the taxonomy sign {sign:+d}"
            )
        if not sig.get("goldstein"):
            raise LexiconError(file, entry, "weight without a goldstein justification")
        weights[code] = float(weight)
        moves = sig.get("moves_direction", True)
        if not isinstance(moves, bool):
            raise LexiconError(file, entry, "moves_direction must be true or false")
        if not moves:
            neutral.add(code)
        led = sig.get("title_led", False)
        if not isinstance(led, bool):
            raise LexiconError(file, entry, "title_led must be true or false")
        if led:
            title_led.add(code)
        for actor in _actor_set(sig.get("actor_trigger", []), groups, file, entry):
            if actor in triggers:
                raise LexiconError(file, entry, f"actor {actor} already triggers {triggers[actor]}")
            triggers[actor] = code
        if "unless_speaker" in sig or "unless_cooccur" in sig:
            unless[code] = Gate(
                speaker=_actor_set(sig.get("unless_speaker", []), groups, file, entry),
                cooccur=_actor_set(sig.get("unless_cooccur", []), groups, file, entry),
            )
        patterns = expand(_strings(sig.get("patterns", []), file, entry, "patterns"), entry)
        gated = sig.get("gated", [])
        triggered = code in triggers.values()
        if not patterns and not gated and not triggered and sig.get("from") != "negation":
            raise LexiconError(file, entry, "signal without patterns")
        for p in patterns:
            b.add(p, SIGNAL, code, file, entry)
        for p in _strings(sig.get("negated_only", []), file, entry, "negated_only"):
            b.add(p, SIGNAL, code, file, f"{entry} negated_only", negated_only=True)
        if "victim_words" in sig:
            after = sig.get("victim_after")
            if after not in SIGNAL_CODES:
                raise LexiconError(file, entry, f"victim_after: unknown signal code {after!r}")
            words = _strings(sig["victim_words"], file, entry, "victim_words")
            victim[code] = (_word_regex(words), after)
        if "with_signal" in sig:
            other = sig.get("with_signal")
            if other not in SIGNAL_CODES:
                raise LexiconError(file, entry, f"with_signal: unknown signal code {other!r}")
            needs = expand(_strings(sig.get("with_signal_needs", []), file, entry,
                                    "with_signal_needs"), entry)
            if not needs:
                raise LexiconError(file, entry, "with_signal without with_signal_needs")
            only_with[code] = (other, _word_regex(needs))
        for j, imp in enumerate(sig.get("implied_by", [])):
            src = imp.get("signal")
            if src not in SIGNAL_CODES:
                raise LexiconError(file, f"{entry} implied_by[{j}]", f"unknown signal {src!r}")
            speakers = _actor_set(imp.get("speaker", []), groups, file, entry)
            # by_colon: a headline speaker before the colon is the one who speaks, not
            # the subject after it ("Dodik: Schmidt is an occupier" is Dodik's accusation)
            implied.append((code, src, speakers, bool(imp.get("by_colon", False))))
        for j, g in enumerate(gated):
            gentry = f"{entry} gated[{j}]"
            gate = Gate(
                speaker=_actor_set(g.get("speaker", []), groups, file, gentry),
                cooccur=_actor_set(g.get("cooccur", []), groups, file, gentry),
                other_actor=bool(g.get("other_actor", False)),
                quoted=bool(g.get("quoted", False)),
                nearest=str(g.get("nearest", "")),
                accuser_after=frozenset(
                    fold_pattern(w)[0]
                    for w in _strings(g.get("accuser_after", []), file, gentry, "accuser_after")
                ),
            )
            if gate.quoted and not gate.speaker:
                raise LexiconError(file, gentry, "quoted gate needs speaker")
            if not gate.speaker and not gate.cooccur and not gate.other_actor:
                raise LexiconError(file, gentry, "gated rule needs speaker, cooccur or other_actor")
            for p in expand(_strings(g.get("patterns", []), file, gentry, "patterns"), gentry):
                b.add(p, SIGNAL, code, file, gentry, gate=gate)
    missing = [c for c in SIGNAL_CODES if c not in weights]
    if missing:
        raise LexiconError(file, "-", f"signal codes missing: {', '.join(missing)}")
    return weights, triggers, unless, {"victim": victim, "implied": tuple(implied),
                                       "only_with": only_with,
                                       "neutral": frozenset(neutral),
                                       "title_led": frozenset(title_led)}


def _load_direction(doc: dict[str, Any]) -> DirectionRules | None:
    file = "signals.toml"
    sec = doc.get("direction")
    if sec is None:
        return None
    if not isinstance(sec, dict):
        raise LexiconError(file, "direction", "must be a table")
    sets = doc.get("sets", {})

    def words(values: Any, entry: str, key: str) -> list[str]:
        out: list[str] = []
        for w in _strings(values, file, entry, key):
            if w.startswith("@"):
                if w[1:] not in sets:
                    raise LexiconError(file, entry, f"unknown phrase set {w!r}")
                out.extend(sets[w[1:]])
            else:
                out.append(w)
        return out

    def codes(values: Any, entry: str, key: str) -> frozenset[str]:
        found = _strings(values, file, entry, key)
        bad = [c for c in found if c not in SIGNAL_CODES]
        if bad:
            raise LexiconError(file, entry, f"unknown signal code {bad[0]!r}")
        return frozenset(found)

    openers = words(sec.get("analysis_openers", []), "direction", "analysis_openers")
    moves = []
    for i, rule in enumerate(sec.get("moves_when", [])):
        entry = f"direction.moves_when[{i}]"
        pats = words(rule.get("patterns", []), entry, "patterns")
        if not pats:
            raise LexiconError(file, entry, "moves_when rule without patterns")
        moves.append((codes(rule.get("signals", []), entry, "signals"), _word_regex(pats)))
    still = []
    for i, rule in enumerate(sec.get("still_when", [])):
        entry = f"direction.still_when[{i}]"
        pats = words(rule.get("patterns", []), entry, "patterns")
        others = codes(rule.get("with_signals", []), entry, "with_signals")
        if not pats and not others:
            raise LexiconError(file, entry, "still_when rule needs patterns or with_signals")
        still.append((codes(rule.get("signals", []), entry, "signals"), others,
                      _word_regex(pats) if pats else None))
    # openers count at the very start of the folded title only (used with .match)
    opener_re = re.compile(r"\W*(?:" + _word_regex(openers).pattern + ")") if openers else None
    neutral_discards = frozenset(_strings(sec.get("neutral_discards", []), file, "direction",
                                          "neutral_discards"))
    return DirectionRules(opener_re, neutral_discards, tuple(moves), tuple(still))


def _load_reasons(doc: dict[str, Any]) -> dict[str, str]:
    file = "discards.toml"
    out: dict[str, str] = {}
    for i, d in enumerate(doc.get("discard", [])):
        words = d.get("explains")
        if not isinstance(words, str) or not words.strip():
            raise LexiconError(file, f"discard[{i}] {d.get('name')}",
                               "explains: say in words what the discard stops")
        out[str(d.get("name"))] = words.strip()
    reasons = doc.get("reasons", {})
    if not isinstance(reasons, dict):
        raise LexiconError(file, "reasons", "must be a table of name = words")
    for name, words in reasons.items():
        if not isinstance(words, str) or not words.strip():
            raise LexiconError(file, f"reasons.{name}", "must be a non-empty string")
        out[name] = words.strip()
    return out


def reason_words(reason: str | None, negated: bool = False,
                 lexicon: Lexicon | None = None) -> str:
    """Why a match did not count, in the analyst's words ("" when it counted)."""
    if negated:
        reason = "denied"
    if not reason:
        return ""
    table = (lexicon or load_lexicon()).reasons or {}
    return table.get(reason) or reason.replace("_", " ")


def _check_discard_names(rules: DirectionRules | None,
                         scopes: dict[str, str]) -> DirectionRules | None:
    unknown = sorted(rules.neutral_discards - scopes.keys()) if rules else []
    if unknown:
        raise LexiconError("signals.toml", "direction",
                           f"neutral_discards: unknown discard {unknown[0]!r}")
    return rules


def _load_discards(
    doc: dict[str, Any], b: _Builder
) -> tuple[dict[str, str], dict[str, frozenset[str]], tuple[tuple[Rule, re.Pattern[str]], ...],
           frozenset[str], dict[str, re.Pattern[str]]]:
    file = "discards.toml"
    scopes: dict[str, str] = {}
    suppresses: dict[str, frozenset[str]] = {}
    regexes: list[tuple[Rule, re.Pattern[str]]] = []
    capital_names: set[str] = set()
    unless_before: dict[str, re.Pattern[str]] = {}
    everything = frozenset(SIGNAL_CODES)
    for i, d in enumerate(doc.get("discard", [])):
        name = d.get("name")
        entry = f"discard[{i}] {name}"
        if not isinstance(name, str) or not name:
            raise LexiconError(file, entry, "discard without a name")
        if name in scopes:
            raise LexiconError(file, entry, "discard name used twice")
        scope = d.get("scope", "sentence")
        if scope not in ("phrase", "clause", "sentence", "item"):
            raise LexiconError(file, entry, f"unknown scope {scope!r}")
        codes = _strings(d.get("suppresses", sorted(everything)), file, entry, "suppresses")
        bad = [c for c in codes if c not in SIGNAL_CODES]
        if bad:
            raise LexiconError(file, entry, f"unknown signal code {bad[0]!r}")
        scopes[name] = scope
        suppresses[name] = frozenset(codes)
        for p in _strings(d.get("patterns", []), file, entry, "patterns"):
            b.add(p, DISCARD, name, file, entry)
        for p in _strings(d.get("regex", []), file, entry, "regex"):
            try:
                rx = re.compile(p)
            except re.error as exc:
                raise LexiconError(file, entry, f"bad regex {p!r}: {exc}") from exc
            rule = Rule(kind=DISCARD, value=name, source=p, prefix=False, verifier=None,
                        need_left=False, need_right=False)
            regexes.append((rule, rx))
        if d.get("drops_capitals", False):
            capital_names.add(name)
        if "unless_before" in d:
            unless_before[name] = _word_regex(_strings(d["unless_before"], file, entry,
                                                       "unless_before"))
    return scopes, suppresses, tuple(regexes), frozenset(capital_names), unless_before


def _load_negation(
    doc: dict[str, Any], b: _Builder
) -> tuple[float, frozenset[str], dict[str, re.Pattern[str] | None]]:
    file = "negation.toml"
    sections = {
        "denial": DENIAL, "denial_object": DENIAL_OBJ, "negation": NEG, "hedge": HEDGE,
        "irrealis": IRREALIS, "reported": REPORT,
    }
    for name, kind in sections.items():
        sec = doc.get(name)
        if not isinstance(sec, dict):
            raise LexiconError(file, name, "section missing")
        for p in _strings(sec.get("patterns", []), file, name, "patterns"):
            b.add(p, kind, p, file, name)
        for fam, pats in sec.get("by_lang", {}).items():
            for p in _strings(pats, file, f"{name}.by_lang.{fam}", "patterns"):
                b.add(p, kind, p, file, f"{name}.by_lang.{fam}", lang=fam)
    nouns = doc["denial_object"].get("claim_nouns", [])
    for p in _strings(nouns, file, "denial_object", "claim_nouns"):
        b.add(p, CLAIM, p, file, "denial_object.claim_nouns")
    clause = doc.get("clause", {})
    for p in _strings(clause.get("breaks", []), file, "clause.breaks", "breaks"):
        b.add(p, BREAK, p, file, "clause.breaks")
    for p in _strings(clause.get("soft", []), file, "clause.soft", "soft"):
        b.add(p, SOFT, p, file, "clause.soft")
    factor = doc["hedge"].get("factor", 0.5)
    if not isinstance(factor, int | float) or not 0 < factor <= 1:
        raise LexiconError(file, "hedge", "factor must be in (0, 1]")
    immune = _strings(doc.get("immune", {}).get("signals", []), file, "immune", "signals")
    bad = [c for c in immune if c not in SIGNAL_CODES]
    if bad:
        raise LexiconError(file, "immune", f"unknown signal code {bad[0]!r}")
    # setting and official words are looked up only around a denial or a colon, so they
    # stay out of the automaton (they are common words: "at", "on", "police")
    extra: dict[str, re.Pattern[str] | None] = {}
    for name in ("setting", "official", "role"):
        words = _strings(doc.get(name, {}).get("patterns", []), file, name, "patterns")
        extra[name] = _word_regex(words) if words else None
    asserted = _strings(doc["irrealis"].get("asserted", []), file, "irrealis", "asserted")
    bad = [c for c in asserted if c not in SIGNAL_CODES]
    if bad:
        raise LexiconError(file, "irrealis", f"unknown signal code {bad[0]!r}")
    extra["asserted"] = frozenset(asserted)  # type: ignore[assignment]
    unreported = _strings(doc.get("immune", {}).get("unreported", []), file, "immune",
                          "unreported")
    bad = [c for c in unreported if c not in SIGNAL_CODES]
    if bad:
        raise LexiconError(file, "immune", f"unknown signal code {bad[0]!r}")
    extra["unreported"] = frozenset(unreported)  # type: ignore[assignment]
    return float(factor), frozenset(immune), extra


def _build(data_dir: Path | None) -> Lexicon:
    docs = {}
    digest = hashlib.sha256()
    for name in FILES:
        docs[name], raw = _read(data_dir, name)
        digest.update(raw)
    b = _Builder()
    groups = _load_actors(docs["actors.toml"], b)
    weights, triggers, unless, rules = _load_signals(docs["signals.toml"], b, groups)
    scopes, suppresses, discard_regex, capital_discards, unless_before = _load_discards(
        docs["discards.toml"], b)
    factor, immune, extra = _load_negation(docs["negation.toml"], b)
    gazetteer = compile_places(docs["places.toml"])
    base = docs["signals.toml"].get("version")
    if not isinstance(base, str) or not base:
        raise LexiconError("signals.toml", "version", "missing version string")
    automaton, punct_rules = b.automaton(gazetteer.keys)
    return Lexicon(
        version=f"{base}+{digest.hexdigest()[:8]}",
        automaton=automaton,
        weights=weights,
        hedge_factor=factor,
        rounded_weights={
            code: (round(w, 4), round(w * factor, 4)) for code, w in weights.items()
        },
        groups=groups,
        immune=immune,
        discard_scope=scopes,
        discard_suppresses=suppresses,
        phrase_count=b.count,
        actor_triggers=triggers,
        unless=unless,
        punct_rules=punct_rules,
        discard_regex=discard_regex,
        capital_discards=capital_discards,
        setting_re=extra["setting"],
        official_re=extra["official"],
        role_re=extra["role"],
        irrealis_asserted=extra["asserted"],  # type: ignore[arg-type]
        unreported_negated=extra["unreported"],  # type: ignore[arg-type]
        victim=rules["victim"],
        implied=rules["implied"],
        implied_sources=frozenset(imp[1] for imp in rules["implied"]),
        direction_neutral=rules["neutral"],
        title_led=rules["title_led"],
        only_with=rules["only_with"] or None,
        discard_unless_before=unless_before or None,
        places=gazetteer,
        reasons=_load_reasons(docs["discards.toml"]),
        direction=_check_discard_names(_load_direction(docs["signals.toml"]), scopes),
    )


@functools.lru_cache(maxsize=8)
def _cached(data_dir: str | None) -> Lexicon:
    return _build(Path(data_dir) if data_dir else None)


def load_lexicon(data_dir: Path | str | None = None) -> Lexicon:
    """Load, validate and compile the lexicon (cached); raises LexiconError when invalid."""
    return _cached(str(data_dir) if data_dir is not None else None)
