"""Hand one message to one channel: SMTP e-mail, a webhook POST, or the Atom file of firings.

Each send is bounded by the channel timeout and raises ``DeliveryError`` on any failure;
smtplib, socket, ssl and httpx errors are translated here. Webhooks obey the feeds' SSRF
rule (``netguard``): the host is resolved here, every address checked unless the channel
sets ``allow_private``, the connection goes to the checked address, and redirects are
never followed (a receiver that redirects is reported, not obeyed).
"""

from __future__ import annotations

import json
import os
import smtplib
import ssl
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from xml.sax.saxutils import escape

import httpx
import pandas as pd

from alerts.errors import DeliveryError
from alerts.messages import Message
from alerts.rules import Channel
from netguard import is_blocked_address, resolve_host

__all__ = ["send", "send_email", "send_webhook", "write_atom"]

USER_AGENT = "BalkanTensionMonitor-alerts/1.0"


def send(
    channel: Channel,
    message: Message,
    *,
    timeout: float,
    environ: Mapping[str, str],
    feed: pd.DataFrame | None = None,
) -> None:
    """Deliver ``message`` to ``channel``; ``feed`` (recent firings) is what an Atom file holds."""
    if channel.type == "email":
        send_email(channel, message, timeout=timeout, environ=environ)
    elif channel.type == "webhook":
        send_webhook(channel, message, timeout=timeout, environ=environ)
    else:
        write_atom(channel, feed if feed is not None else pd.DataFrame())


def send_email(
    channel: Channel, message: Message, *, timeout: float, environ: Mapping[str, str]
) -> None:
    """One e-mail over SMTP (STARTTLS when the channel asks; login when credentials are set)."""
    mail = EmailMessage()
    mail["Subject"] = message.subject.replace("\n", " ")[:250]
    mail["From"] = channel.sender
    mail["To"] = ", ".join(channel.to)
    mail["X-Tension-Alert-Key"] = message.key[:250]
    mail.set_content(message.text)
    user = environ.get(channel.username_env, "") if channel.username_env else ""
    password = environ.get(channel.password_env, "") if channel.password_env else ""
    if channel.username_env and not user:
        raise DeliveryError(channel.name, f"${channel.username_env} (SMTP user) is not set")
    try:
        with smtplib.SMTP(channel.host, channel.port, timeout=timeout) as smtp:
            smtp.ehlo()
            if channel.starttls:
                if not smtp.has_extn("starttls"):
                    raise DeliveryError(
                        channel.name, f"{channel.host}:{channel.port} does not offer STARTTLS"
                    )
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if user:
                smtp.login(user, password)
            refused = smtp.send_message(mail)
    except DeliveryError:
        raise
    except smtplib.SMTPException as exc:
        raise DeliveryError(channel.name, f"SMTP error: {exc}") from exc
    except (OSError, ssl.SSLError) as exc:
        raise DeliveryError(
            channel.name, f"cannot reach {channel.host}:{channel.port}: {exc}"
        ) from exc
    if refused:
        raise DeliveryError(channel.name, f"recipients refused: {', '.join(sorted(refused))}")


def _webhook_url(channel: Channel, environ: Mapping[str, str]) -> str:
    if channel.url:
        return channel.url
    url = environ.get(channel.url_env, "").strip()
    if not url:
        raise DeliveryError(channel.name, f"${channel.url_env} (the webhook URL) is not set")
    return url


def send_webhook(
    channel: Channel, message: Message, *, timeout: float, environ: Mapping[str, str]
) -> None:
    """POST the message's JSON payload; any answer but 2xx is a failure."""
    url = _webhook_url(channel, environ)
    try:
        target = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        raise DeliveryError(channel.name, f"invalid webhook URL: {exc}") from exc
    if target.scheme not in ("http", "https") or not target.host:
        raise DeliveryError(channel.name, "the webhook URL must be http(s) with a host")
    host = target.raw_host.decode("ascii")
    port = target.port or (443 if target.scheme == "https" else 80)
    try:
        addresses = resolve_host(host, port, timeout)
    except TimeoutError as exc:
        raise DeliveryError(channel.name, f"looking up {host} timed out") from exc
    except (OSError, UnicodeError) as exc:
        raise DeliveryError(channel.name, f"cannot resolve {host}: {exc}") from exc
    if not channel.allow_private:
        for address in addresses:
            if is_blocked_address(address):
                raise DeliveryError(
                    channel.name,
                    f"{host} resolves to {address}, a private or reserved address "
                    "(set allow_private = true on the channel to allow it)",
                )
    body = json.dumps(message.payload, ensure_ascii=False).encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "Host": target.netloc.decode("ascii"),
    }
    last: Exception | None = None
    with httpx.Client(follow_redirects=False, trust_env=False, timeout=timeout) as client:
        for address in addresses:
            request = client.build_request(
                "POST",
                target.copy_with(host=address),
                content=body,
                headers=headers,
                extensions={"sni_hostname": host},
            )
            try:
                response = client.send(request)
            except httpx.ConnectError as exc:
                last = exc
                continue
            except httpx.TimeoutException as exc:
                raise DeliveryError(
                    channel.name, f"no answer from {host} within {timeout:g} s"
                ) from exc
            except httpx.HTTPError as exc:
                raise DeliveryError(channel.name, f"{type(exc).__name__}: {exc}") from exc
            if response.is_redirect:
                where = response.headers.get("location", "?")
                raise DeliveryError(
                    channel.name,
                    f"HTTP {response.status_code} redirect to {where[:200]} not followed "
                    "(webhooks never follow redirects)",
                )
            if not response.is_success:
                raise DeliveryError(
                    channel.name, f"HTTP {response.status_code}: {response.text[:200]!r}"
                )
            return
    raise DeliveryError(channel.name, f"cannot connect to {host}: {last}")


def _atom_entry(row: object) -> str:
    fired = pd.Timestamp(row.fired_at).tz_localize(UTC).isoformat()  # type: ignore[attr-defined]
    title = f"[{row.severity}] {row.rule}: {row.subject} ({row.kind})"  # type: ignore[attr-defined]
    ids = ", ".join(str(i) for i in row.item_ids)  # type: ignore[attr-defined]
    summary = f"{row.why} Items: {ids or 'none'}."  # type: ignore[attr-defined]
    key = escape(str(row.key))  # type: ignore[attr-defined]
    return (
        "  <entry>\n"
        f"    <id>urn:tension-alert:{key}</id>\n"
        f"    <title>{escape(title)}</title>\n"
        f"    <updated>{fired}</updated>\n"
        f"    <category term=\"{escape(str(row.severity))}\"/>\n"  # type: ignore[attr-defined]
        f"    <summary>{escape(summary)}</summary>\n"
        "  </entry>\n"
    )


def write_atom(channel: Channel, firings: pd.DataFrame) -> None:
    """Rewrite the channel's Atom file with the newest firings (atomically: temp file + rename)."""
    path = Path(channel.path)
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    entries = "".join(_atom_entry(r) for r in firings.head(channel.entries).itertuples())
    text = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">\n'
        f"  <id>urn:tension-alerts:{escape(channel.name)}</id>\n"
        "  <title>Balkan Tension Monitor alerts</title>\n"
        f"  <updated>{now}</updated>\n"
        "  <author><name>Balkan Tension Monitor</name></author>\n"
        f"{entries}"
        "</feed>\n"
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise DeliveryError(channel.name, f"cannot write {path}: {exc.strerror}") from exc

