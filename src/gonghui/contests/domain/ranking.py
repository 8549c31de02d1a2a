# SPDX-License-Identifier: AGPL-3.0-or-later
"""The published method, as pure functions over raw scores (no database here).

Judged events, per round and event:

1. **Judge total**: each judge's weighted mean of the criteria,
   ``Σ weightᵢ·scoreᵢ / Σ weightᵢ`` (on the event's scale).
2. **Severity normalisation** (if the contest asks for it): each judge's totals become
   z-scores over the entries that judge scored, ``z = (t − mean_j) / sd_j`` (population
   standard deviation; a judge whose totals are all equal gives z = 0), mapped back onto
   the scale with the mean and population standard deviation of all judge totals of the
   event: ``μ + σ·z``. Judges who see different subsets (conflicts of interest) then weigh
   alike.
3. **Trimmed mean**: with three or more judges the highest and the lowest (normalised)
   total are dropped and the rest averaged; with fewer, all are averaged.
4. **Ties** (equal result to 0.001): the higher plain mean of the raw judge totals ranks
   first; still equal, the lower entry number (earlier registration).

Measured events: the result is the median of the counts (or times) the judges confirmed
from the video; higher or lower is better as the event says; ties go to the earlier
upload, then the lower entry number.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

PLACES = 3


@dataclass
class Ranked:
    entry_id: int
    number: int
    result: float
    raw_mean: float
    judges: int
    rank: int = 0
    #: judge id → (raw total, normalised total), for the trace.
    totals: dict[int, tuple[float, float]] = field(default_factory=dict)
    dropped: tuple[int, ...] = ()


def judge_totals(
    scores: Iterable[tuple[int, int, int, float]], weights: dict[int, float]
) -> dict[tuple[int, int], float]:
    """(entry, judge, criterion, value) → {(entry, judge): weighted mean}."""
    total = float(sum(weights.values()))
    out: dict[tuple[int, int], float] = {}
    for entry, judge, criterion, value in scores:
        key = (entry, judge)
        out[key] = out.get(key, 0.0) + weights[criterion] * float(value)
    return {k: v / total for k, v in out.items()}


def rank_judged(
    scores: Sequence[tuple[int, int, int, float]],
    weights: dict[int, float],
    numbers: dict[int, int],
    *,
    normalise: bool = True,
    trim: bool = True,
) -> list[Ranked]:
    """Rank the entries of one event in one round from their raw scores."""
    if not numbers:
        return []
    arr = np.asarray(scores, dtype=float).reshape(-1, 4)
    crit_ids = np.array(sorted(weights))
    w = np.array([weights[c] for c in crit_ids], dtype=float)
    # Weighted judge totals, vectorised: index the (entry, judge) pairs.
    entry_ids, judge_ids = arr[:, 0].astype(np.int64), arr[:, 1].astype(np.int64)
    pair_keys = entry_ids * (1 << 32) + judge_ids
    pairs, pair_index = np.unique(pair_keys, return_inverse=True)
    weight_of = w[np.searchsorted(crit_ids, arr[:, 2])] if len(arr) else np.zeros(0)
    totals = np.bincount(pair_index, weights=weight_of * arr[:, 3], minlength=len(pairs))
    totals /= w.sum()
    return rank_totals(pairs >> 32, pairs & ((1 << 32) - 1), totals, numbers,
                       normalise=normalise, trim=trim)  # fmt: skip


def rank_totals(
    p_entry,
    p_judge,
    totals,
    numbers: dict[int, int],
    *,
    normalise: bool = True,
    trim: bool = True,
) -> list[Ranked]:
    """Steps 2–4 from the judges' weighted totals (entry id, judge id, total arrays)."""
    p_entry = np.asarray(p_entry, dtype=np.int64)
    p_judge = np.asarray(p_judge, dtype=np.int64)
    totals = np.asarray(totals, dtype=float)
    if not len(totals):
        return []
    normed = totals.copy()
    if normalise and len(totals):
        mu, sigma = totals.mean(), totals.std()
        _judges, j_index = np.unique(p_judge, return_inverse=True)
        count = np.bincount(j_index)
        mean_j = np.bincount(j_index, weights=totals) / count
        var_j = np.bincount(j_index, weights=totals**2) / count - mean_j**2
        sd_j = np.sqrt(np.clip(var_j, 0, None))
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(sd_j[j_index] > 1e-12, (totals - mean_j[j_index]) / sd_j[j_index], 0.0)
        normed = mu + sigma * z
    # Per entry: sort by entry then value, drop the first and last of each group.
    order = np.lexsort((normed, p_entry))
    s_entry, s_val, s_judge = p_entry[order], normed[order], p_judge[order]
    s_raw = totals[order]
    starts = np.flatnonzero(np.r_[True, s_entry[1:] != s_entry[:-1]])
    ends = np.r_[starts[1:], len(s_entry)]
    out: dict[int, Ranked] = {}
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        entry = int(s_entry[a])
        n = b - a
        if trim and n >= 3:
            kept = s_val[a + 1 : b - 1]
            dropped = (int(s_judge[a]), int(s_judge[b - 1]))
        else:
            kept, dropped = s_val[a:b], ()
        out[entry] = Ranked(
            entry_id=entry, number=numbers[entry], result=round(float(kept.mean()), PLACES),
            raw_mean=round(float(s_raw[a:b].mean()), PLACES), judges=n, dropped=dropped,
            totals={int(s_judge[i]): (float(s_raw[i]), float(s_val[i])) for i in range(a, b)},
        )  # fmt: skip
    ranked = sorted(out.values(), key=lambda r: (-r.result, -r.raw_mean, r.number))
    for i, r in enumerate(ranked, 1):
        r.rank = i
    return ranked


def rank_measured(
    confirmations: Sequence[tuple[int, int, float]],
    numbers: dict[int, int],
    uploaded: dict[int, float],
    *,
    higher_better: bool = True,
) -> list[Ranked]:
    """(entry, judge, confirmed value) → the entries ranked by the median confirmation."""
    by_entry: dict[int, dict[int, float]] = {}
    for entry, judge, value in confirmations:
        by_entry.setdefault(entry, {})[judge] = float(value)
    ranked = []
    for e, v in by_entry.items():
        values = list(v.values())
        ranked.append(Ranked(
            entry_id=e, number=numbers[e], result=round(float(np.median(values)), PLACES),
            raw_mean=round(float(np.mean(values)), PLACES), judges=len(v),
            totals={j: (x, x) for j, x in v.items()},
        ))  # fmt: skip
    sign = -1 if higher_better else 1
    ranked.sort(key=lambda r: (sign * r.result, uploaded.get(r.entry_id, 0.0), r.number))
    for i, r in enumerate(ranked, 1):
        r.rank = i
    return ranked


def tier_sizes(n: int, tiers: Sequence[tuple[int | None, int | None]]) -> list[int]:
    """How many entries each tier takes of ``n`` ranked ones, tiers in order of merit.

    A tier with a quota takes that many; a tier with a share takes its share of ``n``,
    rounded half up on the running total (so the shares of consecutive tiers add up:
    cumulative ``round(n·Σshare/100)`` minus what the tiers before took). No tier takes
    more than is left.
    """
    sizes: list[int] = []
    taken = 0
    cum_share = 0
    for quota, share in tiers:
        if quota is not None:
            size = quota
        else:
            cum_share += share or 0
            size = int((n * cum_share * 2 + 100) // 200) - taken  # round half up
        size = max(0, min(size, n - taken))
        sizes.append(size)
        taken += size
    return sizes
