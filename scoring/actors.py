"""Actor resolution: alias hits -> actor mentions, and who a signal belongs to.

Office holders count for their actor only while in office (by the item's
publication year) unless the lexicon marks them unambiguous; with no date the
item is taken to be current, so only holders still in office count. Attribution
follows headline syntax: the first actor of the clause before the signal is its
subject; failing that the nearest actor after it in the clause, then in the
sentence. The target is the first other actor after the signal in the clause.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from scoring.lexicon import NOBODY, THIRD_PARTY
from scoring.matcher import Hit

__all__ = ["ActorMention", "attribute", "resolve_actors"]


_new_tuple = tuple.__new__


class ActorMention(NamedTuple):
    """An actor named at folded offset ``start``; code "" is a third party."""

    start: int
    end: int
    code: str
    clause: int
    sentence: int
    capital: bool = False  # named through a capital-city alias


def holder_applies(valid_from: int | None, valid_to: int | None, unambiguous: bool,
                   year: int | None) -> bool:
    """Whether a dated alias names its actor in ``year`` (None = the present)."""
    if unambiguous or (valid_from is None and valid_to is None):
        return True
    if year is None:
        return valid_to is None or valid_to >= 2100
    if valid_from is not None and year < valid_from:
        return False
    return valid_to is None or year <= valid_to


def resolve_actors(
    hits: Sequence[Hit],
    year: int | None,
    clause_of: Callable[[int], int],
    sentence_of: Callable[[int], int],
) -> list[ActorMention]:
    """Actor mentions among ``hits`` that are valid for the publication year."""
    # Two actors on one span ("Srpska": RS in English, the Serbian adjective stem
    # elsewhere): the language-specific, then the exact alias wins over a stem. Hits
    # come sorted by span, so the hits of one span are neighbours.
    out: list[ActorMention] = []
    n = len(hits)
    i = 0
    while i < n:
        start, end, _, r = hits[i]
        j = i + 1
        if j < n and hits[j][0] == start and hits[j][1] == end:
            while j < n and hits[j][0] == start and hits[j][1] == end:
                j += 1
            group = [h[3] for h in hits[i:j]]
            best = max((g.lang is not None, not g.prefix) for g in group)
            rules = [g for g in group if (g.lang is not None, not g.prefix) == best]
        else:
            rules = [r]
        if len(rules) > 1 and any(g.value == NOBODY for g in rules):
            i = j  # an exact non-actor spelling ("serbë") overrides the alias it folds to
            continue
        clause, sentence = clause_of(start), sentence_of(start)
        for r in rules:
            if (r.valid_from is not None or r.valid_to is not None) and not holder_applies(
                r.valid_from, r.valid_to, r.unambiguous, year
            ):
                continue
            if r.value == NOBODY:
                continue
            # tuple.__new__ skips NamedTuple's Python-level __new__ (same value, less time)
            out.append(_new_tuple(ActorMention, (start, end, r.value, clause, sentence,
                                                 r.capital)))
        i = j
    return out


def attribute(mentions: Sequence[ActorMention], start: int, end: int, clause: int,
              sentence: int) -> tuple[str | None, str | None]:
    """(actor, target) for a signal at [start, end); third parties come back as ""."""
    if not mentions:
        return None, None
    before = []
    after = []
    for m in mentions:
        if m.clause == clause:
            if m.end <= start:
                before.append(m)
            elif m.start >= end:  # spans are never empty, so never both
                after.append(m)
    actor: str | None = None
    if before:
        actor = before[0].code
    elif after:
        actor = after[0].code
    else:
        same = [m for m in mentions if m.sentence == sentence]
        prior = [m for m in same if m.end <= start]
        if prior:
            actor = prior[0].code
        elif same:
            actor = same[0].code
    target = None
    for m in after:
        if m.code != actor and m.code != THIRD_PARTY:
            target = m.code
            break
    if target is None and before:
        for m in before[1:]:
            if m.code != actor and m.code != THIRD_PARTY:
                target = m.code
                break
    return actor, target
