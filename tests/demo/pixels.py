"""Pixel measurements the artefact tests share."""
import numpy as np

from demo import GeneratorProfile

SMALL = {"width": 128, "height": 72, "num_frames": 24, "fps": 12}


def only(artefact: str, severity: float = 1.0) -> GeneratorProfile:
    return GeneratorProfile(f"only-{artefact.replace('_', '-')}", **{artefact: severity})


def frame_motion(frames: np.ndarray) -> float:
    """Mean absolute difference between consecutive frames."""
    f = frames.astype(np.float32)
    return float(np.abs(np.diff(f, axis=0)).mean())


def luminance_jumps(frames: np.ndarray) -> float:
    """Mean absolute change of mean luminance between consecutive frames."""
    luma = (frames.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)).mean(axis=(1, 2))
    return float(np.abs(np.diff(luma)).mean())
