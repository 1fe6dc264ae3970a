"""How the subject moves: a small optical-flow descriptor that the text-video head matches against the prompt.

Text-video alignment in the paper is a BLIP frame encoder joined with the prompt: appearance only, while
an I2V prompt mostly says what the subject *does* (walks, waves, jumps, spins). The text-video scorer
therefore also reads this descriptor through a bilinear term with the prompt embedding (models.py), so
"walks" can come to expect sideways travel and "jumps" vertical bounce.

On frames at the handcrafted resolution: Farneback flow between consecutive frames, minus the frame's
median flow (camera shake), inside the subject box (identity.subject_mask of the initial image, padded by
60 % for limbs and travel). Per frame pair: mean dx, mean dy, mean |flow|, |flow| of the upper / lower /
left / right half of the box, mean |dx|, mean |dy|; the descriptor is their mean and standard deviation
over the clip, plus the net horizontal travel and the mean change of dy between pairs (bounce).
"""

from __future__ import annotations

import numpy as np

from .flow import farneback_flows, grey_frames
from .identity import subject_box, subject_mask

_PER_PAIR = ("dx", "dy", "speed", "upper", "lower", "left", "right", "abs_dx", "abs_dy")
MOTION_PATTERN_NAMES = (tuple(f"mp_{n}_mean" for n in _PER_PAIR) + tuple(f"mp_{n}_std" for n in _PER_PAIR)
                        + ("mp_travel", "mp_bounce"))
BOX_PAD = 0.6


def motion_pattern(frames: np.ndarray, initial: np.ndarray, flows: list[np.ndarray] | None = None) -> dict[str, float]:
    """MOTION_PATTERN_NAMES -> value for RGB uint8 frames (T, H, W, 3) and the same-size initial image;
    ``flows`` = flow.farneback_flows of these frames when the caller already has them."""
    frames = np.asarray(frames)
    if frames.ndim != 4 or frames.shape[-1] != 3 or len(frames) < 2:
        raise ValueError(f"frames must be (T>=2, H, W, 3) uint8, got shape {frames.shape}")
    if initial.shape != frames.shape[1:]:
        raise ValueError(f"initial image {initial.shape} and frames {frames.shape[1:]} must have the same size")
    x0, y0, x1, y1 = subject_box(subject_mask(initial), pad=BOX_PAD)
    if flows is None:
        flows = farneback_flows(grey_frames(frames))
    if len(flows) != len(frames) - 1:
        raise ValueError(f"need {len(frames) - 1} flow fields for {len(frames)} frames, got {len(flows)}")
    rows = []
    for flow in flows:
        flow = flow - np.median(flow.reshape(-1, 2), axis=0)  # (H, W, 2) minus the camera's share
        box = flow[y0:y1, x0:x1]
        h, w = box.shape[:2]
        speed = np.linalg.norm(box, axis=2)
        rows.append([box[..., 0].mean(), box[..., 1].mean(), speed.mean(), speed[: max(1, h // 2)].mean(),
                     speed[h // 2 :].mean() if h > 1 else speed.mean(), speed[:, : max(1, w // 2)].mean(),
                     speed[:, w // 2 :].mean() if w > 1 else speed.mean(), np.abs(box[..., 0]).mean(),
                     np.abs(box[..., 1]).mean()])
    rows = np.asarray(rows, np.float64)  # (T-1, 9)
    bounce = float(np.abs(np.diff(rows[:, 1])).mean()) if len(rows) > 1 else 0.0
    values = np.concatenate([rows.mean(0), rows.std(0), [rows[:, 0].sum(), bounce]])
    return {name: float(v) for name, v in zip(MOTION_PATTERN_NAMES, values)}
