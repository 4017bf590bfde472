"""The dashboard in a real browser: ``streamlit run app.py`` on a free port, Debian's headless
Chromium through Playwright, databases seeded through the real ingest CLI.

1. On the sample data: the Overview draws its chart and cards; choosing Serbia, then
   Kosovo, in the sidebar changes the chart's lines, the cards, the table and the URL;
   the News page keeps the filter, narrows with a search, and its CSV download holds
   exactly the filtered rows. A full-page screenshot of the Overview is saved (and
   written to docs/overview.png for the README when TENSION_UPDATE_SCREENSHOT=1).
2. On a hostile feed: no page runs the feed's script, grows its elements or offers a
   ``javascript:`` link, and the markup is shown literally as text.

Waits are generous conditions on the page (a busy 2-core machine), never timed assertions.
"""

from __future__ import annotations

import csv
import io
import os
import re
import struct
from collections.abc import Callable
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import create_engine, text

from dashboard.labels import FOCAL_ACTORS, actor_name
from storage import queries
from storage.queries import QueryFilters
from tests.conftest import ingest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "overview.png"
# The sample data runs from 2022 to 2025 (and the default 30 days end on its last, quiet
# day). The filter checks use all of it; the README shows 2022 up to the Kosovo crisis of
# late September 2023, so the cards, spikes and last-24-hours stories have something to say.
# The sample's first stored day: links are clamped to the stored days, so start there.
SAMPLE_RANGE = "range=custom&from=2022-01-05&to=2025-12-31"
README_RANGE = "range=custom&from=2022-01-05&to=2023-09-30"
SAMPLE_FROM, SAMPLE_TO = date(2022, 1, 5), date(2025, 12, 31)
WAIT_MS = 90_000
CSV_HEADER = ["published (UTC)", "title", "summary", "source", "language", "actors", "score",
              "signals", "sample", "link"]

# --- page helpers -------------------------------------------------------------------------


def settled(page) -> None:  # noqa: ANN001
    """Wait until the app's script has finished its run (and the websocket is up)."""
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app && app.dataset.testScriptState === 'notRunning'
                && app.dataset.testConnectionState === 'CONNECTED';
        }""",
        timeout=WAIT_MS,
    )


def open_page(page, url: str, ready: str = '[data-testid="stMain"] h1') -> None:  # noqa: ANN001
    page.goto(url)
    page.wait_for_selector(ready, timeout=WAIT_MS)
    settled(page)


def legend_names(page, chart: int = 0) -> list[str]:  # noqa: ANN001
    """Names of the legend entries (traces shown in the legend) of the n-th Plotly chart."""
    return page.evaluate(
        """(n) => {
            const gd = document.querySelectorAll('.js-plotly-plot')[n];
            return gd && gd.data ? gd.data.filter(t => t.showlegend !== false).map(t => t.name)
                                 : null;
        }""",
        chart,
    )


def wait_legend(page, expected: list[str], chart: int = 0) -> None:  # noqa: ANN001
    """Wait until the chart's legend lists exactly ``expected`` (in any order)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            """([n, want]) => {
                const gd = document.querySelectorAll('.js-plotly-plot')[n];
                if (!gd || !gd.data) return false;
                const got = gd.data.filter(t => t.showlegend !== false).map(t => t.name);
                return JSON.stringify(got.sort()) === JSON.stringify(want);
            }""",
            arg=[chart, sorted(expected)],
            timeout=WAIT_MS,
        )
    except PlaywrightTimeout:
        pytest.fail(f"legend is {legend_names(page, chart)}, expected {sorted(expected)}")
    settled(page)


def card_labels(page) -> list[str]:  # noqa: ANN001
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    return [label.replace("▲ spike", "").strip() for label in labels]


def table_rows(page, index: int = 0, *, wait: bool = True) -> list[dict[str, str]]:  # noqa: ANN001
    """Rows of the n-th dataframe as {column: text}, from the grid's accessible table.

    The grid draws on a canvas; its accessible table holds the cells in view (rows and
    columns scrolled out of view are absent) and fills in after the first draw, so by
    default this scrolls the grid into view and waits for a row to appear.
    """
    grids = page.locator('[data-testid="stDataFrame"]')
    if grids.count() > index:
        # Grids off screen may not draw (nor fill their accessible table) until seen.
        grids.nth(index).scroll_into_view_if_needed()
    if wait:
        page.wait_for_function(
            """(n) => {
                const grid = document.querySelectorAll('[data-testid="stDataFrame"]')[n];
                return grid && grid.querySelectorAll('tbody tr').length > 0;
            }""",
            arg=index,
            timeout=WAIT_MS,
        )
    return page.evaluate(
        """(n) => {
            const grid = document.querySelectorAll('[data-testid="stDataFrame"]')[n];
            if (!grid) return [];
            const heads = [...grid.querySelectorAll('thead th')].map(th => th.innerText);
            return [...grid.querySelectorAll('tbody tr')].map(tr => Object.fromEntries(
                [...tr.querySelectorAll('td')].map((td, i) => [heads[i], td.innerText])));
        }""",
        index,
    )


def grid_index(page, heading: str) -> int:  # noqa: ANN001
    """The position among the page's dataframes of the first one after ``heading``."""
    page.get_by_text(heading, exact=True).first.wait_for(timeout=WAIT_MS)
    return page.evaluate(
        """(heading) => {
            const head = [...document.querySelectorAll('h1, h2, h3')]
                .find(h => h.innerText.trim() === heading);
            const grids = [...document.querySelectorAll('[data-testid="stDataFrame"]')];
            return grids.findIndex(g =>
                head.compareDocumentPosition(g) & Node.DOCUMENT_POSITION_FOLLOWING);
        }""",
        heading,
    )


TOP_24H = "What changed in the last 24 hours"


def rows_after_change(page, before: list[dict[str, str]], index: int = 0) -> list[dict[str, str]]:  # noqa: ANN001, E501
    """The n-th table's rows once they differ from ``before`` (the grid redraws after a rerun)."""
    deadline = WAIT_MS
    while deadline > 0:
        rows = table_rows(page, index, wait=False)
        if rows != before:
            return rows
        page.wait_for_timeout(250)
        deadline -= 250
    pytest.fail(f"table {index} still shows {before}")


def pick(page, label: str, option: str) -> None:  # noqa: ANN001
    """Choose ``option`` in the multiselect labelled ``label`` by typing and clicking it."""
    box = page.get_by_role("combobox", name=label)
    box.click()
    box.fill(option.split(" (")[0])
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")


def unpick(page, option: str) -> None:  # noqa: ANN001
    """Remove a chosen value (its tag's "Remove …" button) from a sidebar multiselect."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_role("button", name=f"Remove {option}", exact=True).click()


def query(page) -> dict[str, str]:  # noqa: ANN001
    return {k: v[-1] for k, v in parse_qs(urlsplit(page.url).query).items()}


def no_errors_shown(page) -> None:  # noqa: ANN001
    exceptions = page.locator('[data-testid="stException"]').all_inner_texts()
    assert not exceptions, exceptions
    assert not page.js_errors, page.js_errors


def full_page_png(page, path: Path) -> bytes:  # noqa: ANN001
    """A screenshot of the whole page, not only the first screen.

    Streamlit scrolls inside its main container, so Playwright's ``full_page`` alone
    stops at the viewport; the viewport is stretched to the content for the shot.
    """
    height = page.evaluate(
        """() => Math.max(...['stMain', 'stAppViewContainer', 'stSidebarContent']
            .map(id => document.querySelector(`[data-testid="${id}"]`))
            .filter(Boolean).map(e => e.scrollHeight))"""
    )
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": width, "height": min(int(height) + 40, 6000)})
    page.wait_for_timeout(500)  # Plotly relayouts on resize; let it draw before the shot
    settled(page)
    data = page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": width, "height": 900})
    return data


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


# --- 1. filters, charts, tables and the CSV on the sample data ----------------------------


def test_overview_filters_news_search_and_csv(
    sample_db_url: str, serve: Callable[[str], str], page, tmp_path: Path  # noqa: ANN001
) -> None:
    base = serve(sample_db_url)

    # The README's view: six focal lines, six cards, the stories of 29–30 Sep 2023.
    open_page(page, f"{base}/?{README_RANGE}", ready=".js-plotly-plot")
    focal = sorted(actor_name(a) for a in FOCAL_ACTORS)
    wait_legend(page, focal)
    assert sorted(card_labels(page)) == focal
    stories = table_rows(page, grid_index(page, TOP_24H))
    assert stories and all(r["published (UTC)"].startswith("2023-09-30") for r in stories)
    no_errors_shown(page)
    shot = full_page_png(page, tmp_path / "overview.png")
    width, height = png_size(shot)
    assert width == 1400 and height > 1500, (width, height)
    if os.environ.get("TENSION_UPDATE_SCREENSHOT") == "1":
        SCREENSHOT.parent.mkdir(exist_ok=True)
        SCREENSHOT.write_bytes(shot)

    # The whole sample, then one actor at a time through the sidebar.
    open_page(page, f"{base}/?{SAMPLE_RANGE}", ready=".js-plotly-plot")
    wait_legend(page, focal)
    top_all = table_rows(page, grid_index(page, TOP_24H))
    assert top_all, "the last-24-hours table has rows for all actors"

    # Serbia only: one line, one card, the table follows, the URL says so.
    pick(page, "Countries / actors", "Serbia (SRB)")
    wait_legend(page, ["Serbia"])
    assert card_labels(page) == ["Serbia"]
    assert query(page)["actors"] == "SRB"
    assert query(page)["from"] == "2022-01-05" and query(page)["to"] == "2025-12-31"
    mix_title = page.evaluate(
        "() => document.querySelectorAll('.js-plotly-plot')[1].layout.title.text"
    )
    assert "(SRB)" in mix_title, mix_title
    # the last-24-hours table follows the filter
    rows_after_change(page, top_all, grid_index(page, TOP_24H))

    # Switch to Kosovo: the old line goes, the new one comes, the URL follows.
    unpick(page, "Serbia (SRB)")
    pick(page, "Countries / actors", "Kosovo (KOS)")
    wait_legend(page, ["Kosovo"])
    assert card_labels(page) == ["Kosovo"]
    assert query(page)["actors"] == "KOS"
    no_errors_shown(page)

    # News, through the sidebar: the filter travels along; a search narrows the table.
    page.locator('[data-testid="stSidebarNav"]').get_by_text("News", exact=True).click()
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=WAIT_MS)
    settled(page)
    assert query(page)["actors"] == "KOS"
    filters = QueryFilters(actors=("KOS",), date_from=SAMPLE_FROM, date_to=SAMPLE_TO)
    total_kos = queries.news_count(sample_db_url, filters)
    assert 0 < total_kos < queries.news_count(sample_db_url, QueryFilters())
    caption = page.get_by_text(re.compile(r"\d+ matching items"))
    assert caption.inner_text().startswith(f"{total_kos} matching items")
    before = table_rows(page)

    search = page.get_by_role("textbox", name="Search titles and summaries")
    search.fill("Kurti")
    search.press("Enter")
    wanted = QueryFilters(
        actors=("KOS",), date_from=SAMPLE_FROM, date_to=SAMPLE_TO, text="Kurti"
    )
    total = queries.news_count(sample_db_url, wanted)
    assert 0 < total < total_kos
    page.get_by_text(f"{total} matching items", exact=False).wait_for(timeout=WAIT_MS)
    settled(page)
    assert query(page)["q"] == "Kurti"
    after = rows_after_change(page, before)
    expected = queries.news_page(sample_db_url, wanted, 1, queries.MAX_ROWS)
    shown_titles = [row["title"] for row in after]
    assert shown_titles == list(expected["title"].str.slice(0, 300))[: len(shown_titles)]
    no_errors_shown(page)

    # The CSV holds exactly the filtered rows, each naming Kosovo.
    with page.expect_download(timeout=WAIT_MS) as info:
        page.get_by_role("button", name=re.compile(r"CSV \(all \d+ filtered rows\)")).click()
    download = info.value
    assert download.suggested_filename.startswith("news_kos_20220105_20251231_q-kurti_")
    body = Path(download.path()).read_bytes()
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][: len(CSV_HEADER)] == CSV_HEADER
    records = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert len(records) == total
    assert [r["title"] for r in records] == list(expected["title"].str.slice(0, 300))
    links = {r["link"] for r in records}
    engine = create_engine(sample_db_url)
    try:
        with engine.connect() as conn:
            tagged = {
                url
                for (url,) in conn.execute(
                    text(
                        "SELECT i.url FROM items i JOIN item_actors a ON a.item_id = i.id "
                        "WHERE a.actor = 'KOS'"
                    )
                )
            }
            literal = {
                url
                for (url,) in conn.execute(
                    text(
                        "SELECT i.url FROM items i JOIN item_actors a ON a.item_id = i.id "
                        "WHERE a.actor = 'KOS' AND (i.title LIKE '%Kurti%' "
                        "OR i.summary LIKE '%Kurti%')"
                    )
                )
            }
    finally:
        engine.dispose()
    assert links <= tagged, "every exported row names Kosovo"
    assert literal <= links, "every Kosovo item that says 'Kurti' is exported"


# --- 2. hostile feed text on every page --------------------------------------------------

# Payloads that survive normalisation as text, in the fields where each can survive:
# Markdown and Streamlit directives in titles and summaries, HTML in the source name
# (the feed's file name) and the feed title.
HOSTILE_NAME = "<svg onload=window.__pwned=1> :red[x] <img src=x onerror=window.__pwned=1>"
# The feed's own title, as stored (its HTML stripped, its Markdown kept): pages show it.
HOSTILE_TITLE = ":red[Feed] **feed** $$y$$"
HOSTILE_FEED = """<?xml version="1.0" encoding="utf-8"?>
<!-- Hostile markup in every text field; the browser test asserts none of it acts. -->
<rss version="2.0"><channel>
<title>&lt;img src=x onerror="window.__pwned=1"&gt; :red[Feed] **feed** $$y$$</title>
<link>https://hostile.example/</link>
<description>hostile</description>
<item>
  <title>Serbia accuses Kosovo &lt;script&gt;window.__pwned=1&lt;/script&gt;
    :red[RED] $$x^2$$</title>
  <link>javascript:window.__pwned=1</link>
  <guid isPermaLink="false">hostile-1</guid>
  <pubDate>Tue, 10 Jun 2025 10:00:00 +0000</pubDate>
  <description>&lt;img src=x onerror="window.__pwned=1"&gt; **bold** [click](javascript:alert(1))
    &lt;svg onload="window.__pwned=1"&gt;&lt;/svg&gt;</description>
</item>
<item>
  <title><![CDATA[Kosovo police clash with Serb protesters
    <img src=x onerror="window.__pwned=1"> **bold**]]></title>
  <link>https://hostile.example/2</link>
  <guid isPermaLink="false">hostile-2</guid>
  <pubDate>Wed, 11 Jun 2025 10:00:00 +0000</pubDate>
  <description><![CDATA[<script>window.__pwned=1</script> <svg onload="window.__pwned=1"></svg>
    [click](javascript:alert(1)) :red[RED]
    <a href="javascript:window.__pwned=1">x</a>]]></description>
</item>
<item>
  <title>Serbia raises army readiness on the Kosovo border [click](javascript:alert(1))</title>
  <link>https://hostile.example/3</link>
  <guid isPermaLink="false">hostile-3</guid>
  <pubDate>Thu, 12 Jun 2025 10:00:00 +0000</pubDate>
  <description>$$\\frac{1}{0}$$ :blue-background[x]</description>
</item>
</channel></rss>
"""

INJECTED = """() => ({
    pwned: typeof window.__pwned !== 'undefined',
    img: document.querySelectorAll('img[src="x"], img[onerror]').length,
    svg: document.querySelectorAll('svg[onload]').length,
    handlers: [...document.querySelectorAll('*')].filter(e =>
        [...e.attributes].some(a => a.name.startsWith('on') && a.value.includes('__pwned'))
    ).length,
    script: [...document.querySelectorAll('script')]
        .filter(s => (s.textContent || '').includes('__pwned')).length,
    jsLinks: document.querySelectorAll(
        'a[href^="javascript:" i], a[href^="data:" i], [src^="javascript:" i]').length,
    katex: document.querySelectorAll('.katex').length,
})"""
CLEAN = {"pwned": False, "img": 0, "svg": 0, "handlers": 0, "script": 0, "jsLinks": 0, "katex": 0}


def markdown_text(page) -> str:  # noqa: ANN001
    """What the page shows through Markdown elements, where injected markup would act."""
    found = page.locator(
        '[data-testid="stMain"] [data-testid="stMarkdownContainer"], '
        '[data-testid="stMain"] [data-testid="stCaptionContainer"]'
    )
    return "\n".join(found.all_inner_texts())


def select_row(page, grid: int, row: int) -> None:  # noqa: ANN001
    """Tick a dataframe row's selection box (the grid is a canvas: click by position)."""
    px = 35  # Streamlit's grid: header and rows are 35 px high, the tick box column 32 px
    frame = page.locator('[data-testid="stDataFrame"]').nth(grid)
    frame.click(position={"x": 16, "y": px * (row + 1) + px // 2})


def test_hostile_feed_never_executes_or_renders(
    db_url: str, serve: Callable[[str], str], page, tmp_path: Path  # noqa: ANN001
) -> None:
    feed = tmp_path / f"{HOSTILE_NAME}.xml"
    feed.write_text(HOSTILE_FEED, encoding="utf-8")
    summary = ingest(db_url, feed)
    assert summary["new"] == 3, summary
    stored = queries.news_page(db_url, QueryFilters())
    # the feed is shown by its own (hostile) title: the markup really reaches the pages
    assert set(stored["source"]) == {HOSTILE_TITLE}
    assert any(":red[RED]" in t for t in stored["title"])
    base = serve(db_url)

    for path in ("", "actor", "news", "map", "sources"):
        open_page(page, f"{base}/{path}")
        page.wait_for_timeout(1000)  # give an injected onload/onerror the chance to fire
        assert page.evaluate(INJECTED) == CLEAN, path
        no_errors_shown(page)
        assert "RED" not in page.locator(".stMarkdownColoredText, [class*='ColoredText']")\
            .all_inner_texts()  # fmt: skip

    # News: the source name is a cell, verbatim; the javascript: link is not offered.
    open_page(page, f"{base}/news", ready='[data-testid="stDataFrame"]')
    rows = table_rows(page)
    assert [r["source"] for r in rows] == [HOSTILE_TITLE] * 3
    titles = [r["title"] for r in rows]
    first = next(i for i, t in enumerate(titles) if t.startswith("Serbia accuses Kosovo"))
    assert ":red[RED] $$x^2$$" in titles[first]
    assert rows[first]["link"] == "", "the javascript: link is not offered"
    assert all(r["link"].startswith("https://hostile.example/") for r in rows if r["link"])

    # The evidence panel writes title, summary and source through Markdown: all literal.
    select_row(page, 0, first)
    page.get_by_text("Bold phrases counted for a signal").wait_for(timeout=WAIT_MS)
    settled(page)
    shown = markdown_text(page)
    for literal in (
        ":red[RED] $$x^2$$",
        "**bold** [click](javascript:alert(1))",
        HOSTILE_TITLE,
    ):
        assert literal in shown, (literal, shown)
    assert page.evaluate(INJECTED) == CLEAN
    assert page.locator('[data-testid="stLinkButton"]').count() == 0  # no http(s) link
    no_errors_shown(page)

    # The sidebar lists the source by its title, as text.
    box = page.get_by_role("combobox", name="Sources")
    box.click()
    option = page.get_by_role("option").first
    assert option.inner_text() == HOSTILE_TITLE
    page.keyboard.press("Escape")
    assert page.evaluate(INJECTED) == CLEAN


# --- 3. the README's screenshots: Overview light and dark, the Actor page, a phone ---------

DOCS = ROOT / "docs"


def _save(shot: bytes, name: str) -> None:
    if os.environ.get("TENSION_UPDATE_SCREENSHOT") == "1":
        DOCS.mkdir(exist_ok=True)
        (DOCS / name).write_bytes(shot)


def _chart_background(page) -> str:  # noqa: ANN001
    return page.evaluate(
        "() => getComputedStyle(document.querySelector('.js-plotly-plot .main-svg')).background"
        " + '|' + document.querySelector('.js-plotly-plot').layout.paper_bgcolor"
    )


def test_dark_theme_actor_page_and_phone_width(
    sample_db_url: str, serve: Callable[[str], str], browser, tmp_path: Path  # noqa: ANN001
) -> None:
    base = serve(sample_db_url)
    dark = browser.new_context(viewport={"width": 1400, "height": 900}, color_scheme="dark")
    try:
        tab = dark.new_page()
        tab.js_errors = []
        tab.on("pageerror", lambda exc: tab.js_errors.append(str(exc)))
        open_page(tab, f"{base}/?{README_RANGE}", ready=".js-plotly-plot")
        # the dark page draws its charts on a transparent background, not a white box
        assert "rgba(0, 0, 0, 0)" in _chart_background(tab), _chart_background(tab)
        no_errors_shown(tab)
        _save(full_page_png(tab, tmp_path / "overview-dark.png"), "overview-dark.png")
    finally:
        dark.close()

    light = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        tab = light.new_page()
        tab.js_errors = []
        tab.on("pageerror", lambda exc: tab.js_errors.append(str(exc)))
        open_page(tab, f"{base}/actor?actor=KOS&{README_RANGE}", ready=".js-plotly-plot")
        assert "Kosovo" in tab.locator('[data-testid="stMain"]').inner_text()
        no_errors_shown(tab)
        shot = full_page_png(tab, tmp_path / "actor.png")
        assert png_size(shot)[0] == 1400
        _save(shot, "actor.png")
    finally:
        light.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        tab = phone.new_page()
        tab.js_errors = []
        tab.on("pageerror", lambda exc: tab.js_errors.append(str(exc)))
        open_page(tab, f"{base}/?{README_RANGE}", ready=".js-plotly-plot")
        no_errors_shown(tab)
        # one export control per chart, and no horizontal scroll of the page itself
        charts_n = tab.locator(".js-plotly-plot").count()
        exports = tab.get_by_role("button", name=re.compile("Export")).count()
        assert exports == charts_n, (exports, charts_n)
        wide = tab.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= 390 + 2, wide
        _save(full_page_png(tab, tmp_path / "overview-phone.png"), "overview-phone.png")
    finally:
        phone.close()
