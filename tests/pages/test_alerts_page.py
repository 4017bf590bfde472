"""The Alerts page through app.py with AppTest, on the sample database with a real rules file
and a real SMTP server: rules listed, switched off and on, a test sent, firings and log shown."""

from __future__ import annotations

import pytest

from storage import alerts_store
from tests.alerts.conftest import smtp_sink, srb_kos_rules  # noqa: F401 - a fixture
from tests.pages.test_pages import app, navigation_pages, visit  # noqa: F401 - fixture

PAGE = "pages/alerts.py"


@pytest.fixture
def rules_file(tmp_path, monkeypatch, smtp_sink):  # noqa: F811 - the imported fixture
    path = tmp_path / "alerts.toml"
    path.write_text(srb_kos_rules(smtp_port=smtp_sink.port), encoding="utf-8")
    monkeypatch.setenv("TENSION_ALERTS_FILE", str(path))
    return path


def test_alerts_page_lists_switches_and_test_sends(sample_db_url, monkeypatch, rules_file) -> None:
    at = visit(app(sample_db_url, monkeypatch), PAGE)
    assert any("srb\\-kos\\-rise" in m.value and "rise on SRB↔KOS" in m.value
               for m in at.markdown)  # fmt: skip
    assert any("No rule has fired yet" in i.value for i in at.info)

    at.toggle(key="alert_on_srb-kos-rise").set_value(False).run()
    assert not at.exception
    assert alerts_store.rule_switches(sample_db_url) == {"srb-kos-rise": False}

    at.button(key="alert_test_srb-kos-rise").click().run()
    assert any("mail: sent" in s.value for s in at.success), [e.value for e in at.error]
    log = alerts_store.alert_deliveries(sample_db_url)
    assert log["status"].tolist() == ["sent"] and log["message_key"][0].startswith("test|")


def test_alerts_page_says_when_the_rules_are_unusable(sample_db_url, monkeypatch, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[rule]]\nname = "x"\n')
    monkeypatch.setenv("TENSION_ALERTS_FILE", str(bad))
    at = visit(app(sample_db_url, monkeypatch), PAGE)
    assert any("cannot be used" in e.value and "rule 'x'" in e.value for e in at.error)
