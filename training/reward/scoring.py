"""``AnimeReward``: the one scoring interface.

    reward = AnimeReward.from_checkpoint("runs/reward/step-300")      # or AnimeReward(RewardConfig(...))
    reward.score(["a.mp4", frames_uint8], ["prompt a", "prompt b"], ["a.png", img])
    # -> [{"smoothness": 0.81, ..., "character": 0.66, "overall": 0.74}, ...]

A score is ``sigmoid((logit - c) / T)`` with the per-dimension calibration of ``calibration.py`` (identity when the
checkpoint has none); ``motion``, ``text_video`` and ``overall`` are then multiplied by the motion-presence gate
(``motion_presence``, config.motion_gate), so a frozen or near-static video cannot win on them (a clip that does
not move cannot show the action its prompt names either).

With per-frame heads (config.frame_dimensions, issue #22) ``score_curve`` gives each temporal dimension's score over
the sampled frames:

    reward.score_curve(["a.mp4"], ["a girl waves"], ["a.png"])
    # -> [{"positions": [0.0, 0.043, ..., 1.0], "curves": {"smoothness": [0.81, ...], ...}}]

``positions`` are the sampled frames' relative positions in the clip (k / (num_frames - 1)); on a grid of F frames
(the rendition's) they are frames ``media_io.uniform_indices(F, num_frames)``. A point is
``sigmoid(calibrated(video logit + s_t - mean_t s_t))`` (frame_head.py), gated like the video score for motion.
"""

from __future__ import annotations

from contextlib import nullcontext

import torch

from media_io import FrameCache

from .calibration import Calibration
from .checkpoint import read_checkpoint, save_checkpoint
from .config import RewardConfig
from .inputs import collate, prepare_video
from .models import AnimeRewardModel


def resolve_device(config: RewardConfig) -> torch.device:
    if config.device == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("device='cuda' but torch sees no CUDA device; use device='cpu' or 'auto'")
    if config.device == "cpu" or not torch.cuda.is_available():
        return torch.device("cpu")
    return torch.device("cuda")


def autocast(config: RewardConfig, device: torch.device):
    if config.mixed_precision == "bf16":
        return torch.autocast(device_type=device.type, dtype=torch.bfloat16)
    return nullcontext()


GATED_DIMENSIONS = ("motion", "text_video")


def motion_presence(motion_px: float, gate: tuple[float, float] | None) -> float:
    """The gate in [0, 1] for a measured subject motion (handcrafted 'motion', px per sampled-frame step at 72 px
    height): 0 at or below gate[0], 1 at or above gate[1], linear between; 1 when there is no gate."""
    if gate is None:
        return 1.0
    floor, full = gate
    return float(min(1.0, max(0.0, (motion_px - floor) / (full - floor))))


class AnimeReward:
    def __init__(self, config: RewardConfig, model: AnimeRewardModel | None = None,
                 calibration: Calibration | None = None):
        self.config = config
        self.model = model if model is not None else AnimeRewardModel(config)
        self.calibration = calibration if calibration is not None else Calibration()
        self.device = resolve_device(config)
        self.model.to(self.device).eval()
        self.cache = FrameCache(config.cache_dir) if config.cache_dir else None

    @classmethod
    def from_checkpoint(cls, folder, **overrides) -> "AnimeReward":
        """Load a step-N folder; overrides (device, mixed_precision, cache_dir) replace config fields."""
        config, state, _ = read_checkpoint(folder)
        if overrides:
            config = RewardConfig(**{**config.to_dict(), **overrides})
        model = AnimeRewardModel(config)
        model.load_state_dict(state)
        return cls(config, model, Calibration.load(folder))

    def save(self, folder, **extra) -> None:
        save_checkpoint(folder, config=self.config, model=self.model, step=extra.pop("step", 0), **extra)
        if not self.calibration.is_identity():
            self.calibration.save(folder)

    def prepare(self, videos, prompts, initial_images=None, character_refs=None) -> list[dict]:
        n = len(videos)
        prompts = list(prompts)
        initial_images = list(initial_images) if initial_images is not None else [None] * n
        character_refs = list(character_refs) if character_refs is not None else [None] * n
        if not (len(prompts) == len(initial_images) == len(character_refs) == n):
            raise ValueError(f"need one prompt, initial image and character ref per video ({n}); got "
                             f"{len(prompts)}, {len(initial_images)}, {len(character_refs)}")
        return [prepare_video(v, p, i, r, config=self.config, cache=self.cache)
                for v, p, i, r in zip(videos, prompts, initial_images, character_refs)]

    @torch.no_grad()
    def logits(self, items: list[dict], batch_size: int = 8) -> dict[str, torch.Tensor]:
        """dimension -> float32 logits (N,) for prepared videos."""
        return self._run(items, batch_size)[0]

    @torch.no_grad()
    def _run(self, items: list[dict], batch_size: int) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
        """(dimension -> logits (N,), frame dimension -> frame logits (N, T))."""
        self.model.eval()
        chunks: dict[str, list] = {d: [] for d in self.config.dimensions}
        frame_chunks: dict[str, list] = {d: [] for d in self.config.frame_dimensions}
        for start in range(0, len(items), batch_size):
            batch = collate(items[start : start + batch_size])
            batch = {k: v.to(self.device) if torch.is_tensor(v) else v for k, v in batch.items()}
            with autocast(self.config, self.device):
                out, curves = self.model(batch, with_curves=True)
            for d, v in out.items():
                chunks[d].append(v.float().cpu())
            for d, v in curves.items():
                frame_chunks[d].append(v.float().cpu())
        cat = lambda parts: torch.cat(parts) if parts else torch.zeros(0)  # noqa: E731
        return {d: cat(v) for d, v in chunks.items()}, {d: cat(v) for d, v in frame_chunks.items()}

    def curves(self, items: list[dict], batch_size: int = 8) -> list[dict]:
        """score_curve for prepared videos."""
        if not self.config.frame_dimensions:
            raise ValueError("this model has no per-frame heads (config.frame_dimensions is empty), so no score curve; "
                             "train one with frame_dimensions set")
        return self._curves(*self._run(items, batch_size), items)

    def scores_and_curves(self, items: list[dict], batch_size: int = 8) -> tuple[list[dict], list[dict] | None]:
        """combine()'s score rows and, with per-frame heads, curves() (else None) from ONE forward pass over the
        prepared videos: a scoring run needs both."""
        logits, frames = self._run(items, batch_size)
        rows = self.combine(logits, items)
        return rows, (self._curves(logits, frames, items) if self.config.frame_dimensions else None)

    def _curves(self, logits: dict[str, torch.Tensor], frames: dict[str, torch.Tensor],
                items: list[dict]) -> list[dict]:
        n = self.config.num_frames
        positions = [k / (n - 1) if n > 1 else 0.0 for k in range(n)]
        out = []
        for i, item in enumerate(items):
            gate = motion_presence(item["features"]["motion"], self.config.motion_gate)
            curves = {}
            for d, s in frames.items():
                point = logits[d][i] + s[i] - s[i].mean()  # (T,): averages to the video logit
                score = torch.sigmoid(self.calibration.apply(d, point))
                curves[d] = [float(v) * (gate if d in GATED_DIMENSIONS else 1.0) for v in score]
            out.append({"positions": positions, "curves": curves})
        return out

    def score_curve(self, videos, prompts, initial_images=None, character_refs=None, *, batch_size: int = 8):
        """Per video {"positions": relative positions of the sampled frames, "curves": frame dimension -> scores}
        (module docstring); ValueError when the model has no per-frame heads."""
        if not self.config.frame_dimensions:
            return self.curves([], batch_size)  # raises the clear message before any decoding
        return self.curves(self.prepare(videos, prompts, initial_images, character_refs), batch_size)

    def combine(self, logits: dict[str, torch.Tensor], items: list[dict] | None = None) -> list[dict[str, float]]:
        """Per-video score dicts from logits: calibrated sigmoid per dimension; with the prepared ``items`` (their
        measured motion) the GATED_DIMENSIONS scores and 'overall' are gated by motion_presence. Without items no gate
        applies (logits alone do not say whether the video moves)."""
        scores = {d: torch.sigmoid(self.calibration.apply(d, v.float())) for d, v in logits.items()}
        n = len(next(iter(scores.values()), []))
        if items is not None and len(items) != n:
            raise ValueError(f"{len(items)} prepared items for {n} scored videos")
        rows = []
        for i in range(n):
            row = {d: float(scores[d][i]) for d in self.config.dimensions}
            gate = motion_presence(items[i]["features"]["motion"], self.config.motion_gate) if items else 1.0
            for d in GATED_DIMENSIONS:
                if d in row:
                    row[d] *= gate
            row["overall"] = gate * sum(self.config.overall_weights[d] * row[d] for d in self.config.dimensions)
            rows.append(row)
        return rows

    def score(self, videos, prompts, initial_images=None, character_refs=None, *, batch_size: int = 8):
        """One dict per video: every configured dimension in [0, 1] and 'overall' (config.overall_weights).

        videos: file paths or uint8 frame arrays (T, H, W, 3); initial_images / character_refs: paths or
        RGB arrays (None: the first frame stands in for the initial image, the initial image for the ref).
        """
        items = self.prepare(videos, prompts, initial_images, character_refs)
        return self.combine(self.logits(items, batch_size), items)
