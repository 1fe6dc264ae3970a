"""Dense optical flow between consecutive frames, computed once per video and shared by the handcrafted
features (shake, warp, motion) and the subject's motion pattern."""

from __future__ import annotations

import cv2
import numpy as np


def grey_frames(frames: np.ndarray) -> np.ndarray:
    """(T, H, W, 3) RGB uint8 -> (T, H, W) uint8."""
    return np.stack([cv2.cvtColor(np.ascontiguousarray(f), cv2.COLOR_RGB2GRAY) for f in frames])


def farneback_flows(grey: np.ndarray) -> list[np.ndarray]:
    """Farneback flow (H, W, 2) from each grey frame to the next: T - 1 fields, in pixels."""
    return [cv2.calcOpticalFlowFarneback(a, b, None, 0.5, 2, 9, 2, 5, 1.1, 0) for a, b in zip(grey[:-1], grey[1:])]
