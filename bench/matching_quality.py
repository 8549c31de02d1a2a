"""Benchmark: how well free-text wishes are mapped to the skill catalogue, the new
knowledge-base matcher side by side with the old one (bench/legacy_matcher.py).

    .venv/bin/python bench/matching_quality.py            # both parts
    .venv/bin/python bench/matching_quality.py --part dev --errors   # list the misses (dev,
                                                                     # fresh, chatty, third)

The wishes are in bench/wishes/: ``heldout.psv`` was written first, before the knowledge
base and the new matcher, and is never tuned on; ``dev.psv`` is what the matcher is tuned
on; ``fresh.psv`` was written by the second pass on issue 15 before its changes (partly a
development set since: its misses were looked at once); ``chatty.psv``, 70 wishes in a
chattier style written late in that pass (partly a development set too); ``third.psv``, 96
wishes written by the third pass before its changes, measured before and after only;
``fourth.psv``, 221 wishes written by the fourth pass before its changes (across 174 of the 194
skills, 198 naming no skill), measured before and after only. Each line:
kind|text|skill|secondary skill (skill empty = maps to nothing).

A text *names a skill* when it contains the catalogue name or a built-in synonym (from
skills.json) of its own labelled skill; the figures are printed separately for texts that
name a skill and texts that name none (the issue's targets are for the latter), and for
texts that should map to nothing. Per group:

- top-1 / top-3: the labelled skill is the first / among the first three suggestions;
- coverage: share mapped automatically (above the confidence threshold);
- precision: share of the automatic mappings that are right;
- for texts that map to nothing: the share wrongly mapped automatically.

Exits non-zero when the held-out part misses the issue's targets for texts that name no skill
(top-1 ≥ 90 %, top-3 ≥ 97 %, precision of automatic mapping ≥ 95 %).

Both matchers are built from the shipped files without a database (the knowledge base
without staff additions), so the figures do not depend on a database's state.
"""

import argparse
import os
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
WISHES = ROOT / "bench" / "wishes"
TARGETS = {"top1": 0.90, "top3": 0.97, "precision": 0.95}


def load(part: str) -> list[dict]:
    rows = []
    for line in (WISHES / f"{part}.psv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, text, skill, secondary = line.split("|")
        rows.append({"kind": kind, "text": text, "skill": skill, "secondary": secondary})
    return rows


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    os.environ.setdefault("GONGHUI_VAR_DIR", tempfile.mkdtemp(prefix="gonghui-bench-matching-"))
    import django

    django.setup()


def evaluate(rows, rank_new, rank_old, names_by_skill):
    """Figures per group and matcher: {group: {matcher: {metric: value}}}."""
    from gonghui.training.domain.catalogue import normalize_text

    groups = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    misses = []
    for row in rows:
        text, skill = row["text"], row["skill"]
        if not skill:
            group = "maps to nothing"
        else:
            own = [normalize_text(w) for w in names_by_skill[skill]]
            group = "names a skill" if any(w in normalize_text(text) for w in own) else "names none"
        for label, rank in (("new", rank_new), ("old", rank_old)):
            ranked, auto = rank(text)
            g = groups[group][label]
            g["n"] += 1
            if not skill:
                g["wrongly_mapped"] += bool(auto and ranked)
                continue
            g["top1"] += bool(ranked) and ranked[0] == skill
            g["top3"] += skill in ranked[:3]
            if auto and ranked:
                g["auto"] += 1
                g["auto_right"] += ranked[0] == skill
            if label == "new" and (not ranked or ranked[0] != skill or not auto):
                misses.append((row, ranked[:3], auto))
    return groups, misses


def pct(a: int, b: int) -> str:
    return f"{a / b:6.1%}" if b else "     –"


def report(title: str, groups) -> None:
    print(f"\n{title}")
    heads = ("top-1", "top-3", "coverage", "precision")
    print(f"  {'group':<16}{'n':>5}   " + " ".join(f"{h:>14}" for h in heads))
    print(f"  {'':<16}{'':>5}   " + " ".join(f"{'new    old':>14}" for _ in heads))
    for group in ("names none", "names a skill"):
        if group not in groups:
            continue
        new, old = groups[group]["new"], groups[group]["old"]
        n = new["n"]
        cells = [
            f"{pct(new['top1'], n)} {pct(old['top1'], n)}",
            f"{pct(new['top3'], n)} {pct(old['top3'], n)}",
            f"{pct(new['auto'], n)} {pct(old['auto'], n)}",
            f"{pct(new['auto_right'], new['auto'])} {pct(old['auto_right'], old['auto'])}",
        ]
        print(f"  {group:<16}{n:>5}   " + " ".join(f"{c:>14}" for c in cells))
    if "maps to nothing" in groups:
        new, old = groups["maps to nothing"]["new"], groups["maps to nothing"]["old"]
        print(
            f"  {'maps to nothing':<16}{new['n']:>5}   wrongly mapped automatically: "
            f"new {new['wrongly_mapped']}, old {old['wrongly_mapped']}"
        )


def matchers():
    from legacy_matcher import build_legacy

    from gonghui.training.domain.knowledge import words_from_files
    from gonghui.training.domain.matching import build_matcher

    skills = words_from_files()
    name_of = {s.skill_id: s.name for s in skills}
    new = build_matcher(skills)
    old = build_legacy()

    def rank_new(text):
        result = new.analyse(text)
        return [name_of[s.skill_id] for s in result.suggestions], result.auto

    def rank_old(text):
        ranked, auto = old.ranked(text)
        return [name_of[s] for s in ranked], auto

    names = {s.name: [s.name, *s.synonyms] for s in skills}
    return new, rank_new, rank_old, names, name_of


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--part",
        choices=["dev", "heldout", "fresh", "chatty", "third", "fourth", "both", "all"],
        default="all",
    )
    parser.add_argument(
        "--errors",
        action="store_true",
        help="list the new matcher's misses on the dev, fresh, chatty and third parts",
    )
    args = parser.parse_args()
    setup()
    new, rank_new, rank_old, names, name_of = matchers()
    parts = {
        "both": ["dev", "heldout"],
        "all": ["dev", "heldout", "fresh", "chatty", "third", "fourth"],
    }.get(args.part, [args.part])
    from gonghui.training.domain import matching

    print(f"auto-mapping threshold: confidence ≥ {matching.AUTO_THRESHOLD}")
    ok = True
    for part in parts:
        rows = load(part)
        groups, misses = evaluate(rows, rank_new, rank_old, names)
        report(f"{part}: {len(rows)} wishes (top-1/top-3/coverage/precision, new vs old)", groups)
        secondary = [r for r in rows if r["secondary"]]
        right = 0
        for r in secondary:
            sid = new.analyse(r["text"]).secondary_id
            right += sid is not None and name_of[sid] == r["secondary"]
        print(f"  two wishes in one: secondary skill right {right} of {len(secondary)}")
        if part == "heldout" and "names none" in groups:
            g = groups["names none"]["new"]
            reached = {
                "top-1": g["top1"] / g["n"] >= TARGETS["top1"],
                "top-3": g["top3"] / g["n"] >= TARGETS["top3"],
                "precision": (g["auto_right"] / g["auto"] if g["auto"] else 0)
                >= TARGETS["precision"],
            }
            ok = all(reached.values())
            print("  targets on held-out texts naming no skill: " + ", ".join(
                f"{k} {'reached' if v else 'MISSED'}" for k, v in reached.items()))  # fmt: skip
        # The held-out and fourth parts' misses are not listed: no tuning on them.
        if args.errors and part in ("dev", "fresh", "chatty", "third"):
            for row, ranked, auto in misses:
                mark = "AUTO" if auto else "    "
                print(
                    f"    {mark} {row['kind']:<6} {row['text']}  → {ranked}  (want {row['skill']})"
                )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
