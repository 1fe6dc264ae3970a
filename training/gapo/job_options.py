"""What one GAPO studio job samples and how (``studio.run_studio_job``), apart from the trainer's
``GapoConfig``. Pure Python (no torch): the web process checks a run's options with it."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

PAIR_SOURCES = ("onpolicy", "human")  # where a GAPO run's preference pairs come from


@dataclass(frozen=True)
class JobOptions:
    k: int = field(default=4, metadata={"help": "candidates generated per prompt (on-policy pairs: best vs worst)"})
    sample_steps: int = field(default=12, metadata={
        "help": "denoising steps when generating candidates and evaluation samples"})
    min_gap: float = field(default=0.0, metadata={"help": "smallest reward gap between a pair's winner and loser"})
    dimension: str = field(default="overall", metadata={
        "help": "the reward dimension that ranks candidates ('overall' or one dimension key)"})
    eval_samples_per_prompt: int = field(default=1, metadata={"help": "evaluation samples per held-out prompt"})
    size: int = field(default=32, metadata={"help": "tiny preset: frame side in pixels (a multiple of 4)"})
    frames: int = field(default=8, metadata={"help": "tiny preset: frames per clip"})
    # paper preset: the clip the checkpoint generates (CogVideoX-5B I2V: 49 frames of 480x720)
    height: int = field(default=480, metadata={"help": "paper preset: clip height (a multiple of 8)"})
    width: int = field(default=720, metadata={"help": "paper preset: clip width (a multiple of 8)"})
    paper_frames: int = field(default=49, metadata={"help": "paper preset: frames per clip"})

    def __post_init__(self):
        if self.k < 2 or self.sample_steps < 1 or self.size < 8 or self.size % 4 or self.frames < 2:
            raise ValueError("k >= 2, sample_steps >= 1, size a multiple of 4 (>= 8) and frames >= 2 are required")
        if self.height < 8 or self.width < 8 or self.height % 8 or self.width % 8 or self.paper_frames < 1:
            raise ValueError("height and width must be multiples of 8 (the VAE's downsampling) and paper_frames >= 1")

    @classmethod
    def from_options(cls, options: dict) -> "JobOptions":
        """The entries of a run's options that are JobOptions fields (the rest are orchestration keys)."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in options.items() if k in names})

    def clip_frames(self, preset: str) -> int:
        return self.paper_frames if preset == "paper" else self.frames
