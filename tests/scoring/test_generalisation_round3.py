"""Third generalisation round (2025.12.3): false diplomacy, denials of involvement,
refusals, snow, vetoes and ordinary crime; new sentences of our own."""

from __future__ import annotations

import pytest

from scoring import load_lexicon, score_item


def test_lexicon_version() -> None:
    assert load_lexicon().version.startswith("2025.12.3+")


@pytest.mark.parametrize("title", [
    "Crna Gora i Italija potpisale ugovor o gasovodu",
    "Hrvatska potpisala ugovor o nabavci helikoptera",
    "Albania signs contract for new pipeline with Italian firm",
    "Shqipëria nënshkruan kontratë për huanë e re",
    "Bosna i Hercegovina dobija kredit za autoput, potpisan ugovor",
])
def test_contracts_and_commerce_are_no_diplomacy(title: str) -> None:
    assert "diplomacy" not in score_item(title).signals


@pytest.mark.parametrize("title", [
    "Premijer razgovarao sa kolegom o energetskoj saradnji",
    "Министерот разговараше за енергетска соработка со Грција",
])
def test_energy_talk_is_no_diplomacy(title: str) -> None:
    assert "diplomacy" not in score_item(title).signals


@pytest.mark.parametrize("title", [
    "OHR: Zakoni Narodne skupštine krše Dejtonski sporazum",
    "Ambasadori: Dodik ugrožava Dayton agreement",
    "Departamenti amerikan: Dodik minon marrëveshjen e Dejtonit",
])
def test_dayton_as_a_frame_is_no_diplomacy(title: str) -> None:
    assert "diplomacy" not in score_item(title).signals


@pytest.mark.parametrize(("title", "summary"), [
    ("Osmani: Serbia nuk e ka dorëzuar Radoiçiqin",
     "Presidentja foli pas takimit me ambasadorin gjerman."),
    ("Vučić: Priština ne poštuje dogovore",
     "Predsednik je to izjavio nakon sastanka sa ambasadorkom Francuske."),
    ("Osmani warns of Serbian pressure on Kosovo institutions",
     "The president spoke after meeting German lawmakers in Berlin."),
])
def test_meeting_as_background_of_a_statement_is_no_diplomacy(title: str, summary: str) -> None:
    assert "diplomacy" not in score_item(title, summary).signals


def test_traffic_normalised_is_no_normalisation() -> None:
    signals = score_item("Saobraćaj kod Jarinja normalizovan nakon uklanjanja kamiona").signals
    assert "diplomacy" not in signals


def test_talks_between_parties_still_diplomacy() -> None:
    assert "diplomacy" in score_item("Vučić i Kurti razgovarali u Briselu o ZSO").signals
    assert "diplomacy" in score_item("Serbia and Kosovo sign energy agreement in Brussels").signals


@pytest.mark.parametrize(("title", "negated"), [
    ("Министерството: нема докази за руско мешање во изборите", "foreign_influence"),
])
def test_rejected_involvement_and_no_evidence_are_denials(title: str, negated: str) -> None:
    s = score_item(title)
    assert "denial" in s.signals
    assert negated in s.negated and negated not in s.signals


@pytest.mark.parametrize(("title", "act"), [
    ("Beograd odbacuje svaku umešanost u napad na policiju", "armed_clash"),
    ("Moscow rejects any involvement in the Podgorica bombing", "armed_clash"),
])
def test_rejected_involvement_denies_the_part_not_the_act(title: str, act: str) -> None:
    # LABELS.md (denial; background events): what is denied is the actor's part, which has
    # no code; the act is only the object of the allegation, so neither asserted nor negated
    s = score_item(title)
    assert "denial" in s.signals
    assert act not in s.negated and act not in s.signals


@pytest.mark.parametrize("title", [
    "Спајиќ одби средба со Вучиќ во Подгорица",
    "Mickoski odbi sredba so Mitsotakis",
])
def test_refused_meeting_is_negated_diplomacy(title: str) -> None:
    s = score_item(title)
    assert "diplomacy" in s.negated and "diplomacy" not in s.signals


@pytest.mark.parametrize("title", [
    "Reshje të dendura bore, rrugët drejt Zveçanit të bllokuara",
    "Snijeg blokirao puteve prema Foči, Srpska bez struje",
    "Heavy snow blocks roads across northern Kosovo",
])
def test_snow_blocked_roads_are_no_protest(title: str) -> None:
    assert "protest_unrest" not in score_item(title).signals


def test_protest_after_floods_stays_a_protest() -> None:
    signals = score_item("Protest u Mostaru nakon poplava: građani blokirali most").signals
    assert "protest_unrest" in signals


@pytest.mark.parametrize("title", [
    "Грција ни го блокира патот кон ЕУ, вели премиерот",
    "Bugarska blokira put Skoplja ka EU zbog ustava",
])
def test_veto_is_no_blockade(title: str) -> None:
    assert "protest_unrest" not in score_item(title).signals


def test_entry_ban_on_diplomats_is_sanctions_only() -> None:
    s = score_item("Crna Gora uvela zabranu ulaska za trojicu ruskih diplomata")
    assert "police_action" not in s.signals


@pytest.mark.parametrize("title", [
    "Уапсен сопственикот на дискотеката по пожарот",
    "Uhapšen direktor bolnice zbog korupcije u Sarajevu",
    "Policija uhapsila dvojicu zbog prevare sa kriptovalutama",
])
def test_ordinary_crime_arrests_are_no_police_action(title: str) -> None:
    assert "police_action" not in score_item(title).signals


def test_political_arrest_still_police_action() -> None:
    assert "police_action" in score_item("Kosovo police arrest Serb ex-officer in Zvečan").signals
