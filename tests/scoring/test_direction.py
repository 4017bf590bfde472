"""Direction rules of LABELS.md beyond each signal's sign (signals.toml [direction]).

Invented sentences: analysis pieces are neutral, deployments by peacekeepers or with
Moscow and Beijing are escalation, friendly summits and failed or planned talks leave the
direction alone, while held talks and agreements stay de-escalation.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scoring import score_item
from scoring.errors import LexiconError
from scoring.lexicon import FILES, load_lexicon

DATA = Path(__file__).resolve().parents[2] / "scoring" / "data"


def _dir(title: str, summary: str = "", lang: str | None = None) -> str:
    return score_item(title, summary, lang).direction


@pytest.mark.parametrize(("title", "lang"), [
    ("What is Dodik threatening with the new secession law?", "en"),
    ("Why Serbia keeps its troops on high combat alert", "en"),
    ("Zašto Dodik preti otcepljenjem Republike Srpske", "sr"),
    ("Pse Serbia i mban trupat në gatishmëri luftarake", "sq"),
])
def test_a_question_or_analysis_title_is_neutral(title: str, lang: str) -> None:
    assert score_item(title, "", lang).signals, "the item must still tag its signal"
    assert _dir(title, lang=lang) == "neutral"


def test_the_same_act_as_a_report_is_escalation() -> None:
    assert _dir("Serbia puts its troops on high combat alert", lang="en") == "escalation"


@pytest.mark.parametrize(("title", "lang"), [
    ("KFOR sends reinforcements to the northern crossings", "en"),
    ("EUFOR to deploy 400 additional troops to Bosnia", "en"),
    ("KFOR povećao prisustvo na prelazima Jarinje i Brnjak", "sr"),
    ("Serbia and China to hold their first joint military exercise", "en"),
])
def test_a_peacekeeping_or_foreign_deployment_is_escalation(title: str, lang: str) -> None:
    assert _dir(title, lang=lang) == "escalation"


def test_a_nato_statement_without_a_deployment_stays_neutral() -> None:
    assert _dir("KFOR says it is following the situation in the north", lang="en") == "neutral"


def test_a_summit_with_beijing_is_no_de_escalation() -> None:
    s = score_item("Xi Jinping and Vučić hail ironclad friendship at talks in Belgrade", "", "en")
    assert "diplomacy" in s.signals and "foreign_influence" in s.signals
    assert s.direction == "neutral"


@pytest.mark.parametrize(("title", "lang"), [
    ("Belgrade and Pristina negotiators fail to agree in Brussels talks", "en"),
    ("Sastanak Vučića i Kurtija u Briselu završen bez dogovora", "sr"),
    ("Kurti dhe Vuçiq takohen në Bruksel për dialogun", "sq"),
])
def test_failed_or_planned_talks_are_neutral(title: str, lang: str) -> None:
    assert "diplomacy" in score_item(title, "", lang).signals
    assert _dir(title, lang=lang) == "neutral"


def test_held_talks_stay_de_escalation() -> None:
    assert _dir("Kosovo and Serbia reach agreement on licence plates", lang="en") == "de-escalation"


def test_planned_talks_only_in_the_summary_do_not_neutralise_the_title() -> None:
    title = "Kosovo and Serbia reach agreement on licence plates"
    assert _dir(title, "Both leaders will meet again next month.", "en") == "de-escalation"


def _copy(tmp_path: Path) -> Path:
    for name in FILES:
        shutil.copy(DATA / name, tmp_path / name)
    return tmp_path


def test_a_direction_rule_with_an_unknown_signal_names_file_and_entry(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    path = d / "signals.toml"
    text = path.read_text(encoding="utf-8")
    old = 'signals = ["diplomacy"]\nwith_signals = ["foreign_influence"]'
    assert old in text
    path.write_text(text.replace(old, 'signals = ["diplomacy"]\nwith_signals = ["influence"]'),
                    encoding="utf-8")
    with pytest.raises(LexiconError) as err:
        load_lexicon(data_dir=d)
    assert err.value.file == "signals.toml"
    assert err.value.entry.startswith("direction.still_when")
    assert "influence" in err.value.reason


@pytest.mark.parametrize(("title", "lang"), [
    ("Three arrested Kosovo police officers again before the court in Kraljevo", "en"),
    ("Tri uhapšena kosovska policajca ponovo na sudu u Kraljevu", "sr"),
])
def test_a_trial_story_is_neutral(title: str, lang: str) -> None:
    s = score_item(title, "", lang)
    assert "police_action" in s.signals, "the arrest stays tagged"
    assert s.direction == "neutral"


def test_an_unknown_discard_in_the_direction_rules_is_an_error(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    path = d / "signals.toml"
    text = path.read_text(encoding="utf-8")
    assert 'neutral_discards = ["judicial"]' in text
    path.write_text(text.replace('neutral_discards = ["judicial"]',
                                 'neutral_discards = ["judical"]'), encoding="utf-8")
    with pytest.raises(LexiconError) as err:
        load_lexicon(data_dir=d)
    assert err.value.file == "signals.toml" and "judical" in err.value.reason
