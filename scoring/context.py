"""Headline context the clause rules need: who speaks before a colon, who accuses, victims.

Feed headlines put the speaker first and a colon after it ("Kurti: Belgrade hides
Radoičić", "BE: Serbia duhet të ndalë ..."). The speaker owns what follows in that
sentence, so a statement gate can be met by the speaker even when the clause after
the colon names someone else first. An official body saying "there was no X" after
its colon rebuts a report (a denial). Accusation nouns count only when the accuser is
named: before the noun ("Kurti's claim") or right after it with "by"/"from". Police
named after a clash and a preposition ("Gunmen fire on police") are its victims.
All word lists come from the lexicon data; these functions only read positions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from scoring.actors import ActorMention
from scoring.lexicon import THIRD_PARTY

__all__ = ["Speaker", "accuser_named", "find_speakers", "is_victim"]

# What may stand between an accuser and its claim noun in "Skopje's claim".
_POSSESSIVE = frozenset({"", "'s", "’s", "s", "'", "’"})
# How far back from a police mention the clash and its preposition may be.
_VICTIM_REACH = 40


class Speaker(NamedTuple):
    """The speaker segment of one sentence: text before its first colon."""

    colon: int  # folded offset of the colon
    code: str | None  # first actor named before the colon ("" = third party)
    official: bool  # the segment names an official body (government, ministry, police)


def find_speakers(
    text: str,
    colons: Sequence[int],
    hard: Sequence[int],
    sent: Sequence[int],
    actors: Sequence[ActorMention],
    official_re: re.Pattern[str] | None,
) -> dict[int, Speaker]:
    """Sentence index -> its speaker, for sentences whose first clause ends in a colon."""
    from bisect import bisect_left, bisect_right

    out: dict[int, Speaker] = {}
    first: dict[tuple[int, int], str] = {}  # (clause, sentence) -> its first actor's code
    for a in actors:
        first.setdefault((a.clause, a.sentence), a.code)
    for p in colons:
        s = bisect_right(sent, p)
        if s in out:
            continue
        k = bisect_left(hard, p)  # index of this colon among the hard breaks
        start = sent[s - 1] + 1 if s > 0 else 0
        if k > 0 and hard[k - 1] >= start:
            continue  # not the first clause of its sentence: a colon inside a statement
        code = first.get((k, s))
        official = official_re is not None and official_re.search(text, start, p) is not None
        if code is not None or official:
            out[s] = Speaker(p, code, official)
    return out


def accuser_named(
    text: str,
    actors: Sequence[ActorMention],
    actor: str | None,
    start: int,
    end: int,
    clause: int,
    after_words: frozenset[str],
    after_only: bool = False,
) -> bool:
    """Whether an actor other than the subject is named as the accuser of a claim noun.

    With ``after_only`` (the clause denies the claim) an accuser before the noun counts only
    as its possessive ("rejects Skopje's claim"): further before, the actor is the claim's
    setting ("Russian Centre in Serbia scorns espionage claims")."""
    for m in actors:
        if m.clause != clause or m.code in (actor, THIRD_PARTY):
            continue
        if m.end <= start:
            if after_only and text[m.end:start].strip() not in _POSSESSIVE:
                continue
            return True
        if m.start >= end:
            between = text[end:m.start].split()
            # nothing between: a genitive ("optužbe Prištine"); else a "by" word first
            if not between or (between[0] in after_words and len(between) <= 3):
                return True
    return False


def is_victim(text: str, start: int, clash_ends: Sequence[int], words: re.Pattern[str]) -> bool:
    """Whether a mention at ``start`` follows a clash and a victim preposition."""
    for e in clash_ends:
        if e <= start and start - e <= _VICTIM_REACH and words.search(text, e, start):
            return True
    return False
