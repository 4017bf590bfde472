"""Round 4 (2025.12.4): diplomacy, de-escalation, sanctions, foreign influence and sovereignty.

Each case is an invented sentence for one general cause closed on the tune part of the real
dev set (no headline is copied): topic words that name no talks, meetings with Moscow or
Beijing as diplomacy too, generic tension talk, lifted or postponed measures, stems that are
broader than they look (Albanian "pavarësisht" = "despite", English "historic", Serbian
"rušio" = "demolished"), threatened secession, Russia's quarrels over Ukraine.
"""

from __future__ import annotations

import pytest

from scoring.item import score_item


def _signals(title: str, summary: str = "") -> tuple[str, ...]:
    return score_item(title, summary).signals


# --- diplomacy -------------------------------------------------------------------------

@pytest.mark.parametrize("title", [
    "Putin receives Vučić at the Kremlin for talks on gas",
    "Si Đinping u poseti Beogradu, ugostio ga predsednik Vučić",
    "Chinese President held talks with the Serbian president in Belgrade on Tuesday",
])
def test_meetings_with_moscow_or_beijing_are_diplomacy_and_influence(title: str) -> None:
    signals = _signals(title)
    assert "diplomacy" in signals
    assert "foreign_influence" in signals


@pytest.mark.parametrize("title", [
    "Five quiet Montenegrin beaches to visit this summer",
    "Mediat serbe raportojnë për zgjedhjet lokale",
    "Kurti: Asociacioni nuk do të formohet kundër kushtetutës",
    "Svetska asocijacija policijskih šefova održala skup o kriminalu",
    "Crna Gora zatvorila još dva poglavlja, sada ima petnaest zatvorenih",
    "Tariffs hamper the dialogue, EU officials in Pristina say",
    "Qeveria vendosi në konsultim të ngushtë me aleatët",
    "Vlada je postupila suprotno svim dogovorima, tvrdi opozicija",
    "Serbia signs contract to purchase French fighter jets",
    "Kosovo takes a step towards normalisation of relations, analysts say",
])
def test_topic_words_and_idioms_are_no_talks(title: str) -> None:
    assert "diplomacy" not in _signals(title)


@pytest.mark.parametrize("title", [
    "Dialogue between Belgrade and Pristina resumes in Brussels next to the summit",
    "Dijalog Beograda i Prištine nastavlja se u ponedeljak",
    "Rinis dialogu mes Kosovës dhe Serbisë",
    "Istorijski sporazum Beograda i Prištine potpisan u Briselu",
    "Marrëveshje historike mes Kosovës dhe Serbisë",
    "Vučić to visit Moscow next week",
])
def test_talks_held_resumed_or_signed_are_diplomacy(title: str) -> None:
    assert "diplomacy" in _signals(title)


# --- de-escalation ---------------------------------------------------------------------

@pytest.mark.parametrize("title", [
    "Njësitë serbe tërhiqen nga kufiri pas dy javësh",
    "Two Kosovo police officers released by a Serbian court",
    "Uklonjeni kamioni sa magistralnog puta kod prelaza",
    "Largohen kamionët nga rruga kryesore në veri",
    "Pristina to withdraw 30 pct of its police from the north, envoy says",
    "Government withdraws its special police officers from the northern towns",
    "The EU lifted the measures against Kosovo on Friday",
    "US removes Dodik from its sanctions list",
])
def test_concrete_pullbacks_releases_and_lifted_measures(title: str) -> None:
    assert "de_escalation" in _signals(title)


@pytest.mark.parametrize("title", [
    "Analysts discuss the role of Turkey in easing tensions in the region",
    "Coalition partner pulling out brings down the government",
    "Dodik's options include the withdrawal from state institutions",
])
def test_tension_talk_and_domestic_exits_are_no_de_escalation(title: str) -> None:
    assert "de_escalation" not in _signals(title)


# --- sanctions -------------------------------------------------------------------------

@pytest.mark.parametrize("title", [
    "The two neighbours expelled each other's diplomats on Monday",
    "Konzul Srbije nepoželjan u Hrvatskoj",
    "Qeveria miraton masat e reciprocitetit ndaj Serbisë",
    "Kosovo bans the dinar in the northern municipalities",
    "Pristina prevents import of goods from Serbia again",
])
def test_expulsions_reciprocity_and_trade_bans_are_sanctions(title: str) -> None:
    assert "sanctions" in _signals(title)


@pytest.mark.parametrize("title", [
    "US removes Dodik from its sanctions list",
    "The EU lifted the measures against Kosovo on Friday",
    "Washington postponed sanctions on the oil company once more",
    "Dodik, who had been sanctioned for undermining the peace deal, spoke in Banja Luka",
])
def test_lifted_postponed_or_past_sanctions_are_no_new_measure(title: str) -> None:
    assert "sanctions" not in _signals(title)


# --- foreign influence -------------------------------------------------------------------

def test_russia_quarrelling_over_ukraine_is_no_influence_in_the_region() -> None:
    signals = _signals("Russia accuses Croatia of sending weapons to Ukraine")
    assert "accusation" in signals
    assert "foreign_influence" not in signals


@pytest.mark.parametrize("title", [
    "Lavrov: Podržavamo Srbiju po pitanju Kosova",
    "Iz Moskve prete prekidom gasa Srbiji",
])
def test_russian_backing_and_energy_pressure_are_influence(title: str) -> None:
    assert "foreign_influence" in _signals(title)


def test_twin_town_gifts_are_no_influence() -> None:
    assert "foreign_influence" not in _signals("Gift from the Chinese twin town arrives in Budva")


def test_demolished_is_not_russia() -> None:
    res = score_item("Dodik: Šmit je rušio Ustav i srušio sporazum")
    assert "RUS" not in res.actors
    assert "foreign_influence" not in res.signals


# --- secession and sovereignty -----------------------------------------------------------

@pytest.mark.parametrize("title", [
    "Pavarësisht shiut, festivali vazhdoi deri në mëngjes",
    "Defying the heat, thousands ran the city marathon",
    "Serbia's territorial integrity is at stake, the minister says",
])
def test_broad_stems_and_idioms_are_no_sovereignty_dispute(title: str) -> None:
    assert "secession_sovereignty" not in _signals(title)


@pytest.mark.parametrize("title", [
    "Parlamenti shpalli pavarësinë e vendit",
    "Dodik defies the state court ruling",
    "Dodik threatens to hold a referendum on secession",
    "Ako Šmit nametne zakon, proglasićemo samostalnost",
    "Disa shtete nuk e njohin Kosovën",
    "Kosovo takes historic step towards Council of Europe membership",
    "Entity police ordered the closure of the SIPA office in the city; zatvorena kancelarija SIPA",
])
def test_secession_moves_threats_and_recognition(title: str) -> None:
    assert "secession_sovereignty" in _signals(title)
