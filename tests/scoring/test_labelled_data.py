"""Checks on the hand-labelled evaluation set in tests/data/labelled/.

The set is written independently of the lexicon, so the code lists below are
copied from ../shared/DESIGN.md rather than imported from ``scoring``: a drift
between the two is then a failing test instead of a silent agreement.

Item-level checks (schema, codes, negation, direction, and the actor conventions
of ../shared/LABELS.md that can be read off the text) run as one test per file that
collects every bad item, so a broken file reports all its bad ids at once.
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

# Goldstein/CAMEO-based magnitudes that the labelled sets used to decide `direction`
# by before they followed LABELS.md. No test here uses them any more; they stay
# because tests/scoring/test_blind_set.py imports them for tests/data/blind/, whose
# labels still follow that older rule.
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

# LABELS.md "Direction": what moves an item's direction. Escalation: new violence,
# deployments or alerts, protests or blockades, punitive measures, arrests in the
# conflict context, accusations or threats between conflict parties (secession
# moves and defiance of the state count with the threats). De-escalation:
# withdrawals, barricades removed, releases (de_escalation), agreements, talks held
# (diplomacy). Statements (nato_statement, intl_statement), denials and foreign
# influence do not move it: an item with only those is neutral - except a third
# party's concrete deployment (NATO/KFOR or EUFOR reinforcements, which are never
# military_buildup), marked with the `deployment` tag, which escalates.
RAISING: frozenset[str] = frozenset(
    {"armed_clash", "military_buildup", "protest_unrest", "police_action", "sanctions",
     "accusation", "secession_sovereignty"}
)
LOWERING: frozenset[str] = frozenset({"de_escalation", "diplomacy"})
NOT_MOVING: frozenset[str] = frozenset(SIGNAL_SIGNS) - RAISING - LOWERING

SIGNAL_CODES_LIST = tuple(SIGNAL_SIGNS)
DIRECTIONS = frozenset({"escalation", "de-escalation", "neutral"})
REQUIRED_KEYS = frozenset(
    {"id", "title", "summary", "lang", "actors", "signals", "negated", "direction"}
)
OPTIONAL_KEYS = frozenset({"tags"})
KNOWN_TAGS = frozenset(
    """accident ascii crime culture cyrl deployment economy edge figurative film game
    hedged history latn negation politics question sport weather""".split()
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
ID_PREFIXES: dict[str, str] = {
    "en.jsonl": "en-",
    "sr.jsonl": "sr-",
    "sq.jsonl": "sq-",
    "other.jsonl": "oth-",
    "realstyle.jsonl": "real-",
    "local2.jsonl": "loc2-",
}

# LABELS.md "Actors", the parts that can be read off the text. Each pattern names an
# actor the item must then list: Kosovo Serbs and Srpska Lista count for Serbia,
# Bosnian Serbs for Republika Srpska, and a place (town, village, crossing,
# municipality) for its country. Written for these sets, not taken from the scorer's
# gazetteer, and deliberately short: it catches the common names, not every place.
TEXT_ACTORS: tuple[tuple[str, re.Pattern[str], str], ...] = tuple(
    (code, re.compile(pattern), why) for code, pattern, why in (
        ("SRB", r"Kosovo Serbs?\b|Serbs? in (?:northern )?Kosovo|Serb List|Srpsk[aeu] list|"
                r"Српск[аеу] лист|List[aës]+ Serbe|kosovsk\w* Srb|косовск\w* Срб",
         "Kosovo Serbs / Srpska Lista -> SRB"),
        ("RS", r"Bosnian Serbs?\b|bosansk\w* Srb|босанск\w* Срб", "Bosnian Serbs -> RS"),
        ("KOS", r"Zve[cč]an|Zveçan|Звечан|Zubin Potok|Зубин|Leposavi|Лепосавић|Mitrovic[aeiuë]|"
                r"Митровиц|Banjsk|Бањск|Jarinj|Јарињ|Merdar|Мердар|Brnjak|Rudar[aeiu]|Рудар|"
                r"Gra[cčç]anic|Грачаниц|Prizren|Podujev|Štrpce|Reçak|Ra[cč]ak|Prishtin|Pri[sš]tin|"
                r"Приштин",
         "a place in Kosovo -> KOS"),
        ("SRB", r"Beograd|Belgrade|Београд|Novi Sad|Novom Sadu|Нови Сад|Новом Саду|Ra[sš]k[aeio]|"
                r"Рашк|Pre[sš]ev|Preshev|Leskov|Kraljev|Novi Pazar|Novom Pazaru|Šumadij|Шумадиј|"
                r"Slavij|Славиј",
         "a place in Serbia -> SRB"),
        ("BIH", r"Sarajev|Сарајев|Mostar|Мостар|Tuzl[aei]|Zenic[aei]|Srebrenic|Сребрениц|"
                r"Poto[cč]ar", "a place in Bosnia and Herzegovina -> BIH"),
        ("RS", r"Banja Luk|Banjaluk|Banjoj Luci|Бањалук|Бања Лук|Banja Llukë", "Banja Luka -> RS"),
        ("MNE", r"Podgoric|Подгориц|Cetinj|Цетињ|Nik[sš]i[cć]|Budv[aei]|Kotor",
         "a place in Montenegro -> MNE"),
        ("MKD", r"Skopje|Скопје|Ko[cč]an[ie]|Кочани|Tetov|Тетов|Struga|Струга|Gevgelij|Гевгелиј|"
                r"Ohrid|Охрид", "a place in North Macedonia -> MKD"),
        ("ALB", r"Tiran[aëe]|Тирана|Durr[eë]s|Shkod|Vlor|Ksamil|Sarand|Elbasan",
         "a place in Albania -> ALB"),
        ("HRV", r"Zagreb|Загреб|Split|Vukovar|Knin|Dalmacij|Maksimir",
         "a place in Croatia -> HRV"),
    )
)
# Items where a TEXT_ACTORS pattern matches something that is not the actor: a venue
# or an agreement named after a town (venues are not actors, LABELS.md), a person.
TEXT_ACTOR_EXCEPTIONS: dict[tuple[str, str], str] = {
    ("en-041", "MKD"): "the Ohrid commitments: an agreement's name",
    ("en-116", "MKD"): "Ohrid as the venue of Serbia-Kosovo talks",
    ("sr-008", "MKD"): "sporazum iz Ohrida: an agreement's name",
}
# LABELS.md: NATO/KFOR reinforcements are never military_buildup, nor are EUFOR's.
_PEACEKEEPERS = re.compile(r"KFOR|Kfor|КФОР|Кфор|EUFOR|ЕУФОР")

MIN_TOTAL = 300
MIN_PER_FILE = {"en.jsonl": 170, "sr.jsonl": 60, "sq.jsonl": 60, "other.jsonl": 15}
MIN_PER_SIGNAL = 18
MIN_NO_SIGNAL_SHARE = 0.30
MIN_NEGATED_ITEMS = 25
MIN_HEDGED_ITEMS = 10

_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LATIN_DIACRITIC = re.compile(r"[čćžšđČĆŽŠĐ]")


def allowed_directions(signals: set[str], tags: set[str]) -> frozenset[str]:
    """The directions LABELS.md allows for an item with these signals and tags."""
    up, down = signals & RAISING, signals & LOWERING
    if up and down:
        # both kinds of act: the item's main act decides, but it is not neutral
        return frozenset({"escalation", "de-escalation"})
    if up:
        return frozenset({"escalation"})
    if down:
        # talks that fail or are merely planned are neutral; a de_escalation act is not
        if "de_escalation" in signals:
            return frozenset({"de-escalation"})
        return frozenset({"de-escalation", "neutral"})
    if "deployment" in tags:
        return frozenset({"escalation"})
    return frozenset({"neutral"})


def item_problems(item: object, file_name: str) -> list[str]:
    """Every way one item breaks the schema or the conventions (empty list: none)."""
    if not isinstance(item, dict):
        return ["not a JSON object"]
    keys = set(item)
    problems = []
    if missing := REQUIRED_KEYS - keys:
        problems.append(f"missing keys {sorted(missing)}")
    if extra := keys - REQUIRED_KEYS - OPTIONAL_KEYS:
        problems.append(f"unknown keys {sorted(extra)}")
    for key in ("id", "title", "summary", "lang", "direction"):
        if key in item and not isinstance(item[key], str):
            problems.append(f"{key} is not a string")
    for key in ("actors", "signals", "negated", "tags"):
        values = item.get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            problems.append(f"{key} is not a list of strings")
        elif values != sorted(set(values)):
            problems.append(f"{key} not sorted and unique")
    if problems:
        return problems  # the checks below need the schema to hold

    if not item["id"].startswith(ID_PREFIXES.get(file_name, "")):
        problems.append(f"id does not start with {ID_PREFIXES.get(file_name)!r}")
    if not item["title"].strip():
        problems.append("empty title")
    for key in ("title", "summary"):
        if item[key] != item[key].strip():
            problems.append(f"{key} has outer whitespace")
        if not unicodedata.is_normalized("NFC", item[key]):
            problems.append(f"{key} is not NFC")
    if file_name in FILE_LANGS and item["lang"] not in FILE_LANGS[file_name]:
        problems.append(f"lang {item['lang']!r} does not belong in {file_name}")

    actors, signals, negated = set(item["actors"]), set(item["signals"]), set(item["negated"])
    tags = set(item.get("tags", []))
    if unknown := actors - ACTOR_CODES:
        problems.append(f"unknown actors {sorted(unknown)}")
    if unknown := (signals | negated) - set(SIGNAL_CODES_LIST):
        problems.append(f"unknown signals {sorted(unknown)}")
    if unknown := tags - KNOWN_TAGS:
        problems.append(f"unknown tags {sorted(unknown)}")
    if item["direction"] not in DIRECTIONS:
        problems.append(f"unknown direction {item['direction']!r}")
    if problems:
        return problems

    # negation: a mention is asserted or negated, never both; a denial names what it denies
    if both := signals & negated:
        problems.append(f"both asserted and negated: {sorted(both)}")
    if "denial" in negated:
        problems.append("denial cannot be negated")
    if "denial" in signals and not negated:
        problems.append("denial without a negated signal")
    if "negation" in tags and not negated:
        problems.append("tagged negation but negates nothing")

    # direction (LABELS.md), not the sign of a sum of signal weights
    allowed = allowed_directions(signals, tags)
    if item["direction"] not in allowed:
        problems.append(f"direction {item['direction']!r} but LABELS.md allows "
                        f"{sorted(allowed)} for signals {sorted(signals)}")
    if "deployment" in tags and not signals & {"nato_statement", "intl_statement"}:
        problems.append("tagged deployment without nato_statement or intl_statement")

    text = f"{item['title']} {item['summary']}"
    if "military_buildup" in signals and _PEACEKEEPERS.search(text):
        problems.append("military_buildup in a KFOR/EUFOR item: peacekeepers' reinforcements "
                        "are nato_statement/intl_statement, never a build-up")
    for code, pattern, why in TEXT_ACTORS:
        if code in actors or (item["id"], code) in TEXT_ACTOR_EXCEPTIONS:
            continue
        if match := pattern.search(text):
            problems.append(f"names {match.group(0)!r} but lacks {code} ({why})")
    return problems


def file_problems(path: Path) -> list[str]:
    """Every bad line or item of one labelled file, as "id: reason" lines."""
    problems = []
    seen: Counter[str] = Counter()
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            problems.append(f"line {lineno}: blank line")
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {lineno}: invalid JSON ({exc.msg})")
            continue
        label = str(item.get("id")) if isinstance(item, dict) else f"line {lineno}"
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            seen[item["id"]] += 1
            if seen[item["id"]] == 2:
                problems.append(f"{label}: duplicate id")
        problems += [f"{label}: {reason}" for reason in item_problems(item, path.name)]
    return problems


def _load() -> dict[str, list[dict]]:
    # tolerant: bad lines are reported by test_every_item_follows_the_conventions
    files = {}
    for path in sorted(LABELLED_DIR.glob("*.jsonl")):
        rows = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                item = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(item, dict) and REQUIRED_KEYS <= set(item):
                rows.append(item)
        files[path.name] = rows
    return files


FILES = _load()
ITEMS = [item for rows in FILES.values() for item in rows]


def test_expected_files_exist() -> None:
    assert set(FILES) == set(FILE_LANGS)


def test_reference_weights_follow_design_signs() -> None:
    assert set(REFERENCE_WEIGHTS) == set(SIGNAL_SIGNS)
    for code, weight in REFERENCE_WEIGHTS.items():
        assert (weight > 0) - (weight < 0) == SIGNAL_SIGNS[code], code


def test_direction_classes_cover_every_signal_once() -> None:
    assert RAISING | LOWERING | NOT_MOVING == set(SIGNAL_SIGNS)
    assert NOT_MOVING == {"nato_statement", "intl_statement", "denial", "foreign_influence"}
    # only tension-lowering codes lower it; DESIGN.md's signs agree
    assert all(SIGNAL_SIGNS[code] < 0 for code in LOWERING)
    assert all(SIGNAL_SIGNS[code] > 0 for code in RAISING)


@pytest.mark.parametrize("name", sorted(FILE_LANGS))
def test_every_item_follows_the_conventions(name: str) -> None:
    problems = file_problems(LABELLED_DIR / name)
    assert not problems, f"{len(problems)} problem(s) in {name}:\n" + "\n".join(problems)


def _good(**changes: object) -> dict:
    item = {"id": "en-900", "title": "Kosovo police arrest two in Zvečan", "summary": "",
            "lang": "en", "actors": ["KOS"], "signals": ["police_action"], "negated": [],
            "direction": "escalation"}
    item.update(changes)
    return item


def test_checker_lists_every_bad_item(tmp_path: Path) -> None:
    good = [
        _good(),
        # statements alone are neutral (the old weight-sum rule called this escalation)
        _good(id="en-901", title="EU urges calm in northern Kosovo", actors=["EU", "KOS"],
              signals=["intl_statement"], direction="neutral"),
        _good(id="en-902", title="KFOR sends 500 more troops to Kosovo", actors=["KOS", "NATO"],
              signals=["nato_statement"], tags=["deployment"]),
        _good(id="en-903", title="Vučić and Kurti agree on energy", actors=["KOS", "SRB"],
              signals=["diplomacy"], direction="de-escalation"),
    ]
    bad = {
        "en-910": (_good(id="en-910", actors=["SRB", "KOS"]), "actors not sorted"),
        "en-911": (_good(id="en-911", signals=["troop_surge"]), "unknown signals"),
        "en-912": ({k: v for k, v in _good(id="en-912").items() if k != "direction"},
                   "missing keys"),
        "en-913": (_good(id="en-913", negated=["police_action"]), "both asserted and negated"),
        "en-914": (_good(id="en-914", signals=["denial"], direction="neutral"),
                   "denial without a negated signal"),
        "en-915": (_good(id="en-915", title="EU urges calm", actors=["EU"],
                         signals=["intl_statement"]), "LABELS.md allows ['neutral']"),
        "en-916": (_good(id="en-916", title="Kosovo Serbs block roads", actors=["KOS"],
                         signals=["protest_unrest"]), "lacks SRB"),
        "en-917": (_good(id="en-917", actors=[]), "lacks KOS"),
        "en-918": (_good(id="en-918", title="EUFOR reinforces its presence in Bosnia",
                         actors=["BIH", "EU"], signals=["military_buildup"]),
                   "never a build-up"),
        "sr-919": (_good(id="sr-919"), "id does not start with 'en-'"),
        "en-920": (_good(id="en-920", title="EU urges calm in Kosovo", actors=["EU", "KOS"],
                         signals=["intl_statement"], direction="neutral", tags=["deployment"]),
                   "LABELS.md allows ['escalation']"),
    }
    lines = [json.dumps(item, ensure_ascii=False) for item in good]
    lines += [json.dumps(item, ensure_ascii=False) for item, _ in bad.values()]
    lines += ['{"id": "en-930", "title": ', json.dumps(good[0], ensure_ascii=False)]
    path = tmp_path / "en.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    problems = file_problems(path)
    for item_id, (_, reason) in bad.items():
        assert any(p.startswith(f"{item_id}: ") and reason in p for p in problems), (
            item_id, reason, problems)
    assert any("invalid JSON" in p for p in problems), problems
    assert any(p == "en-900: duplicate id" for p in problems), problems
    good_ids = {item["id"] for item in good}
    assert not [p for p in problems if p.split(":")[0] in good_ids - {"en-900"}], problems
    # one line per problem, so the real files' test message lists each bad id
    assert len(problems) == len(bad) + 2


def test_ids_unique_across_files() -> None:
    # within a file test_every_item_follows_the_conventions checks ids and prefixes
    ids = Counter(item["id"] for item in ITEMS)
    assert [i for i, n in ids.items() if n > 1] == []
    assert set(ID_PREFIXES) == set(FILE_LANGS)


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
