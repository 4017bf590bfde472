"""Errors raised by the scorer.

ScoringError            base for everything scoring raises on purpose
 └── LexiconError       a data file in scoring/data is missing, unreadable or invalid
"""

from __future__ import annotations

__all__ = ["LexiconError", "ScoringError"]


class ScoringError(Exception):
    """Raised when the scorer cannot do its job; base of the package's errors."""


class LexiconError(ScoringError):
    """Raised when a lexicon file fails validation; names the file, the entry and why."""

    def __init__(self, file: str, entry: str, reason: str) -> None:
        self.file = file
        self.entry = entry
        self.reason = reason
        super().__init__(f"{file}: {entry}: {reason}")
