"""Combine matches, actors, negation and discards into one ItemScore.

Order of reasoning per field (title, summary): fold -> scan -> cut into clauses
and sentences -> resolve actors -> for every signal mention decide its actor and
target, whether a gated rule's condition holds, whether a discard context
suppresses it, and whether it is negated or hedged. The item score is the sum
over asserted signals of each signal's strongest mention (one count per signal,
hedged mentions weaker), so repeating a word cannot inflate a score.
"""

from __future__ import annotations

import dataclasses
import functools
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from typing import Any, TypeVar

from scoring.actors import ActorMention, attribute, resolve_actors
from scoring.context import Speaker, accuser_named, find_speakers, is_victim
from scoring.lexicon import (
    BREAK,
    DENIAL,
    DENIAL_OBJ,
    NEG,
    SOFT,
    THIRD_PARTY,
    Lexicon,
    Rule,
    load_lexicon,
)
from scoring.matcher import Hit, Spans, scan
from scoring.negation import Mention, assess_clause
from scoring.places import cased_places
from scoring.text import Folded, fold, lang_family
from scoring.types import Evidence, ItemScore

__all__ = ["score_item"]

_SENTENCE_ENDS = frozenset({".", "!", "?", "|"})
# Up to this many discards in a field, testing each beats indexing them by sentence.
_FEW = 8
T = TypeVar("T")
_DENIAL_KINDS = frozenset({DENIAL, DENIAL_OBJ})
# suppressions that come from the clause's own cues (a call, a reported accusation), not
# from a discard context: a negated mention under them still counts as negated
_NOT_DISCARDS = frozenset({"reported", "irrealis"})
# words that join co-subjects: "Serbia and KFOR failed to agree"
_COORDINATORS = frozenset({"and", "i", "dhe", "e", "&", "ili", "or", "a", "si", "dhe e"})
# How far after a verb of saying its speaker may be named ("says Greek PM Mitsotakis").
_SAY_REACH = 30
# words that open the content of what is said: the actor after them is spoken about
_SAY_CONTENT = frozenset({"that", "da", "se", "qe", "deka", "kako", "about", "o", "for", "për",
                          "per", "za", "to", "on"})
# NamedTuple() runs a Python-level __new__; building the tuple directly is the same
# value at a fraction of the cost, which counts for a few mentions per item.
_new_tuple = tuple.__new__

def _slot_constructor(cls: type[T], expected: tuple[str, ...]) -> Callable[..., T]:
    """A positional constructor for a frozen, slotted dataclass that fills the slots directly.

    A frozen dataclass's __init__ calls object.__setattr__ once per field, which made
    building evidence about a tenth of the scorer's time; setting the slots through
    their descriptors gives an equal value (tests/scoring/test_speed_paths.py) in about
    half the time. Should the class ever change shape, its own constructor is used.
    """
    names = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    if names != expected or tuple(getattr(cls, "__slots__", ())) != names:
        return cls
    setters = tuple(cls.__dict__[n].__set__ for n in names)
    new = object.__new__
    # one straight-line function per class: a loop over the setters costs a third more
    params = ", ".join(names)
    body = "".join(f"    _s{i}(obj, {n})\n" for i, n in enumerate(names))
    source = f"def make({params}):\n    obj = _new(_cls)\n{body}    return obj\n"
    scope: dict[str, Any] = {"_new": new, "_cls": cls}
    scope.update({f"_s{i}": st for i, st in enumerate(setters)})
    exec(source, scope)  # noqa: S102 - source built above from the dataclass field names
    return scope["make"]


new_evidence = _slot_constructor(Evidence, (
    "signal", "actor", "text", "start", "end", "negated", "target", "field", "weight",
    "hedged", "suppressed_by",
))
_new_score = _slot_constructor(ItemScore, (
    "actors", "signals", "negated", "direction", "score", "evidence", "lexicon_version",
    "places",
))


class _Field:
    """One analysed text field: its folded text and where clauses and sentences end."""

    __slots__ = ("colons", "discard_index", "eventless", "folded", "hard", "name", "questions",
                 "sent", "softs")

    def __init__(self, name: str, folded: Folded, breaks: list[Hit]) -> None:
        self.name = name
        self.folded = folded
        # (discards, their positions, signal -> first item-wide discard suppressing it)
        self.discard_index: tuple[list[Hit], list[int],
                                  dict[str, tuple[int, str] | None]] | None = None
        self.eventless: dict[tuple[str, int], bool] = {}
        text = folded.text
        hard: list[int] = []
        sent: list[int] = []
        self.questions: set[int] = set()  # sentence ids that end in "?"
        self.softs: list[int] = []
        self.colons: list[int] = []
        for start, _, _, rule in breaks:
            kind = rule.kind
            if kind == BREAK:
                v = rule.value
                if v == "." and not _is_period(text, start):
                    continue
                hard.append(start)
                if v == ":":
                    self.colons.append(start)
                if v in _SENTENCE_ENDS:
                    sent.append(start)
                    if v == "?":
                        self.questions.add(len(sent) - 1)
            elif kind == SOFT:
                self.softs.append(start)
        self.hard = hard
        self.sent = sent

    def clause_of(self, pos: int) -> int:
        return bisect_right(self.hard, pos)

    def sentence_of(self, pos: int) -> int:
        return bisect_right(self.sent, pos)


def _is_period(text: str, i: int) -> bool:
    """A "." ends a sentence unless it sits inside a number, an abbreviation or initials."""
    nxt = text[i + 1] if i + 1 < len(text) else " "
    if not nxt.isspace() and nxt not in "\"')":
        return False
    # a single letter before the dot is an initial ("A. Vucic") or "U.S."
    return not (i >= 1 and text[i - 1].isalpha() and (i == 1 or not text[i - 2].isalnum()))


def _year(published: datetime | date | None) -> int | None:
    return published.year if published is not None else None


def _analyse(lex: Lexicon, name: str, folded: Folded, family: str | None, year: int | None,
             item_discards: list[str], places: set[str],
             seen: set[str] | None = None) -> tuple[list[ActorMention], list[Evidence]]:
    hits = scan(lex, folded, family, guess_family=family is None)
    if hits.places:
        places.update([h[3].value for h in hits.places])
    f = _Field(name, folded, hits.breaks)
    hard, sent = f.hard, f.sent
    # partial(bisect_right, ...) is called without a Python frame, unlike a method
    clause_of = partial(bisect_right, hard)
    actors = resolve_actors(hits.actors, year, clause_of, partial(bisect_right, sent))
    signal_hits, cue_hits, discards = hits.signals, hits.cues, hits.discards
    # regex discards (score lines) only matter when something could be suppressed or a
    # capital could be a club name
    if lex.discard_regex and (signal_hits or cue_hits or any(a.capital for a in actors)):
        discards = _regex_discards(lex, folded.text, discards)
    for h in discards:
        if lex.discard_scope[h[3].value] == "item":
            item_discards.append(h[3].value)
    if seen is not None and discards:
        seen.update([h[3].value for h in discards])
    triggers = lex.actor_triggers
    if not signal_hits and not cue_hits and not any(a.code in triggers for a in actors):
        return actors, []
    speakers = (find_speakers(folded.text, f.colons, hard, sent, actors, lex.official_re)
                if f.colons else None)

    # Attribution and the gates look at the actors of one clause or sentence only (a
    # clause never spans two sentences), so each looks at its sentence's list: a long
    # text with many sentences stays linear.
    in_sentence: dict[int, list[ActorMention]] = {}
    for a in actors:
        same = in_sentence.get(a.sentence)
        if same is None:
            in_sentence[a.sentence] = [a]
        else:
            same.append(a)
    no_actors: list[ActorMention] = []
    denial_clauses: set[int] | None = None

    # Attribute and gate each signal hit; one mention per (signal, span).
    mentions: dict[tuple[str, int, int], tuple[str | None, str | None]] = {}
    negated_only: set[tuple[str, int, int]] = set()
    gated_spans: list[tuple[int, int]] = []
    nouns: set[tuple[str, int, int]] = set()  # accusation nouns ("claims"), not acts
    unless_rules = lex.unless
    codes = {a.code for a in actors}
    for start, end, _, rule in signal_hits:
        key = (rule.value, start, end)
        if key in mentions:
            continue
        gate = rule.gate
        # a speaker gate no actor of the text can meet ("said" with no outside power named)
        if (gate is not None and gate.speaker and not gate.cooccur and not gate.other_actor
                and codes.isdisjoint(gate.speaker)):
            continue
        c = bisect_right(hard, start)
        sn = bisect_right(sent, start)
        near_actors = in_sentence.get(sn, no_actors)
        if gate is not None and gate.cooccur_only and not any(
                m.code in gate.cooccur and m.clause == c for m in near_actors):
            continue  # decided before the (costlier) attribution
        actor, target = attribute(near_actors, start, end, c, sn)
        if gate is not None and gate.quoted:
            sp = speakers.get(sn) if speakers else None
            if not (sp is not None and sp.colon < start and sp.code in gate.speaker
                    and actor is not None and actor != sp.code):
                continue
            gated_spans.append((start, end))
        elif gate is not None and gate.cooccur_only:
            gated_spans.append((start, end))  # its condition was met above
        elif gate is not None:
            if gate.nearest:
                near = _nearest_actor(folded.text, near_actors, f.softs, start, end, c,
                                      gate.nearest == "around")
                if near is not None:  # "" is a third party (Germany), a speaker too
                    actor = near
            ok = bool(gate.speaker) and actor is not None and actor in gate.speaker
            if not ok and gate.speaker and speakers:
                sp = speakers.get(sn)
                ok = sp is not None and sp.colon < start and sp.code in gate.speaker
            if not ok and gate.cooccur:
                ok = any(m.code in gate.cooccur and m.clause == c for m in near_actors)
            if not ok and gate.other_actor:
                if denial_clauses is None:
                    denial_clauses = {bisect_right(hard, h[0]) for h in cue_hits
                                      if h[3].kind in _DENIAL_KINDS}
                ok = accuser_named(folded.text, near_actors, actor, start, end, c,
                                   gate.accuser_after, c in denial_clauses)
                if ok:
                    nouns.add(key)
            if not ok:
                continue
            gated_spans.append((start, end))
        unless = unless_rules.get(rule.value)
        if unless is not None and (
            actor in unless.speaker
            or any(m.code in unless.cooccur and m.clause == c for m in near_actors)
        ):
            continue
        if rule.negated_only:
            negated_only.add(key)
        mentions[key] = (actor, target)
    objects: set[tuple[str, int, int]] | None = None
    for a in actors:
        trigger = triggers.get(a.code)
        if trigger is not None:
            same = in_sentence[a.sentence]
            _, target = attribute(same, a.start, a.end, a.clause, a.sentence)
            key = (trigger, a.start, a.end)
            mentions.setdefault(key, (a.code, target))
            if _after_subject(folded.text, same, f.softs, a):
                if objects is None:
                    objects = set()
                objects.add(key)
    if not mentions and not any(c[3].kind in _DENIAL_KINDS for c in cue_hits):
        return actors, []  # with no mention only a denial can give evidence
    if gated_spans and cue_hits:
        # a negation inside an accepted statement phrase belongs to it ("not in the spirit
        # of"); calls ("urges", "called on") stay cues for what follows them
        statement = Spans(gated_spans)
        cue_hits = [h for h in cue_hits if h[3].kind != NEG or not statement.cover(h[0], h[1])]

    # Mentions and cues are sorted by position, so their clauses come in order.
    by_clause: dict[int, list[Mention]] = {}
    for span in _outermost(mentions):
        c = clause_of(span[0])
        ms = by_clause.get(c)
        if ms is None:
            by_clause[c] = [_new_tuple(Mention, span)]
        else:
            ms.append(_new_tuple(Mention, span))
    cues_by_clause: dict[int, list[Hit]] = {}
    for h in cue_hits:
        c = clause_of(h[0])
        cs = cues_by_clause.get(c)
        if cs is None:
            cues_by_clause[c] = [h]
        else:
            cs.append(h)
    if speakers and cues_by_clause:
        _official_denials(lex, speakers, hard, cues_by_clause)

    evidence: list[Evidence] = []
    append = evidence.append
    questions = f.questions
    weights = lex.rounded_weights
    original = folded.original
    offsets = folded.offsets
    victim = lex.victim
    implied_src = lex.implied_sources
    clauses = sorted(by_clause.keys() | cues_by_clause.keys()) if cues_by_clause else by_clause
    for clause in clauses:
        ms = by_clause.get(clause, ())
        cues = cues_by_clause.get(clause) if cues_by_clause else None
        if cues:
            same = in_sentence.get(bisect_right(sent, cues[0][0]), no_actors)
            actor_starts = [a.start for a in same if a.clause == clause]
            setting: list[int] | tuple[()] = ()
            roles: list[int] | tuple[()] = ()
            # setting words matter only between two mentions of a clause with a denial
            if ms and any(c[3].kind in _DENIAL_KINDS for c in cues):
                if len(ms) > 1 and lex.setting_re is not None:
                    setting = [m.start() for m in lex.setting_re.finditer(
                        folded.text, ms[0].end, ms[-1].start)]
                if lex.role_re is not None:
                    roles = [m.start() for m in lex.role_re.finditer(
                        folded.text, cues[0][1], ms[-1].start)]
            statuses, denials = assess_clause(
                ms, cues, f.softs, actor_starts, lex.immune, setting, lex.irrealis_asserted,
                roles, hard[clause] if clause < len(hard) else len(folded.text))
        else:
            statuses, denials = None, ()  # no cue: every mention is plainly asserted
        for i, m in enumerate(ms):
            start, end, signal = m
            actor, target = mentions[(signal, start, end)]
            if statuses is None:
                negated, hedged, suppressed = False, False, None
            else:
                negated, hedged, suppressed = statuses[i]
            if not negated and negated_only and (signal, start, end) in negated_only:
                continue
            if not hedged and questions:
                hedged = bisect_right(sent, start) in questions
            if discards and suppressed is None:
                suppressed = _discarded(lex, f, discards, signal, start)
            if objects and suppressed is None and (signal, start, end) in objects:
                suppressed = "nato_object"
            if victim and suppressed is None and signal in victim:
                words, after = victim[signal]
                ends = [x.end for x in ms if x.signal == after and x.end <= start]
                if ends and is_victim(folded.text, start, ends, words):
                    suppressed = "victim"
            if negated or suppressed is not None:
                weight = 0.0
            else:
                weight = weights[signal][hedged]
            if signal in implied_src and weight and not denials and (
                    (signal, start, end) not in nouns):
                _imply(lex, evidence, folded, name, speakers, bisect_right(sent, start),
                       start, end, signal, actor, target, hedged,
                       (lambda d, _s=start: _discarded(lex, f, discards, d, _s))
                       if discards else None)
            if offsets is not None:
                start, end = folded.span(start, end)
            append(new_evidence(signal, actor or None, original[start:end], start, end, negated,
                                target or None, name, weight, hedged and not negated,
                                suppressed))
        for d in _distinct_spans(denials):
            sn = bisect_right(sent, d[0])
            actor, target = attribute(in_sentence.get(sn, no_actors), d[0], d[1], clause, sn)
            append(_evidence(lex, f, discards, _new_tuple(Mention, (d[0], d[1], "denial")),
                             actor, target, False, False))
    return actors, evidence


def _after_subject(text: str, actors: list[ActorMention], softs: list[int],
                   a: ActorMention) -> bool:
    """Whether another actor comes before ``a`` in its clause and comma segment, so that
    ``a`` is an object or a modifier ("Serbia handed KFOR a request", "attacks against
    KFOR"), not the subject that states or acts; "Serbia and KFOR" are co-subjects."""
    lo = softs[bisect_right(softs, a.start) - 1] if softs and softs[0] < a.start else -1
    prev = None
    for m in actors:
        if m.start >= a.start:
            break
        if m.clause == a.clause and m.start > lo and m.code != a.code:
            prev = m
    if prev is None:
        return False
    return text[prev.end:a.start].strip() not in _COORDINATORS


def _nearest_actor(text: str, actors: list[ActorMention], softs: list[int], start: int,
                   end: int, clause: int, after: bool) -> str | None:
    """The speaker of a verb of saying inside its comma segment: the segment's first actor
    before it ("..., Serbian President Vucic said", "In a letter to Brussels, Pristina
    warns"), else, with ``after``, one just after it ("says Rama"); None leaves the
    clause's subject."""
    lo = softs[bisect_right(softs, start) - 1] if softs and softs[0] < start else -1
    i = bisect_right(softs, end)
    hi = min(softs[i] if i < len(softs) else 1 << 30, end + _SAY_REACH)
    best = None
    for m in actors:
        if m.clause != clause:
            continue
        if lo < m.start and m.end <= start:
            if best is None:
                best = m.code
        elif m.start >= end:
            if not after:
                break
            # "says Rama", not "said that Serbs ..." (that is the content)
            if best is None and m.start < hi and _SAY_CONTENT.isdisjoint(
                    text[end:m.start].split()):
                return m.code
            break
    return best


def _imply(lex: Lexicon, evidence: list[Evidence], folded: Folded, name: str,
           speakers: dict[int, Speaker] | None, sentence: int, start: int, end: int,
           signal: str, actor: str | None, target: str | None, hedged: bool,
           discarded: Callable[[str], str | None] | None = None) -> None:
    """Evidence for the signals an asserted mention implies (an accusation by Russia is
    influence too), on the same span; a discard of the derived signal in scope (Russia's
    quarrel over Ukraine is no influence in the region) keeps it at weight 0."""
    for derived, src, who, by_colon in lex.implied:
        if src != signal:
            continue
        sp = speakers.get(sentence) if speakers else None
        if by_colon and sp is not None and sp.colon < start and sp.code is not None:
            ok = sp.code in who
        else:
            ok = actor in who or (sp is not None and sp.colon < start and sp.code in who)
        if ok:
            a, b = folded.span(start, end)
            why = discarded(derived) if discarded is not None else None
            weight = 0.0 if why is not None else lex.rounded_weights[derived][hedged]
            evidence.append(new_evidence(derived, actor or None, folded.original[a:b], a, b,
                                         False, target or None, name, weight,
                                         hedged and why is None, why))


def _regex_discards(lex: Lexicon, text: str, discards: list[Hit]) -> list[Hit]:
    """Add the hits of regex discards (score lines) to the phrase discards."""
    if not any(d in text for d in "0123456789"):
        return discards  # every regex discard (a score line) needs a digit
    extra = []
    for rule, rx in lex.discard_regex:
        m = rx.search(text)
        if m is not None:
            extra.append((m.start(), m.end(), 0, rule))
    if not extra:
        return discards
    return sorted(discards + extra, key=_hit_position)


def _hit_position(h: Hit) -> tuple[int, int]:
    return h[0], h[1]


def _official_denials(lex: Lexicon, speakers: dict[int, Speaker], hard: list[int],
                      cues_by_clause: dict[int, list[Hit]]) -> None:
    """An official body's "X: there was no Y" is a denial: its negation cue becomes one."""
    for sp in speakers.values():
        if not sp.official:
            continue
        clause = bisect_right(hard, sp.colon)
        cues = cues_by_clause.get(clause)
        if cues and cues[0][3].kind == NEG:
            h = cues[0]
            cues[0] = (h[0], h[1], h[2], _as_denial(h[3]))


@functools.lru_cache(maxsize=256)
def _as_denial(rule: Rule) -> Rule:
    return dataclasses.replace(rule, kind=DENIAL)


def _outermost(keys: dict[tuple[str, int, int], object]) -> list[tuple[int, int, str]]:
    """Mention spans ``(start, end, signal)`` of the (signal, start, end) keys, ordered by
    position; one that overlaps an earlier mention of the same signal is the same mention
    ("shots were fired" / "fired at") and is dropped."""
    if len(keys) == 1:
        sig, start, end = next(iter(keys))
        return [(start, end, sig)]
    # longest first among equal starts: (start, -end, signal) sorts that way by itself
    ordered = sorted([(k[1], -k[2], k[0]) for k in keys])
    out: list[tuple[int, int, str]] = []
    reach: dict[str, int] = {}
    for start, neg_end, sig in ordered:
        if reach.get(sig, -1) > start:
            continue
        reach[sig] = -neg_end
        out.append((start, -neg_end, sig))
    out.sort()
    return out


def _distinct_spans(hits: list[Hit]) -> list[Hit]:
    if len(hits) < 2:
        return hits
    seen: set[tuple[int, int]] = set()
    out = []
    for h in hits:
        if (h[0], h[1]) not in seen:
            seen.add((h[0], h[1]))
            out.append(h)
    return out


def _discarded(lex: Lexicon, f: _Field, discards: list[Hit], signal: str,
               start: int) -> str | None:
    """Name of the discard context that suppresses a mention of ``signal`` at ``start``:
    the first discard, in text order, that reaches it."""
    if len(discards) <= _FEW:
        for d in discards:
            if _suppresses(lex, f, d, signal, start):
                return d[3].value
        return None
    # A long text: only the discards of the mention's sentence (phrase, clause and
    # sentence scopes never cross a sentence end) and the first item-wide discard of
    # this signal (its verdict does not depend on the mention) can be the answer.
    index = f.discard_index
    if index is None or index[0] is not discards:
        index = f.discard_index = (discards, [d[0] for d in discards], {})
    _, positions, first_item_wide = index
    if signal not in first_item_wide:
        first_item_wide[signal] = next(
            ((i, d[3].value) for i, d in enumerate(discards)
             if lex.discard_scope[d[3].value] == "item"
             and _suppresses(lex, f, d, signal, start)), None)
    first = first_item_wide[signal]
    s = f.sentence_of(start)
    lo = bisect_left(positions, f.sent[s - 1]) if s else 0
    hi = bisect_left(positions, f.sent[s]) if s < len(f.sent) else len(positions)
    for i in range(lo, hi):
        if first is not None and i >= first[0]:
            break
        if _suppresses(lex, f, discards[i], signal, start):
            return discards[i][3].value
    return first[1] if first is not None else None


def _suppresses(lex: Lexicon, f: _Field, d: Hit, signal: str, start: int) -> bool:
    """Whether discard hit ``d`` reaches and suppresses a mention of ``signal`` at ``start``."""
    name = d[3].value
    if signal not in lex.discard_suppresses[name]:
        return False
    scope = lex.discard_scope[name]
    if (scope == "item"
            or (scope == "sentence" and f.sentence_of(d[0]) == f.sentence_of(start))
            or (scope == "clause" and f.clause_of(d[0]) == f.clause_of(start))
            or (scope == "phrase" and _in_phrase(f, d[0], start))):
        ub = lex.discard_unless_before
        return not (ub is not None and name in ub and _eventless_before(f, name, ub[name], d[0]))
    return False


def _sentence_start(f: _Field, pos: int) -> int:
    s = f.sentence_of(pos)
    return f.sent[s - 1] + 1 if s else 0


def _in_phrase(f: _Field, cue: int, start: int) -> bool:
    """A "phrase" discard reaches over its clause; one that opens its sentence ("After the
    attack, police arrested two") ends at the first comma, where the main clause begins."""
    if f.clause_of(cue) != f.clause_of(start) or start < cue:
        return False
    if bisect_right(f.softs, start) == bisect_right(f.softs, cue):
        return True
    head = f.folded.text[_sentence_start(f, cue):cue]
    return any(c.isalnum() for c in head)


def _eventless_before(f: _Field, name: str, rx: Any, cue: int) -> bool:
    """Whether the sentence before the cue names only a mood ("tensions rise", "fears grow").

    Kept per (discard, cue): every mention of a sentence asks about the same cues."""
    known = f.eventless.get((name, cue))
    if known is None:
        known = f.eventless[(name, cue)] = (
            rx.search(f.folded.text, _sentence_start(f, cue), cue) is not None)
    return known


def _evidence(lex: Lexicon, f: _Field, discards: list[Hit], m: Mention, actor: str | None,
              target: str | None, negated: bool, hedged: bool,
              unasserted: str | None = None) -> Evidence:
    signal, start, end = m.signal, m.start, m.end
    suppressed = unasserted
    if suppressed is None and discards:
        suppressed = _discarded(lex, f, discards, signal, start)
    weight = 0.0
    if not negated and suppressed is None:
        weight = lex.rounded_weights[signal][hedged]
    folded = f.folded
    if folded.offsets is not None:
        start, end = folded.span(start, end)
    return new_evidence(signal, actor or None, folded.original[start:end], start, end, negated,
                        target or None, f.name, weight, hedged and not negated, suppressed)


def score_item(
    title: str,
    summary: str = "",
    lang: str | None = None,
    published: datetime | date | None = None,
    lexicon: Lexicon | None = None,
) -> ItemScore:
    """Score one news item: actors, asserted and negated signals, direction, score, evidence."""
    lex = lexicon or load_lexicon()
    family = lang_family(lang)
    year = _year(published)
    item_discards: list[str] = []
    evidence: list[Evidence] = []
    actor_codes: set[str] = set()
    capitals: set[str] = set()
    places: set[str] = set()
    texts: list[str] = []
    title_discards: set[str] = set()  # every discard context named in the title
    for name, text in (("title", title or ""), ("summary", summary or "")):
        if not text:
            texts.append("")
            continue
        folded = fold(text)
        texts.append(folded.text)
        actors, ev = _analyse(lex, name, folded, family, year, item_discards, places,
                              title_discards if name == "title" else None)
        if lex.places is not None:
            places.update(cased_places(text, lex.places))
        actor_codes.update([a.code for a in actors if not a.capital])
        capitals.update([a.code for a in actors if a.capital])
        evidence.extend(ev)
    clubs = bool(lex.capital_discards and lex.capital_discards.intersection(item_discards))
    if capitals and not clubs:
        actor_codes |= capitals
    actor_codes.discard(THIRD_PARTY)
    if places:
        # a place counts for its country (LABELS.md), sport and tourism items included,
        # except a capital that names a club in a sport item
        gazetteer = lex.places.places  # type: ignore[union-attr]
        if clubs:
            places = {p for p in places if not gazetteer[p].capital}
        actor_codes.update([gazetteer[p].country for p in places])
    if item_discards:
        evidence = [_suppress_item(lex, e, item_discards) for e in evidence]
    if lex.only_with and evidence:
        evidence = _only_with(lex.only_with, evidence)
    if lex.title_led and evidence:
        evidence = _title_led(lex.title_led, evidence)

    strongest: dict[str, float] = {}
    negated: set[str] = set()
    unreported = lex.unreported_negated
    for e in evidence:
        if e.negated:
            # a mention a discard context removes (sport, crime, history, NATO as an
            # object) is no signal at all, so it is not a negated one either
            if ((e.suppressed_by is None or e.suppressed_by in _NOT_DISCARDS)
                    and e.signal not in unreported):
                negated.add(e.signal)
        elif e.suppressed_by is None:
            w = e.weight
            if abs(w) >= abs(strongest.get(e.signal, 0.0)):
                strongest[e.signal] = w
    signals = sorted(strongest)  # summed in code order, so the float sum is reproducible
    score = round(sum([strongest[s] for s in signals]), 4)
    direction = _direction(lex, strongest, score, texts, title_discards)
    return _new_score(
        tuple(sorted(actor_codes)),
        tuple(signals),
        tuple(sorted(negated - strongest.keys())) if negated else (),
        direction,
        score + 0.0,  # normalise -0.0
        tuple(evidence),
        lex.version,
        tuple(sorted(places)),
    )


def named_in(text: str, lexicon: Lexicon | None = None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The actor codes and gazetteer place ids a search text names ("Kosova" -> KOS;
    "Banjska" -> the village and KOS), by the scorer's own aliases and folding."""
    s = score_item(text, "", None, None, lexicon)
    return s.actors, s.places


def _direction(lex: Lexicon, strongest: dict[str, float], score: float,
               texts: list[str], title_discards: set[str]) -> str:
    """Direction follows the concrete acts only (LABELS.md "Direction"): statements, NATO's
    words and outside influence raise the score but alone leave an item neutral, unless
    they report a deployment; analysis pieces and failed or planned talks are neutral."""
    rules = lex.direction
    neutral = lex.direction_neutral
    if rules is None:
        moving = score if neutral.isdisjoint(strongest) else round(
            sum([strongest[s] for s in sorted(strongest) if s not in neutral]), 4)
        return "escalation" if moving > 0 else "de-escalation" if moving < 0 else "neutral"
    if not strongest or (rules.openers is not None and rules.openers.match(texts[0])):
        return "neutral"
    if rules.neutral_discards and not rules.neutral_discards.isdisjoint(title_discards):
        return "neutral"
    moves = {s for s in strongest if s not in neutral}
    for signals, rx in rules.moves_when:
        extra = signals.intersection(strongest) - moves
        if extra and any(rx.search(t) for t in texts if t):
            moves |= extra
    for signals, others, still_rx in rules.still_when:
        hit = signals & moves
        if hit and (not others.isdisjoint(strongest)
                    or (still_rx is not None and still_rx.search(texts[0]))):
            moves -= hit
    moving = round(sum([strongest[s] for s in sorted(moves)]), 4)
    return "escalation" if moving > 0 else "de-escalation" if moving < 0 else "neutral"


def _title_led(signals: frozenset[str], evidence: list[Evidence]) -> list[Evidence]:
    """A signal of ``signals`` that only the summary names gives way when the title reports
    another act: the meeting or visit in the summary is then the setting of the news, not
    the news (LABELS.md "Background events are not news")."""
    in_title = {e.signal for e in evidence
                if e.field == "title" and e.weight and not e.negated and e.suppressed_by is None}
    if not in_title:
        return evidence
    # the signal's denied mentions yield too: a background meeting is neither news nor denied
    named = {e.signal for e in evidence if e.signal in signals and e.suppressed_by is None}
    drop = named - {e.signal for e in evidence if e.field == "title"} - in_title
    if not drop:
        return evidence
    return [Evidence(e.signal, e.actor, e.text, e.start, e.end, e.negated, e.target, e.field,
                     0.0, e.hedged, "title_news")
            if e.signal in drop and e.suppressed_by is None else e for e in evidence]


def _only_with(rules: dict[str, tuple[str, Any]], evidence: list[Evidence]) -> list[Evidence]:
    """With the rule's other signal asserted, a mention of the signal counts only when its
    text matches the rule ("protesters threw molotovs" is no armed_clash; "officers injured"
    at the protest is)."""
    asserted = {e.signal for e in evidence if e.weight and not e.negated}
    for signal, (other, rx) in rules.items():
        if signal not in asserted or other not in asserted:
            continue
        evidence = [e if e.signal != signal or not e.weight or rx.search(fold(e.text).text)
                    else Evidence(e.signal, e.actor, e.text, e.start, e.end, e.negated,
                                  e.target, e.field, 0.0, e.hedged, "with_" + other)
                    for e in evidence]
    return evidence


def _suppress_item(lex: Lexicon, e: Evidence, names: list[str]) -> Evidence:
    if e.suppressed_by is not None:
        return e
    for name in names:
        if e.signal in lex.discard_suppresses[name]:
            return Evidence(e.signal, e.actor, e.text, e.start, e.end, e.negated, e.target,
                            e.field, 0.0, e.hedged, name)
    return e

