import dataclasses

import pytest

from demo import ACTIONS, DIMENSIONS, GENERATORS, DemoPrompt, GeneratorProfile, demo_prompts, look_for
from demo.catalog import generator_by_name


def test_dimensions_are_the_six_keys_in_order():
    assert DIMENSIONS == ("smoothness", "motion", "appeal", "text_video", "image_video", "character")


def test_there_are_at_least_six_actions_and_five_generators_with_unique_names():
    assert {"walking", "waving", "jumping", "speaking", "spinning", "crying"} <= set(ACTIONS)
    assert len(GENERATORS) == 5
    assert len({g.name for g in GENERATORS}) == 5


@pytest.mark.parametrize("value", [-0.1, 1.5, "0.3", None, True])
def test_profile_rejects_a_severity_outside_zero_one_and_names_the_field(value):
    with pytest.raises(ValueError, match=r"flicker=.* must be a number in \[0, 1\]"):
        GeneratorProfile("x", flicker=value)


@pytest.mark.parametrize("name", ["", "a__b", "a/b", "with space"])
def test_profile_rejects_names_that_cannot_be_part_of_a_file_name(name):
    with pytest.raises(ValueError, match="must match"):
        GeneratorProfile(name)


def test_profiles_are_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        GENERATORS[0].flicker = 1.0


def test_prompt_rejects_an_unknown_action_and_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown action 'dancing'; valid actions: walking"):
        DemoPrompt(key="k", text="t", action="dancing", scene_seed=1)


def test_demo_prompts_are_deterministic_and_cover_every_action():
    a, b = demo_prompts(12, seed=3), demo_prompts(12, seed=3)
    assert a == b
    assert {p.action for p in a} == set(ACTIONS)
    assert len({p.key for p in a}) == 12
    assert demo_prompts(12, seed=4) != a


def test_prompt_text_names_hair_outfit_action_and_place():
    for p in demo_prompts(8):
        look = look_for(p.scene_seed)
        assert look.hair_name in p.text and look.outfit_name in p.text
        assert ACTIONS[p.action] in p.text
        assert p.text.startswith("A ") and p.text.endswith(".")
        assert "__" not in p.key


def test_demo_prompts_rejects_bad_counts_and_seeds():
    with pytest.raises(ValueError, match="positive integer"):
        demo_prompts(0)
    with pytest.raises(ValueError, match="non-negative"):
        demo_prompts(2, seed=-1)


def test_generator_by_name_lists_the_valid_names_on_a_miss():
    assert generator_by_name("bolt").flicker > 0.5
    with pytest.raises(KeyError, match="aurora, bolt, cel, dusk, ember"):
        generator_by_name("zephyr")


def test_every_artefact_shows_in_at_least_two_generators_so_leave_one_out_tests_a_seen_defect():
    from demo.catalog import ARTEFACTS, SHARED_SEVERITY

    for artefact in ARTEFACTS:
        carriers = [g.name for g in GENERATORS if getattr(g, artefact) >= SHARED_SEVERITY]
        assert len(carriers) >= 2, (artefact, carriers)
        strengths = {getattr(g, artefact) for g in GENERATORS if g.name in carriers}
        assert len(strengths) >= 2, (artefact, "carriers should differ in strength")
