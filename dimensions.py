"""The six dimensions annotators judge and AnimeReward scores: the one definition (docs/method.md).

Pure Python, no Django and no third-party imports, so the database seed, the demo catalogue and the
reward and GAPO packages can all read it. Derived from here: ``annotation.models.DimensionGroup``, the
demo catalogue's ``DIMENSIONS``, ``training.reward.config.DIMENSIONS`` and ``training.gapo.rewards.DIMENSIONS``.
Checked against it by ``tests/test_dimensions.py``: those, the rows migration ``annotation/0002`` seeds (a
frozen copy, as a migration must keep) and the front end's ``DIMENSION_KEYS``
(``frontend/src/lib/messages/dimensions.ts``, which also carries the zh-Hans/ja names).

Changing a text here changes no existing database: the rows are editable in the admin and were seeded
once; ship a data migration with the change if existing databases should follow.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Group:
    """One of the two families the six dimensions fall into."""

    key: str
    name: str


@dataclass(frozen=True)
class Dimension:
    """One judged quality: stable key, its group, the English name, the one-line definition shown next to
    the answer row and the longer guideline (the labelling page's guidelines drawer)."""

    key: str
    group: str
    name: str
    definition: str
    guideline: str


APPEARANCE = Group("appearance", "Visual appearance")
CONSISTENCY = Group("consistency", "Visual consistency")
GROUPS = (APPEARANCE, CONSISTENCY)

DIMENSIONS = (
    Dimension(
        key="smoothness", group=APPEARANCE.key, name="Visual smoothness",
        definition="No flicker, jitter, warping, melting limbs or frame-to-frame distortion.",
        guideline=(
            "Watch both clips at normal speed, then frame by frame where something looks off.\n"
            "Worse: brightness pulsing between frames (flicker); the picture or a character shaking in place "
            "(jitter); shapes bending, limbs melting or lines wobbling (warping).\n"
            "Better: motion is continuous and every frame looks like the one before it, just moved.\n"
            "Do not judge how much things move here; that is Visual motion."
        ),
    ),
    Dimension(
        key="motion", group=APPEARANCE.key, name="Visual motion",
        definition="The main subject really moves, with a natural, readable amount of motion.",
        guideline=(
            "Better: the character clearly performs a movement that is easy to follow.\n"
            "Worse: a frozen or nearly still clip (a slideshow of one picture), or chaotic motion you cannot read.\n"
            "Camera shake alone is not motion of the subject."
        ),
    ),
    Dimension(
        key="appeal", group=APPEARANCE.key, name="Visual appeal",
        definition="Clarity, resolution, brightness, colour and line art: how good a frame looks.",
        guideline=(
            "Pause on a few frames. Better: crisp outlines, clean flat colours, good exposure.\n"
            "Worse: blur, noise or grain, muddy or washed-out colours, broken line art."
        ),
    ),
    Dimension(
        key="text_video", group=CONSISTENCY.key, name="Text-video consistency",
        definition="The video shows what the prompt says: action, subject and setting.",
        guideline=(
            "Read the prompt first. Better: the character does the action named in the prompt, in the described "
            "setting. Worse: a different action (waving instead of jumping), or no action at all."
        ),
    ),
    Dimension(
        key="image_video", group=CONSISTENCY.key, name="Image-video consistency",
        definition="The video stays faithful to the initial image: style, layout and colours.",
        guideline=(
            "Compare each clip with the initial image shown above the players. Worse: colours drift away over "
            "time, the layout or art style changes, the background is replaced."
        ),
    ),
    Dimension(
        key="character", group=CONSISTENCY.key, name="Character consistency",
        definition="Each character keeps the same identity: face, hair, outfit and proportions.",
        guideline=(
            "Follow each character through the clip. Worse: hair or outfit colours change, the face or body "
            "proportions change, one character turns into another."
        ),
    ),
)

# The keys in canonical order: appearance first, then consistency. Tables, datasets and checkpoints list
# dimensions in this order.
KEYS: tuple[str, ...] = tuple(d.key for d in DIMENSIONS)
BY_KEY: dict[str, Dimension] = {d.key: d for d in DIMENSIONS}


def keys_in(group: str) -> tuple[str, ...]:
    """The keys of one group (``"appearance"`` or ``"consistency"``), in canonical order."""
    if group not in {g.key for g in GROUPS}:
        raise ValueError(f"unknown dimension group {group!r}; valid: {', '.join(g.key for g in GROUPS)}")
    return tuple(d.key for d in DIMENSIONS if d.group == group)
