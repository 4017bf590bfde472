"""Scoring: what a news text says about Western Balkan tension — pure functions.

Owns the taxonomy, the lexicon data files, the actor resolver, negation, the
item score, story clustering, the tension index and `python -m scoring`; it
touches no database or network.
"""

from scoring.cluster import band_keys, cluster_items, hamming, simhash, story_text
from scoring.errors import LexiconError, ScoringError
from scoring.item import named_in, score_item
from scoring.lexicon import Lexicon, load_lexicon, reason_words
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
    "band_keys",
    "cluster_items",
    "daily_pair_scores",
    "daily_scores",
    "hamming",
    "load_lexicon",
    "named_in",
    "pair_index",
    "reason_words",
    "score_item",
    "signal_label",
    "signal_sign",
    "simhash",
    "story_text",
    "tension_index",
]

# The tension index needs pandas; ingest workers only score, so it loads on first use.
_LAZY = {name: "scoring.index" for name in
         ("daily_pair_scores", "daily_scores", "pair_index", "tension_index")}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'scoring' has no attribute {name!r}")
