"""Denial, negation, hedging, calls and reported accusations, with a clause scope.

A cue governs the signal mentions after it in its clause. Its reach stops at the
clause end, and at a comma once a new actor has been named after it ("Serbia
denies involvement, Kosovo police arrest two"). A denial with no mention after it
reaches back over its clause ("Reports of a build-up are false"). Reject-type
verbs count as a denial only with a claim noun in the clause ("rejects the
accusations"). Outcomes, strongest first: negated (denial or negation), not
asserted (a call, a condition, the content of an accusation), hedged (asserted,
weaker), asserted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from scoring.lexicon import CLAIM, DENIAL, DENIAL_OBJ, HEDGE, IRREALIS, NEG, REPORT
from scoring.matcher import Hit

__all__ = ["Mention", "Status", "assess_clause"]

# A negation this close before a denial cue cancels it ("did not deny").
_NEGATED_DENIAL_GAP = 12


class Mention(NamedTuple):
    """A signal mention inside one clause (folded offsets)."""

    start: int
    end: int
    signal: str


class Status(NamedTuple):
    """Verdict on one mention; ``unasserted`` names why it does not count, if so."""

    negated: bool
    hedged: bool
    unasserted: str | None = None


_PLAIN = Status(False, False, None)


def _blocked(a: int, b: int, softs: Sequence[int], actor_starts: Sequence[int]) -> bool:
    """True when a comma in [a, b) is followed by an actor before b."""
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
        return [_PLAIN] * len(mentions), []

    def governs(c: Hit, m: Mention) -> bool:
        return c[1] <= m.start and not _blocked(c[1], m.start, softs, actor_starts)

    by_kind: dict[int, list[Hit]] = {}
    for c in cues:
        by_kind.setdefault(c[3].kind, []).append(c)
    negs = by_kind.get(NEG, [])
    denial_cues = by_kind.get(DENIAL, [])
    if CLAIM in by_kind:
        denial_cues = denial_cues + by_kind.get(DENIAL_OBJ, [])
    denials = [
        c for c in denial_cues
        if not any(n[1] <= c[0] and c[0] - n[1] < _NEGATED_DENIAL_GAP
                   and not _blocked(n[1], c[0], softs, actor_starts) for n in negs)
    ]
    denied: set[int] = set()
    for c in denials:
        reached = False
        for i, m in enumerate(mentions):
            if m.signal in immune or m.start < c[1]:
                continue
            reached = True
            if governs(c, m):
                denied.add(i)
        if not reached:
            denied.update(i for i, m in enumerate(mentions)
                          if m.signal not in immune and m.end <= c[0])
    # Plain negation reaches the first signal mention it governs ("no shots were fired as
    # roadblocks are cleared" negates the shots only); a denial covers its whole scope.
    negated = set(denied)
    for n in negs:
        for i, m in enumerate(mentions):
            if governs(n, m):
                negated.add(i)
                break
    out = []
    for i, m in enumerate(mentions):
        if i in negated:
            out.append(Status(True, False, None))
            continue
        reason = None
        if m.signal not in immune and any(governs(c, m) for c in by_kind.get(REPORT, [])):
            reason = "reported"
        elif any(governs(c, m) for c in by_kind.get(IRREALIS, [])):
            reason = "irrealis"
        hedged = any(governs(h, m) for h in by_kind.get(HEDGE, []))
        out.append(Status(False, hedged, reason))
    return out, denials
