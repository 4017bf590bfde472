"""Values the scorer returns; storage and the dashboard read them (types only)."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Evidence", "ItemScore"]


@dataclass(frozen=True, slots=True)
class Evidence:
    """One matched phrase and what it counted for.

    ``start``/``end`` are character offsets into ``field`` text ("title" or
    "summary") of the original, un-normalised input. ``suppressed_by`` names
    the discard rule that stopped the match from counting (then ``weight`` is
    0), so the dashboard can explain a zero as well as a spike.
    """

    signal: str
    actor: str | None
    text: str
    start: int
    end: int
    negated: bool = False
    target: str | None = None
    field: str = "title"
    weight: float = 0.0
    hedged: bool = False
    suppressed_by: str | None = None


@dataclass(frozen=True, slots=True)
class ItemScore:
    """The scorer's verdict on one item; the same input always gives the same value."""

    actors: tuple[str, ...]
    signals: tuple[str, ...]
    negated: tuple[str, ...]
    direction: str  # "escalation" | "de-escalation" | "neutral"
    score: float
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)
    lexicon_version: str = ""
    # gazetteer place ids named in the item (scoring/data/places.toml), sorted
    places: tuple[str, ...] = ()
