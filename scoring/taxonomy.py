"""The taxonomy of DESIGN.md: signal codes with their sign, actor codes, and labels.

This is the contract other packages read (labels for the dashboard, codes for
storage); the lexicon files give weights and phrases and are checked against it.
"""

from __future__ import annotations

__all__ = [
    "ACTOR_CODES",
    "SIGNAL_CODES",
    "actor_label",
    "signal_label",
    "signal_sign",
]

# code -> (label, sign): + raises tension, - lowers it, 0 neutral.
_SIGNALS: dict[str, tuple[str, int]] = {
    "military_buildup": ("Military build-up", 1),
    "armed_clash": ("Armed clash", 1),
    "nato_statement": ("NATO / KFOR statement or action", 1),
    "intl_statement": ("International statement", 1),
    "accusation": ("Accusation or threat", 1),
    "denial": ("Denial", 0),
    "protest_unrest": ("Protest or unrest", 1),
    "police_action": ("Police action", 1),
    "sanctions": ("Sanctions", 1),
    "de_escalation": ("De-escalation", -1),
    "diplomacy": ("Diplomacy", -1),
    "foreign_influence": ("Foreign influence", 1),
    "secession_sovereignty": ("Secession or sovereignty dispute", 1),
}

_ACTORS: dict[str, str] = {
    "SRB": "Serbia",
    "KOS": "Kosovo",
    "BIH": "Bosnia and Herzegovina",
    "RS": "Republika Srpska",
    "MNE": "Montenegro",
    "MKD": "North Macedonia",
    "ALB": "Albania",
    "HRV": "Croatia",
    "NATO": "NATO (incl. KFOR)",
    "EU": "European Union (incl. EULEX)",
    "USA": "United States",
    "RUS": "Russia",
    "CHN": "China",
    "UN": "United Nations",
    "TUR": "Turkey",
    "BGR": "Bulgaria",
}

SIGNAL_CODES: tuple[str, ...] = tuple(_SIGNALS)
ACTOR_CODES: tuple[str, ...] = tuple(_ACTORS)


def signal_label(code: str) -> str:
    """Human label of a signal code; unknown codes are returned unchanged."""
    entry = _SIGNALS.get(code)
    return entry[0] if entry else code


def signal_sign(code: str) -> int:
    """+1, -1 or 0 for a signal code; KeyError for an unknown code."""
    return _SIGNALS[code][1]


def actor_label(code: str) -> str:
    """Human label of an actor code; unknown codes are returned unchanged."""
    return _ACTORS.get(code, code)
