"""Scoring: what a news text says about Western Balkan tension — pure functions.

Owns the taxonomy, the lexicon data files, the actor resolver, negation, the
item score and the `python -m scoring` commands; touches no database or network.
"""

from scoring.errors import LexiconError, ScoringError
from scoring.item import score_item
from scoring.lexicon import Lexicon, load_lexicon
from scoring.taxonomy import ACTOR_CODES, SIGNAL_CODES, actor_label, signal_label, signal_sign
from scoring.types import Evidence, ItemScore

__all__ = [
    "ACTOR_CODES",
    "SIGNAL_CODES",
    "Evidence",
    "ItemScore",
    "Lexicon",
    "LexiconError",
    "ScoringError",
    "actor_label",
    "load_lexicon",
    "score_item",
    "signal_label",
    "signal_sign",
]
