"""The fast paths of the scorer give exactly what the plain definitions give.

The matcher runs over a "spaced" copy of the folded text, folding has byte-table and
offset-run shortcuts, and evidence is built by filling slots directly; each test here
compares one shortcut with the straightforward definition it replaces, or pins a
behaviour the spaced matching must keep (a key holding a hyphen or a space matches
only that exact spelling).
"""

from __future__ import annotations

import sys

import pytest

from scoring import Evidence, ItemScore, score_item
from scoring.item import _new_score, new_evidence
from scoring.text import _NON_ALNUM_RE, _TABLE, fold, spaced


def _reference_fold(text: str) -> tuple[str, list[int] | None]:
    """Folding as first written: per character, with offsets only when lengths change."""
    if text.isascii():
        return text.lower().translate(_TABLE), None
    parts, offsets = [], []
    for i, ch in enumerate(text):
        m = _TABLE.get(ord(ch), ch)
        if m:
            parts.append(m)
            offsets.extend([i] * len(m))
    folded = "".join(parts)
    if offsets == list(range(len(text))):
        return folded, None
    return folded, offsets


TEXTS = [
    "",
    "Serbia denies reports of a military buildup\tnear the border\r\n",
    "Vučić: Vojska Srbije na najvišem stepenu borbene gotovosti",
    "Пуцњава у Звечану; Ђорђе, Љубиша и Његош",
    "Đorđe Вучић — «Kosovo» ’s ß ﬁ İ ъ\u200b x",
    "Kryeministri Kurti hedh poshtë akuzat e Beogradit për përshkallëzim",
    "ＦＵＬＬＷＩＤＴＨ Ⅻ ⓐ 日本 😀 e\u0301",
]


@pytest.mark.parametrize("text", TEXTS)
def test_fold_matches_the_per_character_definition(text):
    f = fold(text)
    expected, offsets = _reference_fold(text)
    assert f.text == expected
    if offsets is None:
        assert f.offsets is None or f.offsets == list(range(len(text)))
    else:
        assert f.offsets == offsets
    assert f.padded == " " + "".join(c if c.isalnum() else " " for c in f.text) + " "


def test_spaced_is_one_to_one_and_blanks_exactly_the_non_alphanumerics():
    for text in TEXTS:
        out = spaced(text)
        assert len(out) == len(text)
        assert all((o == " ") if not c.isalnum() else (o == c) for c, o in zip(text, out))


def test_regex_boundary_class_is_str_isalnum_for_every_code_point():
    wrong = [cp for cp in range(sys.maxunicode + 1)
             if (_NON_ALNUM_RE.match(chr(cp)) is None) != chr(cp).isalnum()]
    assert wrong == []


def test_slot_constructors_build_equal_values():
    args = ("armed_clash", "SRB", "Пуцњава", 0, 7, False, "KOS", "summary", 9.0, True, None)
    fast, plain = new_evidence(*args), Evidence(*args)
    assert type(fast) is Evidence and fast == plain and hash(fast) == hash(plain)
    score_args = (("KOS", "SRB"), ("armed_clash",), (), "escalation", 9.0, (plain,), "v1",
                  ("zvecan",))
    assert _new_score(*score_args) == ItemScore(*score_args)


@pytest.mark.parametrize(("title", "texts"), [
    # a key written with a hyphen matches the hyphen only, and a key with a space only a
    # space, although both are spaces in the text the automaton reads
    ("Serbia and Kosovo resume EU-facilitated talks", ["EU-facilitated", "talks"]),
    ("Serbia and Kosovo resume EU facilitated talks", ["talks"]),
    ("Military-buildup near border", ["buildup"]),
    ("Military buildup near border", ["Military buildup"]),
    # word boundaries: "ne" (a Serbian negation cue) never fires inside "New"
    ("New talks", ["talks"]),
    ("KFOR-a patrols in Zvečan", ["KFOR-a"]),
    ("Đorđe Вучић denies reports of a military build-up", ["military build-up", "denies"]),
])
def test_spelling_sensitive_phrases(title, texts):
    res = score_item(title)
    assert [e.text for e in res.evidence] == texts
    for e in res.evidence:
        assert title[e.start:e.end] == e.text


def test_spaced_dash_is_a_clause_break_but_a_double_dash_is_not():
    # " - " ends the clause, so the accusation's subject is Serbia; "--" is no break
    one = score_item("EU talks - Serbia accuses Kosovo")
    two = score_item("EU talks -- Serbia accuses Kosovo")
    assert [(e.signal, e.actor, e.target) for e in one.evidence] == [
        ("diplomacy", "EU", None), ("accusation", "SRB", "KOS")]
    # (an accusation whose subject is the EU is an international statement as well)
    assert [(e.signal, e.actor, e.target) for e in two.evidence] == [
        ("diplomacy", "EU", "SRB"), ("intl_statement", "EU", "KOS"), ("accusation", "EU", "KOS")]


def test_initials_dot_is_not_a_sentence_end():
    res = score_item("U.S. warns Serbia")
    assert [(e.signal, e.actor, e.target) for e in res.evidence] == [
        ("intl_statement", "USA", "SRB")]


def _long_texts() -> list[str]:
    """Labelled items alone and run together, so that fields hold many covers, discards
    (item-wide ones too: sport, weather) and sentences."""
    import json
    from pathlib import Path

    items = []
    for path in sorted((Path(__file__).parents[1] / "data" / "labelled").glob("*.jsonl")):
        items += [json.loads(ln) for ln in path.read_text(encoding="utf-8").splitlines()
                  if ln.strip()]
    texts = [f"{it['title']}. {it.get('summary') or ''}" for it in items]
    return texts + [" ".join(texts[i:i + 25]) for i in range(0, len(texts), 25)]


def test_indexed_paths_for_long_texts_give_the_plain_loops_results(monkeypatch):
    # Spans (cover questions by bisection) and the per-sentence discard lookup take over
    # from plain loops past a size; forcing either way must give the same scores.
    import scoring.item as item
    import scoring.matcher as matcher

    texts = _long_texts()
    default = [score_item(t) for t in texts]
    for size in (0, 10 ** 9):  # always indexed, never indexed
        monkeypatch.setattr(matcher, "_SMALL", size)
        monkeypatch.setattr(item, "_FEW", size)
        assert [score_item(t) for t in texts] == default, size
