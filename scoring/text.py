"""Text folding for matching: casefold, strip diacritics, Cyrillic -> Latin, with offsets.

Matching runs on a folded copy of the text; every folded character remembers the
index of the original character it came from, so evidence spans point into the
text the user sees. Most items are ASCII or fold one character to one character,
so the offset map is only built when some character expands or vanishes.

The matcher also needs a "spaced" copy: the folded text with every character that
is not alphanumeric (``str.isalnum``) turned into a space, one to one, and padded
with one space at each end. Word boundaries are then plain spaces, so lexicon keys
padded with spaces settle them inside the automaton (see ``lexicon.py``).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["Folded", "fold", "fold_pattern", "guess_lang_family", "lang_family", "spaced"]

# Serbian and Macedonian Cyrillic to the Latin spelling used by local outlets;
# digraph letters become the Latin digraphs so "Љ" meets "Lj" in either script.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "dj", "е": "e", "ж": "z",
    "з": "z", "и": "i", "ј": "j", "к": "k", "л": "l", "љ": "lj", "м": "m", "н": "n",
    "њ": "nj", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "ћ": "c", "у": "u",
    "ф": "f", "х": "h", "ц": "c", "ч": "c", "џ": "dz", "ш": "s",
    # Macedonian letters: ѓ and ќ are the sounds Serbian writes đ and ć, so they fold
    # the same way ("Вучиќ" meets "Vučić", "ќе" meets "će"); Latin "gj"/"kj" is Albanian.
    "ѓ": "dj", "ќ": "c", "ѕ": "dz",
    # Russian/Ukrainian/Bulgarian letters that appear in quoted names
    "й": "j", "ы": "y", "э": "e", "ю": "ju", "я": "ja", "ё": "e", "щ": "sc", "ъ": "",
    "ь": "", "є": "e", "і": "i", "ї": "i",
}

# Latin letters that NFKD does not decompose.
_LATIN_SPECIAL = {
    "đ": "dj", "ð": "d", "ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ı": "i",
    "ħ": "h", "þ": "th",
}

# Punctuation folded to one ASCII form so lexicon phrases need one spelling.
_PUNCT = {
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-",
    "\u00a0": " ", "\t": " ", "\n": " ", "\r": " ", "\u2028": " ", "\u2029": " ",
    "\u202f": " ", "\u2009": " ", "\u200b": "",
    "\u2026": ".",
}


def _fold_char(ch: str) -> str:
    if ch in _PUNCT:
        return _PUNCT[ch]
    low = ch.casefold()
    out = []
    for c in low:
        if c in _CYRILLIC:
            out.append(_CYRILLIC[c])
        elif c in _LATIN_SPECIAL:
            out.append(_LATIN_SPECIAL[c])
        else:
            decomposed = unicodedata.normalize("NFKD", c)
            out.append("".join(d for d in decomposed if not unicodedata.combining(d)))
    return "".join(out)


def _build_table() -> tuple[dict[int, str], frozenset[str]]:
    table: dict[int, str] = {}
    changes_length: set[str] = set()
    # Scripts the region writes in plus general punctuation; beyond that casefold
    # rarely matters for our phrases and characters pass through unchanged.
    for cp in (*range(0x0000, 0x0590), *range(0x1E00, 0x2070)):
        ch = chr(cp)
        folded = _fold_char(ch)
        if folded != ch:
            table[cp] = folded
        if len(folded) != 1:
            changes_length.add(ch)
    return table, frozenset(changes_length)


_TABLE, _EXPANDING = _build_table()
# The same mapping with identity entries too: str.translate raises and clears a
# KeyError for every character missing from its table, which made folding a
# non-ASCII text about three times slower than the lookups themselves.
_FULL_TABLE: dict[int, str | int] = {
    cp: _TABLE.get(cp, cp) for cp in (*range(0x0000, 0x0590), *range(0x1E00, 0x2070))
}
_EXPANDING_RE = re.compile("[" + re.escape("".join(sorted(_EXPANDING))) + "]")
_CYRILLIC_RE = re.compile("[\u0400-\u04ff]")
# Python's \w is exactly str.isalnum() plus "_" (tests/scoring/test_text_speed.py checks
# every code point), so this finds every character the matcher treats as a boundary.
_NON_ALNUM_RE = re.compile(r"[\W_]")


def _ascii_tables() -> tuple[bytes | None, bytes]:
    """Byte tables for ASCII text: the fold (lower + _TABLE) and the spaced form of a fold."""
    space = bytes(i if chr(i).isalnum() else 32 for i in range(256))
    folded = [chr(i).lower().translate(_TABLE) for i in range(128)]
    if not all(len(c) == 1 and c.isascii() for c in folded):
        return None, space  # a table change made ASCII folding non-1:1; use the str path
    return bytes(ord(c) for c in folded) + bytes(range(128, 256)), space


_ASCII_FOLD, _ASCII_SPACE = _ascii_tables()


def spaced(folded: str) -> str:
    """``folded`` with every non-alphanumeric character replaced by a space (same length)."""
    if folded.isascii():
        return folded.encode("ascii").translate(_ASCII_SPACE).decode("ascii")
    return _NON_ALNUM_RE.sub(" ", folded)


class Folded:
    """A folded text, the map from folded index to original index, and the spaced text.

    ``padded`` is " " + spaced(text) + " ": index i + 1 of ``padded`` is index i of
    ``text``.
    """

    __slots__ = ("offsets", "original", "padded", "text")

    def __init__(self, original: str, text: str, offsets: list[int] | None,
                 padded: str | None = None) -> None:
        self.original = original
        self.text = text
        self.offsets = offsets  # None means identity
        self.padded = " " + spaced(text) + " " if padded is None else padded

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) for the folded slice [start, end)."""
        if self.offsets is None:
            return start, end
        if end <= start:
            o = self.offsets[start] if start < len(self.offsets) else len(self.original)
            return o, o
        return self.offsets[start], self.offsets[end - 1] + 1


def fold(text: str) -> Folded:
    """Fold ``text`` for matching; spans map back through ``Folded.span``."""
    if text.isascii():
        if _ASCII_FOLD is not None:
            # bytes.translate is one C loop; same result as text.lower().translate(_TABLE)
            raw = text.encode("ascii").translate(_ASCII_FOLD)
            return Folded(text, raw.decode("ascii"), None,
                          (b" " + raw.translate(_ASCII_SPACE) + b" ").decode("ascii"))
        low = text.lower().translate(_TABLE)
        if len(low) == len(text):
            return Folded(text, low, None)
    elif not _EXPANDING_RE.search(text):
        folded = text.translate(_FULL_TABLE)
        if len(folded) == len(text):
            return Folded(text, folded, None)
    # Some characters expand ("đ" -> "dj") or vanish ("ь"): every other character
    # still maps one to one, so the offsets are runs of ranges between those.
    offsets: list[int] = []
    prev = 0
    for m in _EXPANDING_RE.finditer(text):
        i = m.start()
        offsets.extend(range(prev, i))
        offsets.extend([i] * len(_TABLE[ord(text[i])]))
        prev = i + 1
    offsets.extend(range(prev, len(text)))
    return Folded(text, text.translate(_FULL_TABLE), offsets)


def fold_pattern(pattern: str) -> list[str]:
    """Folded spellings of a lexicon phrase; "đ" yields both the "dj" and the "d" spelling."""
    base = " ".join(pattern.split())
    if pattern != pattern.strip() and not any(c.isalnum() for c in pattern):
        base = pattern  # spaced punctuation (" - ") is a dash, not a hyphen
    variants = [fold(base).text]
    if "đ" in base.lower():
        variants.append(fold(base.replace("đ", "d").replace("Đ", "D")).text)
    return variants


_FAMILIES = {
    "sr": "sh", "hr": "sh", "bs": "sh", "sh": "sh", "me": "sh", "cnr": "sh", "mk": "sh",
    "sq": "sq", "al": "sq", "en": "en",
}


def lang_family(lang: str | None) -> str | None:
    """Map a feed language code to the lexicon's language family (sh, sq, en) or None."""
    if not lang:
        return None
    return _FAMILIES.get(lang.lower().replace("_", "-").split("-")[0])


def guess_lang_family(text: str) -> str | None:
    """Cheap guess when the feed gives no language: Cyrillic -> sh, ë/ç -> sq, else None."""
    if text.isascii():
        return None
    if _CYRILLIC_RE.search(text):
        return "sh"
    if "ë" in text or "Ë" in text or "ç" in text:
        return "sq"
    if any(c in text for c in "čćšžđČĆŠŽĐ"):
        return "sh"
    return None
