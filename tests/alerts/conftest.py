"""Alerts fixtures: a real SMTP server on 127.0.0.1 (aiosmtpd), rules files written per test."""

from __future__ import annotations

import socket
import textwrap
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller


class _Sink:
    """Keeps every message the SMTP server accepts."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    def __init__(self, controller: Controller, sink: _Sink) -> None:
        self.host = "127.0.0.1"
        self.port = controller.port
        self._sink = sink

    @property
    def messages(self) -> list[Message]:
        return list(self._sink.messages)


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """An SMTP server on 127.0.0.1 that keeps what it receives."""
    sink = _Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpSink(controller, sink)
    finally:
        controller.stop()


@pytest.fixture
def write_rules(tmp_path: Path) -> Callable[[str], Path]:
    """Write a rules file (dedented TOML) and return its path."""

    def write(text: str, name: str = "alerts.toml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def srb_kos() -> Callable[..., str]:
    """Builds the text of a rules file holding the done-when rule (see ``srb_kos_rules``)."""
    return srb_kos_rules


def srb_kos_rules(*, smtp_port: int | None = None, webhook: str | None = None,
                  atom: Path | None = None, extra: str = "", rule_extra: str = "",
                  settings: str = "timeout = 2\nattempts_per_run = 1\n") -> str:
    """The done-when rule "SRB↔KOS rise >= 50% over 4 weeks" with the channels asked for."""
    channels, names = [], []
    if smtp_port is not None:
        channels.append(f'''
[[channel]]
name = "mail"
type = "email"
host = "127.0.0.1"
port = {smtp_port}
from = "alerts@monitor.test"
to = ["desk@newsroom.test"]
''')
        names.append("mail")
    if webhook is not None:
        channels.append(f'''
[[channel]]
name = "hook"
type = "webhook"
url = "{webhook}"
allow_private = true
''')
        names.append("hook")
    if atom is not None:
        channels.append(f'''
[[channel]]
name = "feed"
type = "atom"
path = "{atom}"
''')
        names.append("feed")
    listed = ", ".join(f'"{n}"' for n in names)
    # The sample data's last SRB/KOS pair activity is in October 2025 and the data ends
    # on 2025-12-16: a 120-day look-back reaches it.
    return f'''[settings]
{settings}
{''.join(channels)}
[[rule]]
name = "srb-kos-rise"
pair = "SRB<>KOS"
when = "rise"
rise_pct = 50
baseline_weeks = 4
lookback_days = 120
channels = [{listed}]
{rule_extra}
{extra}
'''
