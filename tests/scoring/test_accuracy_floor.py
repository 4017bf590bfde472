"""The accuracy floor on real text: figures on ../shared/devset/ must not quietly fall.

tests/data/accuracy_floor.toml records the figures the scorer reached (per part of the
stable split and per language group); a change that drops any of them by more than
TOLERANCE fails here. Raising the floor after an improvement is a deliberate step:
`PYTHONPATH=. .venv/bin/python tests/scoring/test_accuracy_floor.py` rewrites the file
with today's figures (the same ones `python -m scoring evaluate ../shared/devset/*.jsonl
--part P --summary` prints).
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from scoring.evaluate import evaluate_items, split_of
from tests.conftest import shared_missing

ROOT = Path(__file__).resolve().parents[2]
DEVSET = ROOT.parent / "shared" / "devset"
FLOOR = ROOT / "tests" / "data" / "accuracy_floor.toml"
TOLERANCE = 0.02
FIGURES = ("macro_f1", "micro_f1", "actor_f1", "direction_accuracy")


def _devset() -> list[dict]:
    if not DEVSET.is_dir():
        shared_missing(DEVSET)
    items = []
    for path in sorted(DEVSET.glob("*.jsonl")):
        items += [json.loads(ln) for ln in path.read_text(encoding="utf-8").splitlines()
                  if ln.strip()]
    return items


def test_floor_file_covers_every_part_and_group() -> None:
    floor = tomllib.loads(FLOOR.read_text(encoding="utf-8"))
    for part in ("tune", "check"):
        for group in ("all", "en", "local"):
            missing = [f for f in FIGURES if f not in floor[part][group]]
            assert not missing, f"{part}.{group} lacks {missing}"


def test_split_is_stable_and_about_seventy_percent() -> None:
    items = _devset()
    tune = [it for it in items if split_of(it["id"]) == "tune"]
    assert 0.62 < len(tune) / len(items) < 0.78
    # the split is a function of the id alone
    assert [split_of(it["id"]) for it in items] == [split_of(str(it["id"])) for it in items]


@pytest.mark.parametrize("part", ["tune", "check"])
def test_accuracy_on_real_devset_does_not_drop(part: str) -> None:
    items = _devset()
    floor = tomllib.loads(FLOOR.read_text(encoding="utf-8"))[part]
    groups = evaluate_items(items, part=part)["groups"]
    dropped = []
    for group, want in floor.items():
        got = groups[group].figures()
        for name in FIGURES:
            if got[name] < want[name] - TOLERANCE:
                dropped.append(f"{group} {name}: {got[name]:.3f} < floor {want[name]:.3f}")
    assert not dropped, f"{part} part fell below the floor: " + "; ".join(dropped)


def write_floor() -> str:
    """The floor file's text for the scorer as it is now (run this module as a script)."""
    items = _devset()
    out = ["# Accuracy floor on the real dev set (../shared/devset/), per part of the stable",
           "# split and language group, written by",
           "# `PYTHONPATH=. .venv/bin/python tests/scoring/test_accuracy_floor.py`;",
           "# tests/scoring/test_accuracy_floor.py fails when a figure drops more than 0.02.", ""]
    for part in ("tune", "check"):
        groups = evaluate_items(items, part=part)["groups"]
        for group in ("all", "en", "local"):
            figs = groups[group].figures()
            out.append(f"[{part}.{group}]")
            out += [f"{name} = {figs[name]:.3f}" for name in FIGURES]
            out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    FLOOR.write_text(write_floor(), encoding="utf-8")
    print(FLOOR.read_text(encoding="utf-8"))
