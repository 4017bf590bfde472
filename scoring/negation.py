"""Denial, negation and hedging with a clause scope.

A cue governs the signal mentions after it in its clause. Its reach stops at the
clause end and at a soft boundary (comma, "and") once a new actor has been named
after it ("Serbia denies involvement, Kosovo police arrest two"). A denial also
stops at a presupposition noun: "denies involvement in the attack" denies the
involvement, not the attack. A denial with no mention after it reaches back over
its clause ("Reports of a build-up are false"). Reject-type verbs count as a
denial only with a claim noun in the clause ("rejects the accusations").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from scoring.lexicon import CLAIM, DENIAL, DENIAL_OBJ, HEDGE, NEG, PRESUP
from scoring.matcher import Hit

__all__ = ["Mention", "Status", "assess_clause"]


class Mention(NamedTuple):
    """A signal mention inside one clause (folded offsets)."""

    start: int
    end: int
    signal: str


class Status(NamedTuple):
    """Verdict on one mention."""

    negated: bool
    hedged: bool


def _blocked(a: int, b: int, softs: Sequence[int], actor_starts: Sequence[int]) -> bool:
    """True when a soft boundary in [a, b) is followed by an actor before b."""
    for s in softs:
        if a <= s < b and any(s < x < b for x in actor_starts):
            return True
    return False


def assess_clause(
    mentions: Sequence[Mention],
    cues: Sequence[Hit],
    softs: Sequence[int],
    actor_starts: Sequence[int],
    immune: frozenset[str],
) -> tuple[list[Status], list[Hit]]:
    """Status of each mention and the cues that assert a denial, for one clause."""
    if not cues:
        return [Status(False, False)] * len(mentions), []
    has_claim = any(c.rule.kind == CLAIM for c in cues)
    negs = [c for c in cues if c.rule.kind == NEG]
    denials = [
        c for c in cues
        if (c.rule.kind == DENIAL or (c.rule.kind == DENIAL_OBJ and has_claim))
        # "did not deny" is no denial
        and not any(n.end <= c.start and not _blocked(n.end, c.start, softs, actor_starts)
                    and c.start - n.end < 12 for n in negs)
    ]
    hedges = [c for c in cues if c.rule.kind == HEDGE]
    presups = [c.start for c in cues if c.rule.kind == PRESUP]

    def governs(c: Hit, m: Mention, stop_at_presup: bool) -> bool:
        if c.end > m.start:
            return False
        if _blocked(c.end, m.start, softs, actor_starts):
            return False
        return not (stop_at_presup and any(c.end <= p < m.start for p in presups))

    denied: set[int] = set()
    for c in denials:
        reached = False
        for i, m in enumerate(mentions):
            if m.signal in immune:
                continue
            if governs(c, m, True):
                denied.add(i)
                reached = True
            elif m.start >= c.end:
                reached = True  # a mention after the cue that the cue may not reach
        if not reached:
            for i, m in enumerate(mentions):
                if m.signal not in immune and m.end <= c.start:
                    denied.add(i)
    out = []
    for i, m in enumerate(mentions):
        negated = i in denied or any(governs(n, m, False) for n in negs)
        hedged = any(governs(h, m, False) for h in hedges)
        out.append(Status(negated, hedged))
    return out, denials
