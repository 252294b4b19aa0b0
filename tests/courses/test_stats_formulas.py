"""The statistics formulas on a hand-computed dataset (no database).

Four finished attempts of a three-item quiz; every item scores 0 or 1:

    attempt   item 1  item 2  item 3   total T
    A1          0       0       0        0
    A2          1       0       1        2
    A3          1       1       0        2
    A4          1       1       0        2

Rest of test r = T - x:  item 1: [0, 1, 1, 1]   item 2: [0, 2, 1, 1]   item 3: [0, 1, 2, 2]
"""

import math

import pytest

from courses.running_sums import ScoredItem, attempt_item_sums
from courses.stats import (
    ItemSums,
    cronbach_alpha,
    discrimination_flag,
    discrimination_index,
    facility_index,
    tally_choices,
)

# Sums written out by hand from the table above (x = item score, r = rest of test).
ITEM_1 = ItemSums(n=4, sum_x=3, sum_x2=3, sum_r=3, sum_r2=3, sum_xr=3)  # xr = 0+1+1+1
ITEM_2 = ItemSums(n=4, sum_x=2, sum_x2=2, sum_r=4, sum_r2=6, sum_xr=2)  # r2 = 0+4+1+1; xr = 0+0+1+1
ITEM_3 = ItemSums(n=4, sum_x=1, sum_x2=1, sum_r=5, sum_r2=9, sum_xr=1)  # r2 = 0+1+4+4; xr = 0+1+0+0


def test_facility_is_the_mean_score_over_the_maximum():
    assert facility_index(ITEM_1) == pytest.approx(0.75)  # 3 right of 4
    assert facility_index(ITEM_2) == pytest.approx(0.50)
    assert facility_index(ITEM_3) == pytest.approx(0.25)
    assert facility_index(ItemSums(n=2, sum_x=1, sum_x2=1, sum_r=0, sum_r2=0, sum_xr=0, max_score=2)) == 0.25


def test_item_identical_to_the_rest_of_the_test_discriminates_perfectly():
    # x = r = [0, 1, 1, 1]: r(x, r) = 1.
    assert discrimination_index(ITEM_1) == pytest.approx(1.0)


def test_item_uncorrelated_with_the_rest_is_zero_and_flagged_very_low():
    # x = [0,0,1,1] (mean .5), r = [0,2,1,1] (mean 1): deviations [-.5,-.5,.5,.5] and [-1,1,0,0];
    # sum of products = .5 - .5 + 0 + 0 = 0, so r = 0.
    assert discrimination_index(ITEM_2) == pytest.approx(0.0, abs=1e-12)
    assert discrimination_flag(discrimination_index(ITEM_2)) == "very low"


def test_item_favouring_weaker_students_has_negative_discrimination():
    # x = [0,1,0,0] (mean .25), r = [0,1,2,2] (mean 1.25)
    # deviations x: [-.25, .75, -.25, -.25]; r: [-1.25, -.25, .75, .75]
    # sum of products = .3125 - .1875 - .1875 - .1875 = -.25
    # sum dx^2 = .0625 + .5625 + .0625 + .0625 = .75;  sum dr^2 = 1.5625 + .0625 + .5625 + .5625 = 2.75
    # r = -.25 / sqrt(.75 * 2.75) = -.25 / sqrt(2.0625) = -0.174078
    assert discrimination_index(ITEM_3) == pytest.approx(-0.25 / math.sqrt(2.0625))
    assert discrimination_index(ITEM_3) == pytest.approx(-0.174078, abs=1e-6)
    assert discrimination_flag(discrimination_index(ITEM_3)) == "negative"


def test_cronbach_alpha_of_the_small_quiz():
    # Item variances (population): p(1-p) = .75*.25 = .1875, .5*.5 = .25, .25*.75 = .1875; sum .625
    # Totals T = [0, 2, 2, 2]: mean 1.5, variance (2.25 + 3 * .25) / 4 = .75
    # alpha = 3/2 * (1 - .625 / .75) = 1.5 * (1/6) = .25
    assert cronbach_alpha([ITEM_1, ITEM_2, ITEM_3], attempts=4) == pytest.approx(0.25)


def test_alpha_with_random_draws_uses_the_average_number_of_items_per_attempt():
    # Two items, four attempts; item a is in all four, item b only in the first two:
    #   A1: a=1, b=1 (T=2)   A2: a=0, b=0 (T=0)   A3: a=1 (T=1)   A4: a=0 (T=0)
    # k = (4 + 2) / 4 = 1.5.  var(a) = .25 (weight 4/4), var(b) = .25 (weight 2/4): weighted sum .375
    # T = [2, 0, 1, 0]: mean .75, mean of squares 5/4, variance 1.25 - .5625 = .6875
    # alpha = 1.5/.5 * (1 - .375/.6875) = 3 * (1 - 6/11) = 15/11
    item_a = ItemSums(n=4, sum_x=2, sum_x2=2, sum_r=1, sum_r2=1, sum_xr=1)  # r = [1, 0, 0, 0]
    item_b = ItemSums(n=2, sum_x=1, sum_x2=1, sum_r=1, sum_r2=1, sum_xr=1)  # r = [1, 0]
    assert cronbach_alpha([item_a, item_b], attempts=4) == pytest.approx(15 / 11)


def test_undefined_statistics_are_none_not_a_crash():
    constant = ItemSums(n=3, sum_x=3, sum_x2=3, sum_r=3, sum_r2=3, sum_xr=3)  # everyone right
    assert discrimination_index(constant) is None
    assert discrimination_flag(None) == ""
    assert facility_index(ItemSums(0, 0, 0, 0, 0, 0)) is None
    assert cronbach_alpha([constant], attempts=3) is None  # one item per attempt: k - 1 = 0
    assert cronbach_alpha([], attempts=0) is None


def test_option_tally_counts_each_kind_of_response():
    single = tally_choices("single", ["c-a", "c-b"], [("c-a", 3), ("c-b", 1), ("c-gone", 2), (None, 5)])
    assert single == {"c-a": 3, "c-b": 1, "other": 2}
    multiple = tally_choices("multiple", ["c-a", "c-b", "c-c"], [(["c-a", "c-b"], 2), (["c-a", "c-a"], 1)])
    assert multiple == {"c-a": 3, "c-b": 2, "c-c": 0}
    truefalse = tally_choices("truefalse", ["true", "false"], [(True, 2), ("false", 3), (False, 1)])
    assert truefalse == {"true": 2, "false": 4}


def test_a_description_adds_nothing_to_the_item_statistics_sums():
    rows = [
        ScoredItem(1, "shortanswer", 1.0, "RMSProp", answered=True),
        ScoredItem(2, "matching", 0.5, {}, answered=True),
        ScoredItem(3, "description", 0.0),
    ]

    sums = attempt_item_sums(rows)

    assert set(sums) == {1, 2}  # the description is neither an item nor part of the rest of the test
    assert sums[1].sum_r == 0.5 and sums[2].sum_r == 1.0
