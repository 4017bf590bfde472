"""Seeded generator of Western-Balkan-news-like items (title + lead, 60–80 words in all).

Written for benchmarks: the texts read like wire copy (actors, places, one
event per title, context sentences in the lead) so the scorer and the
full-text index do realistic work, in English, Serbian (Latin) and Albanian
in roughly the mix the feed list has. Same seed, same items.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

__all__ = ["GeneratedItem", "news_item", "news_items"]

# (surface form, actor code); several forms per actor as outlets write them.
_ACTORS = (
    ("Serbia", "SRB"), ("Belgrade", "SRB"), ("Serbian President Aleksandar Vučić", "SRB"),
    ("Vučić", "SRB"), ("Kosovo", "KOS"), ("Pristina", "KOS"), ("Prime Minister Albin Kurti", "KOS"),
    ("Kurti", "KOS"), ("Bosnia and Herzegovina", "BIH"), ("Sarajevo", "BIH"),
    ("Republika Srpska", "RS"), ("Milorad Dodik", "RS"), ("Montenegro", "MNE"),
    ("Podgorica", "MNE"), ("North Macedonia", "MKD"), ("Skopje", "MKD"), ("Albania", "ALB"),
    ("Tirana", "ALB"), ("Croatia", "HRV"), ("Zagreb", "HRV"),
)  # fmt: skip
_COUNTRIES = (
    "Serbia", "Kosovo", "Bosnia and Herzegovina", "Montenegro", "North Macedonia", "Albania",
    "Croatia",
)  # fmt: skip
_OUTSIDERS = (
    "NATO", "KFOR", "the EU", "EULEX", "Brussels", "the United States", "the State Department",
    "Washington", "Russia", "the Kremlin", "Moscow", "China", "the UN", "Turkey", "Bulgaria",
)  # fmt: skip
_PLACES = (
    "Zvečan", "Leposavić", "Zubin Potok", "North Mitrovica", "Jarinje", "Banjska", "Brnjak",
    "Banja Luka", "Brčko", "Tetovo", "Cetinje", "Preševo", "Novi Pazar", "Mostar", "Kumanovo",
)  # fmt: skip

_EN_EVENTS = (
    "{a} deploys troops and armoured vehicles near the administrative line with {b}",
    "{a} raises combat readiness of army units stationed near {p}",
    "Police officer killed in exchange of fire near {p}",
    "Gunmen attack police patrol in {p}, two officers wounded",
    "KFOR reinforces its presence in {p} after overnight unrest",
    "NATO calls on {a} and {b} to show restraint after clashes",
    "{o} voices concern over rising tensions between {a} and {b}",
    "{a} accuses {b} of provoking violence in {p}",
    "{a} denies reports of a military buildup near the border",
    "Protesters block roads with barricades in {p} for a third day",
    "Special police arrest three suspects in a raid near {p}",
    "{o} imposes sanctions on officials from {a} over election interference",
    "{a} withdraws special police units from {p} as tensions ease",
    "{a} and {b} resume EU-facilitated talks in Brussels",
    "{a} and {b} sign agreement on energy and licence plates",
    "Russia steps up support for {a}, intelligence report says",
    "{a} parliament votes to hold referendum on state institutions",
    "Explosion damages power line near {p}, no one hurt",
)
_EN_QUIET = (
    "Inflation in {c} slows for a fifth month as food prices ease",
    "{c} opens new motorway section linking {p} with the capital",
    "Crvena zvezda beat Partizan in the Belgrade derby",
    "Sarajevo Film Festival opens with a record number of regional premieres",
    "Heavy snow closes mountain roads around {p}",
    "{c} tourism board expects a record summer season on the coast",
    "Tech start-ups in {c} raise funding from European investors",
)
_EN_CONTEXT = (
    "The statement came after a week of heightened tension in the north, "
    "where ethnic Serbs form a majority.",
    "Officials in {c} said the situation was calm but under close watch.",
    "The European Union has mediated the dialogue between Belgrade and Pristina since 2011.",
    "Local media reported long queues at the crossing as trucks waited to enter.",
    "Analysts said the move could complicate efforts to normalise relations.",
    "The ministry did not respond to a request for comment by the time of publication.",
    "Residents of {p} said shops and schools remained open on Tuesday.",
    "{o} said it was following developments closely and urged all sides to avoid unilateral steps.",
    "The government is expected to discuss the issue at its session on Thursday.",
    "Opposition parties called the decision rushed and demanded a debate in parliament.",
    "Similar incidents were reported in the area last year.",
    "Prices of fuel and bread rose again this month, the statistics office said.",
)
_SR_EVENTS = (
    "{a} optužuje {b} za provokacije na severu Kosova",
    "Kfor pojačao prisustvo u mestu {p} posle noćnih nemira",
    "Policija uhapsila trojicu osumnjičenih u akciji kod mesta {p}",
    "Protest u mestu {p}, građani blokirali puteve",
    "Dodik najavio referendum o državnim institucijama",
    "Vučić: Srbija neće dozvoliti progon Srba na Kosovu",
    "Nastavljen dijalog Beograda i Prištine u Briselu",
    "Pucnjava kod mesta {p}, ranjen jedan policajac",
    "Inflacija u Srbiji usporila, cene hrane stabilne",
)
_SR_CONTEXT = (
    "Kako prenose lokalni mediji, situacija je mirna, ali napeta.",
    "Ministarstvo nije odgovorilo na upit novinara do objavljivanja teksta.",
    "Građani kažu da su prodavnice i škole u mestu {p} radile normalno.",
    "Analitičari ocenjuju da bi taj potez mogao da oteža normalizaciju odnosa.",
    "Vlada bi o tome trebalo da raspravlja na sednici u četvrtak.",
    "Opozicija je odluku nazvala ishitrenom i zatražila raspravu u skupštini.",
)
_SQ_EVENTS = (
    "Kurti: Serbia po përshkallëzon tensionet në veri",
    "Policia e Kosovës arreston tre persona në {p}",
    "Protestuesit bllokojnë rrugët në {p}",
    "Vuçiq akuzon Prishtinën për provokime",
    "Rifillon dialogu Kosovë-Serbi në Bruksel",
    "KFOR-i shton praninë në veri pas trazirave",
)
_SQ_CONTEXT = (
    "Sipas mediave lokale, situata është e qetë por e tensionuar.",
    "Ministria nuk ka dhënë koment deri në publikimin e lajmit.",
    "Banorët e {p} thonë se dyqanet dhe shkollat ishin të hapura.",
    "Analistët thonë se hapi mund të vështirësojë normalizimin e marrëdhënieve.",
    "Qeveria pritet ta diskutojë çështjen në mbledhjen e së enjtes.",
)
_LANGS = (("en", _EN_EVENTS + _EN_QUIET, _EN_CONTEXT), ("sr", _SR_EVENTS, _SR_CONTEXT),
          ("sq", _SQ_EVENTS, _SQ_CONTEXT))  # fmt: skip
_LANG_WEIGHTS = (0.65, 0.22, 0.13)


@dataclass(frozen=True, slots=True)
class GeneratedItem:
    """One generated news item; ``published`` is aware UTC."""

    title: str
    summary: str
    lang: str
    published: datetime


def _fill(template: str, rng: random.Random) -> str:
    a, b = rng.sample(_ACTORS, 2)
    return template.format(
        a=a[0], b=b[0], c=rng.choice(_COUNTRIES), o=rng.choice(_OUTSIDERS), p=rng.choice(_PLACES)
    )


def news_item(rng: random.Random, published: datetime) -> GeneratedItem:
    """One item whose title and lead together hold 60–80 words."""
    lang, events, context = rng.choices(_LANGS, weights=_LANG_WEIGHTS)[0]
    title = _fill(rng.choice(events), rng)
    title = title[0].upper() + title[1:]
    words = len(title.split())
    goal = rng.randint(60, 80)
    # The lead repeats the event in other words first, as wire copy does.
    sentences = [_fill(rng.choice(events), rng) + "."]
    words += len(sentences[0].split())
    pool = list(context)
    rng.shuffle(pool)
    for template in pool * 3:
        if words >= goal:
            break
        sentence = _fill(template, rng)
        sentences.append(sentence)
        words += len(sentence.split())
    summary = " ".join(sentences)
    tokens = summary.split()
    overflow = words - goal
    if overflow > 0:
        summary = " ".join(tokens[: len(tokens) - overflow]).rstrip(",") + "."
    summary = summary[0].upper() + summary[1:]
    return GeneratedItem(title=title, summary=summary, lang=lang, published=published)


def news_items(
    n: int, seed: int = 20240529, end: datetime | None = None, days: int = 30
) -> Iterator[GeneratedItem]:
    """``n`` items spread over the ``days`` days before ``end`` (newest last), seeded."""
    rng = random.Random(seed)
    end = end or datetime(2025, 11, 20, 12, 0, tzinfo=UTC)
    span = timedelta(days=days).total_seconds()
    for i in range(n):
        offset = span * (1 - (i + rng.random()) / max(n, 1))
        yield news_item(rng, (end - timedelta(seconds=offset)).replace(microsecond=0))
