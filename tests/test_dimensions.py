"""dimensions.py is the one definition of the six dimensions: every place that lists them equals it."""
import re
from pathlib import Path

import pytest

import dimensions
from annotation.models import Dimension, DimensionGroup
from demo import catalog
from training.gapo import rewards as gapo_rewards
from training.reward import config as reward_config

ROOT = Path(__file__).resolve().parents[1]
FRONTEND_DIMENSIONS = ROOT / "frontend" / "src" / "lib" / "messages" / "dimensions.ts"
# export const DIMENSION_KEYS = ["smoothness", ...] as const;
_TS_KEYS = re.compile(r"export const DIMENSION_KEYS\s*=\s*\[(?P<body>[^\]]*)\]\s*as const")
_TS_STRING = re.compile(r"""^\s*(["'])(?P<key>[a-z_]+)\1\s*$""")


def frontend_keys() -> tuple[str, ...]:
    match = _TS_KEYS.search(FRONTEND_DIMENSIONS.read_text())
    assert match, f"no `export const DIMENSION_KEYS = [...] as const` in {FRONTEND_DIMENSIONS}"
    items = [item for item in match["body"].split(",") if item.strip()]
    keys = []
    for item in items:
        string = _TS_STRING.match(item)
        assert string, f"DIMENSION_KEYS holds {item.strip()!r}; expected only quoted keys"
        keys.append(string["key"])
    return tuple(keys)


def test_there_are_six_unique_keys_three_per_group_appearance_first():
    assert dimensions.KEYS == ("smoothness", "motion", "appeal", "text_video", "image_video", "character")
    assert dimensions.keys_in("appearance") == ("smoothness", "motion", "appeal")
    assert dimensions.keys_in("consistency") == ("text_video", "image_video", "character")
    assert [g.name for g in dimensions.GROUPS] == ["Visual appearance", "Visual consistency"]
    assert set(dimensions.BY_KEY) == set(dimensions.KEYS)
    for d in dimensions.DIMENSIONS:
        assert d.name and d.definition and d.guideline, d.key
        assert len(d.definition) <= Dimension._meta.get_field("definition").max_length, d.key


def test_keys_in_names_the_valid_groups_for_an_unknown_one():
    with pytest.raises(ValueError, match="valid: appearance, consistency"):
        dimensions.keys_in("visual")


@pytest.mark.parametrize("derived", [reward_config.DIMENSIONS, gapo_rewards.DIMENSIONS, catalog.DIMENSIONS],
                         ids=["training.reward.config", "training.gapo.rewards", "demo catalogue"])
def test_python_lists_of_the_keys_are_the_module_s(derived):
    assert derived == dimensions.KEYS


def test_the_model_s_group_choices_are_the_module_s():
    assert DimensionGroup.choices == [(g.key, g.name) for g in dimensions.GROUPS]


def test_the_front_end_lists_the_same_keys_in_the_same_order():
    assert frontend_keys() == dimensions.KEYS


def test_docs_method_tables_the_six_with_their_groups_and_names_in_order():
    # | appearance | `smoothness` | Visual smoothness | ... |
    rows = re.findall(r"^\| (\w+) \| `(\w+)` \| ([^|]+?) \|", (ROOT / "docs" / "method.md").read_text(), flags=re.M)
    assert rows == [(d.group, d.key, d.name) for d in dimensions.DIMENSIONS]


@pytest.mark.django_db
def test_the_migrations_seed_the_module_s_rows():
    # Migration 0002 holds a frozen copy; a text changed in dimensions.py needs a data migration too.
    rows = list(Dimension.objects.order_by("order").values("key", "group", "name", "definition", "guideline",
                                                            "order"))
    assert rows == [{"key": d.key, "group": d.group, "name": d.name, "definition": d.definition,
                     "guideline": d.guideline, "order": i} for i, d in enumerate(dimensions.DIMENSIONS, start=1)]
