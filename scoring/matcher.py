"""Find every lexicon phrase in a folded text with one Aho-Corasick pass.

The automaton runs over the spaced, padded text (``Folded.padded``), so word
boundaries are settled by the space-padded keys and a typical hit costs no check
in Python; a key holding punctuation or spaces is compared with the folded text,
stems run to the end of their word, and the few rules with an inner-stem verifier,
a language family or a case-sensitive spelling are checked one by one.
One-character punctuation (".", ";") is found with str.find.
Overlaps are then settled by layer: the longest signal phrase wins ("reduced
military presence" is de-escalation, not a build-up), a negation cue inside a
signal phrase belongs to the phrase ("will not recognise"), and punctuation inside
a name ("U.S.") is not a sentence end.

A hit is a plain tuple ``(start, end, rank, rule)`` in folded-text offsets; tuples
keep the hot loop cheap, and sorting them orders hits by position, then by
``rank`` (kind, plain before gated, shorter key first: see ``lexicon._rank``).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Any, NamedTuple

from scoring.lexicon import CLAIM, REPORT, Lexicon, Rule
from scoring.text import Folded, guess_lang_family

__all__ = ["Hit", "Scan", "Spans", "scan"]

Hit = tuple[int, int, int, Rule]

# NamedTuple() runs a Python-level __new__; tuple.__new__ builds the same value directly.
_new_tuple = tuple.__new__
# Up to this many covers, a plain pairwise check beats sorting (per text a list holds 0-5).
_SMALL = 8
_NOUNS = frozenset({CLAIM, REPORT})


class Scan(NamedTuple):
    """Accepted hits of one text, one list per role, each sorted by (start, end, rank)."""

    signals: list[Hit]
    actors: list[Hit]
    cues: list[Hit]
    breaks: list[Hit]  # clause breaks and soft (comma) marks
    discards: list[Hit]
    places: list[Hit]  # gazetteer aliases (rule value: the place id), in no order


class _Family:
    """The language family of a text, guessed from the original on first need only
    (few rules are limited to a language, and most texts never meet one)."""

    __slots__ = ("guess", "value")

    def __init__(self, value: str | None, guess: bool) -> None:
        self.value = value
        self.guess = guess

    def get(self, folded: Folded) -> str | None:
        if self.guess:
            self.value = guess_lang_family(folded.original)
            self.guess = False
        return self.value


def _complex(out: tuple[list[Hit], ...], checks: tuple[Any, ...], folded: Folded, s: int,
             e0: int, family: _Family) -> None:
    """Rules of one candidate that need a language, verifier or spelling check.

    ``checks`` is ``(any_verifier, rules)`` (see ``lexicon._checks``)."""
    any_verifier, rules = checks
    text, padded = folded.text, folded.padded
    if any_verifier is not None and any_verifier.match(text, s) is None:
        return
    n = len(text)
    for rank, rule, dest in rules:
        if rule.lang is not None:
            fam = family.get(folded)
            if fam is not None and rule.lang != fam:
                continue
        if rule.verifier is not None:
            m = rule.verifier.match(text, s)
            if m is None:
                continue
            end = m.end()
            if (not rule.need_right or end >= n or not text[end].isalnum()) and (
                text[end - 1].isalnum()
            ):
                end = padded.find(" ", end + 1) - 1  # end of the word
        elif rule.prefix:
            end = padded.find(" ", e0 + 1) - 1
        else:
            end = e0  # a right boundary, when needed, is in the automaton key
        if rule.cased is not None:
            a, b = folded.span(s, end)
            if folded.original[a:b] != rule.cased:
                continue
        out[dest].append((s, end, rank, rule))


def _raw_hits(lex: Lexicon, folded: Folded, family: _Family) -> tuple[list[Hit], ...]:
    text, padded = folded.text, folded.padded
    out: tuple[list[Hit], ...] = ([], [], [], [], [], [], [])
    for pend, (back, klen, check, prefix, dest, rank, rule, groups) in lex.automaton.iter(padded):
        if groups is None:  # one plain rule: most keys
            s = pend - back
            e = s + klen
            if check is not None and text[s:e] != check:
                continue
            if prefix:
                e = padded.find(" ", e + 1) - 1  # a stem runs to the end of its word
            out[dest].append((s, e, rank, rule))
            continue
        for back, klen, check, prefix, simple, complex_rules in groups:
            s = pend - back
            e = s + klen
            if check is not None and text[s:e] != check:
                continue
            if complex_rules:
                _complex(out, complex_rules, folded, s, e, family)
            if prefix:
                e = padded.find(" ", e + 1) - 1  # a stem runs to the end of its word
            for rank, rule, dest in simple:
                out[dest].append((s, e, rank, rule))
    # One str.find loop per punctuation key: each find is a C memchr, cheaper than a
    # regex match object per full stop and comma.
    find = text.find
    for char, (klen, simple, complex_rules) in lex.punct_rules.items():
        s = find(char)
        while s >= 0:
            for rank, rule, dest in simple:
                out[dest].append((s, s + klen, rank, rule))
            if complex_rules:
                _complex(out, complex_rules, folded, s, s + klen, family)
            s = find(char, s + 1)
    return out


def _uncontained(hits: list[Hit]) -> list[Hit]:
    """Drop hits strictly inside a longer hit of the same list; the result is sorted.

    After a plain sort (start, then end) a hit is strictly inside another exactly when
    an earlier start reaches at least as far, or its own start has a longer hit.
    """
    n = len(hits)
    if n < 2:
        return hits
    hits.sort()
    if n == 2:  # the common case, by the same rule as the loop below
        a, b = hits
        if a[0] == b[0]:
            return hits if a[1] == b[1] else [b]
        return [a] if b[1] <= a[1] else hits
    out: list[Hit] = []
    reach = -1  # furthest end among hits that start earlier
    i = 0
    while i < n:
        start = hits[i][0]
        j = i + 1
        while j < n and hits[j][0] == start:
            j += 1
        longest = hits[j - 1][1]
        if longest > reach:
            for k in range(i, j):
                if hits[k][1] == longest:
                    out.append(hits[k])
            reach = longest
        i = j
    return out


def _covered(h: Hit, covers: list[Hit]) -> bool:
    """Whether ``h`` lies inside (or on) the span of one of ``covers``."""
    s, e = h[0], h[1]
    for c in covers:
        if c[0] <= s and c[1] >= e:
            return True
    return False


def _inside_longer(h: Hit, covers: list[Hit]) -> bool:
    """Whether ``h`` lies inside a strictly longer span of ``covers``."""
    s, e = h[0], h[1]
    for c in covers:
        if c[0] <= s and c[1] >= e and c[1] - c[0] > e - s:
            return True
    return False


class Spans:
    """Many spans, asked whether one of them covers [s, e): one bisection per question
    instead of a loop over all of them, so long texts stay linear."""

    __slots__ = ("ends", "starts")

    def __init__(self, spans: Sequence[tuple[int, int] | Hit]) -> None:
        ordered = sorted((c[0], c[1]) for c in spans)
        self.starts = [s for s, _ in ordered]
        # running maximum of the ends: ends[i] is the furthest reach of spans[:i + 1]
        self.ends: list[int] = []
        best = -1
        for _, e in ordered:
            best = max(best, e)
            self.ends.append(best)

    def cover(self, s: int, e: int) -> bool:
        """Whether a span lies around (or on) [s, e)."""
        i = bisect_right(self.starts, s) - 1
        return i >= 0 and self.ends[i] >= e

    def cover_longer(self, s: int, e: int) -> bool:
        """Whether a strictly longer span lies around [s, e): it starts earlier and reaches
        at least to ``e``, or starts at most at ``s`` and reaches beyond ``e``."""
        i = bisect_left(self.starts, s) - 1
        if i >= 0 and self.ends[i] >= e:
            return True
        i = bisect_right(self.starts, s) - 1
        return i >= 0 and self.ends[i] > e


def _outside(hits: list[Hit], covers: list[Hit]) -> list[Hit]:
    """Drop hits lying inside (or equal to) a span of ``covers``."""
    if not covers or not hits:
        return hits
    if len(covers) <= _SMALL:
        return [h for h in hits if not _covered(h, covers)]
    spans = Spans(covers)
    return [h for h in hits if not spans.cover(h[0], h[1])]


def scan(lex: Lexicon, folded: Folded, family: str | None = None,
         guess_family: bool = False) -> Scan:
    """All accepted hits in ``folded``, overlaps settled, each list ordered by position.

    ``family`` limits language-bound rules; with ``guess_family`` and no family it is
    guessed from the original text (``text.guess_lang_family``) when first needed.
    """
    return _post(*_raw_hits(lex, folded, _Family(family, guess_family and family is None)))


def _post(plain: list[Hit], gated: list[Hit], actors: list[Hit], cues: list[Hit],
          breaks: list[Hit], discards: list[Hit], places: list[Hit]) -> Scan:
    """Settle overlaps between the raw hit lists and sort them."""
    # _uncontained sorts; the filters below keep order
    plain = _uncontained(plain)
    actors = _uncontained(actors)
    if cues:
        # a claim noun inside a longer cue still names a claim ("claim that" is also a
        # reported-speech cue; "rejects Kurti's claim that ..." is a denial)
        before = cues
        cues = _uncontained(cues)
        if len(cues) < len(before):
            kept = set(cues)
            extra = [c for c in before if c[3].kind == CLAIM and c not in kept]
            if extra:
                cues = sorted(cues + extra)
        if plain:
            # Claim nouns and accusation verbs stay even inside a signal phrase
            # ("accusations" is both a claim and an accusation); the other cues inside a
            # signal phrase belong to it ("will not recognise").
            if len(plain) <= _SMALL:
                cues = [c for c in cues if c[3].kind in _NOUNS or not _covered(c, plain)]
            else:
                spans = Spans(plain)
                cues = [c for c in cues if c[3].kind in _NOUNS or not spans.cover(c[0], c[1])]
    if breaks:
        covers = plain + actors if actors else plain
        if covers:
            if len(covers) <= _SMALL:
                kept = []
                for h in breaks:
                    s, e = h[0], h[1]
                    for c in covers:
                        if c[0] <= s and c[1] >= e:
                            break
                    else:
                        kept.append(h)
                breaks = kept
            else:
                breaks = _outside(breaks, covers)
        breaks.sort()
    if gated:
        if plain:
            # a loaded word inside a longer plain phrase belongs to it, as plain phrases
            # do ("terrorist attack" is an attack, not the insult "terrorist"); influence
            # words inside a meeting phrase stay (meetings with Moscow are both)
            if len(plain) <= _SMALL:
                gated = [g for g in gated
                         if g[3].value != "accusation" or not _inside_longer(g, plain)]
            else:
                spans = Spans(plain)
                gated = [g for g in gated
                         if g[3].value != "accusation" or not spans.cover_longer(g[0], g[1])]
        signals = plain + gated
        signals.sort()
    else:
        signals = plain
    if discards:
        discards.sort()
    return _new_tuple(Scan, (signals, actors, cues, breaks, discards, places))
