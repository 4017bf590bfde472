"""load_feeds / load_settings: the real feeds.toml and every validation rule."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.config import (
    FEEDS_FILE_ENV,
    FeedConfig,
    FetchOptions,
    FetchSettings,
    default_feeds_path,
    load_config,
    load_feeds,
    load_settings,
)
from ingest.errors import FeedConfigError

PROJECT_FEEDS = Path(__file__).resolve().parents[2] / "feeds.toml"

GOOD = """
[[feed]]
name = "One"
url = "https://one.example/feed"
lang = "en"
countries = ["SRB", "KOS"]

[[feed]]
name = "Two"
url = "https://two.example/rss"
lang = "sr-Cyrl"
countries = ["SRB"]
enabled = false
allow_private = true
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_project_feed_file_is_valid_and_covers_the_region():
    feeds = load_feeds(PROJECT_FEEDS)
    enabled = [f for f in feeds if f.enabled]
    assert len(enabled) >= 25
    langs = Counter(f.lang for f in enabled)
    for lang in ("en", "sr-Latn", "sr-Cyrl", "sq", "bs", "hr", "mk", "cnr"):
        assert langs[lang] >= 1, lang
    covered = {c for f in enabled for c in f.countries}
    assert {"SRB", "KOS", "BIH", "RS", "MNE", "MKD", "ALB", "HRV"} <= covered
    # robots.txt of balkaninsight.com disallows feeds for generic agents.
    insight = [f for f in feeds if "balkaninsight.com" in f.url]
    assert insight and not any(f.enabled for f in insight)


def test_good_file_loads(tmp_path):
    feeds = load_feeds(_write(tmp_path, GOOD))
    assert feeds == (
        FeedConfig("One", "https://one.example/feed", "en", ("SRB", "KOS")),
        FeedConfig("Two", "https://two.example/rss", "sr-Cyrl", ("SRB",), enabled=False,
                   allow_private=True),
    )


def test_env_variable_selects_the_file(tmp_path, monkeypatch):
    path = _write(tmp_path, GOOD)
    monkeypatch.setenv(FEEDS_FILE_ENV, str(path))
    assert [f.name for f in load_feeds()] == ["One", "Two"]
    assert default_feeds_path({}) == PROJECT_FEEDS
    assert default_feeds_path({FEEDS_FILE_ENV: "/x/y.toml"}) == Path("/x/y.toml")


FEED = '[[feed]]\nname = "N"\nurl = "https://n.example/f"\nlang = "en"\ncountries = ["SRB"]\n'


@pytest.mark.parametrize(
    ("text", "entry", "reason"),
    [
        ("[[feed]\nname=", None, "not valid TOML"),
        ("colour = 1\n" + FEED, None, "unknown top-level keys: colour"),
        (FEED.replace('lang = "en"', 'lang = "en"\nenable = false'), "feed #1 ('N')",
         "unknown keys: enable"),
        (FEED.replace('name = "N"\n', ""), "feed #1", "missing required key 'name'"),
        (FEED.replace("https://n.example/f", "ftp://n.example/f"), "feed #1 ('N')",
         "http or https"),
        (FEED.replace("https://n.example/f", "file:///etc/passwd"), "feed #1 ('N')",
         "http or https"),
        (FEED.replace("https://n.example/f", "https:///nohost"), "feed #1 ('N')", "no host"),
        (FEED.replace('"en"', '"klingon"'), "feed #1 ('N')", "unknown lang 'klingon'"),
        (FEED.replace('["SRB"]', '["XYZ"]'), "feed #1 ('N')", "unknown country code 'XYZ'"),
        (FEED.replace('["SRB"]', "[]"), "feed #1 ('N')", "countries is empty"),
        (FEED.replace('["SRB"]', '"SRB"'), "feed #1 ('N')", "countries must be list"),
        (FEED + 'enabled = "yes"\n', "feed #1 ('N')", "enabled must be bool"),
        (FEED + FEED.replace('"N"', '"M"').replace("n.example", "N.EXAMPLE"), "feed #2 ('M')",
         "url already used by 'N'"),
        (FEED + FEED.replace("n.example/f", "m.example/f"), "feed #2 ('N')",
         "name already used"),
        (FEED + "[settings]\ntimeout = -1\n", "[settings]", "timeout must be positive"),
        (FEED + "[settings]\nmax_body_bytes = true\n", "[settings]", "wrong type"),
        (FEED + "[settings]\nproxy = 'x'\n", "[settings]", "unknown keys: proxy"),
    ],
)
def test_invalid_files_name_file_and_entry(tmp_path, text, entry, reason):
    path = _write(tmp_path, text)
    with pytest.raises(FeedConfigError) as info:
        load_config(path)
    assert info.value.file == path
    assert info.value.entry == entry
    assert reason in info.value.reason
    assert str(path) in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(FeedConfigError, match="file not found") as info:
        load_feeds(tmp_path / "nope.toml")
    assert info.value.entry is None


def test_settings_default_and_resolution(tmp_path):
    assert load_settings(_write(tmp_path, GOOD)) == FetchSettings()
    assert FetchSettings().fetch_options() == FetchOptions()

    text = GOOD + (
        '[settings]\nuser_agent = "Custom/1.0"\ntimeout = 30\nconnect_timeout = 2.5\n'
        "max_body_bytes = 1000\nmax_redirects = 0\n"
    )
    settings = load_settings(_write(tmp_path, text))
    options = settings.fetch_options()
    assert options == FetchOptions(connect_timeout=2.5, timeout=30.0, max_body_bytes=1000,
                                   max_redirects=0, user_agent="Custom/1.0", allow_private=False)
    assert settings.fetch_options(allow_private=True).allow_private is True


def test_private_networks_setting_applies_to_every_feed(tmp_path):
    settings = load_settings(_write(tmp_path, GOOD + "[settings]\nallow_private_networks = true\n"))
    assert settings.allow_private_networks is True
    assert settings.fetch_options().allow_private is True


# ------------------------------------------------------------ numbers: finite, positive, bounded


@pytest.mark.parametrize(
    ("setting", "reason"),
    [
        ("timeout = nan", "timeout must be positive"),
        ("timeout = inf", "timeout must be between"),
        ("connect_timeout = -inf", "connect_timeout must be positive"),
        ("connect_timeout = 1e9", "connect_timeout must be between"),
        ("max_body_bytes = 0", "max_body_bytes must be positive"),
        ("max_body_bytes = 99999999999999", "max_body_bytes must be between"),
        ("max_redirects = -1", "max_redirects must be between"),
        ("max_redirects = 1000", "max_redirects must be between"),
    ],
)
def test_settings_numbers_must_be_finite_positive_and_bounded(tmp_path, setting, reason):
    with pytest.raises(FeedConfigError) as info:
        load_config(_write(tmp_path, FEED + f"[settings]\n{setting}\n"))
    assert info.value.entry == "[settings]" and reason in info.value.reason


@settings(max_examples=150, deadline=None)
@given(value=st.floats(allow_nan=True, allow_infinity=True))
def test_generated_timeouts_are_accepted_only_when_usable(tmp_path_factory, value):
    path = _write(tmp_path_factory.mktemp("t"), FEED + f"[settings]\ntimeout = {value!r}\n")
    try:
        options = load_config(path).settings.fetch_options()
    except FeedConfigError:
        assert not 0.5 <= value <= 600
    else:
        assert math.isfinite(options.timeout) and 0.5 <= options.timeout <= 600
