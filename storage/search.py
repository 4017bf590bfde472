"""Free-text search over item titles and summaries, on SQLite FTS5 and PostgreSQL tsvector.

A user's words are never passed to the engine as query syntax: they are split
into word tokens, each quoted, so ``"`` or ``NEAR(`` in a search box is just
text. Cyrillic words also search their Latin transliteration (and Latin words
their Cyrillic form), because the same outlet
may publish either script.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, Integer, TextClause, text

from storage.models import Item

__all__ = ["fts5_query", "search_terms", "stem", "text_match", "to_cyrillic", "to_latin"]

_WORD = re.compile(r"\w+", re.UNICODE)
# Cap the work one search can ask of the index: a pasted paragraph is not a query.
MAX_TERMS = 8

_CYR_TO_LAT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "đ", "е": "e", "ж": "ž",
    "з": "z", "и": "i", "ј": "j", "к": "k", "л": "l", "љ": "lj", "м": "m", "н": "n",
    "њ": "nj", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "ћ": "ć", "у": "u",
    "ф": "f", "х": "h", "ц": "c", "ч": "č", "џ": "dž", "ш": "š",
    # Macedonian and Russian letters that Serbian lacks.
    "ѓ": "gj", "ќ": "kj", "ѕ": "dz", "й": "j", "ы": "y", "э": "e", "ю": "ju", "я": "ja",
    "ё": "e", "щ": "šč", "ъ": "", "ь": "",
}  # fmt: skip
# Digraphs first, so "lj" becomes "љ" rather than "лј".
_LAT_TO_CYR = [
    ("dž", "џ"), ("lj", "љ"), ("nj", "њ"),
    ("a", "а"), ("b", "б"), ("c", "ц"), ("č", "ч"), ("ć", "ћ"), ("d", "д"), ("đ", "ђ"),
    ("e", "е"), ("f", "ф"), ("g", "г"), ("h", "х"), ("i", "и"), ("j", "ј"), ("k", "к"),
    ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"),
    ("š", "ш"), ("t", "т"), ("u", "у"), ("v", "в"), ("z", "з"), ("ž", "ж"),
]  # fmt: skip
_SERBIAN_LATIN_MARKS = frozenset("čćđšž")


def to_latin(word: str) -> str:
    """Serbian/Macedonian Cyrillic → Latin (other characters unchanged)."""
    return "".join(_CYR_TO_LAT.get(ch, ch) for ch in word.lower())


def to_cyrillic(word: str) -> str:
    """Serbian Latin → Cyrillic; only meaningful for words written with Serbian letters."""
    out = word.lower()
    for lat, cyr in _LAT_TO_CYR:
        out = out.replace(lat, cyr)
    return out


# Case endings the region's languages put on names: "Banjska" is also written Banjskoj,
# Banjske, Бањске, Banjskë, "Kosovo" Kosova, Kosovu, Kosovës. Searching the stem as a
# prefix finds them all. Only vowels are cut, at most two, and a stem keeps 4 letters.
_ENDING_VOWELS = frozenset("aeiouyëəаеиоуыэюяј")
_MIN_STEM = 4


def stem(word: str) -> str:
    """The word without its final vowels (at most two), for prefix search of inflections."""
    cut = word
    while (len(cut) > _MIN_STEM and len(word) - len(cut) < 2 and cut[-1] in _ENDING_VOWELS
           and word.isalpha()):
        cut = cut[:-1]
    return cut


def search_terms(query: str) -> list[tuple[str, ...]]:
    """The user's words as stems, each with its other-script spellings (deduplicated,
    order kept); every variant is searched as a prefix."""
    terms: list[tuple[str, ...]] = []
    for word in _WORD.findall(query.lower())[:MAX_TERMS]:
        word = stem(word)
        variants = [word]
        if any("\u0400" <= ch <= "\u04ff" for ch in word):
            variants.append(to_latin(word))
        elif word.isalpha() and all(ch.isascii() or ch in _SERBIAN_LATIN_MARKS for ch in word):
            # "Dodik" finds "Додик"; without diacritics "Vucic" cannot know its č and ć,
            # so only the Latin spellings (folded by the index) are found for it.
            variants.append(to_cyrillic(word))
        terms.append(tuple(dict.fromkeys(variants)))
    return terms


def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def fts5_query(query: str) -> str:
    """An FTS5 MATCH expression: every word must match (as a prefix), any script variant."""
    parts = []
    for variants in search_terms(query):
        # Prefix match so an inflected form ("Kosova", "Kosovu") finds "Kosovo" typed in full
        # or in part; words of one or two letters would match too much as prefixes.
        options = [_quote(v) + ("*" if len(v) >= 3 else "") for v in variants]
        parts.append(options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")")
    return " AND ".join(parts)


def text_match(
    dialect: str,
    query: str,
    id_range: tuple[int, int] | None = None,
    *,
    filter_only: bool = False,
) -> ColumnElement[bool] | TextClause | None:
    """A WHERE clause restricting ``items`` to those matching ``query``; None when no words.

    ``id_range`` (inclusive) may bound the item ids looked at, when the caller knows
    every wanted item lies in it: on SQLite the full-text index then reads only that
    slice instead of every match of a common word. ``filter_only`` keeps SQLite from
    starting at the hits (it then tests rows reached through another index).
    """
    terms = search_terms(query)
    if not terms:
        return None
    if dialect == "sqlite":
        sql = "SELECT rowid FROM items_fts WHERE items_fts MATCH :fts_query"
        params: dict[str, object] = {"fts_query": fts5_query(query)}
        if id_range is not None:
            sql += " AND rowid BETWEEN :fts_lo AND :fts_hi"
            params.update(fts_lo=id_range[0], fts_hi=id_range[1])
        fts = text(sql).bindparams(**params).columns(rowid=Integer)
        # "id + 0" is SQLite's way of saying: do not look rows up by this term.
        return (Item.id + 0).in_(fts) if filter_only else Item.id.in_(fts)
    if dialect == "postgresql":
        # The expression must be written exactly as the GIN index in migration 0002
        # (constants inline, not bound) for PostgreSQL to use that index.
        clauses = []
        params = {}
        for i, variants in enumerate(terms):
            alts = []
            for j, word in enumerate(variants):
                name = f"tsq_{i}_{j}"
                # Prefix match, as on SQLite, so "Kurti" finds "Kurtit" and "Kurtija".
                lexeme = "'" + word.replace("'", "''") + "'"
                params[name] = lexeme + (":*" if len(word) >= 3 else "")
                alts.append(f"to_tsquery('simple', :{name})")
            clauses.append("(" + " || ".join(alts) + ")")
        return text(
            "to_tsvector('simple', coalesce(items.title, '') || ' ' || "
            "coalesce(items.summary, '')) @@ (" + " && ".join(clauses) + ")"
        ).bindparams(**params)
    # Any other engine: a plain, unindexed substring search still gives right answers.
    clause = None
    for variants in terms:
        alt = None
        for word in variants:
            hit = Item.title.ilike(f"%{word}%") | Item.summary.ilike(f"%{word}%")
            alt = hit if alt is None else alt | hit
        clause = alt if clause is None else clause & alt
    return clause
