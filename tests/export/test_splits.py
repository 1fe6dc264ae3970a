"""Split assignment is pure: checked without a database."""
import pytest

from training.exports.splits import TEST, TRAIN, split_assign, split_for_key, unit_hash


def test_the_same_inputs_always_give_the_same_split():
    prompts = [(i, f"key-{i}", f"img-{i}") for i in range(200)]
    first = split_assign(prompts, salt="s", test_fraction=0.3)
    again = split_assign(list(reversed(prompts)), salt="s", test_fraction=0.3)
    assert first == again


def test_prompts_sharing_an_initial_image_land_on_one_side_even_with_different_split_keys():
    # 50 images, 3 prompts each, every prompt with its own split key.
    prompts = [(img * 3 + k, f"key-{img}-{k}", f"img-{img}") for img in range(50) for k in range(3)]
    split = split_assign(prompts, salt="s", test_fraction=0.5)
    for img in range(50):
        assert len({split[img * 3 + k] for k in range(3)}) == 1
    assert set(split.values()) == {TRAIN, TEST}


def test_prompts_sharing_a_split_key_or_a_pair_land_on_one_side():
    prompts = [(1, "shared", "img-1"), (2, "shared", "img-2"), (3, "k3", "img-3"), (4, "k4", "img-4")]
    for salt in ("a", "b", "c", "d", "e", "f"):
        split = split_assign(prompts, salt=salt, test_fraction=0.5, links=[(3, 4)])
        assert split[1] == split[2]
        assert split[3] == split[4]


def test_a_group_is_decided_by_its_smallest_split_key():
    prompts = [(1, "zz", "img"), (2, "aa", "img")]
    expected = split_for_key("aa", salt="s", test_fraction=0.5)
    assert split_assign(prompts, salt="s", test_fraction=0.5) == {1: expected, 2: expected}


def test_the_test_share_is_close_to_the_fraction_and_the_salt_reshuffles():
    prompts = [(i, f"key-{i}", f"img-{i}") for i in range(4000)]
    a = split_assign(prompts, salt="one", test_fraction=0.2)
    b = split_assign(prompts, salt="two", test_fraction=0.2)
    assert abs(sum(v == TEST for v in a.values()) / 4000 - 0.2) < 0.03
    assert a != b


def test_fraction_zero_puts_everything_in_train_and_bad_fractions_are_refused():
    assert set(split_assign([(1, "k", "i")], salt="s", test_fraction=0.0).values()) == {TRAIN}
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        split_for_key("k", salt="s", test_fraction=1.0)


def test_unit_hash_matches_the_documented_formula():
    import hashlib

    digest = hashlib.sha256(b"salt\0key").digest()
    assert unit_hash("salt", "key") == int.from_bytes(digest[:8], "big") / 2**64


def test_prompts_without_a_split_key_are_not_lumped_together():
    prompts = [(i, "", f"img-{i}") for i in range(100)]
    assert set(split_assign(prompts, salt="s", test_fraction=0.5).values()) == {TRAIN, TEST}


def _salt_with_no_test_group(prompts, fraction):
    for n in range(1000):
        salt = f"salt-{n}"
        if all(split_for_key(key, salt=salt, test_fraction=fraction) == TRAIN for _, key, _ in prompts):
            return salt
    raise AssertionError("no such salt")


def test_few_prompts_still_hold_one_group_out_even_when_the_hash_sends_none_to_test():
    prompts = [(i, f"demo-{i}", f"img-{i}") for i in range(8)]
    salt = _salt_with_no_test_group(prompts, 0.25)
    split = split_assign(prompts, salt=salt, test_fraction=0.25)
    held = [p for p, s in split.items() if s == TEST]
    assert len(held) == 1
    # the one moved is the group nearest the threshold: deterministic, not random
    assert held == [min(prompts, key=lambda p: unit_hash(salt, p[1]))[0]]
    assert split == split_assign(list(reversed(prompts)), salt=salt, test_fraction=0.25)


def test_every_dimension_gets_a_held_out_group_while_train_keeps_it_too():
    prompts = [(i, f"k-{i}", f"img-{i}") for i in range(6)]
    dims = {0: {"motion"}, 1: {"motion"}, 2: {"motion", "appeal"}, 3: {"motion", "appeal"}, 4: {"motion"}, 5: {"motion"}}
    salt = _salt_with_no_test_group(prompts, 0.2)
    split = split_assign(prompts, salt=salt, test_fraction=0.2, dimensions_of=dims)
    for dim in ("motion", "appeal"):
        sides = {split[p] for p, d in dims.items() if dim in d}
        assert sides == {TRAIN, TEST}, dim


def test_a_single_group_cannot_be_split():
    from training.exports.splits import split_group_count

    prompts = [(1, "shared", "a"), (2, "shared", "b")]
    assert split_group_count(prompts) == 1
    assert len(set(split_assign(prompts, salt="s", test_fraction=0.5).values())) == 1  # indivisible
    assert split_group_count([(1, "a", "x"), (2, "b", "y"), (3, "c", "x")]) == 2
