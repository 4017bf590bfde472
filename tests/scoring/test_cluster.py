"""Story clustering: normalisation, SimHash, band keys and the measured threshold.

Run as a script to print the precision/recall table behind DEFAULT_MAX_DISTANCE:
    PYTHONPATH=. .venv/bin/python tests/scoring/test_cluster.py
"""

from __future__ import annotations

import html
import os
import random
import re
import subprocess
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from itertools import combinations
from pathlib import Path

import feedparser
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.cluster import (
    DEFAULT_BANDS,
    DEFAULT_MAX_DISTANCE,
    LEAD_WORDS,
    band_keys,
    cluster_items,
    hamming,
    is_near_duplicate,
    simhash,
    story_text,
)
from tests.conftest import needs_shared

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpora" / "realworld-news"
CORPUS_FILES = [
    "index-hr_2025-06-01_rss2-hr.xml",
    "guardian-world_2022-09-25_rss2.xml",
    "guardian-us_2018-01-31_rss2.xml",
    "tpm-news_2017-11-08_atom.xml",
]
INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)

WIRE_TITLE = "Kosovo police arrest two Serbs in Zvečan"
WIRE_LEAD = (
    "Kosovo police arrested two Serbs in Zvečan on Tuesday on suspicion of attacking "
    "police officers during last year's unrest, Interior Minister Xhelal Sveçla said. "
    "Belgrade condemned the arrests as an attack on the local population."
)
OTHER_TITLE = "Kosovo police arrest three Serbs in Leposavić"
OTHER_LEAD = (
    "Kosovo police detained three Serbs in Leposavić on Thursday over an old war crimes "
    "indictment, the special prosecution said. The Office for Kosovo and Metohija "
    "called it a campaign of intimidation."
)


def h(title: str, summary: str = "") -> int:
    return simhash(story_text(title, summary))


# --- story_text ---------------------------------------------------------------------------


def test_story_text_folds_case_diacritics_and_punctuation() -> None:
    assert story_text("Vučić: Srbija NEĆE priznati Kosovo!") == "vucic srbija nece priznati kosovo"
    assert story_text("Đorđe, Džajić; Šćepan") == "djordje dzajic scepan"
    assert story_text("Kurti's “plan” — rejected") == "kurtis plan rejected"


def test_story_text_transliterates_serbian_and_macedonian_cyrillic() -> None:
    assert story_text("Вучић: Србија неће признати Косово") == story_text(
        "Vučić: Srbija neće priznati Kosovo"
    )
    assert story_text("Љубљана, Њујорк, Џеп, Ђаковица") == "ljubljana njujork dzep djakovica"
    assert story_text("Ѓорѓе Иванов ќе ја ѕвони") == "gjorgje ivanov kje ja dzvoni"


def test_story_text_drops_markup_and_wire_boilerplate_and_cuts_the_lead() -> None:
    lead = "<p>" + " ".join(f"w{i}" for i in range(100)) + "</p>"
    text = story_text("UPDATE: Talks resume (Reuters)", lead)
    words = text.split()
    assert words[:2] == ["talks", "resume"]
    assert "update" not in words and "reuters" not in words and "p" not in words
    assert len(words) == 2 + LEAD_WORDS
    assert story_text("", "") == ""


# --- simhash / hamming --------------------------------------------------------------------


def test_simhash_is_pinned_so_stored_hashes_stay_comparable() -> None:
    # A stored BIGINT must mean the same thing after an upgrade or on another machine.
    assert simhash("kosovo police arrest two serbs in zvecan") == -211313297177390334
    assert simhash("") == 0


@given(st.text(max_size=300))
@settings(max_examples=200)
def test_simhash_fits_a_signed_bigint(text: str) -> None:
    value = simhash(story_text(text))
    assert -(2**63) <= value < 2**63


def test_simhash_is_the_same_in_another_process_with_another_hash_seed() -> None:
    code = "from scoring.cluster import simhash; print(simhash('nato sends more troops to kosovo'))"
    values = set()
    for seed in ("1", "2", "random"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        run = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        values.add(int(run.stdout))
    assert values == {simhash("nato sends more troops to kosovo")}


@given(INT64, INT64)
def test_hamming_is_a_metric_on_signed_values(a: int, b: int) -> None:
    assert hamming(a, a) == 0
    assert hamming(a, b) == hamming(b, a)
    assert 0 <= hamming(a, b) <= 64
    assert hamming(a, b) == ((a % 2**64) ^ (b % 2**64)).bit_count()


def test_hamming_counts_bits() -> None:
    assert hamming(0, -1) == 64
    assert hamming(0b1011, 0b0001) == 2
    assert is_near_duplicate(0, 0b111111, max_distance=6)
    assert not is_near_duplicate(0, 0b1111111, max_distance=6)


# --- band keys -----------------------------------------------------------------------------


@given(INT64, st.integers(1, 16), st.randoms(use_true_random=False))
@settings(max_examples=300)
def test_band_keys_pigeonhole(h1: int, bands: int, rnd: random.Random) -> None:
    unsigned = h1 % 2**64
    for bit in rnd.sample(range(64), rnd.randint(0, bands - 1)):
        unsigned ^= 1 << bit
    h2 = unsigned - 2**64 if unsigned >= 2**63 else unsigned
    assert hamming(h1, h2) <= bands - 1
    assert set(band_keys(h1, bands)) & set(band_keys(h2, bands))


def test_band_keys_shape_and_defaults() -> None:
    keys = band_keys(h(WIRE_TITLE, WIRE_LEAD))
    assert len(keys) == DEFAULT_BANDS == DEFAULT_MAX_DISTANCE + 1
    assert all(re.fullmatch(r"b\d+:[0-9a-f]+", k) for k in keys)
    assert band_keys(0, 4) == ("b0:0000", "b1:0000", "b2:0000", "b3:0000")
    assert band_keys(-1, 4) == ("b0:ffff", "b1:ffff", "b2:ffff", "b3:ffff")
    # Hashes 64 bits apart share nothing.
    assert not set(band_keys(0, 4)) & set(band_keys(-1, 4))
    with pytest.raises(ValueError):
        band_keys(0, 0)
    with pytest.raises(ValueError):
        band_keys(0, 65)


# --- near duplicates and cluster_items ----------------------------------------------------


SYNDICATED = [
    (WIRE_TITLE, WIRE_LEAD),
    ("UPDATE: " + WIRE_TITLE, WIRE_LEAD),
    (WIRE_TITLE + " - Reuters", "Reuters - " + WIRE_LEAD),
    (WIRE_TITLE.upper().replace("Č", "C"), WIRE_LEAD.replace("č", "c").replace("ç", "c")),
    ("Kosovo police arrest two Serbs in Zvečan.", " ".join(WIRE_LEAD.split()[:24])),
    ("Kosovo police detain two Serbs in Zvečan", WIRE_LEAD.replace(",", "")),
]


def test_syndicated_copies_are_near_duplicates() -> None:
    base = h(*SYNDICATED[0])
    for title, lead in SYNDICATED[1:]:
        assert is_near_duplicate(base, h(title, lead)), title


def test_same_actors_different_event_is_not_a_duplicate() -> None:
    assert not is_near_duplicate(h(WIRE_TITLE, WIRE_LEAD), h(OTHER_TITLE, OTHER_LEAD))
    assert hamming(h(WIRE_TITLE, WIRE_LEAD), h(OTHER_TITLE, OTHER_LEAD)) > 2 * (
        DEFAULT_MAX_DISTANCE
    )


def _items() -> pd.DataFrame:
    t0 = pd.Timestamp("2024-05-07 08:00", tz="UTC")
    rows = [
        {
            "item_id": f"w{i}",
            "published_at": t0 + pd.Timedelta(minutes=17 * i + 5),
            "title": title,
            "summary": lead,
            "source": f"outlet{i}",
        }
        for i, (title, lead) in enumerate(SYNDICATED)
    ]
    rows.append(
        {
            "item_id": "other",
            "published_at": t0 + pd.Timedelta(hours=3),
            "title": OTHER_TITLE,
            "summary": OTHER_LEAD,
            "source": "outlet9",
        }
    )
    rows.append(
        {
            "item_id": "late",
            "published_at": t0 + pd.Timedelta(days=5),
            "title": WIRE_TITLE,
            "summary": WIRE_LEAD,
            "source": "outlet1",
        }
    )
    rows.append(
        {
            "item_id": "undated",
            "published_at": None,
            "title": WIRE_TITLE,
            "summary": WIRE_LEAD,
            "source": "outlet2",
        }
    )
    return pd.DataFrame(rows)


def test_cluster_items_groups_syndicated_copies_under_the_earliest_item() -> None:
    df = _items()
    story = cluster_items(df)
    by_id = dict(zip(df["item_id"], story, strict=True))
    assert {by_id[f"w{i}"] for i in range(len(SYNDICATED))} == {"w0"}
    assert by_id["other"] == "other"
    # Outside the 3-day window and without a date: stories of their own.
    assert by_id["late"] == "late"
    assert by_id["undated"] == "undated"
    assert cluster_items(df, window_days=6).loc[df["item_id"] == "late"].item() == "w0"


def test_cluster_items_is_independent_of_row_order_and_keeps_the_index() -> None:
    df = _items()
    expected = dict(zip(df["item_id"], cluster_items(df), strict=True))
    shuffled = df.sample(frac=1.0, random_state=3).set_index(pd.Index(range(100, 100 + len(df))))
    story = cluster_items(shuffled)
    assert list(story.index) == list(shuffled.index)
    assert dict(zip(shuffled["item_id"], story, strict=True)) == expected


def test_cluster_items_reads_mixed_date_styles_and_missing_leads() -> None:
    # A date-only string beside a full timestamp must not turn the second into "undated".
    df = pd.DataFrame(
        {
            "item_id": [1, 2],
            "published_at": ["2024-01-01", "2024-01-01T02:00"],
            "title": [WIRE_TITLE, WIRE_TITLE],
            "summary": [pd.NA, None],
        }
    )
    assert cluster_items(df).tolist() == [1, 1]


def test_cluster_items_on_an_empty_frame() -> None:
    empty = pd.DataFrame(columns=["item_id", "published_at", "title", "summary", "source"])
    assert cluster_items(empty).empty


# --- the measurement behind DEFAULT_MAX_DISTANCE ------------------------------------------

Edit = Callable[[str, str, random.Random], tuple[str, str]]
_SYNONYMS = {
    "arrest": "detain",
    "arrested": "detained",
    "seize": "confiscate",
    "says": "said",
    "after": "following",
    "rise": "mount",
    "police": "officers",
    "urged": "called for",
}


def _ascii(text: str) -> str:
    text = text.replace("đ", "dj").replace("Đ", "Dj")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _swap(t: str, lead: str, rng: random.Random) -> tuple[str, str]:
    words = t.split()
    known = [i for i, w in enumerate(words) if w.lower() in _SYNONYMS]
    i = rng.choice(known) if known else rng.randrange(len(words))
    words[i] = _SYNONYMS.get(words[i].lower(), rng.choice(["new", "major", "latest"]))
    return " ".join(words), lead


def _shorten(t: str, lead: str, rng: random.Random) -> tuple[str, str]:
    words = lead.split()
    return t, " ".join(words[: max(8, int(len(words) * rng.uniform(0.4, 0.8)))])


EDITS: dict[str, Edit] = {
    "punctuation": lambda t, s, r: (
        t.replace(",", "").replace(":", " -").replace("'", "").replace("’", "")
        + r.choice(["", ".", "!"]),
        s.replace(",", "").replace(". ", "; ", 1),
    ),
    "word swapped": _swap,
    "prefix": lambda t, s, r: (r.choice(["UPDATE: ", "BREAKING: ", "VIDEO ", "FOTO "]) + t, s),
    "agency tag": lambda t, s, r: (
        (t + " - " + r.choice(["Reuters", "AFP", "Tanjug", "Beta"]), s)
        if r.random() < 0.5
        else (t, r.choice(["AP", "Fena", "Hina"]) + " - " + s)
    ),
    "shortened lead": _shorten,
    "upper case": lambda t, s, r: (t.upper(), s),
    "no diacritics": lambda t, s, r: (_ascii(t), _ascii(s)),
    "lead dropped": lambda t, s, r: (t, ""),
}

_PLACES = [
    "Zvečan",
    "Leposavić",
    "Zubin Potok",
    "North Mitrovica",
    "Jarinje",
    "Banjska",
    "Gračanica",
    "Štrpce",
    "Raška",
    "Bujanovac",
]
_SLOTS = {
    "actor": ["Kosovo police", "Serbian police", "KFOR", "EULEX"],
    "place": _PLACES,
    "number": ["two", "three", "four", "five", "six"],
    "who": ["Serbs", "Albanians", "police officers", "suspects", "former officials"],
    "charge": [
        "war crimes",
        "terrorism",
        "smuggling weapons",
        "attacking police",
        "organised crime",
    ],
    "weekday": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
    "speaker": [
        "Interior Minister Xhelal Sveçla",
        "police spokesperson Baki Kelani",
        "the Office for Kosovo and Metohija",
        "Director Petar Petković",
    ],
}
_FORMULAS = [
    (
        "{actor} arrest {number} {who} in {place}",
        "{actor} arrested {number} {who} in {place} on {weekday} on suspicion of {charge}, "
        "{speaker} said. The arrests in {place} drew protests from Belgrade, which called them "
        "an attack on the local population.",
    ),
    (
        "{actor} seize weapons near {place}, {number} detained",
        "{actor} seized a cache of weapons in a raid near {place} on {weekday} and detained "
        "{number} {who}, {speaker} told reporters. Officials said the raid was linked to {charge}.",
    ),
    (
        "Tensions rise in {place} after {actor} detain {number} {who}",
        "Tensions rose in {place} on {weekday} after {actor} detained {number} {who} accused of "
        "{charge}. {speaker} urged calm and said the investigation would continue.",
    ),
]


def _synthetic(rng: random.Random) -> tuple[str, str, tuple]:
    """A regional wire story: same actors and formula as its neighbours, different facts."""
    slots = {name: rng.choice(values) for name, values in _SLOTS.items()}
    formula = rng.randrange(len(_FORMULAS))
    title, lead = _FORMULAS[formula]
    return title.format(**slots), lead.format(**slots), (formula, *slots.values())


def _real_items() -> list[tuple[str, str]]:
    out = []
    for name in CORPUS_FILES:
        for entry in feedparser.parse(str(CORPUS / name)).entries:
            summary = html.unescape(re.sub(r"<[^>]+>", " ", entry.get("summary", "")))
            out.append((entry.title, " ".join(summary.split())))
    return out


def measure_pairs(seed: int = 7) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(kind, distance) for same-story pairs and for different-story pairs."""
    rng = random.Random(seed)
    real = _real_items()
    synthetic = [_synthetic(rng) for _ in range(400)]
    same: list[tuple[str, int]] = []
    for title, lead in real + [(t, s) for t, s, _ in synthetic[:150]]:
        base = h(title, lead)
        for kind, edit in EDITS.items():
            same.append((kind, hamming(base, h(*edit(title, lead, rng)))))
    different: list[tuple[str, int]] = []
    hashes = [h(t, s) for t, s in real]
    for i, j in combinations(range(len(real)), 2):
        if real[i][0] != real[j][0]:
            different.append(("real, distinct titles", hamming(hashes[i], hashes[j])))
    syn = [(h(t, s), facts) for t, s, facts in synthetic]
    for (hi, fi), (hj, fj) in combinations(syn, 2):
        shared = sum(a == b for a, b in zip(fi, fj, strict=True))
        if fi != fj and fi[0] == fj[0] and shared >= 4:
            kind = "same formula, 1-2 facts differ" if shared >= 6 else "same formula"
            different.append((kind, hamming(hi, hj)))
    return same, different


def rates(same: list[tuple[str, int]], different: list[tuple[str, int]], k: int) -> dict:
    kept = [d for kind, d in same if kind != "lead dropped"]
    tp = sum(d <= k for _, d in same)
    fp = sum(d <= k for _, d in different)
    return {
        "recall": tp / len(same),
        "recall_lead_kept": sum(d <= k for d in kept) / len(kept),
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "false_merges": fp,
    }


@pytest.fixture(scope="module")
def measured() -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    return measure_pairs()


@needs_shared("corpora", "realworld-news")
def test_default_threshold_keeps_the_measured_precision_and_recall(measured) -> None:
    same, different = measured
    assert len(same) > 3000 and len(different) > 40000
    got = rates(same, different, DEFAULT_MAX_DISTANCE)
    assert got["precision"] >= 0.99
    assert got["recall_lead_kept"] >= 0.85
    # Real, unrelated headlines never collide at the default threshold.
    assert not any(d <= DEFAULT_MAX_DISTANCE for k, d in different if k.startswith("real"))


@needs_shared("corpora", "realworld-news")
def test_edits_that_change_no_words_are_always_caught(measured) -> None:
    same, _ = measured
    for kind in ("punctuation", "prefix", "agency tag", "upper case", "no diacritics"):
        assert all(d <= DEFAULT_MAX_DISTANCE for k, d in same if k == kind), kind


def _print_table() -> None:
    same, different = measure_pairs()
    print(f"{len(same)} same-story pairs, {len(different)} different-story pairs")
    print("| max distance | recall | recall (lead kept) | precision | false merges |")
    print("|---|---|---|---|---|")
    for k in range(11):
        r = rates(same, different, k)
        print(
            f"| {k} | {r['recall']:.3f} | {r['recall_lead_kept']:.3f} | "
            f"{r['precision']:.4f} | {r['false_merges']} |"
        )
    kinds = defaultdict(list)
    for kind, d in different:
        kinds[kind].append(d)
    for kind, ds in kinds.items():
        print(kind, {k: sum(d <= k for d in ds) for k in (4, 5, 6, 7, 8)}, "of", len(ds))
    by_edit = defaultdict(list)
    for kind, d in same:
        by_edit[kind].append(d)
    for kind, ds in by_edit.items():
        print(kind, {k: round(sum(d <= k for d in ds) / len(ds), 2) for k in (4, 5, 6, 7, 8)})


if __name__ == "__main__":
    _print_table()
