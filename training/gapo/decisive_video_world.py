"""The video-toy world of the decisive benchmark (``decisive_video``): demo clips, prompt sets and the true reward.

The demo renderer (``demo``) draws every clip; ``CLEAN`` draws a prompt with every artefact
absent, the reference the true reward measures against (``decisive_video``'s docstring says why).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demo import GENERATORS, GeneratorProfile, demo_prompts, render_clip, render_initial_image

from .demo_generator import DemoGeneratorConfig, TrainingClip
from .onpolicy import PromptItem
from .pixel_codec import PixelCodec
from .studio import StudioPrompt

CLEAN = GeneratorProfile("clean")  # every artefact severity 0: the renderer's intended clip
CLIP_SECONDS = 4.0  # the demo campaign's clips: 48 frames at 12 fps; T frames span the same 4 s here
# demo_prompts seeds of the three prompt sets: different scene seeds, so different initial images
TRAIN_SET, TEST_SET, VAL_SET = 0, 1, 2


def render(prompt, profile, seed: int, size: int, frames: int) -> np.ndarray:
    clip, _ = render_clip(prompt, profile, seed, width=size, height=size, num_frames=frames,
                          fps=frames / CLIP_SECONDS)
    return clip


def _studio_prompt(prompt, size: int) -> StudioPrompt:
    return StudioPrompt(prompt.key, prompt.text, render_initial_image(prompt, size, size))


def training_clips(g: DemoGeneratorConfig, prompts: int, videos_per_generator: int) -> list[TrainingClip]:
    """Demo clips of every simulated generator for the training prompts: what the base learns from."""
    clips = []
    for p in demo_prompts(prompts, TRAIN_SET):
        studio = _studio_prompt(p, g.size)
        for profile in GENERATORS:
            for video_seed in range(videos_per_generator):
                clips.append(TrainingClip(f"{p.key}/{profile.name}/{video_seed}/{CLIP_SECONDS}", studio,
                                          render(p, profile, video_seed, g.size, g.frames)))
    return clips


@dataclass
class PromptSet:
    items: list[PromptItem]
    clean: np.ndarray  # uint8 (P, T, H, W, 3): the clean rendering of every prompt
    base_l1: np.ndarray | None = None  # (P,) the base's mean L1 to the clean rendering (calibrate)
    l1_scale: float = 1.0  # the base's pooled within-prompt sd of L1

    def repeat(self, n: int) -> tuple[list[PromptItem], "PromptSet"]:
        """Each prompt ``n`` times in a row (prompt-major), with its reference rows repeated alike."""
        rows = PromptSet([i for i in self.items for _ in range(n)], np.repeat(self.clean, n, axis=0),
                         None if self.base_l1 is None else np.repeat(self.base_l1, n), self.l1_scale)
        return rows.items, rows

    def reward(self, videos: np.ndarray) -> np.ndarray:
        """True reward ``(N,)`` of one video per row of this set (see ``fidelity_reward``)."""
        return fidelity_reward(videos, self.clean, self.base_l1, self.l1_scale)


def prompt_set(g: DemoGeneratorConfig, which: int, count: int) -> PromptSet:
    """``count`` prompts of demo seed ``which`` at the generator's size, with their clean renderings."""
    codec = PixelCodec(g.size, g.frames, patch=g.patch)
    prompts = demo_prompts(count, which)
    items = [codec.item(_studio_prompt(p, g.size)) for p in prompts]
    return PromptSet(items, np.stack([render(p, CLEAN, 0, g.size, g.frames) for p in prompts]))


def clean_l1(videos: np.ndarray, clean: np.ndarray) -> np.ndarray:
    """``(N,)`` mean absolute difference of uint8 videos ``(N, T, H, W, 3)`` to their clean renderings over
    frames 1..T-1, in 0-1 pixel units."""
    diff = np.abs(videos[:, 1:].astype(np.float32) - clean[:, 1:].astype(np.float32)) / 255.0
    return diff.reshape(len(videos), -1).mean(1)


def fidelity_reward(videos: np.ndarray, clean: np.ndarray, base_l1: np.ndarray | None, scale: float) -> np.ndarray:
    """True reward ``(N,)`` in (0, 1): ``sigmoid((base_l1 - L1) / scale)`` (module docstring); ``base_l1=None``
    measures against 0 (uncalibrated)."""
    gain = (0.0 if base_l1 is None else base_l1) - clean_l1(videos, clean)
    return 1.0 / (1.0 + np.exp(-gain / scale))


def motion_magnitude(videos: np.ndarray) -> np.ndarray:
    """``(N,)`` mean absolute difference of consecutive frames (0-1 pixel units): 0 = standing still."""
    diff = np.abs(np.diff(videos.astype(np.float32), axis=1)) / 255.0
    return diff.reshape(len(videos), -1).mean(1)
