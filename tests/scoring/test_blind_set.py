"""Checks on the blind headline set in tests/data/blind/headlines.jsonl.

The blind set is a final check of how the scorer generalises, so these tests
only guard its shape: schema, codes, the negation and direction rules of the
labelling guidelines, and the minimum counts promised in its README. The code
lists and labelling weights are imported from the labelled-set test so that
both sets follow one definition of the taxonomy.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from tests.scoring.test_labelled_data import (
    ACTOR_CODES,
    DIRECTIONS,
    KNOWN_TAGS,
    OPTIONAL_KEYS,
    REFERENCE_WEIGHTS,
    REQUIRED_KEYS,
    SIGNAL_SIGNS,
)
from tests.scoring.test_labelled_data import (
    ITEMS as LABELLED_ITEMS,
)

BLIND_FILE = Path(__file__).resolve().parents[1] / "data" / "blind" / "headlines.jsonl"

MIN_ITEMS, MAX_ITEMS = 200, 230
MIN_PER_SIGNAL = 8
MIN_NO_SIGNAL_SHARE = 0.30
MIN_NEGATED_ITEMS = 15
MIN_DENIALS = 10
MIN_BARE_NEGATIONS = 5
MIN_HEDGED = 5
# Share of items per language group (README "Counts"); "other" is bs/hr/mk/cnr.
MIN_LANG_SHARE = {"en": 0.40, "sr": 0.18, "sq": 0.18, "other": 0.12}
OTHER_LANGS = frozenset({"bs", "hr", "mk", "cnr"})

_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LATIN_DIACRITIC = re.compile(r"[čćžšđČĆŽŠĐ]")
_ID = re.compile(r"blind-\d{3}")


def _load() -> list[dict]:
    rows = []
    for lineno, line in enumerate(BLIND_FILE.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"headlines.jsonl:{lineno}: blank line"
        rows.append(json.loads(line))
    return rows


ITEMS = _load()


def _lang_group(lang: str) -> str:
    return "other" if lang in OTHER_LANGS else lang


def _expected_direction(signals: list[str]) -> str:
    total = sum(REFERENCE_WEIGHTS[s] for s in signals)
    if total > 0:
        return "escalation"
    if total < 0:
        return "de-escalation"
    return "neutral"


@pytest.mark.parametrize("item", ITEMS, ids=lambda i: str(i.get("id")))
def test_item_schema(item: dict) -> None:
    keys = set(item)
    assert REQUIRED_KEYS <= keys, REQUIRED_KEYS - keys
    assert keys <= REQUIRED_KEYS | OPTIONAL_KEYS, keys - REQUIRED_KEYS - OPTIONAL_KEYS
    for key in ("id", "title", "summary", "lang", "direction"):
        assert isinstance(item[key], str), key
    assert item["title"].strip()
    for key in ("title", "summary"):
        assert item[key] == item[key].strip(), f"{key} has outer whitespace"
        assert unicodedata.is_normalized("NFC", item[key]), f"{key} is not NFC"
    for key in ("actors", "signals", "negated", "tags"):
        values = item.get(key, [])
        assert isinstance(values, list) and all(isinstance(v, str) for v in values), key
        assert values == sorted(set(values)), f"{key} must be sorted and unique"


@pytest.mark.parametrize("item", ITEMS, ids=lambda i: str(i.get("id")))
def test_item_codes_are_known(item: dict) -> None:
    assert set(item["actors"]) <= ACTOR_CODES, set(item["actors"]) - ACTOR_CODES
    assert set(item["signals"]) <= set(SIGNAL_SIGNS), item["signals"]
    assert set(item["negated"]) <= set(SIGNAL_SIGNS), item["negated"]
    assert item["direction"] in DIRECTIONS
    assert set(item.get("tags", [])) <= KNOWN_TAGS
    assert _lang_group(item["lang"]) in MIN_LANG_SHARE, item["lang"]


@pytest.mark.parametrize("item", ITEMS, ids=lambda i: str(i.get("id")))
def test_item_negation_and_direction_rules(item: dict) -> None:
    signals, negated = set(item["signals"]), set(item["negated"])
    assert not signals & negated, "a signal is either asserted or negated"
    assert "denial" not in negated
    if "denial" in signals:
        assert negated, "a denial item must list the denied signal"
    if "negation" in item.get("tags", []):
        assert negated, "an item tagged negation must negate something"
    assert item["direction"] == _expected_direction(item["signals"])


def test_ids_are_sequential() -> None:
    ids = [item["id"] for item in ITEMS]
    assert all(_ID.fullmatch(i) for i in ids)
    assert ids == [f"blind-{n:03d}" for n in range(1, len(ids) + 1)]


def test_titles_are_unique_and_not_from_the_labelled_set() -> None:
    titles = Counter(item["title"].casefold() for item in ITEMS)
    assert [t for t, n in titles.items() if n > 1] == []
    labelled = {item["title"].casefold() for item in LABELLED_ITEMS}
    assert [t for t in titles if t in labelled] == []


def test_size_and_language_mix() -> None:
    assert MIN_ITEMS <= len(ITEMS) <= MAX_ITEMS
    groups = Counter(_lang_group(item["lang"]) for item in ITEMS)
    for group, share in MIN_LANG_SHARE.items():
        assert groups[group] / len(ITEMS) >= share, (group, groups[group])
    # Each neighbouring language is present, not just one of them.
    assert {item["lang"] for item in ITEMS} >= OTHER_LANGS


def test_every_signal_has_enough_items() -> None:
    counts = Counter(s for item in ITEMS for s in item["signals"])
    short = {code: counts[code] for code in SIGNAL_SIGNS if counts[code] < MIN_PER_SIGNAL}
    assert short == {}


def test_no_signal_share() -> None:
    empty = [item for item in ITEMS if not item["signals"]]
    assert len(empty) / len(ITEMS) >= MIN_NO_SIGNAL_SHARE
    # Hard negatives exist in every language group, not only in English.
    groups = Counter(_lang_group(item["lang"]) for item in empty)
    assert all(groups[g] >= 5 for g in MIN_LANG_SHARE), groups


def test_negations_denials_and_hedges() -> None:
    assert sum(1 for item in ITEMS if item["negated"]) >= MIN_NEGATED_ITEMS
    assert sum(1 for item in ITEMS if "denial" in item["signals"]) >= MIN_DENIALS
    bare = [i for i in ITEMS if i["negated"] and "denial" not in i["signals"]]
    assert len(bare) >= MIN_BARE_NEGATIONS
    assert sum(1 for item in ITEMS if "hedged" in item.get("tags", [])) >= MIN_HEDGED


def test_serbian_scripts_are_mixed() -> None:
    rows = [item for item in ITEMS if item["lang"] == "sr"]
    cyrillic = [i for i in rows if _CYRILLIC.search(i["title"])]
    latin = [i for i in rows if not _CYRILLIC.search(i["title"])]
    assert 0.4 <= len(cyrillic) / len(rows) <= 0.6
    ascii_only = [i for i in latin if not _LATIN_DIACRITIC.search(i["title"] + i["summary"])]
    assert len(ascii_only) >= 6
    for item in rows:
        tags = set(item.get("tags", []))
        if "cyrl" in tags:
            assert item in cyrillic, item["id"]
        if "ascii" in tags:
            assert item in ascii_only, item["id"]


def test_every_actor_code_appears() -> None:
    assert {a for item in ITEMS for a in item["actors"]} == ACTOR_CODES
