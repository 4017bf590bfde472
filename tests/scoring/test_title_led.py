"""Summary-only diplomacy gives way to another act in the title (signals.toml `title_led`).

Invented items: a meeting named only in the summary is the setting of the title's news;
alone, or named in the title, it is the news.
"""

from __future__ import annotations

from scoring import score_item


def test_a_summary_meeting_yields_to_the_title_act() -> None:
    s = score_item("Kosovo police arrest two men after the attack on a patrol in Zvečan",
                   "The arrests came a day after the prime minister's meeting with the EU envoy.",
                   "en")
    assert "police_action" in s.signals
    assert "diplomacy" not in s.signals and "diplomacy" not in s.negated
    kept = [e for e in s.evidence if e.signal == "diplomacy"]
    assert kept and all(e.suppressed_by == "title_news" and e.weight == 0 for e in kept), \
        "the mention stays as evidence, with the reason it did not count"


def test_a_summary_meeting_alone_is_the_news() -> None:
    s = score_item("Kurti and Vučić in Brussels",
                   "The two leaders held a meeting with the EU envoy on licence plates.", "en")
    assert "diplomacy" in s.signals


def test_a_meeting_in_the_title_counts_beside_another_act() -> None:
    s = score_item("Kosovo police arrest two men as Kurti meets the EU envoy", "", "en")
    assert {"diplomacy", "police_action"} <= set(s.signals)
