"""The Overview's "What changed" block on the sample data, through app.py with AppTest."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from storage import queries
from storage.queries import QueryFilters
from tests.conftest import ingest
from tests.pages.test_pages import ALL_DATES, PAGES, app, visit


def _block(at) -> list[str]:  # noqa: ANN001 - AppTest
    return [m.value for m in at.markdown if "tension points in" in m.value]


def test_the_overview_opens_with_a_mover_its_signals_and_stories(
    sample_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = visit(app(sample_db_url, monkeypatch, range="custom", **{"from": "2023-09-18",
                                                                  "to": "2023-09-30"}), PAGES[0])
    assert at.subheader[0].value == "What changed", "the first block answers what changed"
    sentences = _block(at)
    assert sentences, "at least one mover is named"
    assert any(word in sentences[0] for word in (" rose to ", " fell to "))
    assert "stories" in sentences[0] or "story" in sentences[0], "with the signals behind it"
    key = next(d.key for d in at.dataframe if str(d.key).startswith("changes_0_"))
    at.session_state[key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert any(b.label == "Open the original article" for b in at.get("link_button"))
    assert any("**" in m.value for m in at.markdown), "the story's evidence is highlighted"


def test_a_quiet_range_says_so_and_shows_the_last_active_period(
    sample_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = visit(app(sample_db_url, monkeypatch, range="custom", **{"from": "2026-06-01",
                                                                  "to": "2026-06-30"}), PAGES[0])
    quiet = [i.value for i in at.info if i.value.startswith("Quiet")]
    assert quiet and "last active period" in quiet[0]
    assert _block(at), "the movers of the last active period are named instead of zeros"


def _click(at, key: str, day: str, actor: str | None) -> None:  # noqa: ANN001 - AppTest
    point = {"x": day, "y": 1.0, "curve_number": 0, "point_number": 0, "point_index": 0}
    if actor:
        point["customdata"] = [1.0, 1, 1, "title", actor]
    at.session_state[key] = {"selection": {"points": [point], "point_indices": [0],
                                           "box": [], "lasso": []}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_clicking_an_overview_point_lists_that_days_articles_with_evidence(
    sample_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = visit(app(sample_db_url, monkeypatch, range="custom", **{"from": "2023-09-18",
                                                                  "to": "2023-09-30"}), PAGES[0])
    _click(at, "overview_index_chart", "2023-09-24", "KOS")
    assert any("Articles behind Kosovo on 24 Sep 2023" in m.value for m in at.markdown)
    table = next(d for d in at.dataframe if d.key == "overview_click_items")
    assert len(table.value) > 0
    at.session_state["overview_click_items"] = {"selection": {"rows": [0], "columns": [],
                                                              "cells": []}}
    at.run()
    assert any(b.label == "Open the original article" for b in at.get("link_button"))


def test_clicking_the_actor_chart_picks_that_day(
    sample_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = visit(app(sample_db_url, monkeypatch, actor="KOS", range="custom",
                   **{"from": "2023-09-01", "to": "2023-09-30"}), "pages/actor.py")
    before = at.selectbox(key="actor_day").value
    daily = queries.tension_by_actor_day(sample_db_url, QueryFilters(
        actors=("KOS",), date_from=date(2023, 9, 1), date_to=date(2023, 9, 30)))
    wanted = next(d.date() for d in daily.loc[daily["items"] > 0, "day"] if d.date() != before)
    _click(at, "actor_band_chart", wanted.isoformat(), None)
    assert at.selectbox(key="actor_day").value == wanted


NEWER = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Late desk</title><link>https://late.example/</link>
<description>x</description>
<item><title>Gunmen open fire on Kosovo police patrol near Zvečan, two officers wounded</title>
<link>https://late.example/1</link><guid isPermaLink="false">late-1</guid>
<pubDate>Wed, 31 Dec 2025 23:00:00 +0000</pubDate>
<description>Shots were fired at a patrol in north Kosovo.</description></item>
</channel></rss>
"""


def test_an_open_article_stays_open_when_a_refresh_brings_a_newer_one(
    sample_db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    at = visit(app(sample_db_url, monkeypatch, **ALL_DATES), "pages/news.py")
    at.session_state["news_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    opened = next(d for d in at.dataframe if d.key == "news_table").value.iloc[0]["title"]
    feed = tmp_path / "late.xml"
    feed.write_text(NEWER, encoding="utf-8")
    ingest(sample_db_url, feed)
    at.run()
    assert not at.exception
    rows = next(d for d in at.dataframe if d.key == "news_table").value
    assert rows.iloc[0]["title"] != opened, "the new article now takes the first row"
    shown = " ".join(m.value for m in at.markdown)
    assert opened.split(":")[0][:40] in shown.replace("\\\\", ""), "the panel kept the article"


def test_the_map_draws_named_places_and_a_click_lists_their_articles(
    sample_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    at = visit(app(sample_db_url, monkeypatch, range="custom", **{"from": "2023-09-18",
                                                                  "to": "2023-09-30"}),
               "pages/map.py")
    (chart,) = at.get("plotly_chart")
    traces = json.loads(chart.proto.spec)["data"]
    (places,) = [t for t in traces if t.get("name") == "places named"]
    place = places["customdata"][0][0]
    point = {"x": 20.0, "y": 43.0, "customdata": [place],
             "curve_number": 0, "point_number": 0, "point_index": 0}
    at.session_state["map_chart"] = {"selection": {"points": [point], "point_indices": [0],
                                                   "box": [], "lasso": []}}
    at.run()
    assert not at.exception
    assert any(s.value.startswith("Articles naming ") for s in at.subheader)
    table = next(d for d in at.dataframe if d.key == "map_place_items")
    assert len(table.value) > 0


def test_an_article_with_a_suppressed_match_still_highlights_and_explains(
    sample_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    every = queries.news_page(sample_db_url, QueryFilters(), 1, 5000)
    ev = queries.evidence_for(sample_db_url, every["item_id"])
    stopped = ev["suppressed_by"].fillna("") != ""
    supp = ev[stopped]
    live = ev[~stopped & ~ev["negated"].astype(bool)]
    both = sorted(set(supp["item_id"]) & set(live["item_id"]))
    assert both, "the sample has an article with a counted and a stopped match"
    item = every[every["item_id"] == both[0]].iloc[0]
    at = visit(app(sample_db_url, monkeypatch, **ALL_DATES), "pages/news.py")
    at.text_input(key="news_q").set_value(str(item["title"])[:60]).run()
    table = next(d for d in at.dataframe if d.key == "news_table")
    row = list(table.value["title"]).index(str(item["title"])[:300])
    at.session_state["news_table"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    shown = [m.value for m in at.markdown]
    assert any("**" in m and not (m.startswith("**") and m.endswith("**") and m.count("**") == 2)
               for m in shown), "the counted phrase is bold, not the whole title"
    assert any("~~" in m for m in shown), "the stopped phrase is struck through"
    evidence = next(d.value for d in at.dataframe if "counted" in d.value.columns)
    assert "suppressed_by" not in evidence.columns
    assert any(str(c).startswith("no: ") for c in evidence["counted"])


def test_a_moving_default_window_is_said(
    sample_db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    at = visit(app(sample_db_url, monkeypatch), PAGES[0])
    assert not any("Newer articles arrived" in i.value for i in at.sidebar.info)
    was = queries.latest_day(sample_db_url)
    feed = tmp_path / "later.xml"
    feed.write_text(NEWER.replace("Wed, 31 Dec 2025", "Mon, 15 Jun 2026").replace(
        "late-1", "late-2"), encoding="utf-8")
    ingest(sample_db_url, feed)
    at.run()
    assert not at.exception
    notes = [i.value for i in at.sidebar.info if "Newer articles arrived" in i.value]
    assert notes and "15 Jun 2026" in notes[0] and f"{was:%d %b %Y}" in notes[0]


def test_search_offers_hidden_dates_and_the_actor_the_words_name(
    sample_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = visit(app(sample_db_url, monkeypatch, range="custom",
                   **{"from": "2023-09-01", "to": "2023-09-30"}), "pages/news.py")
    at.text_input(key="news_q").set_value("Kurti").run()
    inside = len(next(d for d in at.dataframe if d.key == "news_table").value)
    hidden = [i.value for i in at.info if "outside the chosen dates" in i.value]
    assert hidden, "the sample names Kurti in other months too"
    at.button(key="news_all_dates_btn").click().run()
    assert not at.exception
    widened = next(d for d in at.dataframe if d.key == "news_table").value
    assert len(widened) > inside
    assert any(c.value == "Searching every date." for c in at.caption)
    # "Kosova" (Albanian) names Kosovo: one click lists every item tagged KOS instead
    at.text_input(key="news_q").set_value("Kosova").run()
    about = at.button(key="news_about")
    assert "All items about Kosovo" in about.label
    about.click().run()
    assert not at.exception
    assert at.multiselect(key="f_actors").value == ["KOS"]
    assert at.text_input(key="news_q").value == ""
