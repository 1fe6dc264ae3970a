"""What the demo world contains: actions, simulated generators and prompts, judged on the six dimensions.

Everything here is plain data so that load tests, training smoke tests and the CLI share one
definition of "what a generator gets wrong" and can check the reward model against it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, fields

import numpy as np

from dimensions import KEYS as DIMENSIONS  # the six keys in canonical order (dimensions.py)

# label -> verb phrase used in prompt text. The renderer in render.py gives each label its own
# pose trajectory (see _ACTION_POSES there); keep the two in step when adding one.
ACTIONS = {
    "walking": "walks",
    "waving": "waves",
    "jumping": "jumps",
    "speaking": "speaks",
    "spinning": "spins around",
    "crying": "cries",
}

ARTEFACTS = (
    "flicker",
    "jitter",
    "warp",
    "frozen",
    "blur_noise",
    "colour_drift",
    "identity_change",
    "wrong_action",
    "stutter",
    "char_flicker",
)

ERR_SEVERITY = "{name}: severity {field}={value!r} must be a number in [0, 1]"
ERR_GENERATOR_NAME = (
    "generator name {name!r} must match [A-Za-z0-9][A-Za-z0-9-]* (it becomes part of a file name "
    "joined with '__')"
)
ERR_ACTION = "unknown action {action!r}; valid actions: {valid}"

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")


@dataclass(frozen=True)
class GeneratorProfile:
    """Mean artefact severities of one simulated I2V generator, each in [0, 1] (0 = absent)."""

    name: str
    flicker: float = 0.0
    jitter: float = 0.0
    warp: float = 0.0
    frozen: float = 0.0
    blur_noise: float = 0.0
    colour_drift: float = 0.0
    identity_change: float = 0.0
    wrong_action: float = 0.0
    # The character's animation holds its pose for irregular runs of frames (on-2s/3s judder) while the
    # frame around it keeps changing: implausible motion that is neither absent nor a global artefact.
    stutter: float = 0.0
    # Only the character's brightness pulses from frame to frame (the background stays put): a local
    # artefact that a frame-wide brightness measure barely sees.
    char_flicker: float = 0.0

    def __post_init__(self):
        if not isinstance(self.name, str) or not _SAFE_NAME.match(self.name):
            raise ValueError(ERR_GENERATOR_NAME.format(name=self.name))
        for f in fields(self):
            if f.name == "name":
                continue
            value = getattr(self, f.name)
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            if not ok or not 0.0 <= float(value) <= 1.0:
                raise ValueError(ERR_SEVERITY.format(name=self.name, field=f.name, value=value))

    def severities(self) -> dict[str, float]:
        return {a: float(getattr(self, a)) for a in ARTEFACTS}


# Each generator is worst on a different dimension so that a reward model which merely learns
# "good generator vs bad generator" cannot score well on every dimension. Every artefact also shows in at
# least two generators (SHARED_SEVERITY and above), at different strengths: a leave-one-generator-out evaluation then
# asks whether a model ranks a new generator's defects it has seen elsewhere, not a defect type it never saw.
SHARED_SEVERITY = 0.3
GENERATORS = (
    # Mildly soft, slow-moving, and the character shimmers: best almost everywhere, mid-table on appeal and motion.
    GeneratorProfile("aurora", flicker=0.02, jitter=0.05, warp=0.05, frozen=0.35, blur_noise=0.35,
                     colour_drift=0.05, identity_change=0.0, wrong_action=0.05, char_flicker=0.3),
    # Sharp but unstable, and loose with colours and the action: worst smoothness.
    GeneratorProfile("bolt", flicker=0.8, jitter=0.7, warp=0.3, frozen=0.0, blur_noise=0.1,
                     colour_drift=0.35, identity_change=0.05, wrong_action=0.35, stutter=0.15),
    # Pretty stills that barely move and drift in colour: worst motion and image-video.
    GeneratorProfile("cel", flicker=0.05, jitter=0.05, warp=0.05, frozen=0.85, blur_noise=0.1,
                     colour_drift=0.7, identity_change=0.05, wrong_action=0.1),
    # Forgets who and what, and animates in shaky, shimmering hitches: worst character and text-video.
    GeneratorProfile("dusk", flicker=0.1, jitter=0.3, warp=0.1, frozen=0.1, blur_noise=0.15,
                     colour_drift=0.15, identity_change=0.8, wrong_action=0.8, stutter=0.6, char_flicker=0.4),
    # Mushy, melting, flickering, and the character slips: worst appeal.
    GeneratorProfile("ember", flicker=0.4, jitter=0.15, warp=0.7, frozen=0.1, blur_noise=0.8,
                     colour_drift=0.15, identity_change=0.35, wrong_action=0.15, stutter=0.3),
)


def generator_by_name(name: str) -> GeneratorProfile:
    for g in GENERATORS:
        if g.name == name:
            return g
    raise KeyError(f"unknown generator {name!r}; valid: {', '.join(g.name for g in GENERATORS)}")


@dataclass(frozen=True)
class DemoPrompt:
    key: str
    text: str
    action: str
    scene_seed: int

    def __post_init__(self):
        if self.action not in ACTIONS:
            raise ValueError(ERR_ACTION.format(action=self.action, valid=", ".join(ACTIONS)))


HAIR_COLOURS = (
    ("pink", (245, 140, 185)),
    ("silver", (200, 205, 218)),
    ("black", (45, 40, 58)),
    ("blonde", (245, 212, 115)),
    ("blue", (80, 135, 230)),
    ("red", (205, 55, 55)),
    ("green", (95, 185, 125)),
    ("purple", (150, 95, 205)),
)
HAIR_STYLES = ("short", "long", "twin-tailed")
OUTFITS = (
    ("blue school uniform", (55, 85, 170)),
    ("red hoodie", (200, 50, 60)),
    ("white sailor uniform", (236, 236, 242)),
    ("green jacket", (65, 140, 90)),
    ("yellow raincoat", (240, 200, 55)),
    ("black kimono", (38, 38, 50)),
    ("purple dress", (140, 75, 170)),
    ("orange tracksuit", (240, 135, 45)),
)
# background key -> how the prompt text places the character there
BACKGROUNDS = {
    "sunset_city": "in front of a sunset city",
    "sakura_park": "in a cherry blossom park",
    "night_sky": "under a starry night sky",
    "beach": "on a sunny beach",
    "classroom": "in a classroom",
    "meadow": "in a mountain meadow",
}


@dataclass(frozen=True)
class CharacterLook:
    """The character and scene a prompt describes; derived from scene_seed alone, so the text
    and the pixels can never disagree."""

    who: str
    hair_name: str
    hair_rgb: tuple[int, int, int]
    hair_style: str
    outfit_name: str
    outfit_rgb: tuple[int, int, int]
    background: str


def look_for(scene_seed: int) -> CharacterLook:
    rng = np.random.default_rng([int(scene_seed), 0x100C])
    hair = HAIR_COLOURS[int(rng.integers(len(HAIR_COLOURS)))]
    outfit = OUTFITS[int(rng.integers(len(OUTFITS)))]
    return CharacterLook(
        who=("girl", "boy")[int(rng.integers(2))],
        hair_name=hair[0],
        hair_rgb=hair[1],
        hair_style=HAIR_STYLES[int(rng.integers(len(HAIR_STYLES)))],
        outfit_name=outfit[0],
        outfit_rgb=outfit[1],
        background=list(BACKGROUNDS)[int(rng.integers(len(BACKGROUNDS)))],
    )


def prompt_text(look: CharacterLook, action: str) -> str:
    article = "an" if look.outfit_name[0] in "aeiou" else "a"
    return (
        f"A {look.who} with {look.hair_style} {look.hair_name} hair in {article} {look.outfit_name} "
        f"{ACTIONS[action]} {BACKGROUNDS[look.background]}."
    )


def demo_prompts(n: int, seed: int = 0) -> list[DemoPrompt]:
    """n deterministic prompts; actions cycle through a seeded order so every action appears
    once n >= len(ACTIONS)."""
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    rng = np.random.default_rng([int(seed), 0xD3E0])
    order = [list(ACTIONS)[i] for i in rng.permutation(len(ACTIONS))]
    prompts = []
    for i in range(n):
        action = order[i % len(order)]
        scene_seed = int(rng.integers(0, 2**31 - 1))
        prompts.append(DemoPrompt(
            key=f"s{seed}-p{i:03d}-{action}",
            text=prompt_text(look_for(scene_seed), action),
            action=action,
            scene_seed=scene_seed,
        ))
    return prompts
