"""Story clustering: one wire story carried by many outlets counts once.

Items are reduced to a normalised story text (title + the start of the lead),
hashed with a 64-bit SimHash, and two items are the same story when their
hashes differ in at most ``DEFAULT_MAX_DISTANCE`` bits. ``band_keys`` splits a
hash into bands so storage can find candidates with an indexed equality
lookup instead of comparing every pair. The method and the measured
threshold are documented in ``scoring/INDEX.md``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pandas is only needed by the batch helper; workers never load it
    import pandas as pd

__all__ = [
    "DEFAULT_BANDS",
    "DEFAULT_MAX_DISTANCE",
    "LEAD_WORDS",
    "band_keys",
    "cluster_items",
    "hamming",
    "is_near_duplicate",
    "simhash",
    "story_text",
]

# Chosen by measurement (scoring/INDEX.md, "Choosing the threshold").
DEFAULT_MAX_DISTANCE = 6
# Pigeonhole: with max_distance + 1 bands, two hashes within max_distance bits
# agree on at least one whole band, so one indexed lookup per band is enough.
DEFAULT_BANDS = DEFAULT_MAX_DISTANCE + 1
# Outlets cut leads at different lengths but nearly always keep the first
# sentence; 20 words is about that. Measured against 40: same precision,
# shortened-lead recall 0.69 instead of 0.44 (scoring/INDEX.md).
LEAD_WORDS = 20

_BITS = 64
_MASK = (1 << _BITS) - 1
_SIGN_BIT = 1 << (_BITS - 1)

# Serbian and Macedonian Cyrillic (plus the few Russian/Bulgarian letters that
# turn up in regional quotes) to ASCII Latin. Serbian digraph conventions:
# ђ→dj, џ→dz, љ→lj, њ→nj; Macedonian ѓ→gj, ќ→kj, ѕ→dz. Letters with háčeks map
# straight to their base letter because diacritics are folded anyway.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "dj", "е": "e",
    "ж": "z", "з": "z", "и": "i", "ј": "j", "к": "k", "л": "l", "љ": "lj",
    "м": "m", "н": "n", "њ": "nj", "о": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "ћ": "c", "у": "u", "ф": "f", "х": "h", "ц": "c", "ч": "c",
    "џ": "dz", "ш": "s", "ѓ": "gj", "ќ": "kj", "ѕ": "dz", "й": "j", "ы": "y",
    "э": "e", "ю": "ju", "я": "ja", "щ": "sc", "ъ": "", "ь": "", "ё": "e",
    "є": "je", "і": "i", "ї": "ji", "ґ": "g",
}  # fmt: skip
# Latin letters that Unicode does not decompose into base + mark.
_LATIN_EXTRA = {"đ": "dj", "ß": "ss", "æ": "ae", "ø": "o", "ł": "l", "œ": "oe", "ı": "i"}
_TRANSLATE = str.maketrans({**_CYRILLIC, **_LATIN_EXTRA})

_TAG = re.compile(r"<[^>]*>")
# Apostrophes join ("Tutu's" -> "tutus") so an outlet that drops them
# ("Tutus") yields the same word; other punctuation separates words.
_APOSTROPHES = re.compile("['\u2019\u02bc`\u00b4]")
# "120,000", "120.000" and "120000" are one number whichever style an
# outlet uses for thousands (and "1,5" / "1.5" one decimal).
_DIGIT_SEPARATOR = re.compile(r"(?<=\d)[.,](?=\d)")
# Runs of letters and digits: what is left between runs of [\W_] (\W covers whitespace).
_WORD = re.compile(r"[^\W_]+")
# Wire boilerplate that one outlet adds and another does not; it says nothing
# about which story this is.
_BOILERPLATE = frozenset(
    "update updated breaking exclusive video foto photo photos live watch "
    "uzivo ekskluzivno najnovije azurirano reuters afp ap tanjug beta fena "
    "srna hina kosovapress anadolu rferl".split()
)


class _CombiningMarks(dict):
    """``str.translate`` table deleting combining marks, filled in as characters are met."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.combining(chr(code)) else code
        self[code] = value
        return value


_DROP_MARKS = _CombiningMarks()


def _fold(text: str) -> str:
    """Casefold, transliterate Cyrillic, strip diacritics."""
    text = text.casefold()
    if text.isascii():
        return text  # nothing to transliterate, and NFKD leaves ASCII as it is
    return unicodedata.normalize("NFKD", text.translate(_TRANSLATE)).translate(_DROP_MARKS)


def _words(text: str) -> list[str]:
    """Folded words of ``text`` with markup, punctuation and boilerplate removed."""
    if "<" in text:
        text = _TAG.sub(" ", text)
    text = _DIGIT_SEPARATOR.sub("", _APOSTROPHES.sub("", text))
    words = _WORD.findall(_fold(text))
    return [w for w in words if w not in _BOILERPLATE]


def story_text(title: str, summary: str = "") -> str:
    """Normalised title + first ``LEAD_WORDS`` words of the lead, for hashing."""
    lead = _lead_words(summary or "")
    return " ".join(_words(title or "") + lead)


# Characters of a summary read before trying for the lead words (20 words rarely need more).
_LEAD_CHARS = 200


def _lead_words(summary: str) -> list[str]:
    """``_words(summary)[:LEAD_WORDS]``, reading only as much of a long summary as needed.

    The prefix is cut at whitespace outside any tag, where no rule of ``_words``
    looks across the cut, so its first words are those of the whole text.
    """
    cut = summary.find(" ", _LEAD_CHARS)
    if cut > 0 and summary.rfind("<", 0, cut) <= summary.rfind(">", 0, cut):
        words = _words(summary[:cut])
        if len(words) >= LEAD_WORDS:
            return words[:LEAD_WORDS]
    return _words(summary)[:LEAD_WORDS]


def _feature_hash(feature: str) -> int:
    # blake2b, not hash(): Python salts str hashes per process, and the
    # stored hashes must compare across processes and machines.
    return int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "big")


# Words and word pairs recur across news items, so their hashes are kept (bounded:
# the table is simply dropped when full).
_HASH_CACHE: dict[str, int] = {}
_HASH_CACHE_MAX = 200_000


def _cached_hashes(features: list[str]) -> list[int]:
    cache = _HASH_CACHE
    if len(cache) > _HASH_CACHE_MAX:
        cache.clear()
    out = []
    for feature in features:
        value = cache.get(feature)
        if value is None:
            value = cache[feature] = _feature_hash(feature)
        out.append(value)
    return out


def _features(tokens: list[str]) -> list[str]:
    """Shingles with equal weight: each word and each adjacent word pair.

    Pairs carry word order ("A accuses B" is not "B accuses A"); the single
    words keep a lone swapped word from moving the hash as far as it would if
    only pairs counted. Double-weight pairs measured worse (INDEX.md).
    """
    return [*tokens, *(f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False))]


def _to_signed(value: int) -> int:
    return value - (1 << _BITS) if value & _SIGN_BIT else value


def simhash(text: str) -> int:
    """64-bit SimHash of ``text`` as a signed int64 (fits SQL BIGINT); 0 for empty text."""
    tokens = text.split()
    if not tokens:
        return 0
    # Every feature weighs 1 (``_features``), so a bit's vote is positive exactly
    # when more than half of the features set it: count instead of summing ±1.0.
    features = _features(tokens)
    hashes = np.array(_cached_hashes(features), dtype=">u8")
    # Bit i of every feature hash, most significant first: shape (features, 64).
    ones = np.unpackbits(hashes.view(np.uint8).reshape(-1, 8), axis=1).sum(axis=0)
    packed = np.packbits(ones * 2 > len(features))
    return _to_signed(int.from_bytes(packed.tobytes(), "big"))


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two 64-bit hashes (signed or unsigned)."""
    return ((a ^ b) & _MASK).bit_count()


def is_near_duplicate(a: int, b: int, max_distance: int = DEFAULT_MAX_DISTANCE) -> bool:
    """True when two story hashes are within ``max_distance`` bits."""
    return hamming(a, b) <= max_distance


def band_keys(h: int, bands: int = DEFAULT_BANDS) -> tuple[str, ...]:
    """LSH band keys ("b0:3fa2"); hashes within ``bands - 1`` bits share at least one key."""
    if not 1 <= bands <= _BITS:
        raise ValueError(f"bands must be between 1 and {_BITS}, got {bands}")
    unsigned = h & _MASK
    keys = []
    for i in range(bands):
        lo, hi = i * _BITS // bands, (i + 1) * _BITS // bands
        width = hi - lo
        part = (unsigned >> (_BITS - hi)) & ((1 << width) - 1)
        keys.append(f"b{i}:{part:0{(width + 3) // 4}x}")
    return tuple(keys)


def cluster_items(
    df: pd.DataFrame,
    *,
    window_days: float = 3,
    max_distance: int = DEFAULT_MAX_DISTANCE,
) -> pd.Series:
    """Story id per row: the item_id of the earliest item of its near-duplicate cluster.

    Input columns: item_id, published_at, title, summary (source is accepted
    and ignored: an outlet re-posting its own story also counts once). Items
    are visited in (published_at, item_id) order; each joins the cluster of the
    nearest earlier item published at most ``window_days`` before it (ties: the
    earliest such item), else starts its own. Items without a date stay alone.
    The result is indexed like ``df`` and does not depend on its row order.
    """
    import pandas as pd  # noqa: PLC0415 - kept off the ingest workers' import path

    if df.empty:
        return pd.Series([], index=df.index, dtype=object, name="story_id")
    published = pd.to_datetime(df["published_at"], utc=True, errors="coerce", format="mixed")
    dated = published.notna().to_numpy()
    when = published.dt.tz_localize(None).to_numpy().astype("datetime64[ns]").astype(np.int64)
    summaries = df["summary"] if "summary" in df.columns else pd.Series("", index=df.index)
    hashes = [
        simhash(story_text(_str(title), _str(summary)))
        for title, summary in zip(df["title"], summaries, strict=True)
    ]
    item_ids = df["item_id"].tolist()
    order = sorted(range(len(df)), key=lambda i: (not dated[i], when[i], str(item_ids[i])))
    rank = {row: position for position, row in enumerate(order)}
    window = int(window_days * 86_400 * 1e9)
    bands = max_distance + 1
    buckets: dict[str, list[int]] = defaultdict(list)  # band key -> rows, in visiting order
    story = list(item_ids)
    for i in order:
        if not dated[i]:
            continue
        keys = band_keys(hashes[i], bands)
        candidates = {
            j for key in keys for j in buckets.get(key, ()) if when[i] - when[j] <= window
        }
        # Nearest first; among equally near, the one visited first (the earliest).
        matches = sorted((hamming(hashes[i], hashes[j]), rank[j], j) for j in candidates)
        if matches and matches[0][0] <= max_distance:
            story[i] = story[matches[0][2]]
        for key in keys:
            buckets[key].append(i)
    return pd.Series(story, index=df.index, dtype=object, name="story_id")


def _str(value: object) -> str:
    """Text of a title/summary cell; missing values become empty text."""
    if isinstance(value, str):
        return value
    import pandas as pd  # noqa: PLC0415 - only the batch helper reaches here

    return "" if pd.isna(value) else str(value)
