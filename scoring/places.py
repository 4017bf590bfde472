"""The place gazetteer: towns, crossings, rivers and regions named in an item, and their country.

LABELS.md counts a place for its country ("a place counts for its country"; the country of
focus is kept even when only a town is named), so an item that names only Zvečan is about
Kosovo. The data lives in ``scoring/data/places.toml``; this module loads and validates it
once and finds the places a text names in one pass of an Aho-Corasick automaton over
the folded text, so the cost is linear in the text's length.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ahocorasick

from scoring.errors import LexiconError
from scoring.taxonomy import ACTOR_CODES
from scoring.text import Folded, fold, fold_pattern

__all__ = [
    "Gazetteer", "Place", "cased_places", "compile_places", "find_places", "load_places",
    "place_info",
]

DATA_FILE = Path(__file__).resolve().parent / "data" / "places.toml"
_FILE = "places.toml"
_KINDS = frozenset({"town", "municipality", "village", "crossing", "bridge", "river", "region"})
_MIN_STEM = 4


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry."""

    id: str
    name: str
    country: str
    kind: str
    lat: float
    lon: float
    # a capital city: in sport items its name is a club's (Red Star Belgrade), as for the
    # capital aliases of actors.toml
    capital: bool = False


# One alias as its folded words: (word, is_stem) pairs.
_Alias = tuple[tuple[str, bool], ...]


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Compiled gazetteer: every alias as a key of one Aho-Corasick automaton."""

    version: str
    places: dict[str, Place]
    # ahocorasick.Automaton over the folded, spaced text (see scoring.text.Folded.padded):
    # " word " for an exact alias, " stem" for one whose last word is a stem; value: the
    # place id
    automaton: Any
    # exact-case names ("Bar", "Split") found in the original text; ``cased_any`` is the
    # same alternation without word boundaries, a fast pre-check (most texts have none)
    cased: re.Pattern[str] | None
    cased_ids: dict[str, str]
    cased_any: re.Pattern[str] | None = None
    # the automaton's keys and their place ids; the lexicon puts them into its own
    # automaton so that the scorer finds places in the pass that finds everything else
    keys: dict[str, str] = dataclasses.field(default_factory=dict)


def _fail(entry: str, reason: str) -> LexiconError:
    return LexiconError(_FILE, entry, reason)


def _number(value: Any, entry: str, name: str, limit: float) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise _fail(entry, f"{name} must be a finite number")
    if abs(value) > limit:
        raise _fail(entry, f"{name} {value} is outside -{limit}..{limit}")
    return float(value)


def _alias_words(alias: str, entry: str) -> list[_Alias]:
    out = []
    for variant in fold_pattern(alias):
        words = []
        for raw in re.sub(r"[^\w*]+", " ", variant).split():
            stem = raw.endswith("*")
            word = raw.rstrip("*")
            if not word or "*" in word:
                raise _fail(entry, f"bad alias {alias!r}")
            least = _MIN_STEM if not words else 3
            if stem and len(word) < least:
                raise _fail(entry, f"stem {raw!r} is shorter than {least} letters")
            if words and words[-1][1]:
                raise _fail(entry, f"only the last word of {alias!r} may be a stem")
            words.append((word, stem))
        if not words:
            raise _fail(entry, f"empty alias {alias!r}")
        out.append(tuple(words))
    return out


def compile_places(doc: dict[str, Any]) -> Gazetteer:
    """Validate a parsed places.toml and index its aliases; raises LexiconError."""
    version = doc.get("version")
    if not isinstance(version, str) or not version:
        raise _fail("version", "missing version string")
    places: dict[str, Place] = {}
    owner: dict[str, str] = {}
    cased_ids: dict[str, str] = {}
    entries = doc.get("place")
    if not isinstance(entries, list) or not entries:
        raise _fail("place", "no [[place]] entries")
    for i, p in enumerate(entries):
        pid = p.get("id") if isinstance(p, dict) else None
        entry = f"place[{i}] {pid}"
        if not isinstance(pid, str) or not re.fullmatch(r"[a-z0-9_]+", pid):
            raise _fail(entry, "id must be lower-case ascii letters, digits and _")
        if pid in places:
            raise _fail(entry, "place listed twice")
        country = p.get("country")
        if country not in ACTOR_CODES:
            raise _fail(entry, f"unknown country actor {country!r}")
        kind = p.get("kind")
        if kind not in _KINDS:
            raise _fail(entry, f"kind must be one of {', '.join(sorted(_KINDS))}")
        name = p.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _fail(entry, "missing name")
        capital = p.get("capital", False)
        if not isinstance(capital, bool):
            raise _fail(entry, "capital must be true or false")
        places[pid] = Place(pid, name, country, kind, _number(p.get("lat"), entry, "lat", 90),
                            _number(p.get("lon"), entry, "lon", 180), capital)
        aliases, cased = p.get("aliases", []), p.get("cased", [])
        if not isinstance(aliases, list) or not isinstance(cased, list) or not (aliases or cased):
            raise _fail(entry, "aliases (and cased) must be non-empty lists of strings")
        for alias in aliases:
            if not isinstance(alias, str):
                raise _fail(entry, "aliases must be strings")
            for words in _alias_words(alias, entry):
                key = " " + " ".join(w for w, _ in words) + ("" if words[-1][1] else " ")
                if owner.get(key, pid) != pid:
                    raise _fail(entry, f"alias {alias!r} also names {owner[key]}")
                owner[key] = pid
        for name_ in cased:
            if not isinstance(name_, str) or not name_.strip() or not name_[0].isupper():
                raise _fail(entry, f"cased name {name_!r} must be a capitalised string")
            if cased_ids.get(name_, pid) != pid:
                raise _fail(entry, f"cased name {name_!r} also names {cased_ids[name_]}")
            cased_ids[name_] = pid
    cased_re = cased_any = None
    if cased_ids:
        names = "|".join(re.escape(n) for n in sorted(cased_ids, key=len, reverse=True))
        cased_re = re.compile(rf"(?<!\w)(?:{names})(?!\w)")
        cased_any = re.compile(names)
    automaton = ahocorasick.Automaton()
    for key, pid in owner.items():
        automaton.add_word(key, pid)
    automaton.make_automaton()
    return Gazetteer(version, places, automaton, cased_re, cased_ids, cased_any, owner)


@functools.lru_cache(maxsize=4)
def _load(path: str) -> Gazetteer:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise _fail("-", f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise _fail("-", f"not valid TOML: {exc}") from exc
    return compile_places(doc)


def load_places(path: Path | str | None = None) -> Gazetteer:
    """The compiled gazetteer (cached); raises LexiconError naming file and entry when invalid."""
    return _load(str(path or DATA_FILE))


def find_places(text: str, gazetteer: Gazetteer | None = None,
                folded: Folded | None = None) -> set[str]:
    """Ids of the places ``text`` names (any script, inflected forms through stems).

    One pass of the automaton over the folded, spaced text: keys start at a word start
    (the leading space) and an exact alias also ends at a word end (the trailing space).
    Pass ``folded`` (``fold(text)``) when the caller has it, to fold once.
    """
    if not text:
        return set()
    gz = gazetteer if gazetteer is not None else load_places()
    padded = (folded if folded is not None else fold(text)).padded
    found = {pid for _, pid in gz.automaton.iter(padded)} if gz.automaton else set()
    found.update(cased_places(text, gz))
    return found


def cased_places(text: str, gazetteer: Gazetteer) -> list[str]:
    """Ids of the exact-case names ("Bar", "Split") in the original ``text``."""
    gz = gazetteer
    if gz.cased is None or gz.cased_any is None or not gz.cased_any.search(text):
        return []
    # a capitalised common word opening a headline ("Split decision") is no place
    return [gz.cased_ids[m.group(0)] for m in gz.cased.finditer(text) if m.start()]


def place_info(place_id: str) -> Place | None:
    """Name, country, kind and coordinates of a place id (for maps and tables)."""
    return load_places().places.get(place_id)
