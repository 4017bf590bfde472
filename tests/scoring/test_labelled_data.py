"""Checks on the hand-labelled evaluation set in tests/data/labelled/.

The set is written independently of the lexicon, so the code lists below are
copied from ../shared/DESIGN.md rather than imported from ``scoring``: a drift
between the two is then a failing test instead of a silent agreement.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

LABELLED_DIR = Path(__file__).resolve().parents[1] / "data" / "labelled"

# DESIGN.md "Signals (codes)": code -> sign of its weight.
SIGNAL_SIGNS: dict[str, int] = {
    "military_buildup": 1,
    "armed_clash": 1,
    "nato_statement": 1,
    "intl_statement": 1,
    "accusation": 1,
    "denial": 0,
    "protest_unrest": 1,
    "police_action": 1,
    "sanctions": 1,
    "de_escalation": -1,
    "diplomacy": -1,
    "foreign_influence": 1,
    "secession_sovereignty": 1,
}

# DESIGN.md "Actors (codes)".
ACTOR_CODES: frozenset[str] = frozenset(
    "SRB KOS BIH RS MNE MKD ALB HRV NATO EU USA RUS CHN UN TUR BGR".split()
)

# Labelling-only magnitudes (Goldstein/CAMEO based, see README.md), used to
# decide `direction` when an item mixes tension-raising and tension-lowering
# signals. They are not the scorer's weights.
REFERENCE_WEIGHTS: dict[str, float] = {
    "military_buildup": 7.0,
    "armed_clash": 9.0,
    "nato_statement": 3.0,
    "intl_statement": 3.0,
    "accusation": 4.0,
    "denial": 0.0,
    "protest_unrest": 6.5,
    "police_action": 5.0,
    "sanctions": 8.0,
    "de_escalation": -8.0,
    "diplomacy": -4.0,
    "foreign_influence": 4.0,
    "secession_sovereignty": 6.0,
}

SIGNAL_CODES_LIST = tuple(SIGNAL_SIGNS)
DIRECTIONS = frozenset({"escalation", "de-escalation", "neutral"})
REQUIRED_KEYS = frozenset(
    {"id", "title", "summary", "lang", "actors", "signals", "negated", "direction"}
)
OPTIONAL_KEYS = frozenset({"tags"})
KNOWN_TAGS = frozenset(
    """accident ascii crime culture cyrl economy edge figurative film game hedged
    history latn negation politics question sport weather""".split()
)
# Which languages each file may hold ("cnr" is the ISO 639-3 code for Montenegrin).
FILE_LANGS: dict[str, frozenset[str]] = {
    "en.jsonl": frozenset({"en"}),
    "sr.jsonl": frozenset({"sr"}),
    "sq.jsonl": frozenset({"sq"}),
    "other.jsonl": frozenset({"bs", "hr", "mk", "cnr"}),
    # Feed-style headlines in every language, a second independent set (README.md).
    "realstyle.jsonl": frozenset({"en", "sr", "sq", "bs", "hr", "mk", "cnr"}),
    # Local-language feed headlines, a third independent set (README.md).
    "local2.jsonl": frozenset({"sr", "sq", "bs", "hr", "mk", "cnr"}),
}

MIN_TOTAL = 300
MIN_PER_FILE = {"en.jsonl": 170, "sr.jsonl": 60, "sq.jsonl": 60, "other.jsonl": 15}
MIN_PER_SIGNAL = 18
MIN_NO_SIGNAL_SHARE = 0.30
MIN_NEGATED_ITEMS = 25
MIN_HEDGED_ITEMS = 10

_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LATIN_DIACRITIC = re.compile(r"[čćžšđČĆŽŠĐ]")


def _load() -> dict[str, list[dict]]:
    files = {}
    for path in sorted(LABELLED_DIR.glob("*.jsonl")):
        rows = []
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert line.strip(), f"{path.name}:{lineno}: blank line"
            rows.append(json.loads(line))
        files[path.name] = rows
    return files


FILES = _load()
ITEMS = [item for rows in FILES.values() for item in rows]


def _expected_direction(signals: list[str]) -> str:
    total = sum(REFERENCE_WEIGHTS[s] for s in signals)
    if total > 0:
        return "escalation"
    if total < 0:
        return "de-escalation"
    return "neutral"


def test_expected_files_exist() -> None:
    assert set(FILES) == set(FILE_LANGS)


def test_reference_weights_follow_design_signs() -> None:
    assert set(REFERENCE_WEIGHTS) == set(SIGNAL_SIGNS)
    for code, weight in REFERENCE_WEIGHTS.items():
        assert (weight > 0) - (weight < 0) == SIGNAL_SIGNS[code], code


@pytest.mark.parametrize("item", ITEMS, ids=lambda i: str(i.get("id")))
def test_item_schema(item: dict) -> None:
    keys = set(item)
    assert REQUIRED_KEYS <= keys, REQUIRED_KEYS - keys
    assert keys <= REQUIRED_KEYS | OPTIONAL_KEYS, keys - REQUIRED_KEYS - OPTIONAL_KEYS
    for key in ("id", "title", "summary", "lang", "direction"):
        assert isinstance(item[key], str), key
    assert item["id"] and item["title"].strip()
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
    assert set(item["signals"]) <= set(SIGNAL_CODES_LIST), item["signals"]
    assert set(item["negated"]) <= set(SIGNAL_CODES_LIST), item["negated"]
    assert item["direction"] in DIRECTIONS
    assert set(item.get("tags", [])) <= KNOWN_TAGS


@pytest.mark.parametrize("item", ITEMS, ids=lambda i: str(i.get("id")))
def test_item_negation_rules(item: dict) -> None:
    signals, negated = set(item["signals"]), set(item["negated"])
    # A mention is either asserted or negated at item level, never both.
    assert not signals & negated
    # Denying is an act in itself; "denial" cannot be denied away.
    assert "denial" not in negated
    # A denial always names what it denies.
    if "denial" in signals:
        assert negated, "a denial item must list the denied signal"


@pytest.mark.parametrize("item", ITEMS, ids=lambda i: str(i.get("id")))
def test_item_direction_follows_signs(item: dict) -> None:
    signs = {SIGNAL_SIGNS[s] for s in item["signals"]} - {0}
    if not signs:
        assert item["direction"] == "neutral"
    elif signs == {1}:
        assert item["direction"] == "escalation"
    elif signs == {-1}:
        assert item["direction"] == "de-escalation"
    assert item["direction"] == _expected_direction(item["signals"])


def test_ids_unique_and_prefixed_by_file() -> None:
    ids = Counter(item["id"] for item in ITEMS)
    assert [i for i, n in ids.items() if n > 1] == []
    prefixes = {
        "en.jsonl": "en-",
        "sr.jsonl": "sr-",
        "sq.jsonl": "sq-",
        "other.jsonl": "oth-",
        "realstyle.jsonl": "real-",
        "local2.jsonl": "loc2-",
    }
    for name, rows in FILES.items():
        assert all(item["id"].startswith(prefixes[name]) for item in rows), name


def test_no_duplicate_titles() -> None:
    titles = Counter(item["title"].casefold() for item in ITEMS)
    assert [t for t, n in titles.items() if n > 1] == []


def test_languages_match_files() -> None:
    for name, rows in FILES.items():
        langs = {item["lang"] for item in rows}
        assert langs <= FILE_LANGS[name], (name, langs)
    other_langs = Counter(item["lang"] for item in FILES["other.jsonl"])
    # Every neighbouring language is represented, not just one of them.
    assert set(other_langs) == FILE_LANGS["other.jsonl"]


def test_size_per_file_and_total() -> None:
    assert len(ITEMS) >= MIN_TOTAL
    for name, minimum in MIN_PER_FILE.items():
        assert len(FILES[name]) >= minimum, name


def test_every_signal_has_enough_items() -> None:
    counts = Counter(s for item in ITEMS for s in item["signals"])
    short = {code: counts[code] for code in SIGNAL_SIGNS if counts[code] < MIN_PER_SIGNAL}
    assert short == {}


def test_signals_are_spread_over_languages() -> None:
    # At least one non-English item per signal, so the set tests more than English rules.
    counts = Counter(s for item in ITEMS if item["lang"] != "en" for s in item["signals"])
    assert [code for code in SIGNAL_SIGNS if counts[code] == 0] == []


def test_no_signal_share() -> None:
    empty = sum(1 for item in ITEMS if not item["signals"])
    assert empty / len(ITEMS) >= MIN_NO_SIGNAL_SHARE
    # The hard negatives are there in each main language, not only in English.
    for name in ("en.jsonl", "sr.jsonl", "sq.jsonl"):
        assert sum(1 for item in FILES[name] if not item["signals"]) >= 15, name


def test_negations_and_hedges() -> None:
    assert sum(1 for item in ITEMS if item["negated"]) >= MIN_NEGATED_ITEMS
    assert sum(1 for item in ITEMS if "denial" in item["signals"]) >= MIN_PER_SIGNAL
    # Negation without a denial ("no shots were fired") is covered too.
    bare = [i for i in ITEMS if i["negated"] and "denial" not in i["signals"]]
    assert len(bare) >= 5
    assert sum(1 for item in ITEMS if "hedged" in item.get("tags", [])) >= MIN_HEDGED_ITEMS


def test_serbian_scripts_are_mixed() -> None:
    rows = FILES["sr.jsonl"]
    cyrillic = [i for i in rows if _CYRILLIC.search(i["title"])]
    latin = [i for i in rows if not _CYRILLIC.search(i["title"])]
    assert 0.4 <= len(cyrillic) / len(rows) <= 0.6
    ascii_only = [i for i in latin if not _LATIN_DIACRITIC.search(i["title"] + i["summary"])]
    assert len(ascii_only) >= 8
    # Script tags, where given, agree with the text.
    for item in rows:
        tags = set(item.get("tags", []))
        if "cyrl" in tags:
            assert item in cyrillic, item["id"]
        if "ascii" in tags:
            assert item in ascii_only, item["id"]


def test_every_actor_code_appears() -> None:
    seen = {a for item in ITEMS for a in item["actors"]}
    assert seen == ACTOR_CODES


def test_codes_agree_with_scoring_package_when_present() -> None:
    scoring = pytest.importorskip("scoring")
    codes = getattr(scoring, "SIGNAL_CODES", None)
    actors = getattr(scoring, "ACTOR_CODES", None)
    if codes is None or actors is None:
        pytest.skip("scoring does not export SIGNAL_CODES / ACTOR_CODES yet")
    assert set(codes) == set(SIGNAL_SIGNS)
    assert set(actors) == ACTOR_CODES
