"""Hashed prompt words: the same vector on every machine, close for prompts sharing words, never NaN."""

import numpy as np

from training.text_words import bag_of_words, prompt_words


def test_words_are_lower_case_alphanumeric_runs():
    assert prompt_words("A girl, WAVING!  in 3D") == ["a", "girl", "waving", "in", "3d"]


def test_vectors_are_deterministic_unit_length_and_share_words():
    a, again = bag_of_words("A girl waves in a park"), bag_of_words("a girl waves in a park")
    assert np.array_equal(a, again) and abs(np.linalg.norm(a) - 1) < 1e-5
    similar, different = bag_of_words("A girl jumps in a park"), bag_of_words("Neon robots race underwater")
    assert float(a @ similar) > float(a @ different) + 0.3


def test_a_prompt_without_words_gives_zeros_not_nan():
    assert not bag_of_words("!!! ...").any() and bag_of_words("", dim=8).shape == (8,)
