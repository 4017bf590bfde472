"""The rules file: path order, a valid file's values, and errors that name file and rule."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from alerts.errors import AlertRulesError
from alerts.rules import DEFAULT_RULES_PATH, load_rules, resolve_rules_path

ROOT = Path(__file__).resolve().parents[2]
CHANNEL = '[[channel]]\nname = "f"\ntype = "atom"\npath = "out/a.atom"\n'


def test_path_order_flag_then_environment_then_default() -> None:
    assert resolve_rules_path("x.toml", {"TENSION_ALERTS_FILE": "y.toml"}) == Path("x.toml")
    assert resolve_rules_path(None, {"TENSION_ALERTS_FILE": "y.toml"}) == Path("y.toml")
    assert resolve_rules_path(None, {"TENSION_ALERTS_FILE": " "}) == DEFAULT_RULES_PATH
    assert DEFAULT_RULES_PATH == ROOT / "alerts.toml"


def test_the_shipped_rules_file_is_valid() -> None:
    rules = load_rules(ROOT / "alerts.toml")
    assert rules.rules and all(r.channels for r in rules.rules)


def test_a_valid_rule_reads_as_written(write_rules) -> None:
    path = write_rules(CHANNEL + """
[[rule]]
name = "srb-kos"
pair = "SRB>KOS"
when = "rise"
rise_pct = 50
baseline_weeks = 4
quiet_hours = "22:00-07:30"
digest = "daily"
channels = ["f"]
""")
    rules = load_rules(path)
    rule = rules.rule("srb-kos")
    assert rule.pairs == (("SRB", "KOS"),) and rule.subject == "SRB→KOS"
    assert rule.quiet_hours == (time(22, 0), time(7, 30)) and rule.digest == "daily"
    assert rules.channels["f"].path == str(path.parent / "out" / "a.atom")
    both = load_rules(write_rules(CHANNEL + '[[rule]]\nname = "p"\npair = "SRB<>KOS"\n'
                                  'when = "spike"\nchannels = ["f"]\n', "b.toml"))  # fmt: skip
    assert both.rule("p").pairs == (("SRB", "KOS"), ("KOS", "SRB"))


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ('when = "soon"\nactor = "SRB"', "when must be one of"),
        ('when = "rise"\nactor = "XXX"', "unknown actor code 'XXX'"),
        ('when = "rise"\nsignal = "bombing"', "unknown signal code 'bombing'"),
        ('when = "rise"', "say what the rule watches"),
        ('when = "rise"\npair = "SRB-KOS"', "pair must look like"),
        ('when = "rise"\npair = "SRB>SRB"', "two different actors"),
        ('when = "rise"\npair = "SRB<>KOS"\nactor = "SRB"', "watches the pair only"),
        ('when = "level"\nactor = "SRB"', "needs level"),
        ('when = "first_seen"\nsignal = "armed_clash"', "needs the actor"),
        ('when = "rise"\nactor = "SRB"\nrise_pct = "lots"', "rise_pct must be a float"),
        ('when = "rise"\nactor = "SRB"\nrise_pct = -5', "between 0 and"),
        ('when = "rise"\nactor = "SRB"\nquiet_hours = "late"', "quiet_hours must look like"),
        ('when = "rise"\nactor = "SRB"\nseverity = "panic"', "severity must be one of"),
        ('when = "rise"\nactor = "SRB"\ncolour = "red"', "unknown key(s): colour"),
    ],
)
def test_bad_rules_name_the_file_and_the_rule(write_rules, rule: str, reason: str) -> None:
    path = write_rules(CHANNEL + f'[[rule]]\nname = "bad-one"\n{rule}\nchannels = ["f"]\n')
    with pytest.raises(AlertRulesError) as info:
        load_rules(path)
    message = str(info.value)
    assert message.startswith(str(path)) and "rule 'bad-one'" in message
    assert reason in message
    assert info.value.entry == "rule 'bad-one'" and info.value.path == str(path)


def test_unknown_channel_and_bad_channels_are_named(write_rules) -> None:
    path = write_rules(CHANNEL + '[[rule]]\nname = "r"\nactor = "SRB"\nwhen = "spike"\n'
                       'channels = ["nowhere"]\n')  # fmt: skip
    with pytest.raises(AlertRulesError, match=r"rule 'r': channel 'nowhere' is not defined"):
        load_rules(path)
    mail = write_rules('[[channel]]\nname = "m"\ntype = "email"\nhost = "h"\nto = ["x"]\n',
                       "m.toml")  # fmt: skip
    with pytest.raises(AlertRulesError, match=r"channel 'm': to must list"):
        load_rules(mail)
    hook = write_rules('[[channel]]\nname = "w"\ntype = "webhook"\nurl = "ftp://x/"\n', "w.toml")
    with pytest.raises(AlertRulesError, match=r"channel 'w': url must be http or https"):
        load_rules(hook)


def test_missing_broken_and_duplicate_files(write_rules, tmp_path) -> None:
    with pytest.raises(AlertRulesError, match="file not found"):
        load_rules(tmp_path / "none.toml")
    with pytest.raises(AlertRulesError, match="not valid TOML"):
        load_rules(write_rules("[[rule]\n", "broken.toml"))
    twice = CHANNEL + '[[rule]]\nname = "r"\nactor = "SRB"\nwhen = "spike"\nchannels = ["f"]\n'
    with pytest.raises(AlertRulesError, match="rule 'r': defined twice"):
        load_rules(write_rules(twice + twice.replace(CHANNEL, ""), "twice.toml"))
    with pytest.raises(AlertRulesError, match=r"\[settings\]: unknown time zone"):
        load_rules(write_rules('[settings]\ntimezone = "Mars/Olympus"\n', "tz.toml"))
