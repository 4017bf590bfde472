"""The scorer's full output is frozen while its code is reworked for speed.

Every item of ../shared/devset/*.jsonl and tests/data/labelled/*.jsonl (each also
without its language and date, so the guessing paths run), a few thousand items of
both bench generators and a few long concatenations are scored; the complete
ItemScore (actors, signals, negated, direction, score, places, lexicon version and
every evidence field with its offsets) is written as canonical JSON and hashed.
tests/data/frozen_scores.json keeps one short sha256 per case, never the text, so no
real headline enters the repository.

A change meant to alter no output must leave every digest as it is. A deliberate
change of behaviour or of the lexicon data (scoring/data/*.toml) rewrites the file with

    PYTHONPATH=. .venv/bin/python tests/scoring/test_output_frozen.py

(run it on the commit before the change, then compare after, to prove a refactor).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script from the repository root
    sys.path.insert(0, str(ROOT))

from bench.textgen import news_items  # noqa: E402
from scoring import load_lexicon, score_item  # noqa: E402
from scoring.cli import bench_items  # noqa: E402
from scoring.evaluate import published_of  # noqa: E402

DEVSET = ROOT.parent / "shared" / "devset"
LABELLED = ROOT / "tests" / "data" / "labelled"
FROZEN = ROOT / "tests" / "data" / "frozen_scores.json"
REGENERATE = "PYTHONPATH=. .venv/bin/python tests/scoring/test_output_frozen.py"
_BENCH, _NEWSLIKE, _LONG = 3000, 2000, 12

Case = tuple[str, str, str, str | None, Any]


def _jsonl_cases(folder: Path, tag: str) -> Iterator[Case]:
    for path in sorted(folder.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            if not line.strip():
                continue
            it = json.loads(line)
            key = f"{tag}/{path.name}:{it.get('id', n)}"
            title, summary = it.get("title") or "", it.get("summary") or ""
            yield key, title, summary, it.get("lang"), published_of(it.get("published"))
            yield key + ":bare", title, summary, None, None


def cases() -> Iterator[Case]:
    """Every frozen case: (key, title, summary, lang, published)."""
    if DEVSET.is_dir():
        yield from _jsonl_cases(DEVSET, "devset")
    yield from _jsonl_cases(LABELLED, "labelled")
    bench = bench_items(_BENCH, seed=7)
    for i, (title, summary) in enumerate(bench):
        yield f"bench:{i}", title, summary, None, None
    for i, it in enumerate(news_items(_NEWSLIKE, seed=11)):
        yield f"newslike:{i}", it.title, it.summary, it.lang, it.published
    # long texts: many hits per field, so the matcher's large-list paths run
    for i in range(_LONG):
        chunk = bench[i * 40:(i + 1) * 40]
        yield (f"long:{i}", " ".join(t for t, _ in chunk), " ".join(s for _, s in chunk),
               None, None)


def digest(title: str, summary: str, lang: str | None, published: Any) -> str:
    """Short sha256 of the canonical JSON of the complete score."""
    res = score_item(title, summary, lang, published, load_lexicon())
    blob = json.dumps(dataclasses.asdict(res), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def current() -> dict[str, str]:
    return {key: digest(*rest) for key, *rest in cases()}


def test_scores_equal_the_frozen_digests() -> None:
    frozen = json.loads(FROZEN.read_text(encoding="utf-8"))
    now = current()
    if frozen["lexicon"] != load_lexicon().version:
        pytest.fail(f"lexicon {frozen['lexicon']} was frozen, {load_lexicon().version} is "
                    f"loaded: after a deliberate data change run {REGENERATE}")
    expected = frozen["digests"]
    missing = [k for k in expected if k not in now and not k.startswith("devset/")]
    changed = [k for k in now if expected.get(k) != now[k]]
    assert not missing, f"cases no longer produced: {missing[:5]}"
    assert not changed, (f"{len(changed)} of {len(now)} outputs changed, first {changed[:5]}; "
                         f"if intended, run {REGENERATE}")


def main() -> None:
    now = current()
    FROZEN.write_text(json.dumps({
        "about": "sha256[:16] of each case's canonical score JSON; see "
                 "tests/scoring/test_output_frozen.py",
        "lexicon": load_lexicon().version,
        "digests": now,
    }, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(now)} digests to {FROZEN.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
