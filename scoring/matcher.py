"""Find every lexicon phrase in a folded text with one Aho-Corasick pass.

A hit is kept when it sits on word boundaries (a stem needs only the left one),
its inner-stem verifier agrees, its language family fits, and a case-sensitive
alias meets its exact spelling. Overlaps are then settled by layer: the longest
signal phrase wins ("reduced military presence" is de-escalation, not a build-up),
a negation cue inside a signal phrase belongs to the phrase ("will not recognise"),
and punctuation inside a name ("U.S.") is not a sentence end.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import NamedTuple

from scoring.lexicon import ACTOR, BREAK, CLAIM, CUE_KINDS, REPORT, SIGNAL, SOFT, Lexicon, Rule
from scoring.text import Folded

__all__ = ["Hit", "scan"]


class Hit(NamedTuple):
    """One accepted match: folded-text span and the rule it satisfied."""

    start: int
    end: int
    rule: Rule


def _word_end(text: str, pos: int) -> int:
    n = len(text)
    while pos < n and text[pos].isalnum():
        pos += 1
    return pos


def _raw_hits(lex: Lexicon, folded: Folded, family: str | None) -> list[Hit]:
    text = folded.text
    n = len(text)
    hits: list[Hit] = []
    append = hits.append
    for last, (klen, rules, plain, need_left, need_right) in lex.automaton.iter(text):
        start = last - klen + 1
        left_ok = start == 0 or not text[start - 1].isalnum()
        end0 = last + 1
        if plain:
            # every rule of a key shares its first and last character, so one check
            if (need_left and not left_ok) or (need_right and end0 < n and text[end0].isalnum()):
                continue
            for rule in rules:
                append(Hit(start, end0, rule))
            continue
        right_ok = end0 >= n or not text[end0].isalnum()
        for rule in rules:
            if rule.need_left and not left_ok:
                continue
            if rule.lang is not None and family is not None and rule.lang != family:
                continue
            if rule.verifier is not None:
                m = rule.verifier.match(text, start)
                if m is None:
                    continue
                end = m.end()
                if not rule.need_right or end >= n or not text[end].isalnum():
                    end = _word_end(text, end) if text[end - 1].isalnum() else end
            elif rule.prefix:
                end = _word_end(text, end0)
            else:
                if rule.need_right and not right_ok:
                    continue
                end = end0
            if rule.cased is not None:
                a, b = folded.span(start, end)
                if folded.original[a:b] != rule.cased:
                    continue
            append(Hit(start, end, rule))
    return hits


def _uncontained(hits: list[Hit]) -> list[Hit]:
    """Drop hits strictly inside a longer hit of the same list."""
    if len(hits) < 2:
        return hits
    ordered = sorted(hits, key=lambda h: (h.start, -h.end))
    kept: list[Hit] = []
    max_end = -1
    prev_span = (-1, -1)
    prev_max = -1
    for h in ordered:
        span = (h.start, h.end)
        if span == prev_span:
            if h.end > prev_max:
                kept.append(h)
            continue
        prev_max = max_end
        prev_span = span
        if h.end <= max_end:
            continue
        kept.append(h)
        max_end = h.end
    return kept


def _outside(hits: list[Hit], covers: list[Hit]) -> list[Hit]:
    """Drop hits lying inside (or equal to) a span of ``covers``."""
    if not covers or not hits:
        return hits
    spans = sorted((c.start, c.end) for c in covers)
    starts = [s for s, _ in spans]
    # running maximum of ends so one bisect answers "is [s, e) covered?"
    ends: list[int] = []
    best = -1
    for _, e in spans:
        best = max(best, e)
        ends.append(best)
    out = []
    for h in hits:
        i = bisect_right(starts, h.start) - 1
        if i >= 0 and ends[i] >= h.end:
            continue
        out.append(h)
    return out


def scan(lex: Lexicon, folded: Folded, family: str | None = None) -> list[Hit]:
    """All accepted hits in ``folded``, overlaps settled, ordered by position."""
    raw = _raw_hits(lex, folded, family)
    plain_signals: list[Hit] = []
    gated: list[Hit] = []
    actors: list[Hit] = []
    cues: list[Hit] = []
    breaks: list[Hit] = []
    other: list[Hit] = []
    for h in raw:
        kind = h.rule.kind
        if kind == SIGNAL:
            (gated if h.rule.gate is not None else plain_signals).append(h)
        elif kind == ACTOR:
            actors.append(h)
        elif kind in CUE_KINDS:
            cues.append(h)
        elif kind == BREAK or kind == SOFT:
            breaks.append(h)
        else:
            other.append(h)
    plain_signals = _uncontained(plain_signals)
    actors = _uncontained(actors)
    cues = _uncontained(cues)
    # Claim nouns and accusation verbs stay even inside a signal phrase ("accusations"
    # is both a claim and an accusation); the other cues inside a signal phrase
    # belong to it ("will not recognise").
    nouns = [c for c in cues if c.rule.kind in (CLAIM, REPORT)]
    cues = _outside([c for c in cues if c.rule.kind not in (CLAIM, REPORT)], plain_signals)
    cues += nouns
    breaks = _outside(breaks, plain_signals + actors)
    out = plain_signals + gated + actors + cues + breaks + other
    out.sort(key=lambda h: (h.start, h.end, h.rule.kind))
    return out
