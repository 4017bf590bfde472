"""storage.csvfile: the product's one CSV writer neutralises formula triggers (OWASP) and
otherwise writes exactly the frame."""

from __future__ import annotations

import csv
import io

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from storage import csv_bytes, write_csv
from storage.csvfile import FORMULA_TRIGGERS


def _cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(
        st.tuples(
            st.sampled_from(FORMULA_TRIGGERS + ("", "'", "a", " =")), st.text(max_size=30)
        ).map("".join),
        min_size=1,
        max_size=8,
    )
)
def test_no_text_cell_can_start_a_formula(texts: list[str]) -> None:
    frame = pd.DataFrame({"title": texts, "summary": list(reversed(texts)), "score": -1.5})
    header, *rows = _cells(csv_bytes(frame))
    assert header == ["title", "summary", "score"]
    assert len(rows) == len(texts)
    for row, text in zip(rows, texts, strict=True):
        for cell in row[:2]:
            assert not cell.startswith(FORMULA_TRIGGERS), cell
        # Nothing is lost: the quote is the only change, and only where it is needed.
        assert row[0] == ("'" + text if text.startswith(FORMULA_TRIGGERS) else text)
        assert row[2] == "-1.5"  # numbers stay numbers


def test_the_owasp_examples() -> None:
    frame = pd.DataFrame(
        {
            "title": ['=HYPERLINK("http://evil.example/","x")', "+1+2", "-2+3", "@SUM(A1)"],
            "source": ["\tTabbed", "\rReturn", "plain", None],
        }
    )
    rows = _cells(csv_bytes(frame))[1:]
    assert [r[0] for r in rows] == [
        '\'=HYPERLINK("http://evil.example/","x")',
        "'+1+2",
        "'-2+3",
        "'@SUM(A1)",
    ]
    assert [r[1] for r in rows] == ["'\tTabbed", "'\rReturn", "plain", ""]


def test_headers_are_neutralised_and_chunks_append() -> None:
    out = io.BytesIO()
    write_csv(pd.DataFrame({"=x": ["a"]}), out)
    write_csv(pd.DataFrame({"=x": ["=b"]}), out, header=False)
    assert _cells(out.getvalue()) == [["'=x"], ["a"], ["'=b"]]
