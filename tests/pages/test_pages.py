"""Every page through ``app.py`` with AppTest, on real databases seeded by the real ingest CLI:
sample data, an empty database, and a hostile feed. No layer of ours is replaced.

Downloads are read back through Streamlit's own media file manager: the test
records the manager AppTest creates for each run, then fetches the stored file
(or runs a deferred download) exactly as the browser's request would.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module

from dashboard.views import PROBLEM_SENTENCE
from storage import queries
from storage.queries import QueryFilters
from tests.conftest import ingest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [
    "pages/overview.py", "pages/actor.py", "pages/pairs.py", "pages/news.py", "pages/map.py",
    "pages/sources.py",
]
ALL_DATES = {"range": "custom", "from": "2022-01-01", "to": "2025-12-31"}
FOCAL = {"SRB", "KOS", "BIH", "RS", "MNE", "MKD"}


class _RecordingManager(MediaFileManager):
    made: list[MediaFileManager] = []

    def __init__(self, storage) -> None:  # noqa: ANN001
        super().__init__(storage)
        _RecordingManager.made.append(self)


class _NavigationPagesManager(PagesManager):
    """The page registry as a server has it once ``st.navigation`` ran.

    A running server stops treating ``pages/`` as the old auto-listed folder the
    first time ``st.navigation`` is called, and keeps that for good. AppTest
    resets the flag before every run, so from the second run on it would execute
    the page script alone, skipping app.py and its sidebar filters.
    """

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


@pytest.fixture(autouse=True)
def navigation_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_test_module, "PagesManager", _NavigationPagesManager)


@pytest.fixture
def media(monkeypatch: pytest.MonkeyPatch) -> type[_RecordingManager]:
    _RecordingManager.made = []
    monkeypatch.setattr(app_test_module, "MediaFileManager", _RecordingManager)
    return _RecordingManager


def download(at: AppTest, key: str) -> tuple[str, bytes]:
    """(file name, content) of a download button, as the browser would receive it."""
    button = at.download_button(key=key)
    manager = _RecordingManager.made[-1]
    url = button.proto.url
    if button.proto.deferred_file_id:
        url = manager.execute_deferred(button.proto.deferred_file_id)
    stored = manager._storage.get_file(url.rsplit("/", 1)[-1])
    return stored.filename, bytes(stored.content)


def app(url: str, monkeypatch: pytest.MonkeyPatch, **params: str) -> AppTest:
    monkeypatch.setenv("TENSION_DB_URL", url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    return at


def visit(at: AppTest, page: str) -> AppTest:
    at.run()
    if page != PAGES[0]:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    # The page-level error boundary turns a crash into this sentence: it is a failure too.
    assert PROBLEM_SENTENCE not in [e.value for e in at.error]
    return at


def markup_texts(at: AppTest) -> list[str]:
    """Every string the page rendered as Markdown (where injected markup would act)."""
    texts = []
    for kind in (
        "markdown",
        "caption",
        "info",
        "warning",
        "error",
        "success",
        "title",
        "subheader",
    ):
        texts += [str(e.value) for e in getattr(at, kind)]
    texts += [str(m.label) for m in at.metric]
    return texts


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_the_sample_data(
    page: str, sample_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = visit(app(sample_db_url, monkeypatch, **ALL_DATES), page)
    assert any(c.value.startswith("Updated ") and "newest article" in c.value for c in at.caption)
    assert at.dataframe or at.metric, "the page shows data"
    assert not any("No news items are stored yet" in i.value for i in at.info)


@pytest.mark.parametrize("page", PAGES)
def test_page_says_so_when_the_database_is_empty(
    page: str, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = visit(app(db_url, monkeypatch), page)
    assert any("No news items are stored yet" in i.value for i in at.info)
    assert any(b.label == "Load the bundled sample data" for b in at.button)


def test_the_empty_state_button_loads_the_sample(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = visit(app(db_url, monkeypatch, **ALL_DATES), PAGES[0])
    at.button(key="overview_load_sample").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert queries.has_items(db_url)
    assert at.metric, "after loading, the Overview shows actor cards"


def test_actor_filter_changes_the_overview(
    sample_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = visit(app(sample_db_url, monkeypatch, **ALL_DATES), PAGES[0])
    assert len(at.metric) == len(FOCAL)
    at.multiselect(key="f_actors").set_value(["KOS", "NATO"]).run()
    assert not at.exception
    assert sorted(m.label.replace(" ▲ spike", "") for m in at.metric) == [
        "Kosovo",
        "NATO (incl. KFOR)",
    ]
    assert at.query_params["actors"] == "KOS,NATO"


def test_query_params_round_trip(sample_db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = app(
        sample_db_url,
        monkeypatch,
        actors="SRB,XXX,kos",
        range="custom",
        to="2023-06-30",
        signals="armed_clash,not_a_signal",
        langs="<script>",
        **{"from": "2023-05-01"},
    )
    visit(at, PAGES[0])
    assert at.multiselect(key="f_actors").value == ["SRB", "KOS"]
    assert at.multiselect(key="f_signals").value == ["armed_clash"]
    assert at.multiselect(key="f_langs").value == []
    assert at.query_params["actors"] == "SRB,KOS"
    assert at.query_params["from"] == "2023-05-01" and at.query_params["to"] == "2023-06-30"
    assert "langs" not in at.query_params
    # The same filters survive a move to another page.
    at.switch_page("pages/news.py").run()
    assert at.multiselect(key="f_actors").value == ["SRB", "KOS"]
    assert at.query_params["actors"] == "SRB,KOS"


def test_overview_exports_the_drawn_data(
    sample_db_url: str, monkeypatch: pytest.MonkeyPatch, media: type
) -> None:
    at = visit(app(sample_db_url, monkeypatch, **ALL_DATES), PAGES[0])
    name, data = download(at, "overview_index_csv")
    # The link's 2022-01-01 starts at the first stored day (URL dates are clamped to the data).
    first = queries.first_day(sample_db_url)
    assert first == date(2022, 1, 5)
    assert name.startswith(
        "tension-index_srb-kos-bih-rs-mne-mkd_20220105_20251231_"
    ) and name.endswith(".csv")
    drawn = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", parse_dates=["day"])
    # headers in the chart's words, each actor code with its name
    assert list(drawn.columns) == ["day", "actor", "actor name", "index (smoothed)",
                                   "day's score", "articles", "stories", "in a spike"]
    assert set(drawn["actor"]) == FOCAL
    assert set(drawn.loc[drawn["actor"] == "KOS", "actor name"]) == {"Kosovo"}
    assert drawn["day"].min() == pd.Timestamp(first)
    assert drawn["day"].max() == pd.Timestamp("2025-12-31")
    # The drawn daily score equals the aggregate it came from.
    daily = queries.tension_by_actor_day(
        sample_db_url, QueryFilters(actors=("KOS",), date_from=date(2022, 1, 1))
    )
    kos = drawn[drawn["actor"] == "KOS"]
    assert kos["day's score"].sum() == pytest.approx(daily["score"].sum())
    assert int(kos["articles"].sum()) == int(daily["items"].sum())

    # "What changed in the last 24 hours" ends at the newest sample item.
    assert len(at.dataframe(key="overview_top").value) > 0
    html_name, html = download(at, "overview_index_html")
    assert html_name.endswith(".html") and b"Plotly.newPlot" in html
    # the export carries its provenance: filters, time of export, article count, sample mark
    assert b"Balkan Tension Monitor" in html and b"generated " in html
    assert b" articles" in html and b"SAMPLE DATA" in html
    mix_name, mix = download(at, "overview_mix_csv")
    assert mix_name.startswith("signal-mix_")
    assert pd.read_csv(io.BytesIO(mix), encoding="utf-8-sig")["mentions"].sum() > 0


def test_server_image_export_on_demand(
    sample_db_url: str, monkeypatch: pytest.MonkeyPatch, media: type
) -> None:
    at = visit(app(sample_db_url, monkeypatch, **ALL_DATES), "pages/map.py")
    assert not [b for b in at.download_button if b.key and b.key.endswith("_download")]
    at.button(key="map_png_make").click().run()
    assert not at.exception
    made = [b for b in at.download_button if b.key == "map_png_download"]
    if not made:  # no Chromium on this machine: the page must say so in words
        assert any("PNG export is not available" in w.value for w in at.warning)
        return
    name, data = download(at, "map_png_download")
    assert name.startswith("tension-map_") and name.endswith(".png")
    assert data.startswith(b"\x89PNG")


def test_an_exported_svg_carries_the_caption(
    sample_db_url: str, monkeypatch: pytest.MonkeyPatch, media: type
) -> None:
    at = visit(app(sample_db_url, monkeypatch, **ALL_DATES), PAGES[0])
    at.radio(key="export_format").set_value("svg").run()
    at.button(key="overview_index_svg_make").click().run()
    assert not at.exception
    if not [b for b in at.download_button if b.key == "overview_index_svg_download"]:
        assert any("SVG export is not available" in w.value for w in at.warning)
        return
    _, data = download(at, "overview_index_svg_download")
    assert b"<svg" in data[:500]
    assert b"Balkan Tension Monitor" in data and b"SAMPLE DATA" in data


def test_news_search_filters_and_csv(
    sample_db_url: str, monkeypatch: pytest.MonkeyPatch, media: type
) -> None:
    at = visit(app(sample_db_url, monkeypatch, **ALL_DATES), "pages/news.py")
    everything = at.dataframe(key="news_table").value
    assert len(everything) == 50  # first page of the whole sample
    at.text_input(key="news_q").set_value("Vučić").run()
    found = at.dataframe(key="news_table").value
    expected = queries.news_count(
        sample_db_url,
        QueryFilters(date_from=date(2022, 1, 1), date_to=date(2025, 12, 31), text="Vučić"),
    )
    assert 0 < len(found) == min(expected, 50)
    assert at.query_params["q"] == "Vučić"
    name, data = download(at, "news_csv")
    assert name.startswith("news_") and "q-vu" in name
    rows = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert len(rows) == expected
    assert rows["sample"].all()
    assert set(rows["title"]) >= set(found["title"])
    assert {"summary", "language", "actors", "signals", "signals with their phrases",
            "link"} <= set(rows.columns)
    phrases = rows["signals with their phrases"].dropna()
    assert phrases.str.contains(': "').any()
    assert not phrases.str.contains("armed_clash|police_action|intl_statement").any(), \
        "signal names, not codes"
    assert rows["actors"].dropna().str.contains("Serbia").any()
    at.selectbox(key="news_dir").set_value("de-escalation").run()
    narrowed = at.dataframe(key="news_table").value
    assert len(narrowed) < len(found)


def test_news_shows_a_rows_evidence_on_selection(
    sample_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = visit(app(sample_db_url, monkeypatch, **ALL_DATES), "pages/news.py")
    at.number_input(key="news_min").set_value(5.0).run()
    at.session_state["news_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert any(b.label == "Open the original article" for b in at.get("link_button"))
    assert any("**" in m.value for m in at.markdown), "evidence is highlighted"


def test_evidence_bolds_the_phrases_not_the_whole_title(
    sample_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An unsuppressed match has no suppressed_by (NULL): under pandas 3 that came back as
    # NaN, which is truthy, so every match looked suppressed and the whole title went bold.
    from dashboard.text import escape_markdown, highlight_markdown

    at = visit(app(sample_db_url, monkeypatch, **ALL_DATES), "pages/news.py")
    at.number_input(key="news_min").set_value(5.0).run()
    rows = queries.news_page(
        sample_db_url,
        QueryFilters(date_from=date(2022, 1, 5), date_to=date(2025, 12, 31), min_score=5.0),
    )
    for position, item in enumerate(rows.itertuples()):
        ev = queries.evidence_for(sample_db_url, [item.item_id])
        spans = [(int(r.start), int(r.end)) for r in ev.itertuples()
                 if r.field == "title" and not r.negated and r.suppressed_by == ""]  # fmt: skip
        if spans:
            break
    else:
        pytest.fail("no article in the sample has an asserted phrase in its title")
    at.session_state["news_table"] = {
        "selection": {"rows": [position], "columns": [], "cells": []}
    }
    at.run()
    shown = [m.value for m in at.markdown]
    assert highlight_markdown(item.title, spans) in shown
    assert f"**{escape_markdown(item.title)}**" not in shown


def test_actor_page_follows_its_picker(sample_db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = visit(app(sample_db_url, monkeypatch, **ALL_DATES), "pages/actor.py")
    at.selectbox(key="actor_pick").set_value("KOS").run()
    assert not at.exception
    assert at.query_params["actor"] == "KOS"
    items = at.dataframe(key="actor_items").value
    assert len(items) > 0
    day = at.selectbox(key="actor_day").value
    expected = queries.items_behind(sample_db_url, "KOS", day)
    assert sorted(items["title"]) == sorted(expected["title"].str.slice(0, 300))


HOSTILE_TITLE = (
    "Serbia accuses Kosovo :red[ALERT] $$\\frac{1}{0}$$ [a](javascript:alert(1)) "
    "&lt;script&gt;alert(1)&lt;/script&gt;"
)
HOSTILE_SUMMARY = (
    "**bold** :blue-background[x] &lt;img src=x onerror=alert(1)&gt; &lt;b&gt;b&lt;/b&gt;"
)
HOSTILE = f"""<?xml version="1.0" encoding="utf-8"?>
<!-- Hostile markup in every text field: none of it may render as markup on any page. -->
<rss version="2.0"><channel>
<title>:red[Evil] feed $$x$$ [click](javascript:alert(1))</title>
<link>https://hostile.example/</link>
<description>test</description>
<item>
  <title>{HOSTILE_TITLE}</title>
  <link>javascript:alert(document.cookie)</link>
  <guid isPermaLink="false">hostile-1</guid>
  <pubDate>Tue, 30 Dec 2025 10:00:00 +0000</pubDate>
  <description>{HOSTILE_SUMMARY}</description>
</item>
</channel></rss>
"""
MARKERS = (":red[", "$$", "](javascript", "<script", "<img", ":blue-background[", "**bold**")


def test_hostile_feed_text_never_renders_as_markup(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = tmp_path / "hostile.xml"
    feed.write_text(HOSTILE, encoding="utf-8")
    ingest(db_url, feed)
    stored = queries.news_page(db_url, QueryFilters())
    assert len(stored) == 1
    title = stored["title"].iloc[0]
    assert ":red[ALERT]" in title  # the hostile text is really stored and shown
    at = app(db_url, monkeypatch, **ALL_DATES)
    for page in PAGES:
        visit(at, page)
        for text in markup_texts(at):
            for marker in MARKERS:
                assert marker not in text, (page, marker, text)
    visit(at, "pages/news.py")
    table = at.dataframe(key="news_table").value
    assert table["title"].iloc[0] == title  # shown verbatim, as a cell
    assert table["link"].isna().all()  # the javascript: link is not offered
    at.session_state["news_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert any("ALERT" in m.value for m in at.markdown), "the evidence panel shows the title"
    for text in markup_texts(at):
        for marker in MARKERS:
            assert marker not in text, (marker, text)
    assert not at.get("link_button")


FORMULA_FEED = """<?xml version="1.0" encoding="utf-8"?>
<!-- Spreadsheet formulas in the feed name, titles and summaries: every CSV the dashboard
     offers must hold them as text (a leading quote), never as a formula. -->
<rss version="2.0"><channel>
<title>=HYPERLINK("http://evil.example/","Feed")</title>
<link>https://formula.example/</link>
<description>+cmd|' /C calc'!A0</description>
<item><title>=1+1 Serbia accuses Kosovo</title><guid isPermaLink="false">f-1</guid>
  <pubDate>Tue, 30 Dec 2025 10:00:00 +0000</pubDate><description>@SUM(A1:A9)</description></item>
<item><title>+Kosovo police arrest</title><guid isPermaLink="false">f-2</guid>
  <pubDate>Tue, 30 Dec 2025 11:00:00 +0000</pubDate><description>-2+3 barricades</description>
</item>
<item><title>-Serbia deploys troops</title><guid isPermaLink="false">f-3</guid>
  <pubDate>Tue, 30 Dec 2025 12:00:00 +0000</pubDate><description>=cmd</description></item>
<item><title>@Kurti warns Serbia</title><guid isPermaLink="false">f-4</guid>
  <pubDate>Tue, 30 Dec 2025 13:00:00 +0000</pubDate><description>plain</description></item>
</channel></rss>
"""
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cells(data: bytes) -> list[list[str]]:
    import csv

    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_no_csv_the_dashboard_offers_holds_a_formula(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, media: type
) -> None:
    # A local file's stem is its feed name: this feed is called "=SUM(A1)+cmd".
    feed = tmp_path / "=SUM(A1)+cmd.xml"
    feed.write_text(FORMULA_FEED, encoding="utf-8")
    ingest(db_url, feed)
    at = app(db_url, monkeypatch, range="custom", to="2025-12-31", **{"from": "2025-12-01"})
    visit(at, PAGES[0])
    checked = []
    for page, key in (("pages/news.py", "news_csv"), ("pages/sources.py", "sources_csv"),
                      (PAGES[0], "overview_top_csv")):  # fmt: skip
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        _, data = download(at, key)
        header, *rows = _csv_cells(data)
        assert rows, key
        for row in rows:
            for cell in row:
                assert not cell.startswith(TRIGGERS), (key, cell)
        checked.append(key)
        texts = {cell for row in rows for cell in row}
        if key == "news_csv":
            assert {"'=1+1 Serbia accuses Kosovo", "'+Kosovo police arrest"} <= texts
        if key in ("news_csv", "sources_csv"):
            # the feed is shown by its own title (itself a formula), else by its name
            assert '\'=HYPERLINK("http://evil.example/","Feed")' in texts, texts
    assert checked == ["news_csv", "sources_csv", "overview_top_csv"]


ESTIMATED_FEED = """<?xml version="1.0" encoding="utf-8"?>
<!-- One item with an impossible date (1980: ingest stores the fetch time and marks it
     estimated) and one with a real date: the mark must show in tables, hovers and CSVs. -->
<rss version="2.0"><channel><title>Dates</title><link>https://dates.example/</link>
<item><title>Serbia accuses Kosovo of provocations at the border</title>
  <guid isPermaLink="false">d-1</guid><pubDate>Tue, 01 Jan 1980 10:00:00 +0000</pubDate></item>
<item><title>Kosovo police arrest two men near the border with Serbia</title>
  <guid isPermaLink="false">d-2</guid><pubDate>{today}</pubDate></item>
</channel></rss>
"""


def test_estimated_dates_are_marked_in_tables_hovers_and_csv(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, media: type
) -> None:
    from email.utils import format_datetime

    now = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    feed = tmp_path / "dates.xml"
    feed.write_text(ESTIMATED_FEED.format(today=format_datetime(now)), encoding="utf-8")
    ingest(db_url, feed)
    stored = queries.news_page(db_url, QueryFilters())
    marks = dict(zip(stored["title"].str.slice(0, 6), stored["date_estimated"], strict=True))
    assert marks == {"Serbia": True, "Kosovo": False}
    # Counted on the day it was fetched: today, like the item dated today.
    assert set(stored["published_at"].dt.date) == {datetime.now(UTC).date()}

    at = visit(app(db_url, monkeypatch, actors="SRB,KOS", range="7d"), "pages/news.py")
    table = at.dataframe(key="news_table").value
    shown = dict(zip(table["title"].str.slice(0, 6), table["date estimated"], strict=True))
    assert shown == {"Serbia": True, "Kosovo": False}
    _, data = download(at, "news_csv")
    rows = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert dict(zip(rows["title"].str.slice(0, 6), rows["date estimated"], strict=True)) == shown
    at.session_state["news_table"] = {
        "selection": {"rows": [list(shown).index("Serbia")], "columns": [], "cells": []}
    }
    at.run()
    assert any("date estimated" in c.value for c in at.caption), "the evidence panel says so"

    visit(at, PAGES[0])
    at.switch_page(PAGES[0]).run()
    specs = [c.proto.spec for c in at.get("plotly_chart")]
    assert any("Serbia accuses Kosovo" in s and "(date estimated)" in s for s in specs)
