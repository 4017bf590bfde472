"""Negation, denial and hedging scope cases."""

from __future__ import annotations

from scoring import score_item


def test_denial_negates_the_denied_signal():
    res = score_item("Serbia denies reports of a military buildup")
    assert "denial" in res.signals
    assert "military_buildup" in res.negated
    assert "military_buildup" not in res.signals


def test_denial_reaches_back_when_nothing_follows():
    res = score_item("Reports of a troop buildup are false, Vucic says")
    assert res.negated == ("military_buildup",)
    assert "denial" in res.signals


def test_denial_scope_ends_at_clause_boundary():
    # (an "after" phrase would be background, LABELS.md, so the boundary here is "but")
    res = score_item("Serbia denies troop buildup but a deadly exchange of fire hits the border")
    assert "military_buildup" in res.negated
    assert "armed_clash" in res.signals
    res = score_item("Serbia denies troop buildup after deadly exchange of fire")
    assert "military_buildup" in res.negated
    assert "armed_clash" not in res.negated


def test_comma_with_new_actor_ends_scope():
    res = score_item("Belgrade denies involvement, Kosovo police arrest two suspects")
    assert "police_action" in res.signals


def test_reject_needs_a_claim_noun():
    assert "denial" not in score_item("Kosovo rejects Serbian proposal on the bridge").signals
    res = score_item("Pristina rejects claims of troop deployment")
    assert "denial" in res.signals and "military_buildup" in res.negated


def test_other_languages_deny():
    for title, lang in [
        ("Vučić negira gomilanje vojske na granici", "sr"),
        ("Вучић демантовао да је војска на граници", "sr"),
        ("Qeveria hedh poshtë akuzat për sulm", "sq"),
        ("Kurti mohon raportimet për sulm", "sq"),
    ]:
        res = score_item(title, lang=lang)
        assert "denial" in res.signals, title
        assert res.negated, title


def test_plain_negation():
    res = score_item("No shots were fired at the crossing")
    assert res.negated == ("armed_clash",)
    assert res.signals == ()


def test_hedge_weakens_but_asserts():
    plain = score_item("Kosovo police arrest Serb official")
    hedged = score_item("Kosovo police could arrest Serb official")
    assert "police_action" in hedged.signals
    assert 0 < hedged.score < plain.score
    assert any(e.hedged for e in hedged.evidence)


def test_question_is_a_hedge():
    res = score_item("Are Serbian troops on the border?")
    assert any(e.hedged for e in res.evidence if e.signal == "military_buildup")


def test_calls_and_accusation_content_are_not_asserted():
    res = score_item("EU urges Serbia to withdraw troops from the border")
    assert "intl_statement" in res.signals
    assert "de_escalation" not in res.signals
    res = score_item("Kurti accuses Serbia of massing troops at the border")
    assert res.signals == ("accusation",)
