"""Shared links are untrusted input: every page through ``app.py`` with generated query
parameters (far dates, centuries-wide ranges, huge numbers, garbage), on the real sample
database. No link may raise, show a traceback, or make a query wider than the stored days
allow; what was dropped is said in a note. And the page-level error boundary: a failure no
validation can prevent shows one sentence and logs the traceback on the server.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.views import PROBLEM_SENTENCE
from storage import queries
from storage.queries import QueryFilters
from tests.pages.test_pages import PAGES, app, navigation_pages  # noqa: F401 - fixture

NAMES = ("actors", "range", "from", "to", "signals", "sources", "langs", "actor", "q", "dir",
         "min", "page", "utm_source")  # fmt: skip
ODD = (
    "custom", "7d", "1y", "999d", "SRB", "kos,SRB,XXX", "nan", "inf", "-1e309", "1e308",
    "0001-01-01", "9999-12-31", "2024-02-30", "1" * 5000, "<script>", ":red[x]", "%00", "",
    "escalation", "-", ",,,,", "2024-01-01T00:00", "２０２４-01-01",
)  # fmt: skip
ANY_DATE = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat)
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
VALUE = st.one_of(
    st.sampled_from(ODD),
    ANY_DATE,
    TEXT,
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.lists(st.sampled_from(ODD[:8]), max_size=80).map(",".join),
)
# Half the links ask for a custom range, so the date clamping is exercised every other time.
CUSTOM = st.fixed_dictionaries({"range": st.just("custom"), "from": ANY_DATE, "to": ANY_DATE})
PARAMS = st.tuples(
    st.dictionaries(st.sampled_from(NAMES), VALUE, max_size=6),
    st.one_of(st.just({}), CUSTOM),
).map(lambda pair: {**pair[0], **pair[1]})


def _bounds(url: str) -> tuple[date, date]:
    first = queries.first_day(url)
    assert first is not None
    return first, datetime.now(UTC).date() + timedelta(days=1)


def _check_page(at, url: str, page: str) -> None:  # noqa: ANN001 - an AppTest
    at.run()
    if page != PAGES[0]:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert PROBLEM_SENTENCE not in errors, errors
    assert not any("Traceback" in e or ".py" in e for e in errors), errors
    chosen = at.session_state["filters"]
    assert isinstance(chosen, QueryFilters)
    lo, hi = _bounds(url)
    # No link asks for more days than the widest view: the stored days up to tomorrow.
    assert chosen.date_from is not None and chosen.date_to is not None
    assert lo - timedelta(days=366) <= chosen.date_from <= chosen.date_to <= hi
    if at.query_params.get("range") == "custom":
        assert lo <= chosen.date_from


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(params=PARAMS, page=st.sampled_from(PAGES))
def test_generated_links_never_raise_nor_widen_the_view(
    params: dict[str, str], page: str, sample_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = app(sample_db_url, monkeypatch, **params)
    _check_page(at, sample_db_url, page)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("date_from", "date_to"), [("0001-01-01", "9999-12-31"), ("1800-01-01", "2025-12-31")]
)
def test_far_dates_are_clamped_with_a_note(
    page: str, date_from: str, date_to: str, sample_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = app(sample_db_url, monkeypatch, range="custom", to=date_to, **{"from": date_from})
    _check_page(at, sample_db_url, page)
    lo, hi = _bounds(sample_db_url)
    chosen = at.session_state["filters"]
    assert chosen.date_from == lo
    assert chosen.date_to == min(hi, date.fromisoformat(date_to))
    assert at.query_params["from"] == lo.isoformat()  # the link now says what is shown
    notes = [w.value for w in at.sidebar.warning]
    assert any("dates limited to the stored data" in n for n in notes), notes


def test_unknown_values_are_named_in_a_note_until_a_filter_changes(
    sample_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = app(sample_db_url, monkeypatch, actors="SRB,XXX,YYY", signals="nope", sources="77")
    _check_page(at, sample_db_url, PAGES[0])
    (note,) = [w.value for w in at.sidebar.warning]
    assert "2 unknown actor codes left out" in note
    assert "1 unknown signal left out" in note and "1 unknown source left out" in note
    assert "XXX" not in note  # link text is counted, never echoed
    at.multiselect(key="f_actors").set_value(["KOS"]).run()
    assert not at.sidebar.warning


def test_page_parameters_are_validated(sample_db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = app(sample_db_url, monkeypatch, q="x" * 5000, dir="sideways", min="1e308")
    _check_page(at, sample_db_url, "pages/news.py")
    assert len(at.text_input(key="news_q").value) == 200
    assert at.selectbox(key="news_dir").value == "any"
    assert at.number_input(key="news_min").value == 1000.0
    captions = [c.value for c in at.caption]
    assert any("direction in the link was not understood" in c for c in captions)
    assert any("minimum score was limited" in c for c in captions)
    at = app(sample_db_url, monkeypatch, actor="<script>")
    _check_page(at, sample_db_url, "pages/actor.py")
    assert at.selectbox(key="actor_pick").value == "SRB"


def test_an_unforeseen_failure_shows_one_sentence_and_logs_the_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # A file that is not a database at all: the driver's error is not one storage translates.
    junk = tmp_path / "tension.db"
    junk.write_bytes(b"not a database, just bytes " * 200)
    at = app(f"sqlite:///{junk}", monkeypatch)
    with caplog.at_level(logging.ERROR, logger="dashboard"):
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [PROBLEM_SENTENCE]
    logged = [r for r in caplog.records if r.name == "dashboard" and r.exc_info]
    assert logged and "file is not a database" in str(logged[0].exc_info[1])
