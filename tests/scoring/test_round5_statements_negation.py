"""Round 5: statements (intl_statement, nato_statement, accusation), denials and negation.

Invented sentences, each checking one general rule of ../shared/LABELS.md in at least two
languages where the rule is language-specific.
"""

from __future__ import annotations

import pytest

from scoring import score_item


def _sig(title: str, summary: str = "", lang: str | None = None) -> set[str]:
    return set(score_item(title, summary, lang).signals)


# --- intl_statement -------------------------------------------------------------------

@pytest.mark.parametrize(("title", "lang"), [
    ("Russia accuses Montenegro of persecuting the Serbian church", "en"),
    ("Moska akuzon Kosovën për provokime në veri", "sq"),
    ("Washington accuses Serbia of shielding the gunmen", "en"),
])
def test_an_outside_power_accusing_is_also_a_statement(title: str, lang: str) -> None:
    assert {"accusation", "intl_statement"} <= _sig(title, lang=lang)


@pytest.mark.parametrize(("title", "lang"), [
    ("Dodik: Schmidt is an occupier and a fascist", "en"),
    ("Dodik: Šmit je okupator i fašista", "sr-Latn"),
])
def test_a_regional_colon_speaker_owns_the_accusation(title: str, lang: str) -> None:
    sig = _sig(title, lang=lang)
    assert "accusation" in sig and "intl_statement" not in sig


@pytest.mark.parametrize(("title", "lang"), [
    ("Croatia accuses Serbia of provocations at the border", "en"),
    ("Sofia accuses Skopje of hate speech", "en"),
])
def test_a_neighbour_accusing_is_an_accusation_only(title: str, lang: str) -> None:
    sig = _sig(title, lang=lang)
    assert "accusation" in sig and "intl_statement" not in sig


@pytest.mark.parametrize(("title", "lang"), [
    ("Lavrov warns the West against pressure on Belgrade", "en"),
    ("Germany welcomes the deal on the Kosovo licence plates", "en"),
    ("Njemačka pozdravlja dogovor o tablicama", "sr-Latn"),
    ("SHBA mirëpret marrëveshjen për targat", "sq"),
    ("The UN adopts a resolution on the missing persons", "en"),
    ("САД се разочарани од одлуката", "mk"),
])
def test_outside_powers_endorsing_welcoming_reacting(title: str, lang: str) -> None:
    assert "intl_statement" in _sig(title, lang=lang)


@pytest.mark.parametrize(("title", "summary", "lang"), [
    ("Envoy on the north", "The EU envoy Miroslav Lajčák has said that elections are the way out.",
     "en"),
    ("Izaslanik o severu",
     "Specijalni predstavnik EU Miroslav Lajčak izjavio je da su izbori izlaz.",
     "sr-Latn"),
    ("Kosovo must respect the deal, says Germany", "", "en"),
])
def test_plain_saying_by_an_outside_power(title: str, summary: str, lang: str) -> None:
    assert "intl_statement" in _sig(title, summary, lang)


@pytest.mark.parametrize(("title", "lang"), [
    ("Serbia and China hold joint drills, China's defence ministry said", "en"),
    ("Croatia's minister said the new road opens in May", "en"),
    ("Why are tourists asked to register? Visitors to Croatia must fill in a form", "en"),
])
def test_plain_saying_or_a_modal_elsewhere_is_no_statement(title: str, lang: str) -> None:
    assert "intl_statement" not in _sig(title, lang=lang)


@pytest.mark.parametrize(("title", "lang"), [
    ("EU: Kosovo must reverse the customs decision", "en"),
    ("BE: Serbia duhet të tërheqë vendimin", "sq"),
])
def test_a_modal_in_an_outside_speakers_quote_is_an_appeal(title: str, lang: str) -> None:
    assert "intl_statement" in _sig(title, lang=lang)


def test_the_speaker_of_a_verb_is_the_actor_next_to_it() -> None:
    # "Brussels" is only the addressee: Pristina warns, a threat between the parties
    sig = _sig("Trade row", "In a letter to Brussels, Pristina warns that it will restore the ban.",
               "en")
    assert "accusation" in sig and "intl_statement" not in sig


@pytest.mark.parametrize(("title", "lang"), [
    ("EUFOR deploys additional troops to Bosnia as a precaution", "en"),
    ("EUFOR raspoređuje dodatne vojnike u BiH", "sr-Latn"),
])
def test_eufor_reinforcements_are_a_statement_not_a_buildup(title: str, lang: str) -> None:
    sig = _sig(title, lang=lang)
    assert "intl_statement" in sig and "military_buildup" not in sig


def test_a_statement_in_an_amid_phrase_is_background() -> None:
    sig = _sig("Serbia holds drills with Russia amid EU concerns", lang="en")
    assert "intl_statement" not in sig


# --- accusation -----------------------------------------------------------------------

@pytest.mark.parametrize(("title", "lang"), [
    ("Fascist graffiti found on a school wall in the town", "en"),
    ("Genocide denial gains ground in schoolbooks", "en"),
    ("EU ultimatum to Skopje over the constitution", "en"),
    ("Провокации на стадионот во градот", "mk"),
])
def test_loaded_words_without_a_regional_speaker_are_no_accusation(title: str, lang: str) -> None:
    assert "accusation" not in _sig(title, lang=lang)


@pytest.mark.parametrize(("title", "lang"), [
    ("Vučić: Kurti's regime is fascist", "en"),
    ("Kurti: Beograd vodi politiku okupacije", "sr-Latn"),
    ("Dodik calls the High Representative an occupier", "en"),
])
def test_loaded_words_said_by_a_party_are_an_accusation(title: str, lang: str) -> None:
    assert "accusation" in _sig(title, lang=lang)


def test_a_loaded_word_inside_a_longer_phrase_belongs_to_it() -> None:
    sig = _sig("Serbia: terrorist attack on a police station in the south", lang="en")
    assert "armed_clash" in sig and "accusation" not in sig


@pytest.mark.parametrize(("title", "lang"), [
    ("Beograd se žali na zabranu uvoza lekova", "sr-Latn"),
    ("Vulin: the protests are a colour revolution run from abroad", "en"),
    ("Srpska lista: represija nad Srbima se nastavlja", "sr-Latn"),
    ("Kurti: Serbia's threats are unacceptable", "en"),
])
def test_complaints_and_regime_talk_by_a_party(title: str, lang: str) -> None:
    assert "accusation" in _sig(title, lang=lang)


# --- nato_statement -------------------------------------------------------------------

@pytest.mark.parametrize(("title", "lang"), [
    ("Serbia handed KFOR a request to return its troops", "en"),
    ("Uhapšen Srbin osumnjičen za napade na KFOR", "sr-Latn"),
    ("Vojska učestvuje na vežbi zemalja članica NATO", "sr-Latn"),
    ("Automjetet janë sipas standardeve të NATO-s", "sq"),
])
def test_nato_as_an_object_or_a_modifier_is_no_statement(title: str, lang: str) -> None:
    assert "nato_statement" not in _sig(title, lang=lang)


@pytest.mark.parametrize(("title", "lang"), [
    ("KFOR increases patrols near the crossings", "en"),
    ("Predstavnici Srbije i KFOR-a nisu postigli dogovor", "sr-Latn"),
    ("Incident at the bridge, KFOR responds", "en"),
])
def test_nato_as_subject_or_co_subject_is_a_statement(title: str, lang: str) -> None:
    assert "nato_statement" in _sig(title, lang=lang)


# --- denial and negation --------------------------------------------------------------

@pytest.mark.parametrize(("title", "lang"), [
    ("Srpska lista: neosnovana hapšenja u severnim opštinama", "sr-Latn"),
    ("Kurti condemns unfounded arrests of Kosovo officers", "en"),
])
def test_unfounded_acts_are_no_denial(title: str, lang: str) -> None:
    assert "denial" not in _sig(title, lang=lang)


@pytest.mark.parametrize(("title", "lang"), [
    ("Belgrade says the accusations of troop movements are unfounded", "en"),
    ("Ministarstvo: navodi o kretanju vojske su neosnovani", "sr-Latn"),
    ("Ambasador: nismo učinili ništa loše", "sr-Latn"),
    ("The alliance is not aimed against Serbia, Zagreb says", "en"),
])
def test_denials_without_a_denial_verb(title: str, lang: str) -> None:
    assert "denial" in _sig(title, lang=lang)


@pytest.mark.parametrize(("title", "lang", "act"), [
    ("Belgrade denies any role in the attack on the police", "en", "armed_clash"),
    ("Beograd negira bilo kakvu ulogu u napadu na policiju", "sr-Latn", "armed_clash"),
])
def test_a_denied_part_in_an_act_leaves_the_act_unasserted(title: str, lang: str,
                                                          act: str) -> None:
    res = score_item(title, lang=lang)
    assert "denial" in res.signals
    assert act not in res.signals and act not in res.negated


@pytest.mark.parametrize(("title", "lang"), [
    ("Ministar: tenkovi se ne kreću prema granici", "sr-Latn"),
    ("Referendum fails to take place in the entity", "en"),
])
def test_a_negation_right_behind_its_subject_negates_it(title: str, lang: str) -> None:
    res = score_item(title, lang=lang)
    assert res.negated and not (set(res.negated) & set(res.signals))


def test_a_clause_final_word_folding_to_a_negation_negates_nothing() -> None:
    res = score_item("Policija negira da je koristila suzavac na protestu u Nišu", lang="sr-Latn")
    assert "protest_unrest" in res.signals


@pytest.mark.parametrize(("title", "lang"), [
    ("Derbi bez incidenata, navijači mirno napustili stadion", "sr-Latn"),
    ("Kurti: Kosovo is nobody's puppet", "en"),
    ("Ne razumijem zašto su reagovale ambasade Njemačke", "sr-Latn"),
])
def test_discarded_or_statement_mentions_go_to_no_negated(title: str, lang: str) -> None:
    assert not score_item(title, lang=lang).negated
