"""The feed list and fetch settings, read from ``feeds.toml`` and validated.

``load_feeds()`` returns the feeds as a tuple of frozen ``FeedConfig``;
``load_settings()`` returns the optional ``[settings]`` table as
``FetchSettings``, whose ``fetch_options()`` resolves it against the defaults
of ``FetchOptions`` (declared here, once, and re-exported by ``ingest.fetch``);
``load_config()`` returns both. The file is ``$TENSION_FEEDS_FILE`` when set, else
``feeds.toml`` in the project folder. Any problem raises ``FeedConfigError``
naming the file and the entry, so a typo never silently drops a feed.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ingest.errors import FeedConfigError

__all__ = [
    "COUNTRY_CODES",
    "FEEDS_FILE_ENV",
    "LANGUAGES",
    "DEFAULT_USER_AGENT",
    "ConfigFile",
    "FeedConfig",
    "FetchOptions",
    "FetchSettings",
    "default_feeds_path",
    "load_config",
    "load_feeds",
    "load_settings",
]

FEEDS_FILE_ENV = "TENSION_FEEDS_FILE"
DEFAULT_USER_AGENT = (
    "BalkanTensionMonitor/0.1 (+https://github.com/balkan-tension-monitor; feed reader)"
)

# The actor codes of DESIGN.md: a feed "covers" one or more of them.
COUNTRY_CODES = frozenset(
    {"SRB", "KOS", "BIH", "RS", "MNE", "MKD", "ALB", "HRV",
     "NATO", "EU", "USA", "RUS", "CHN", "UN", "TUR", "BGR"}
)

# BCP 47 tags we expect from regional outlets. "sr" is for outlets whose
# script is unknown or mixed; "cnr" is Montenegrin.
LANGUAGES = frozenset(
    {"en", "sq", "bs", "hr", "sr", "sr-Latn", "sr-Cyrl", "cnr", "mk",
     "sl", "bg", "el", "ro", "tr", "de", "fr", "ru"}
)

# Numbers in [settings]: finite, positive and bounded, so a typo can neither fail every
# fetch (nan, inf) nor hang a poll for hours. Timeouts in seconds.
_BOUNDS: dict[str, tuple[float, float]] = {
    "connect_timeout": (0.1, 120.0),
    "timeout": (0.5, 600.0),
    "max_body_bytes": (1, 512 * 1024 * 1024),
    "max_redirects": (0, 20),
}

_FEED_KEYS = frozenset({"name", "url", "lang", "countries", "enabled", "allow_private"})


@dataclass(frozen=True)
class FeedConfig:
    """One feed from the feed file."""

    name: str
    url: str
    lang: str
    countries: tuple[str, ...]
    enabled: bool = True
    allow_private: bool = False


@dataclass(frozen=True)
class FetchOptions:
    """Limits and identity for one fetch (used by ``ingest.fetch``); defaults follow Miniflux."""

    connect_timeout: float = 10.0
    timeout: float = 20.0  # whole download: every redirect hop and the body included
    max_body_bytes: int = 15 * 1024 * 1024  # counted after decompression
    max_redirects: int = 5
    user_agent: str = DEFAULT_USER_AGENT
    allow_private: bool = False
    # allow_private trusts the feed's own host; a redirect to another host is checked
    # again unless this is set too ([settings] allow_private_networks sets both).
    private_redirects: bool = False
    # Extra trust anchors (PEM file) for feeds behind a private CA; None = system/certifi.
    ca_file: str | None = None


@dataclass(frozen=True)
class FetchSettings:
    """The optional ``[settings]`` table; ``None`` means "use the ``FetchOptions`` default"."""

    user_agent: str | None = None
    connect_timeout: float | None = None
    timeout: float | None = None
    max_body_bytes: int | None = None
    max_redirects: int | None = None
    allow_private_networks: bool = False

    def fetch_options(self, *, allow_private: bool = False) -> FetchOptions:
        """Resolve against the defaults; ``allow_private`` is the per-feed flag (OR-ed in)."""
        base = FetchOptions()
        return FetchOptions(
            connect_timeout=(
                base.connect_timeout if self.connect_timeout is None else self.connect_timeout
            ),
            timeout=base.timeout if self.timeout is None else self.timeout,
            max_body_bytes=(
                base.max_body_bytes if self.max_body_bytes is None else self.max_body_bytes
            ),
            max_redirects=base.max_redirects if self.max_redirects is None else self.max_redirects,
            user_agent=self.user_agent or base.user_agent,
            allow_private=allow_private or self.allow_private_networks,
            private_redirects=self.allow_private_networks,
        )


@dataclass(frozen=True)
class ConfigFile:
    """Everything in one feed file."""

    path: Path
    feeds: tuple[FeedConfig, ...]
    settings: FetchSettings


def default_feeds_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$TENSION_FEEDS_FILE`` if set, else ``feeds.toml`` beside the ``ingest`` package."""
    env = os.environ if environ is None else environ
    value = env.get(FEEDS_FILE_ENV, "").strip()
    if value:
        return Path(value)
    return Path(__file__).resolve().parent.parent / "feeds.toml"


def load_feeds(path: Path | None = None) -> tuple[FeedConfig, ...]:
    """Read and validate the feed file; return every feed (enabled or not) in file order."""
    return load_config(path).feeds


def load_settings(path: Path | None = None) -> FetchSettings:
    """Read and validate the feed file; return its ``[settings]`` (defaults when absent)."""
    return load_config(path).settings


def load_config(path: Path | None = None) -> ConfigFile:
    """Read and validate the feed file: feeds plus the ``[settings]`` table."""
    file = Path(path) if path is not None else default_feeds_path()
    try:
        with file.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError as exc:
        raise FeedConfigError(file, None, "file not found") from exc
    except OSError as exc:
        raise FeedConfigError(file, None, f"cannot read: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise FeedConfigError(file, None, f"not valid TOML: {exc}") from exc

    unknown = set(data) - {"feed", "settings"}
    if unknown:
        raise FeedConfigError(file, None, f"unknown top-level keys: {', '.join(sorted(unknown))}")
    raw_feeds = data.get("feed", [])
    if not isinstance(raw_feeds, list):
        raise FeedConfigError(file, None, "'feed' must be an array of tables ([[feed]])")

    feeds: list[FeedConfig] = []
    seen_urls: dict[str, str] = {}
    seen_names: set[str] = set()
    for index, raw in enumerate(raw_feeds):
        label = _entry_label(index, raw)
        feed = _feed_from_table(file, label, raw)
        key = _url_identity(feed.url)
        if key in seen_urls:
            raise FeedConfigError(file, label, f"url already used by {seen_urls[key]!r}")
        if feed.name in seen_names:
            raise FeedConfigError(file, label, "name already used by another feed")
        seen_urls[key] = feed.name
        seen_names.add(feed.name)
        feeds.append(feed)

    settings = _settings_from_table(file, data.get("settings", {}))
    return ConfigFile(path=file, feeds=tuple(feeds), settings=settings)


def _entry_label(index: int, raw: object) -> str:
    name = raw.get("name") if isinstance(raw, dict) else None
    return f"feed #{index + 1}" + (f" ({name!r})" if isinstance(name, str) and name else "")


def _feed_from_table(file: Path, label: str, raw: object) -> FeedConfig:
    if not isinstance(raw, dict):
        raise FeedConfigError(file, label, "each [[feed]] must be a table")
    unknown = set(raw) - _FEED_KEYS
    if unknown:
        raise FeedConfigError(file, label, f"unknown keys: {', '.join(sorted(unknown))}")
    for key in ("name", "url", "lang", "countries"):
        if key not in raw:
            raise FeedConfigError(file, label, f"missing required key {key!r}")

    name = _require(file, label, raw, "name", str).strip()
    if not name:
        raise FeedConfigError(file, label, "name is empty")
    url = _require(file, label, raw, "url", str).strip()
    _check_url(file, label, url)
    lang = _require(file, label, raw, "lang", str).strip()
    if lang not in LANGUAGES:
        known = ", ".join(sorted(LANGUAGES))
        raise FeedConfigError(file, label, f"unknown lang {lang!r} (known: {known})")
    countries_raw = _require(file, label, raw, "countries", list)
    if not countries_raw:
        raise FeedConfigError(file, label, "countries is empty")
    countries: list[str] = []
    for code in countries_raw:
        if not isinstance(code, str) or code not in COUNTRY_CODES:
            known = ", ".join(sorted(COUNTRY_CODES))
            raise FeedConfigError(file, label, f"unknown country code {code!r} (known: {known})")
        if code not in countries:
            countries.append(code)
    enabled = _require(file, label, raw, "enabled", bool, default=True)
    allow_private = _require(file, label, raw, "allow_private", bool, default=False)
    return FeedConfig(
        name=name,
        url=url,
        lang=lang,
        countries=tuple(countries),
        enabled=enabled,
        allow_private=allow_private,
    )


def _require(
    file: Path, label: str, raw: dict[str, Any], key: str, kind: type, default: Any = None
) -> Any:
    value = raw.get(key, default)
    # bool is a subclass of int; a count given as `true` is a mistake, not 1.
    if not isinstance(value, kind) or (kind in (int, float) and isinstance(value, bool)):
        raise FeedConfigError(file, label, f"{key} must be {kind.__name__}, got {value!r}")
    return value


def _check_url(file: Path, label: str, url: str) -> None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise FeedConfigError(file, label, f"invalid url {url!r}: {exc}") from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise FeedConfigError(file, label, f"url must be http or https, got {url!r}")
    if not parts.hostname:
        raise FeedConfigError(file, label, f"url has no host: {url!r}")
    if any(ch.isspace() or ord(ch) < 0x20 for ch in url):
        raise FeedConfigError(
            file, label, f"url contains whitespace or control characters: {url!r}"
        )


def _url_identity(url: str) -> str:
    # Scheme and host are case-insensitive; path and query are not.
    parts = urlsplit(url)
    return parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()).geturl()


def _settings_from_table(file: Path, raw: object) -> FetchSettings:
    label = "[settings]"
    if not isinstance(raw, dict):
        raise FeedConfigError(file, label, "settings must be a table")
    allowed = {
        "user_agent": str,
        "connect_timeout": (int, float),
        "timeout": (int, float),
        "max_body_bytes": int,
        "max_redirects": int,
        "allow_private_networks": bool,
    }
    unknown = set(raw) - set(allowed)
    if unknown:
        raise FeedConfigError(file, label, f"unknown keys: {', '.join(sorted(unknown))}")
    for key, kind in allowed.items():
        if key not in raw:
            continue
        value = raw[key]
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise FeedConfigError(file, label, f"{key} has the wrong type: {value!r}")
        if key == "user_agent" and not value.strip():
            raise FeedConfigError(file, label, "user_agent is empty")
        if key in _BOUNDS:
            low, high = _BOUNDS[key]
            # TOML has nan and inf: both compare false or out of range here, so both fail.
            if key != "max_redirects" and not value > 0:
                raise FeedConfigError(file, label, f"{key} must be positive, got {value!r}")
            if not low <= value <= high:
                raise FeedConfigError(
                    file, label, f"{key} must be between {low:g} and {high:g}, got {value!r}"
                )
    return FetchSettings(
        user_agent=raw["user_agent"].strip() if "user_agent" in raw else None,
        connect_timeout=float(raw["connect_timeout"]) if "connect_timeout" in raw else None,
        timeout=float(raw["timeout"]) if "timeout" in raw else None,
        max_body_bytes=raw.get("max_body_bytes"),
        max_redirects=raw.get("max_redirects"),
        allow_private_networks=raw.get("allow_private_networks", False),
    )
