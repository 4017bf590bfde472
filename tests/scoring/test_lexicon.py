"""Lexicon loading and validation: the shipped files load; broken files fail with file + entry."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scoring import ACTOR_CODES, SIGNAL_CODES, LexiconError, load_lexicon
from scoring.lexicon import FILES

DATA = Path(__file__).resolve().parents[2] / "scoring" / "data"


def test_shipped_lexicon_loads_with_version_and_weights():
    lex = load_lexicon()
    assert lex.version.startswith("2025.")
    assert set(lex.weights) == set(SIGNAL_CODES)
    assert lex.weights["de_escalation"] < 0 < lex.weights["armed_clash"]
    assert lex.weights["denial"] == 0


def test_every_data_file_opens_with_a_provenance_header():
    for name in FILES:
        text = (DATA / name).read_text(encoding="utf-8")
        head = text[: text.index("\nversion = ")]
        assert head.startswith(f"# {name}")
        for word in ("What:", "Sources:", "Known gaps:"):
            assert word in head, (name, word)


def _copy(tmp_path: Path) -> Path:
    for name in FILES:
        shutil.copy(DATA / name, tmp_path / name)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_copy_of_data_loads_from_a_directory(tmp_path):
    lex = load_lexicon(data_dir=_copy(tmp_path))
    assert lex.version == load_lexicon().version


def test_unknown_signal_code_names_file_and_entry(tmp_path):
    d = _copy(tmp_path)
    _edit(d / "signals.toml", 'code = "armed_clash"', 'code = "armed_klash"')
    with pytest.raises(LexiconError) as err:
        load_lexicon(data_dir=d)
    assert err.value.file == "signals.toml"
    assert "armed_klash" in err.value.entry
    assert "unknown signal code" in err.value.reason


def test_alias_claimed_by_two_actors(tmp_path):
    d = _copy(tmp_path)
    _edit(d / "actors.toml", '"montenegro", ', '"montenegro", "belgrade", ')
    with pytest.raises(LexiconError) as err:
        load_lexicon(data_dir=d)
    assert err.value.file == "actors.toml"
    assert "belgrade" in err.value.reason and "SRB" in err.value.reason


def test_empty_pattern(tmp_path):
    d = _copy(tmp_path)
    _edit(d / "discards.toml", '"football", ', '"football", "  ", ')
    with pytest.raises(LexiconError) as err:
        load_lexicon(data_dir=d)
    assert err.value.file == "discards.toml"
    assert "empty pattern" in err.value.reason


def test_weight_sign_contradicting_taxonomy(tmp_path):
    d = _copy(tmp_path)
    _edit(d / "signals.toml", "weight = -3.5", "weight = 3.5")
    with pytest.raises(LexiconError) as err:
        load_lexicon(data_dir=d)
    assert "diplomacy" in err.value.entry
    assert "contradicts the taxonomy" in err.value.reason


def test_unknown_actor_in_group_and_bad_toml(tmp_path):
    d = _copy(tmp_path)
    _edit(d / "actors.toml", 'primary = ["SRB",', 'primary = ["SRBX",')
    with pytest.raises(LexiconError, match="unknown actor codes"):
        load_lexicon(data_dir=d)
    (d / "actors.toml").write_text("this is = = not toml", encoding="utf-8")
    with pytest.raises(LexiconError, match="not valid TOML"):
        load_lexicon(data_dir=d)


def test_missing_file(tmp_path):
    with pytest.raises(LexiconError, match="cannot read"):
        load_lexicon(data_dir=tmp_path)


def test_every_actor_code_has_aliases():
    text = (DATA / "actors.toml").read_text(encoding="utf-8")
    for code in ACTOR_CODES:
        assert f'code = "{code}"' in text


def test_a_discard_must_say_what_it_stops(tmp_path):
    d = _copy(tmp_path)
    _edit(d / "discards.toml", 'explains = "sport"\n', "")
    with pytest.raises(LexiconError) as err:
        load_lexicon(data_dir=d)
    assert err.value.file == "discards.toml" and "sport" in err.value.entry
    assert "explains" in err.value.reason


def test_every_reason_the_scorer_gives_has_words():
    from scoring import reason_words
    from scoring.lexicon import load_lexicon as load

    lex = load()
    assert reason_words("sport") == "sport"
    assert reason_words(None, negated=True) == "denied"
    assert reason_words(None) == ""
    for name in ("irrealis", "reported", "title_news", "victim", "with_protest_unrest",
                 *lex.discard_scope):
        assert name in lex.reasons, name
