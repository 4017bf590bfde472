"""storage.queries on a real database: the sample data ingested through the real CLI, and an
empty migrated database. Checks that the answers agree with each other and with the
aggregates, that every filter narrows, and that search works across scripts."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from storage import queries as q
from storage.queries import QueryFilters
from storage.search import fts5_query, search_terms, to_cyrillic, to_latin
from tests.conftest import SAMPLE_FILES, use_postgres

ALL = QueryFilters()


def test_empty_database_answers_with_empty_frames(db_url: str) -> None:
    assert q.has_items(db_url) is False
    assert q.last_updated(db_url) is None
    assert q.latest_day(db_url) is None
    assert q.first_day(db_url) is None
    assert q.news_count(db_url) == 0
    page = q.news_page(db_url)
    assert list(page.columns) == list(q.ITEM_COLUMNS) and page.empty
    assert list(q.tension_by_actor_day(db_url).columns) == [
        "day",
        "actor",
        "score",
        "items",
        "stories",
    ]
    assert q.signal_mix_by_day(db_url).empty
    assert q.pair_matrix(db_url).empty
    assert q.top_stories(db_url, datetime(2000, 1, 1)).empty
    assert list(q.evidence_for(db_url, []).columns) == list(q.EVIDENCE_COLUMNS)
    assert q.feed_health(db_url).empty
    assert q.fetch_runs(db_url, datetime(2000, 1, 1)).empty
    assert q.top_titles_by_day(db_url).empty


def test_item_count_matches_the_all_actors_aggregate(sample_db_url: str) -> None:
    total = q.news_count(sample_db_url)
    assert total > 300  # the README promises 373 items, minus duplicates across files
    every = q.tension_by_actor_day(sample_db_url, QueryFilters(actors=(q.ALL_ACTORS,)))
    assert int(every["items"].sum()) == total
    assert q.has_items(sample_db_url)
    assert isinstance(q.last_updated(sample_db_url), datetime)


def test_items_behind_a_point_are_the_points_items(sample_db_url: str) -> None:
    daily = q.tension_by_actor_day(sample_db_url, QueryFilters(actors=("KOS",)))
    busiest = daily.sort_values(["items", "day"], ascending=False).iloc[0]
    items = q.items_behind(sample_db_url, "KOS", busiest["day"].date())
    assert len(items) == int(busiest["items"])
    assert all("KOS" in a for a in items["actors"])
    assert (items["published_at"].dt.date == busiest["day"].date()).all()
    leads = items[items["is_story_lead"]]
    assert leads["score"].sum() == pytest.approx(busiest["score"])


def test_tension_rows_exclude_the_all_actors_row_unless_asked(sample_db_url: str) -> None:
    actors = set(q.tension_by_actor_day(sample_db_url)["actor"])
    assert q.ALL_ACTORS not in actors
    assert {"SRB", "KOS"} <= actors


def test_filters_narrow_the_news(sample_db_url: str) -> None:
    total = q.news_count(sample_db_url)
    feeds = q.feed_options(sample_db_url)
    one_feed = QueryFilters(feed_ids=(int(feeds["feed_id"].iloc[0]),))
    cases = [
        QueryFilters(actors=("KOS",)),
        QueryFilters(date_from=date(2023, 1, 1), date_to=date(2023, 12, 31)),
        QueryFilters(signals=("armed_clash",)),
        one_feed,
        QueryFilters(languages=("sq",)),
        QueryFilters(min_score=5.0),
        QueryFilters(direction="de-escalation"),
    ]
    for filters in cases:
        count = q.news_count(sample_db_url, filters)
        assert 0 < count < total, filters
        page = q.news_page(sample_db_url, filters, 1, 500)
        assert len(page) == count, filters
    year = q.news_page(sample_db_url, cases[1], 1, 500)
    assert year["published_at"].dt.year.eq(2023).all()
    assert q.news_page(sample_db_url, cases[5], 1, 500)["score"].min() >= 5.0
    assert set(q.news_page(sample_db_url, one_feed, 1, 500)["feed_id"]) == set(one_feed.feed_ids)
    both = QueryFilters(actors=("KOS",), date_from=date(2023, 1, 1), date_to=date(2023, 12, 31))
    assert q.news_count(sample_db_url, both) < q.news_count(sample_db_url, cases[0])


def test_news_pages_are_newest_first_and_do_not_overlap(sample_db_url: str) -> None:
    first = q.news_page(sample_db_url, ALL, 1, 20)
    second = q.news_page(sample_db_url, ALL, 2, 20)
    assert first["published_at"].is_monotonic_decreasing
    assert first["published_at"].min() >= second["published_at"].max()
    assert not set(first["item_id"]) & set(second["item_id"])
    assert first["is_sample"].all()  # everything in data/sample is labelled sample


def test_aggregates_honour_their_filters(sample_db_url: str) -> None:
    mix = q.signal_mix_by_day(sample_db_url, QueryFilters(signals=("diplomacy", "armed_clash")))
    assert set(mix["signal"]) == {"diplomacy", "armed_clash"}
    pairs = q.pair_matrix(sample_db_url, QueryFilters(actors=("SRB",)))
    assert not pairs.empty
    assert ((pairs["source"] == "SRB") | (pairs["target"] == "SRB")).all()
    all_pairs = q.pair_matrix(sample_db_url)
    assert len(all_pairs) > len(pairs)
    window = QueryFilters(date_from=date(2023, 5, 1), date_to=date(2023, 6, 30))
    daily = q.tension_by_actor_day(sample_db_url, window)
    assert daily["day"].between(pd.Timestamp("2023-05-01"), pd.Timestamp("2023-06-30")).all()
    totals = q.actor_totals(sample_db_url, window)
    assert totals["score"].is_monotonic_decreasing
    assert totals.set_index("actor")["items"].to_dict() == (
        daily.groupby("actor")["items"].sum().to_dict()
    )


def test_top_stories_carry_their_evidence(sample_db_url: str) -> None:
    top = q.top_stories(sample_db_url, datetime(2022, 1, 1), limit=5)
    assert len(top) == 5
    assert top["score"].is_monotonic_decreasing
    assert top["is_story_lead"].all()
    assert (top["outlets"] >= 1).all()
    assert top["evidence"].str.len().gt(0).all()
    evidence = q.evidence_for(sample_db_url, top["item_id"].tolist())
    assert set(evidence["item_id"]) == set(top["item_id"])
    for row in evidence.itertuples():
        item = top[top["item_id"] == row.item_id].iloc[0]
        text = item["title"] if row.field == "title" else item["summary"]
        assert text[row.start : row.end] == row.text


def test_top_titles_by_day_keeps_the_best_per_day(sample_db_url: str) -> None:
    titles = q.top_titles_by_day(sample_db_url, QueryFilters(actors=("KOS",)), per_day=2)
    assert not titles.empty
    assert set(titles["actor"]) == {"KOS"}
    assert titles.groupby(["day", "actor"]).size().max() <= 2


def test_search_finds_a_known_word_in_any_script(sample_db_url: str) -> None:
    latin = q.news_page(sample_db_url, QueryFilters(text="Vučić"), 1, 500)
    assert not latin.empty
    assert latin["title"].str.cat(latin["summary"]).str.contains("Vučić|Вучић").all()
    cyrillic = q.news_page(sample_db_url, QueryFilters(text="Грачаница"), 1, 500)
    assert not cyrillic.empty
    # Latin with Serbian letters finds the Cyrillic article.
    assert set(cyrillic["item_id"]) <= set(
        q.news_page(sample_db_url, QueryFilters(text="Gračanica"), 1, 500)["item_id"]
    )
    # Every word must match.
    narrower = q.news_count(sample_db_url, QueryFilters(text="Vučić Kurti"))
    assert 0 < narrower < len(latin)


@pytest.mark.skipif(use_postgres(), reason="PostgreSQL's 'simple' text search keeps diacritics")
def test_search_ignores_diacritics_on_sqlite(sample_db_url: str) -> None:
    folded = q.news_page(sample_db_url, QueryFilters(text="vucic"), 1, 500)
    exact = q.news_page(sample_db_url, QueryFilters(text="Vučić"), 1, 500)
    latin_exact = exact[exact["title"].str.cat(exact["summary"]).str.contains("Vučić")]
    assert set(latin_exact["item_id"]) <= set(folded["item_id"])


@pytest.mark.parametrize(
    "hostile", ['"', "NEAR(a b", "a OR", "*", "title:x", "'; DROP TABLE items; --", "((("]
)
def test_search_syntax_in_user_text_is_just_text(sample_db_url: str, hostile: str) -> None:
    assert q.news_count(sample_db_url, QueryFilters(text=hostile)) >= 0
    assert q.has_items(sample_db_url)


def test_search_terms_and_transliteration() -> None:
    assert to_latin("Вучић") == "vučić"
    assert to_cyrillic("Gračanica") == "грачаница"
    assert to_cyrillic("Ljubljana") == "љубљана"
    assert search_terms("Додик!") == [("додик", "dodik")]
    assert fts5_query('kfor "x') == '("kfor"* OR "кфор"*) AND "x"'
    assert search_terms("   ") == []


def test_feed_health_and_runs(sample_db_url: str) -> None:
    health = q.feed_health(sample_db_url, now=datetime(2025, 12, 31, 23, 0))
    assert list(health.columns) == list(q.FEED_HEALTH_COLUMNS)
    assert len(health) == len(SAMPLE_FILES)
    assert health["state"].str.len().gt(0).all()
    assert (health["fetched_24h"] <= health["fetched_7d"]).all()
    # fetched by poll time: the sample was ingested just now, so its items count today
    fresh = q.feed_health(sample_db_url)
    assert int(fresh["fetched_24h"].sum()) == q.news_count(sample_db_url)
    assert fresh["newest_day"].notna().all()
    assert (fresh["active_days_28"] >= 1).all()
    # a year after the sample's last article every feed has gone silent
    later = q.feed_health(sample_db_url, now=datetime(2026, 12, 31))
    assert later["silent"].all() and (later["silent_days"] > 300).all()
    assert not health["silent"].all(), "on its last day the sample is not all silent"
    assert health["is_sample"].all()
    runs = q.fetch_runs(sample_db_url, datetime.now() - timedelta(days=2))
    assert int(runs["polls"].sum()) == len(SAMPLE_FILES)
    assert int(runs["new"].sum()) == q.news_count(sample_db_url)
    recent = q.recent_fetches(sample_db_url)
    assert len(recent) == len(SAMPLE_FILES)
    assert set(recent["status"]) == {"ok"}


def test_options_for_the_filters(sample_db_url: str) -> None:
    feeds = q.feed_options(sample_db_url)
    assert len(feeds) == len(SAMPLE_FILES) and feeds["is_sample"].all()
    langs = q.language_options(sample_db_url)
    assert "sq" in langs and langs == sorted(langs)
    latest = q.latest_day(sample_db_url)
    assert isinstance(latest, date) and latest.year == 2025
    first = q.first_day(sample_db_url)
    assert isinstance(first, date) and first == date(2022, 1, 5) < latest


def test_query_filters_are_frozen_values() -> None:
    a = QueryFilters(actors=("SRB",), date_from=date(2024, 1, 1))
    assert a == QueryFilters(actors=("SRB",), date_from=date(2024, 1, 1))
    assert hash(a) == hash(QueryFilters(actors=("SRB",), date_from=date(2024, 1, 1)))
    with pytest.raises(AttributeError):
        a.actors = ()  # type: ignore[misc]


def test_search_stems_inflected_names() -> None:
    from storage.search import stem

    assert stem("banjska") == "banjsk" and stem("kosovo") == "kosov"
    assert stem("kurti") == "kurt" and stem("vučić") == "vučić"
    assert stem("bbc") == "bbc" and stem("nato") == "nato", "short words stay whole"
    assert stem("бањска") == "бањск"


@pytest.mark.parametrize("word", ["Banjska", "Бањска", "Zvečan"])
def test_search_finds_every_inflected_form_in_both_scripts(sample_db_url: str, word: str) -> None:
    import re

    from storage.search import stem, to_cyrillic, to_latin

    every = q.news_page(sample_db_url, QueryFilters(), 1, 5000)
    latin = to_latin(stem(word.lower()))
    forms = re.compile(rf"\b(?:{re.escape(latin)}|{re.escape(to_cyrillic(latin))})\w*",
                       re.IGNORECASE)
    text = every["title"].str.cat(every["summary"], sep=" ")
    mentioning = set(every.loc[text.str.contains(forms), "item_id"])
    assert len(mentioning) >= 3, "the sample names it in several forms"
    found = set(q.news_page(sample_db_url, QueryFilters(text=word), 1, 5000)["item_id"])
    assert mentioning <= found
