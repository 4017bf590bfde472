"""Measure the scorer against labelled items: the one home of the tune/check split and the report.

Accuracy is judged on real text (../shared/devset/ for development). The dev set is split
once, by a stable hash of each item's id, into a *tune* part (about 70%) that rules and the
model may be fitted to and a *check* part that is only reported; ``split_of`` is that rule
and every tool (the CLI, the model trainer, the accuracy floor test) imports it.

The report is per language, per language group (English, local languages) and overall:
per-signal precision/recall/F1, macro- and micro-F1, actor precision/recall/F1, direction
accuracy and how negation was handled.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from scoring.item import score_item
from scoring.taxonomy import SIGNAL_CODES
from scoring.types import ItemScore

__all__ = [
    "TUNE_SHARE",
    "Counts",
    "evaluate_items",
    "format_report",
    "format_summary",
    "group_of",
    "published_of",
    "split_of",
]

# Share of ids, in percent, that fall into the tune part.
TUNE_SHARE = 70


def split_of(item_id: str) -> str:
    """``"tune"`` or ``"check"``: a stable function of the id alone, the same on every machine."""
    digest = hashlib.sha256(str(item_id).encode("utf-8")).digest()
    return "tune" if int.from_bytes(digest[:4], "big") % 100 < TUNE_SHARE else "check"


def group_of(lang: str | None) -> str:
    """The language group a figure is reported for: English or the local languages."""
    return "en" if (lang or "").lower().startswith("en") else "local"


def published_of(value: Any) -> datetime | date | None:
    """An item's ``published`` value (ISO 8601 text, or empty) as a date or datetime."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError("published must be an ISO 8601 string")
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return date.fromisoformat(text[:10])


def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass
class Counts:
    """Confusion counts for one group of items."""

    items: int = 0
    tp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SIGNAL_CODES, 0))
    fp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SIGNAL_CODES, 0))
    fn: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SIGNAL_CODES, 0))
    a_tp: int = 0
    a_fp: int = 0
    a_fn: int = 0
    direction_ok: int = 0
    neg_items: int = 0
    neg_ok: int = 0

    def add(self, gold: dict[str, Any], res: ItemScore) -> None:
        self.items += 1
        g, p = set(gold.get("signals", [])), set(res.signals)
        for s in SIGNAL_CODES:
            self.tp[s] += s in g and s in p
            self.fp[s] += s not in g and s in p
            self.fn[s] += s in g and s not in p
        ga, pa = set(gold.get("actors", [])), set(res.actors)
        self.a_tp += len(ga & pa)
        self.a_fp += len(pa - ga)
        self.a_fn += len(ga - pa)
        self.direction_ok += gold.get("direction") == res.direction
        gn, pn = set(gold.get("negated", [])), set(res.negated)
        if gn or pn:
            self.neg_items += 1
            self.neg_ok += gn == pn

    def per_signal(self) -> dict[str, tuple[float, float, float, int]]:
        out = {}
        for s in SIGNAL_CODES:
            p, r, f = _f1(self.tp[s], self.fp[s], self.fn[s])
            out[s] = (p, r, f, self.tp[s] + self.fn[s])
        return out

    def figures(self) -> dict[str, float]:
        """Macro-F1 over the signals this group has gold or predicted items for; micro-F1."""
        seen = [s for s in SIGNAL_CODES if self.tp[s] + self.fp[s] + self.fn[s]]
        per = self.per_signal()
        macro = sum(per[s][2] for s in seen) / len(seen) if seen else 0.0
        micro = _f1(sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values()))[2]
        ap, ar, af = _f1(self.a_tp, self.a_fp, self.a_fn)
        n = self.items or 1
        return {
            "items": self.items,
            "macro_f1": macro,
            "micro_f1": micro,
            "actor_precision": ap,
            "actor_recall": ar,
            "actor_f1": af,
            "direction_accuracy": self.direction_ok / n,
            "negation_accuracy": self.neg_ok / self.neg_items if self.neg_items else 1.0,
            "negation_items": self.neg_items,
        }


Scorer = Callable[[dict[str, Any]], ItemScore]


def _default_scorer(it: dict[str, Any]) -> ItemScore:
    return score_item(it.get("title", ""), it.get("summary") or "", it.get("lang"),
                      published_of(it.get("published")))


def evaluate_items(items: Iterable[dict[str, Any]], part: str = "all",
                   scorer: Scorer | None = None) -> dict[str, Any]:
    """Score labelled items (only those of ``part``: tune, check or all) and compare.

    Returns ``{"part", "groups": {name: Counts}, "errors": [(item, result)]}``; groups are
    ``all``, ``en``, ``local`` and one per language code.
    """
    if part not in ("all", "tune", "check"):
        raise ValueError(f"part must be all, tune or check, not {part!r}")
    score = scorer or _default_scorer
    groups: dict[str, Counts] = {"all": Counts(), "en": Counts(), "local": Counts()}
    errors = []
    for it in items:
        if part != "all" and split_of(it.get("id", "")) != part:
            continue
        res = score(it)
        lang = str(it.get("lang") or "?")
        group = group_of(lang)
        for name in ("all", group) if lang == group else ("all", group, f"lang:{lang}"):
            groups.setdefault(name, Counts()).add(it, res)
        if (set(it.get("signals", [])) != set(res.signals)
                or set(it.get("negated", [])) != set(res.negated)
                or set(it.get("actors", [])) != set(res.actors)):
            errors.append((it, res))
    return {"part": part, "groups": groups, "errors": errors}


def format_summary(rep: dict[str, Any]) -> str:
    """One line per group: items, macro/micro-F1, actor F1, direction, negation."""
    lines = [f"part: {rep['part']}",
             f"{'group':10} {'items':>5} {'macro':>6} {'micro':>6} {'actorF1':>7} "
             f"{'dir':>6} {'neg':>9}"]
    for name, c in rep["groups"].items():
        if not c.items:
            continue
        f = c.figures()
        lines.append(f"{name.removeprefix('lang:'):10} {f['items']:5d} {f['macro_f1']:6.3f} "
                     f"{f['micro_f1']:6.3f} {f['actor_f1']:7.3f} "
                     f"{f['direction_accuracy']:6.3f} "
                     f"{c.neg_ok:4d}/{c.neg_items:<4d}")
    return "\n".join(lines) + "\n"


def format_report(rep: dict[str, Any], show_errors: bool = False) -> str:
    """Per-group tables of per-signal P/R/F1 and the group figures, then the summary."""
    lines: list[str] = []
    for name, c in rep["groups"].items():
        if not c.items:
            continue
        f = c.figures()
        lines += [f"== {name.removeprefix('lang:')} ({rep['part']} part): {c.items} items",
                  f"{'signal':24} {'prec':>6} {'rec':>6} {'f1':>6} {'support':>8}"]
        for s, (p, r, f1, sup) in c.per_signal().items():
            lines.append(f"{s:24} {p:6.3f} {r:6.3f} {f1:6.3f} {sup:8d}")
        lines += [
            f"macro-F1 (signals): {f['macro_f1']:.3f}   micro-F1: {f['micro_f1']:.3f}",
            f"actors: precision {f['actor_precision']:.3f} recall {f['actor_recall']:.3f} "
            f"F1 {f['actor_f1']:.3f}",
            f"direction accuracy: {f['direction_accuracy']:.3f}",
            f"negation handled: {c.neg_ok} of {c.neg_items} items with a gold or predicted "
            f"negation ({f['negation_accuracy']:.3f})",
            "",
        ]
    if show_errors:
        lines.append("== items scored wrongly")
        for it, res in rep["errors"]:
            lines.append(f"- {it.get('id')}: {it.get('title')!r}")
            lines.append(f"    gold signals={sorted(it.get('signals', []))} negated="
                         f"{sorted(it.get('negated', []))} actors={sorted(it.get('actors', []))}"
                         f" direction={it.get('direction')}")
            lines.append(f"    pred signals={list(res.signals)} negated={list(res.negated)} "
                         f"actors={list(res.actors)} direction={res.direction}")
            for e in res.evidence:
                lines.append(f"      {e.signal}: {e.text!r} neg={e.negated} "
                             f"supp={e.suppressed_by}")
        lines.append("")
    lines.append(format_summary(rep))
    return "\n".join(lines)
