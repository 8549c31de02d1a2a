"""The published method on hand-worked numbers (no database)."""

import math

import pytest

from gonghui.contests.domain.ranking import judge_totals, rank_judged, rank_measured, tier_sizes

ONE = {1: 100}


def _scores(table):
    """{entry: [judge totals]} with one criterion → score rows (judge ids 1..n)."""
    return [
        (e, j, 1, v)
        for e, values in table.items()
        for j, v in enumerate(values, 1)
        if v is not None
    ]


def test_trimmed_mean_drops_the_highest_and_the_lowest():
    rows = _scores({10: [90, 85, 80, 95, 70], 11: [88, 88, 88, 60, 99]})
    ranked = rank_judged(rows, ONE, {10: 1, 11: 2}, normalise=False)
    assert [(r.entry_id, r.result, r.rank) for r in ranked] == [(11, 88.0, 1), (10, 85.0, 2)]
    # The dropped marks are named for the trace: entry 10 lost judge 5 (70) and judge 4 (95).
    assert ranked[1].dropped == (5, 4)


def test_weighted_judge_total():
    weights = {1: 30, 2: 30, 3: 25, 4: 15}  # 编排 技术 表现力 主题
    rows = [(7, 1, 1, 80), (7, 1, 2, 90), (7, 1, 3, 70), (7, 1, 4, 100)]
    assert judge_totals(rows, weights) == {(7, 1): pytest.approx(83.5)}  # 24+27+17.5+15


def test_severity_normalisation_by_z_score():
    # Judge 1 is harsh (60/70/80), judge 2 lenient (80/90) and in conflict with entry 3.
    rows = _scores({1: [60, 80], 2: [70, 90], 3: [80, None]})
    numbers = {1: 1, 2: 2, 3: 3}
    plain = rank_judged(rows, ONE, numbers, normalise=False)
    # Without normalisation 2 and 3 tie at 80 and the earlier registration wins.
    assert [(r.entry_id, r.result) for r in plain] == [(2, 80.0), (3, 80.0), (1, 70.0)]
    ranked = rank_judged(rows, ONE, numbers, normalise=True)
    # μ = 76, σ = √104; judge 1: mean 70, sd √(200/3); judge 2: mean 85, sd 5.
    mu, sigma = 76, math.sqrt(104)
    z1 = [(t - 70) / math.sqrt(200 / 3) for t in (60, 70, 80)]
    z2 = [(t - 85) / 5 for t in (80, 90)]
    expect = {
        1: round(((mu + sigma * z1[0]) + (mu + sigma * z2[0])) / 2, 3),
        2: round(((mu + sigma * z1[1]) + (mu + sigma * z2[1])) / 2, 3),
        3: round(mu + sigma * z1[2], 3),
    }
    assert expect == {1: 64.656, 2: 81.099, 3: 88.49}
    assert [(r.entry_id, r.result) for r in ranked] == [(3, 88.49), (2, 81.099), (1, 64.656)]


def test_ties_go_to_the_higher_plain_mean_then_the_earlier_entry():
    rows = _scores({1: [79, 80, 80, 80, 81], 2: [70, 80, 80, 80, 100], 3: [79, 80, 80, 80, 81]})
    ranked = rank_judged(rows, ONE, {1: 5, 2: 9, 3: 4}, normalise=False)
    # All trim to 80; entry 2's plain mean is 82; entries 3 and 1 tie again → number 4 first.
    assert [r.entry_id for r in ranked] == [2, 3, 1]
    assert [r.raw_mean for r in ranked] == [82.0, 80.0, 80.0]


def test_fewer_than_three_judges_are_not_trimmed():
    ranked = rank_judged(_scores({1: [90, 60]}), ONE, {1: 1}, normalise=False)
    assert ranked[0].result == 75.0 and ranked[0].dropped == ()


def test_measured_median_of_confirmations_and_direction():
    conf = [(1, 1, 30), (1, 2, 31), (1, 3, 31), (2, 1, 31), (2, 2, 31), (2, 3, 32), (3, 1, 40),
            (3, 2, 28), (3, 3, 29)]  # fmt: skip
    uploaded = {1: 100.0, 2: 200.0, 3: 50.0}
    up = rank_measured(conf, {1: 1, 2: 2, 3: 3}, uploaded, higher_better=True)
    # Medians 31, 31, 29: entries 1 and 2 tie, entry 1 uploaded first.
    assert [(r.entry_id, r.result) for r in up] == [(1, 31.0), (2, 31.0), (3, 29.0)]
    down = rank_measured(conf, {1: 1, 2: 2, 3: 3}, uploaded, higher_better=False)
    assert [r.entry_id for r in down] == [3, 1, 2]


def test_the_dance_contest_tiers_by_quota_and_by_share():
    assert tier_sizes(18, [(2, None), (4, None), (6, None), (6, None)]) == [2, 4, 6, 6]
    # Shares on the running total: 18×11% = 1.98 → 2; 18×33% = 5.94 → 6; 18×67% = 12.06 → 12.
    assert tier_sizes(18, [(None, 11), (None, 22), (None, 34), (None, 33)]) == [2, 4, 6, 6]
    assert tier_sizes(7, [(None, 10), (None, 20), (None, 30)]) == [1, 1, 2]
    # Never more than there are entries.
    assert tier_sizes(5, [(2, None), (4, None), (6, None)]) == [2, 3, 0]
