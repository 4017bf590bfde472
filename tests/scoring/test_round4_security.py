"""Round 2025.12.4 for armed_clash, military_buildup, police_action, protest_unrest.

Sentences written for this file (none from the labelled sets), each family in two or
more languages: background phrases, protest clashes without injuries, trials, verbal
attacks, peacekeepers, cross-language discard triggers, build-up vocabulary.
"""

from __future__ import annotations

import pytest

from scoring import score_item

# (title, lang, asserted, absent)
CASES = [
    # background: after / amid phrases are the cause, not the news
    ("Police detain two men after last week's shooting in Zvečan", "en",
     {"police_action"}, {"armed_clash"}),
    ("Policija uhapsila dvojicu nakon napada u Zvečanu", "sr", {"police_action"}, {"armed_clash"}),
    ("Tensions rise in the north amid clashes with police", "en", {"protest_unrest"}, set()),
    # protest clashes: injuries make an armed clash, molotovs alone do not
    ("Protesters throw molotov cocktails at the government building during the protest", "en",
     {"protest_unrest"}, {"armed_clash"}),
    ("Protestuesit hodhën molotovë gjatë protestës para Kuvendit", "sq",
     {"protest_unrest"}, {"armed_clash"}),
    ("Protesters clash with police in Niš, six officers injured", "en",
     {"protest_unrest", "armed_clash"}, set()),
    ("Na protestu povređeno pet policajaca", "sr", {"protest_unrest", "armed_clash"}, set()),
    # trials and indictments assert nothing
    ("Witness testifies at the trial over the bridge bombing", "en", set(), {"armed_clash"}),
    ("Svedok na suđenju govorio o eksploziji na mostu", "sr", set(), {"armed_clash"}),
    ("Prosecutors file indictment against former minister", "en", set(), {"police_action"}),
    # verbal attacks
    ("Predsednik ponovo napada Srbiju zbog izjava", "sr", set(), {"armed_clash"}),
    ("Kryeministri sulmon opozitën për bojkotin", "sq", set(), {"armed_clash", "protest_unrest"}),
    # peacekeepers' reinforcements are never a build-up
    ("EUFOR sends additional troops to Bosnia", "en", set(), {"military_buildup"}),
    # build-up vocabulary
    ("Army placed on combat alert near the border", "en", {"military_buildup"}, set()),
    ("Vlada uvodi obavezni vojni rok od iduće godine", "sr", {"military_buildup"}, set()),
    ("Ministria nis rekrutimin e ushtarëve të rinj", "sq", {"military_buildup"}, set()),
    ("Belgrade signs contract to purchase twelve warplanes", "en", {"military_buildup"}, set()),
    # ambiguous entries
    ("Think tanks discuss the future of the region", "en", set(), {"military_buildup"}),
    ("Kurti shpreh gatishmëri për dialog", "sq", set(), {"military_buildup"}),
    ("Opposition mobilizes supporters before the vote", "en", set(), {"military_buildup"}),
    ("Parliament speaker asks MPs to stop the blockade of the process", "en", set(), set()),
    # police: extraditions, expulsions and withdrawals are no police action
    ("Court approves extradition of businessman to Serbia", "en", set(), {"police_action"}),
    ("Kosovo withdraws its special police from the north", "en", set(), {"police_action"}),
    ("Policia shpërndau protestuesit me gaz lotsjellës", "sq", {"police_action"}, set()),
    # a boycott is no protest; a storm in the weather sense keeps a protest's clash
    ("Opposition announces a boycott of the local elections", "en", set(), {"protest_unrest"}),
    ("Protesters storm the town hall, dozens are hurt", "en", {"armed_clash"}, set()),
    # discards firing on words of another language ("turned", "drugi")
    ("Protest turned violent, three people injured", "en", {"armed_clash"}, set()),
    ("Drugi dan protesta: ranjena dvojica demonstranata", "sr", {"armed_clash"}, set()),
    # ordinary crime
    ("Muškarac izbo nožem komšiju, sumnjiči se za pokušaj ubistva", "sr", set(),
     {"armed_clash", "police_action"}),
    ("Bomb threat e-mails sent to schools in Belgrade", "en", set(), {"armed_clash"}),
]


@pytest.mark.parametrize(("title", "lang", "asserted", "absent"), CASES,
                         ids=[c[0][:40] for c in CASES])
def test_round4_security(title: str, lang: str, asserted: set[str], absent: set[str]) -> None:
    res = score_item(title, lang=lang)
    assert asserted <= set(res.signals), (res.signals, res.evidence)
    assert not (absent & set(res.signals)), (res.signals, res.evidence)
