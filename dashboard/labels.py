"""Names and colours the dashboard shows for actor and signal codes.

Codes and their labels come from ``scoring`` (the one source of truth); this
module only adds presentation: a fixed colour per actor, so Serbia is the same
colour on every chart and export, and a colour per signal.
"""

from __future__ import annotations

from datetime import date

from scoring import ACTOR_CODES, SIGNAL_CODES, actor_label, signal_label

__all__ = [
    "ACTOR_CODES",
    "ACTOR_COLORS",
    "ALL_ACTORS_LABEL",
    "FOCAL_ACTORS",
    "SIGNAL_CODES",
    "actor_color",
    "actor_name",
    "actor_option",
    "day_label",
    "signal_color",
    "signal_name",
]

# The conflict dyads users open the dashboard for; the Overview shows these by default.
FOCAL_ACTORS = ("SRB", "KOS", "BIH", "RS", "MNE", "MKD")
ALL_ACTORS_LABEL = "All actors"

# Chosen to stay distinguishable in a line chart and for common colour-vision
# deficiencies among the focal six; the rest are muted so the focal lines stand out.
ACTOR_COLORS: dict[str, str] = {
    "SRB": "#C62828",
    "KOS": "#1565C0",
    "BIH": "#F9A825",
    "RS": "#6A1B9A",
    "MNE": "#2E7D32",
    "MKD": "#EF6C00",
    "ALB": "#AD1457",
    "HRV": "#00838F",
    "NATO": "#37474F",
    "EU": "#3949AB",
    "USA": "#5D4037",
    "RUS": "#8D6E63",
    "CHN": "#D4A017",
    "UN": "#4FC3F7",
    "TUR": "#9E9D24",
    "BGR": "#26A69A",
    "*": "#616161",
}
_FALLBACK = "#9E9E9E"

_SIGNAL_PALETTE = (
    "#B71C1C", "#E53935", "#1E88E5", "#5E35B1", "#F4511E", "#90A4AE", "#FB8C00",
    "#6D4C41", "#8E24AA", "#43A047", "#00897B", "#C0CA33", "#3949AB",
)  # fmt: skip


def actor_color(code: str) -> str:
    """The fixed colour of an actor on every chart."""
    return ACTOR_COLORS.get(code, _FALLBACK)


def actor_name(code: str) -> str:
    """Human name of an actor code (``*`` is every actor)."""
    if code == "*":
        return ALL_ACTORS_LABEL
    try:
        return actor_label(code)
    except (KeyError, ValueError):
        return code


def signal_name(code: str) -> str:
    """Human name of a signal code."""
    try:
        return signal_label(code)
    except (KeyError, ValueError):
        return code


def signal_color(code: str) -> str:
    """A fixed colour per signal (by its position in the taxonomy)."""
    codes = list(SIGNAL_CODES)
    if code in codes:
        return _SIGNAL_PALETTE[codes.index(code) % len(_SIGNAL_PALETTE)]
    return _FALLBACK


# Widget labels are module-level functions, not lambdas: Streamlit pickles widget
# metadata when session state must be serializable.
def actor_option(code: str) -> str:
    """'Serbia (SRB)': how an actor is offered in a picker."""
    return f"{actor_name(code)} ({code})"


def day_label(day: date) -> str:
    """'Mon 06 Mar 2023': how a day is offered in a picker."""
    return f"{day:%a %d %b %Y}"
