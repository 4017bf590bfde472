"""The Pairs page on the sample data: SRB ↔ KOS over time, the ranked pairs, and the
articles behind a day, through app.py with AppTest."""

from __future__ import annotations

import json

import pytest

from dashboard.labels import actor_name
from tests.pages.test_pages import ALL_DATES, app, markup_texts, visit

PAGE = "pages/pairs.py"


def test_the_pair_chart_shows_both_directions(
    sample_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = visit(app(sample_db_url, monkeypatch, pair="SRB-KOS", **ALL_DATES), PAGE)
    assert at.selectbox(key="pair_first").value == "SRB"
    assert at.selectbox(key="pair_second").value == "KOS"
    (chart,) = [c for c in at.get("plotly_chart")]
    names = {t.get("name") for t in json.loads(chart.proto.spec)["data"]}
    assert {"Serbia → Kosovo", "Kosovo → Serbia"} <= names
    assert at.query_params["pair"] == "SRB-KOS"
    # the articles behind the preselected (busiest) day name both actors
    table = next(d for d in at.dataframe if d.key == "pair_items")
    assert len(table.value) > 0
    at.session_state["pair_items"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert any(b.label == "Open the original article" for b in at.get("link_button"))


def test_a_bad_pair_in_the_url_falls_back_and_the_ranked_list_moves_the_pickers(
    sample_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = visit(app(sample_db_url, monkeypatch, pair="SRB-SRB", **ALL_DATES), PAGE)
    assert (at.selectbox(key="pair_first").value, at.selectbox(key="pair_second").value) == (
        "SRB", "KOS")
    ranked = next(d for d in at.dataframe if d.key == "pairs_ranked")
    assert len(ranked.value) >= 2
    row = ranked.value.iloc[1]
    at.session_state["pairs_ranked"] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    names = (at.selectbox(key="pair_first").value, at.selectbox(key="pair_second").value)
    assert (actor_name(names[0]), actor_name(names[1])) == (row["from"], row["towards"])


def test_the_same_actor_twice_says_so(sample_db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = visit(app(sample_db_url, monkeypatch, **ALL_DATES), PAGE)
    at.selectbox(key="pair_second").set_value("SRB").run()
    assert not at.exception
    assert any("two different actors" in t for t in markup_texts(at))
