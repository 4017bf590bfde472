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

__all__ = ["PLAIN", "Mention", "Status", "assess_clause"]

# A negation this close before a denial cue cancels it ("did not deny").
_NEGATED_DENIAL_GAP = 12
# How close behind a mention a plain negation with nothing after it must stand to negate it.
_REACH_BACK_GAP = 8


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


# The verdict on a mention with no cue in its clause: asserted, not hedged.
PLAIN = Status(False, False, None)


_NEGATED = Status(True, False, None)
_STATUSES = {(h, r): Status(False, h, r)
             for h in (False, True) for r in (None, "reported", "irrealis")}


def _blocked(a: int, b: int, softs: Sequence[int], actor_starts: Sequence[int]) -> bool:
    """True when a comma in [a, b) is followed by an actor before b."""
    for s in softs:
        if a <= s < b and any(s < x < b for x in actor_starts):
            return True
    return False


def _governed(cues: Sequence[Hit], pos: int, softs: Sequence[int],
              actor_starts: Sequence[int]) -> bool:
    """Whether some cue ending at or before ``pos`` reaches it (no comma-and-actor between)."""
    for c in cues:
        if c[1] <= pos and not (softs and actor_starts and _blocked(c[1], pos, softs,
                                                                   actor_starts)):
            return True
    return False


def assess_clause(
    mentions: Sequence[Mention],
    cues: Sequence[Hit],
    softs: Sequence[int],
    actor_starts: Sequence[int],
    immune: frozenset[str],
    setting: Sequence[int] = (),
    irrealis_asserted: frozenset[str] = frozenset(),
    roles: Sequence[int] = (),
    clause_end: int = 1 << 30,
) -> tuple[list[Status], list[Hit]]:
    """Status of each mention and the cues that assert a denial, for one clause.

    ``setting`` holds the positions of setting words ("at", "during"): once a denial
    has negated a mention, a setting word after it ends the denial's reach ("deny using
    tear gas at the rally" leaves the rally asserted).
    ``roles`` holds the positions of role words ("role in", "anything to do with"): a
    denial reaching an act across one denies a part in it, not the act, which is then
    neither negated nor asserted ("denies any role in the clashes").
    """
    if not cues:
        return [PLAIN] * len(mentions), []
    # _blocked needs a comma and an actor; without either no cue is ever blocked
    check = bool(softs) and bool(actor_starts)

    def governs(c: Hit, m: Mention) -> bool:
        return c[1] <= m.start and not (check and _blocked(c[1], m.start, softs, actor_starts))

    negs: list[Hit] = []
    denial_cues: list[Hit] = []
    objects: list[Hit] = []
    reports: list[Hit] = []
    irrealis: list[Hit] = []
    hedges: list[Hit] = []
    claim = False
    for c in cues:
        kind = c[3].kind
        if kind == NEG:
            negs.append(c)
        elif kind == DENIAL:
            denial_cues.append(c)
        elif kind == DENIAL_OBJ:
            objects.append(c)
        elif kind == CLAIM:
            claim = True
        elif kind == REPORT:
            reports.append(c)
        elif kind == IRREALIS:
            irrealis.append(c)
        elif kind == HEDGE:
            hedges.append(c)
    if claim:
        denial_cues += objects
    denials = denial_cues
    if negs and denial_cues:
        denials = [
            c for c in denial_cues
            if not any(n[1] <= c[0] and c[0] - n[1] < _NEGATED_DENIAL_GAP
                       and not (check and _blocked(n[1], c[0], softs, actor_starts))
                       for n in negs)
        ]
    if not mentions:
        return [], denials
    negated: set[int] = set()
    attributed: set[int] = set()
    for c in denials:
        reached = False
        first_end = -1
        for i, m in enumerate(mentions):
            if m.signal in immune or m.start < c[1]:
                continue
            reached = True
            if first_end >= 0 and any(first_end <= p < m.start for p in setting):
                break
            if governs(c, m):
                if roles and any(c[1] <= p < m.start for p in roles):
                    attributed.add(i)
                    continue
                negated.add(i)
                if first_end < 0:
                    first_end = m.end
        if not reached:
            negated.update(i for i, m in enumerate(mentions)
                           if m.signal not in immune and m.end <= c[0])
    # Plain negation reaches the first signal mention it governs ("no shots were fired as
    # roadblocks are cleared" negates the shots only); a denial covers its whole scope.
    for n in negs:
        for i, m in enumerate(mentions):
            if governs(n, m):
                negated.add(i)
                break
        else:
            if clause_end - n[1] < 3:
                continue  # a clause-final "nisu" is a word that folds to it ("Nišu")
            # nothing after it: a negation right behind its subject negates it ("Tenkovi
            # se ne kreću", "Referendum fails to take place"); far behind, it is another
            # verb's ("police arrested a man who was not armed"); a statement noun keeps
            # ("Dodik's threats cannot change that" is still a threat)
            for i in range(len(mentions) - 1, -1, -1):
                m = mentions[i]
                if m.end <= n[0]:
                    if n[0] - m.end <= _REACH_BACK_GAP and m.signal not in immune:
                        negated.add(i)
                    break
    negated -= attributed
    if not (reports or irrealis or hedges or attributed):
        return [_NEGATED if i in negated else PLAIN for i in range(len(mentions))], denials
    blocking_softs = softs if check else ()
    out = []
    for i, m in enumerate(mentions):
        if i in negated:
            out.append(_NEGATED)
            continue
        pos = m.start
        reason = None
        if i in attributed:
            reason = "reported"
        elif reports and m.signal not in immune and _governed(reports, pos, blocking_softs,
                                                              actor_starts):
            reason = "reported"
        elif (irrealis and m.signal not in irrealis_asserted
              and _governed(irrealis, pos, blocking_softs, actor_starts)):
            reason = "irrealis"
        hedged = bool(hedges) and _governed(hedges, pos, blocking_softs, actor_starts)
        out.append(_STATUSES[(hedged, reason)])
    return out, denials
