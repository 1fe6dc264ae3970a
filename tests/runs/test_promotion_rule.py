"""The promotion rule, database-free."""
import math

from training.runs.promotion import promotion_decision


def test_the_first_model_is_promoted():
    assert promotion_decision(0.7, None, 0.01)[0] is True


def test_a_drop_within_epsilon_is_promoted_and_beyond_it_is_not():
    assert promotion_decision(0.795, 0.80, 0.01)[0] is True
    promote, note = promotion_decision(0.78, 0.80, 0.01)
    assert promote is False and "0.020 below" in note


def test_an_improvement_is_promoted():
    assert promotion_decision(0.9, 0.8, 0.0)[0] is True


def test_an_unmeasurable_candidate_is_never_promoted():
    assert promotion_decision(None, 0.8, 0.5)[0] is False
    assert promotion_decision(math.nan, None, 0.5)[0] is False


def test_an_unmeasurable_promoted_model_does_not_block_a_measured_one():
    assert promotion_decision(0.6, math.nan, 0.01)[0] is True
