"""Property tests for the whole item path: arbitrary Unicode → normalise → score → store → read.

The step-level properties (``plain_text``, ``normalize_entry``, ``score_item`` on raw text)
live in tests/ingest and tests/scoring. These check what only the composition shows:
whatever a feed puts in a title or summary (NUL, lone surrogates, controls, RTL marks,
astral characters, any ``lang``, any date), the pipeline's rows store on this dialect,
read back unchanged, and their evidence spans still point inside the stored text.
"""

from __future__ import annotations

import itertools
import math
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from ingest.normalize import normalize_entry
from ingest.pipeline import to_rows
from storage import get_engine
from storage.db import write_transaction
from storage.models import Evidence, Item
from storage.repository import ensure_feed, save_items

FETCHED = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
_serial = itertools.count()

# Text a hostile or broken feed can carry, weighted towards the awkward code points.
awkward = st.lists(
    st.one_of(
        st.characters(),
        st.sampled_from(["\x00", "\ud800", "\u202e", "\u200b", "\ufeff", "\U0001f4a5", "&amp;",
                         "<b>", "Vučić", "Вучић", "KFOR", "troops", "denies", "\r\n", "\t"]),
    ),
    max_size=40,
).map("".join)
langs = st.one_of(st.none(), st.sampled_from(["en", "sr", "sr-Cyrl", "sq", "mk", "xx"]), st.text())
dates = st.one_of(
    st.none(),
    st.tuples(
        st.integers(1, 9999), st.integers(1, 12), st.integers(1, 28),
        st.integers(0, 23), st.integers(0, 59), st.integers(0, 59),
    ).map(lambda t: (*t, 0, 1, 0)),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(title=awkward, summary=awkward, lang=langs, published=dates)
def test_any_entry_stores_and_reads_back(db_url, title, summary, lang, published) -> None:
    n = next(_serial)
    entry = {"title": title, "summary": summary, "id": f"p-{n}", "language": lang,
             "link": f"https://prop.example.org/{n}", "published_parsed": published}
    item = normalize_entry(entry, source="prop", feed_lang=lang or "", fetched_at=FETCHED)
    if item is None:
        return
    (row,) = list(to_rows([item]))
    assert math.isfinite(row.score.score)
    for ev in row.score.evidence:
        source = row.title if ev.field == "title" else row.summary
        assert 0 <= ev.start <= ev.end <= len(source)

    engine = get_engine(db_url)
    with write_transaction(engine) as conn:
        feed = ensure_feed(conn, "prop", name="prop")
        result = save_items(conn, feed.id, [row])
    assert result.new == 1
    with engine.connect() as conn:
        stored = conn.execute(
            select(Item.id, Item.title, Item.summary, Item.score).where(
                Item.dedup_key == row.dedup_key
            )
        ).one()
        spans = conn.execute(
            select(Evidence.field, Evidence.start, Evidence.end, Evidence.text).where(
                Evidence.item_id == stored.id
            )
        ).all()
    assert (stored.title, stored.summary) == (row.title, row.summary)
    assert math.isfinite(stored.score)
    for field, start, end, text in spans:
        source = stored.title if field == "title" else stored.summary
        assert source[start:end] == text
