"""The place gazetteer: places in any script and inflection map to their country actor."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scoring.errors import LexiconError
from scoring.item import score_item
from scoring.places import find_places, load_places, place_info
from scoring.taxonomy import ACTOR_CODES

ROOT = Path(__file__).resolve().parents[2]


def test_data_file_validates_and_every_place_has_a_country_and_coordinates() -> None:
    gz = load_places()
    assert len(gz.places) > 80
    for p in gz.places.values():
        assert p.country in ACTOR_CODES
        assert 39 < p.lat < 47 and 13 < p.lon < 24, p  # the Western Balkans


@pytest.mark.parametrize("title", [
    "Pucnjava u Zvečanu", "Пуцњава у Звечану", "Të shtëna në Zveçan", "Shooting in Zvecan",
])
def test_a_place_alone_gives_its_country_in_every_script(title: str) -> None:
    res = score_item(title)
    assert res.places == ("zvecan",)
    assert res.actors == ("KOS",)


def test_inflected_forms_and_multi_word_names() -> None:
    assert find_places("Napad u Banjoj Luci") == {"banja_luka"}
    assert find_places("protest në Mitrovicën e veriut") == {"north_mitrovica"}
    assert find_places("kod prelaza Jarinje i Brnjak") == {"jarinje", "brnjak"}
    res = score_item("Policija u Bijeljini i Trebinju")
    assert res.actors == ("RS",) and res.places == ("bijeljina", "trebinje")
    assert score_item("Incident u Tetovu").actors == ("MKD",)


def test_common_words_are_not_places() -> None:
    for text in ("We went to a bar", "Split decision on the budget", "a pale imitation",
                 "they niš", "split the bill in Bari"):
        assert find_places(text) == set(), text
    assert find_places("Fans gathered in Split and Bar") == {"split", "bar"}


def test_place_info_and_cli_output() -> None:
    info = place_info("jarinje")
    assert info is not None and info.country == "KOS" and info.kind == "crossing"
    assert place_info("nowhere") is None
    line = json.dumps({"id": 1, "title": "Barikade kod Jarinja"})
    proc = subprocess.run([sys.executable, "-m", "scoring", "score"], input=line + "\n",
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    out = json.loads(proc.stdout)
    assert out["places"] == ["jarinje"] and "KOS" in out["actors"]


@pytest.mark.parametrize(("body", "reason"), [
    ('[[place]]\nid = "x"\nname = "X"\ncountry = "FRA"\nkind = "town"\nlat = 42.0\n'
     'lon = 20.0\naliases = ["xtown"]\n', "unknown country actor"),
    ('[[place]]\nid = "x"\nname = "X"\ncountry = "KOS"\nkind = "town"\nlat = 142.0\n'
     'lon = 20.0\naliases = ["xtown"]\n', "lat"),
    ('[[place]]\nid = "x"\nname = "X"\ncountry = "KOS"\nkind = "town"\nlat = 42.0\n'
     'lon = 20.0\naliases = ["ab*"]\n', "shorter than"),
    ('[[place]]\nid = "x"\nname = "X"\ncountry = "KOS"\nkind = "town"\nlat = 42.0\n'
     'lon = 20.0\naliases = ["same"]\n[[place]]\nid = "y"\nname = "Y"\ncountry = "SRB"\n'
     'kind = "town"\nlat = 42.0\nlon = 20.0\naliases = ["Same"]\n', "also names x"),
    ('[[place]]\nid = "x"\nname = "X"\ncountry = "KOS"\nkind = "castle"\nlat = 42.0\n'
     'lon = 20.0\naliases = ["xtown"]\n', "kind must be"),
])
def test_validation_names_file_entry_and_reason(tmp_path: Path, body: str, reason: str) -> None:
    path = tmp_path / "places.toml"
    path.write_text('version = "t"\n' + body, encoding="utf-8")
    with pytest.raises(LexiconError) as err:
        load_places(path)
    assert err.value.file == "places.toml" and reason in err.value.reason
    assert "place[" in err.value.entry


def test_named_in_resolves_search_words_to_actors_and_places() -> None:
    from scoring import named_in

    assert named_in("Kosova") == (("KOS",), ())
    actors, places = named_in("Banjska")
    assert "KOS" in actors and places == ("banjska",)
    assert named_in("barricades") == ((), ())
