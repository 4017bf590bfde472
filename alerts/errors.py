"""Errors raised by alerts.

    AlertsError                  base of everything alerts raises
    ├── AlertRulesError          the rules file is missing, not TOML, or a rule/channel is invalid
    └── DeliveryError            one message could not be handed to one channel (recorded, retried)

Storage errors pass through as ``storage.StorageError``; smtplib, socket and httpx errors
become ``DeliveryError`` inside ``alerts.deliver``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["AlertRulesError", "AlertsError", "DeliveryError"]


class AlertsError(Exception):
    """Base class for alerts errors."""


class AlertRulesError(AlertsError):
    """Raised when the rules file cannot be used; names the file and the rule or channel."""

    def __init__(self, path: Path | str, entry: str | None, reason: str) -> None:
        where = f"{path}" + (f", {entry}" if entry else "")
        super().__init__(f"{where}: {reason}")
        self.path = str(path)
        self.entry = entry
        self.reason = reason


class DeliveryError(AlertsError):
    """Raised when a channel refuses or cannot take a message; ``channel`` names it."""

    def __init__(self, channel: str, reason: str) -> None:
        super().__init__(f"{channel}: {reason}")
        self.channel = channel
        self.reason = reason
