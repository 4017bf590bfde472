"""Compose one message (a firing, a digest of firings, or a test) as plain text and JSON.

Every message says what fired, the figures, why in words, and the ids and links of the
top 3 stories behind each firing with their evidence phrase. The JSON body carries a
``text`` field, which Slack and Microsoft Teams incoming webhooks display as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from storage import alerts_store

__all__ = ["Message", "compose"]


@dataclass(frozen=True)
class Message:
    """What every channel sends: a subject line, a text body and a JSON-ready payload."""

    key: str
    rule: str
    severity: str
    subject: str
    text: str
    payload: dict


def _number(value: object) -> float | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return round(float(value), 3)  # type: ignore[arg-type]


def _stories(db: str, item_ids: list[int], dashboard_url: str) -> list[dict]:
    frame = alerts_store.stories_of_items(db, item_ids, limit=3)
    out = []
    for row in frame.itertuples():
        link = row.url if isinstance(row.url, str) and row.url else ""
        out.append(
            {
                "item_id": int(row.item_id),
                "title": str(row.title),
                "source": str(row.source),
                "published_at": pd.Timestamp(row.published_at).isoformat(),
                "url": link,
                "dashboard": f"{dashboard_url}/news?item={int(row.item_id)}"
                if dashboard_url
                else "",
                "outlets": int(row.outlets),
                "score": round(float(row.score), 2),
                "evidence": str(row.evidence),
            }
        )
    return out


def compose(
    db: str,
    key: str,
    firings: pd.DataFrame,
    *,
    dashboard_url: str = "",
    test: bool = False,
) -> Message:
    """The message for ``firings`` (rows of ``storage.alerts_store.FIRING_COLUMNS``)."""
    rows = list(firings.itertuples())
    first = rows[0]
    severity = max((r.severity for r in rows), key=("info", "warning", "critical").index)
    prefix = "[TEST] " if test else ""
    if len(rows) == 1:
        subject = f"{prefix}[{severity}] {first.rule}: {first.subject} ({first.kind})"
    else:
        subject = f"{prefix}[{severity}] {first.rule}: digest of {len(rows)} firings"
    parts = []
    entries = []
    for r in rows:
        stories = _stories(db, list(r.item_ids), dashboard_url)
        figures = {
            "value": _number(r.value),
            "baseline": _number(r.baseline),
            "change_pct": _number(r.change_pct),
            "threshold": _number(r.threshold),
        }
        shown = ", ".join(f"{k} {v:g}" for k, v in figures.items() if v is not None)
        lines = [
            f"{r.rule} fired ({r.kind}, {r.severity}) on {r.subject}, "
            f"window {r.window_start} to {r.window_end}.",
            f"Figures: {shown or 'none'}.",
            f"Why: {r.why}",
            f"Items behind it: {len(r.item_ids)}.",
        ]
        if stories:
            lines.append("Top stories:")
        for i, s in enumerate(stories, 1):
            where = s["url"] or s["dashboard"] or "(no link)"
            lines.append(
                f"  {i}. [item {s['item_id']}] {s['title']} — {s['source']}, "
                f"{s['outlets']} outlet(s), {where}"
            )
            if s["evidence"]:
                lines.append(f"     evidence: {s['evidence']}")
        parts.append("\n".join(lines))
        entries.append(
            {
                "key": r.key,
                "rule": r.rule,
                "kind": r.kind,
                "severity": r.severity,
                "subject": r.subject,
                "window_start": str(r.window_start),
                "window_end": str(r.window_end),
                "fired_at": pd.Timestamp(r.fired_at).isoformat(),
                **figures,
                "why": r.why,
                "item_ids": [int(i) for i in r.item_ids],
                "stories": stories,
            }
        )
    text = subject + "\n\n" + "\n\n".join(parts)
    if test:
        text += "\n\nThis is a test message: nothing was recorded as a firing."
    payload = {
        "text": text,
        "message_key": key,
        "rule": first.rule,
        "severity": severity,
        "subject": subject,
        "test": test,
        "sent_at": datetime.now().astimezone().isoformat(),
        "firings": entries,
    }
    return Message(key, str(first.rule), severity, subject, text, payload)
