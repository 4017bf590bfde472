"""Matching: spans point at the right words in Latin, Cyrillic and diacritic-less text."""

from __future__ import annotations

from scoring import score_item
from scoring.text import fold


def _spans(title: str, signal: str) -> list[str]:
    res = score_item(title)
    return [title[e.start:e.end] for e in res.evidence if e.signal == signal]


def test_fold_keeps_offsets_for_expanding_letters():
    f = fold("Đorđe Вучић")
    assert f.text == "djordje vucic"
    start = f.text.index("vucic")
    a, b = f.span(start, start + 5)
    assert "Đorđe Вучић"[a:b] == "Вучић"


def test_latin_cyrillic_and_ascii_spellings_match_the_same_phrase():
    for title, word in [
        ("Pucnjava na severu Kosova", "Pucnjava"),
        ("Пуцњава на северу Косова", "Пуцњава"),
        ("Uhapšen bivši policajac", "Uhapšen"),
        ("Uhapsen bivsi policajac", "Uhapsen"),
    ]:
        res = score_item(title)
        texts = [title[e.start:e.end] for e in res.evidence]
        assert word in texts, (title, texts)
        assert "KOS" in res.actors or "police_action" in res.signals


def test_evidence_text_equals_the_original_slice():
    title = "Vučić: Srbija neće napasti Kosovo"
    res = score_item(title, "Српска војска подигла борбену готовост.")
    for e in res.evidence:
        src = title if e.field == "title" else "Српска војска подигла борбену готовост."
        assert src[e.start:e.end] == e.text


def test_word_boundaries_are_respected():
    # "raid" must not fire inside "afraid", nor "arrest" inside "unarrested"
    assert _spans("Residents afraid of winter prices", "police_action") == []
    assert [s for s in _spans("Police raid offices in Zvečan", "police_action") if "raid" in s]


def test_stems_match_inflected_forms():
    assert _spans("Serbia mobilizes reservists", "military_buildup")[0] == "mobilizes"
    assert "mobilizacije" in _spans("Kraj mobilizacije u Srbiji", "military_buildup")[0]


def test_case_sensitive_abbreviations():
    assert "USA" in score_item("US envoy arrives in Pristina").actors
    assert "USA" not in score_item("Kurti told us nothing new").actors
    assert "USA" in score_item("SAD uvele sankcije Dodiku", lang="sr").actors
