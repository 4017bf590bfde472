"""Second generalisation round (2025.12.2): local-language forms, new sentences of our own."""

from __future__ import annotations

import pytest

from scoring import score_item


@pytest.mark.parametrize(("title", "actor"), [
    ("Вучиќ пристигна во Охрид", "SRB"),  # Macedonian ќ folds like Serbian ć
    ("Sastanak u Banjoj Luci odgođen", "RS"),
    ("Sjednica u Banjaluci počinje sutra", "RS"),
    ("Komandant Kfora posetio Leposavić", "NATO"),
    ("Vojnici KFOR-a patroliraju kod mosta", "NATO"),
    ("Специјалци РОСУ на северу", "KOS"),
    ("Ushtria shqiptare pret helikopterë të rinj", "ALB"),
    ("Debat në Këshillin e Sigurimit për veriun", "UN"),
    ("Ново заседание во Собранието", "MKD"),
    ("Поранешен директор на УБК сведочи", "MKD"),
    ("Direktor ANB-a podnio ostavku", "MNE"),
    ("Europsko vijeće raspravlja o proširenju", "EU"),
    ("Mali i Zi miraton buxhetin", "MNE"),
])
def test_inflected_and_local_names(title: str, actor: str) -> None:
    assert actor in score_item(title).actors


@pytest.mark.parametrize("title", [
    "Bošnjaci i Hrvati zajedno na koncertu",
    "Hrvati iz Vojvodine slave praznik",
])
def test_ethnic_plurals_name_no_state(title: str) -> None:
    actors = score_item(title).actors
    assert "HRV" not in actors and "BIH" not in actors


@pytest.mark.parametrize("title", [
    "Kurti: Beograd sprema novu provokaciju na severu",
    "Osmani: Srbija pokušava da destabilizuje opštine",
    "Vučić: Priština planira da protera Srbe",
    "Rama: Beogradi përgatit një skenar të ri",
    "Мицкоски: Бугарија се обидува да ја блокира Скопје",
])
def test_speaker_colon_plan_of_another_actor_is_accusation(title: str) -> None:
    assert "accusation" in score_item(title).signals


@pytest.mark.parametrize("title", [
    "Vučić planira posetu Parizu",  # no colon speaker: a report, not a claim
    "Kurti: planiramo novi most",  # the speaker's own plan
])
def test_plan_verb_without_quoted_claim_is_no_accusation(title: str) -> None:
    assert "accusation" not in score_item(title).signals


@pytest.mark.parametrize(("title", "signal"), [
    ("Vojska Crne Gore izvodi vježbu kod Nikšića", "military_buildup"),
    ("Kosova nuk ka dërguar ushtarë shtesë, thotë ministri", None),
    ("Lišen slobode muškarac koji je napao policajca u Mitrovici", "police_action"),
    ("U prangos zyrtari i komunës në Zveçan", "police_action"),
    ("Притворен поранешниот градоначалник на Струга", "police_action"),
    ("Serbia ndalon hyrjen e mallrave nga Kosova", "sanctions"),
    ("Qeveria heq masat në pikat kufitare", "de_escalation"),
    ("Tërhiqen njësitë e policisë nga Jarinja", "de_escalation"),
])
def test_local_vocabulary(title: str, signal: str | None) -> None:
    s = score_item(title)
    if signal is None:
        assert "military_buildup" not in s.signals
        assert "military_buildup" in s.negated
    else:
        assert signal in s.signals
