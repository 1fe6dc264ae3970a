"""Per-frame measurements for the temporal dimensions' score curves, and the fixed formula curve (issue #22).

The video-level features of handcrafted.py average quantities that exist per frame; this module keeps them per
frame, on the num_frames sampled frames (T), resized to handcrafted.FLOW_HEIGHT like video_features. F_t is the
Farneback flow from frame t-1 to frame t, g_t its median (the global shift); every measurement of frame t describes
how frame t arrived:

    lum_jump        |Y_t - Y_{t-1}| / 255, Y = mean luminance                      (flicker)
    shift_jump      |g_t - g_{t-1}|, px (log1p)                                    (shake, jitter)
    incoherence     mean |F_t - F_{t-1}| / (mean_t mean |F_t| + 0.05 px)           (flow_incoherence, per frame)
    warp_residual   mean flow residual of F_t after a global affine fit, px (log1p) (warp, melt)
    frame_change    mean |grey_t - grey_{t-1}| / 255                                (a held frame is ~0 here)
    subject_motion  mean |F_t - g_t|, px (log1p)                                   (motion)
    motion_ratio    mean |F_t - g_t| / (median over t + 0.05 px): a stall (held pose, stutter) dips below 1
    char_dissim     1 - HSV histogram correlation of the colour-aligned centre crop vs the initial image's
    char_jump       1 - HSV histogram correlation of the centre crop vs the previous frame's (no alignment)
    subject_vanish  identity.py's subject_vanish for this one frame: the share of the initial image's subject pixels
                    (GrabCut) whose colour is absent from the colour-aligned frame (the video-level feature averages
                    it over the last third of the clip; here it is kept per frame)

Frames with too few predecessors for a measure (frame 0 for all change measures, frame 1 too for shift_jump and
incoherence) repeat the first frame that has it. Not 0: a measure that reads "nothing changed" at the start of every
clip taught the segment loss, on demo clips frozen throughout (marked everywhere but at the very start), that a calm
start is what good frames look like. The segment loss and the localisation AUROC leave frame 0 out anyway.

Formula curve (``formula_curves``, the no-learning baseline; the video-level maps of handcrafted.baseline_scores
applied per frame; high = good):

    smoothness_t = exp(-(lum_jump_t / 0.02 + |g_t - g_{t-1}| / 1.0 + incoherence_t))
    motion_t     = 1 - exp(-|F_t - g_t| / 0.4)
    character_t  = clip(1 - char_dissim_t, 0, 1)
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from .handcrafted import FlowView, _aligned_hist_sim, _hist, centre_crop, flow_series, flow_view
from .identity import _bins, _colour_set, align_colours, subject_mask

FRAME_FEATURE_NAMES = ("lum_jump", "shift_jump", "incoherence", "warp_residual", "frame_change", "subject_motion",
                       "motion_ratio", "char_dissim", "char_jump", "subject_vanish")
# What each temporal dimension's frame head reads (config.frame_dimensions), and the sign its weight must keep under
# config.monotone_features (+1: more of it can only raise the frame's score, -1 only lower it, absent: free).
FRAME_SCOPES = {
    "smoothness": ("lum_jump", "shift_jump", "incoherence", "warp_residual", "frame_change", "motion_ratio"),
    "motion": ("subject_motion", "motion_ratio", "shift_jump"),
    "character": ("char_dissim", "char_jump", "subject_vanish"),
}
FRAME_SIGNS = {
    "smoothness": {"lum_jump": -1, "shift_jump": -1, "incoherence": -1, "warp_residual": -1},
    "motion": {"subject_motion": 1, "motion_ratio": 1, "shift_jump": -1},
    "character": {"char_dissim": -1, "char_jump": -1, "subject_vanish": -1},
}
FRAME_DIMENSIONS = tuple(FRAME_SCOPES)
_LOG_SCALED = frozenset(("shift_jump", "warp_residual", "subject_motion"))
_FIRST_DEFINED = {"shift_jump": 2, "incoherence": 2, "char_dissim": 0, "subject_vanish": 0}  # the rest: from frame 1
FLOOR = 0.05  # px: the speed floor of handcrafted.flow_incoherence


def _raw(view: FlowView) -> dict[str, np.ndarray]:
    frames, init, grey = view.frames, view.init, view.grey
    T = len(frames)
    flows = np.stack(view.flows)  # (T-1, H, W, 2): flows[t-1] brings frame t-1 to frame t
    series = flow_series(view.flows)  # the per-pair quantities the video features average
    shifts, residual, subject = series["shift"], series["warp"], series["motion"]
    speed = float(np.linalg.norm(flows, axis=-1).mean())
    zero = np.zeros(T)
    out = {name: zero.copy() for name in FRAME_FEATURE_NAMES}
    lum = grey.reshape(T, -1).mean(1)
    out["lum_jump"][1:] = np.abs(np.diff(lum)) / 255.0
    out["shift_jump"][2:] = np.linalg.norm(np.diff(shifts, axis=0), axis=1)
    out["incoherence"][2:] = np.linalg.norm(np.diff(flows, axis=0), axis=-1).mean(axis=(1, 2)) / (speed + FLOOR)
    out["warp_residual"][1:] = residual
    out["frame_change"][1:] = np.abs(np.diff(grey.astype(np.float32), axis=0)).mean(axis=(1, 2)) / 255.0
    out["subject_motion"][1:] = subject
    out["motion_ratio"][1:] = np.asarray(subject) / (float(np.median(subject)) + FLOOR)
    crops = [centre_crop(f) for f in frames]
    ref = centre_crop(init)
    out["char_dissim"] = np.array([1.0 - _aligned_hist_sim(ref, c) for c in crops])
    hists = [_hist(c) for c in crops]
    out["char_jump"][1:] = [1.0 - float(cv2.compareHist(a, b, cv2.HISTCMP_CORREL)) for a, b in zip(hists, hists[1:])]
    out["subject_vanish"] = _subject_vanish(frames, init)
    for name in FRAME_FEATURE_NAMES:  # the first frames repeat the first defined value (module docstring)
        first = _FIRST_DEFINED.get(name, 1)
        out[name][:first] = out[name][first]
    return out


def _subject_vanish(frames: np.ndarray, init: np.ndarray) -> np.ndarray:
    """(T,) identity.subject_vanish per frame (module docstring)."""
    ref = cv2.medianBlur(np.ascontiguousarray(init), 3)
    subject_bins = _bins(ref[subject_mask(ref)])
    out = []
    for frame in frames:
        aligned = align_colours(cv2.medianBlur(np.ascontiguousarray(frame), 3), ref)
        out.append(float((~_colour_set(aligned)[subject_bins]).mean()))
    return np.asarray(out)


def frame_features(frames: np.ndarray, initial_image: np.ndarray | None = None, *,
                   view: FlowView | None = None) -> np.ndarray:
    """(T, len(FRAME_FEATURE_NAMES)) float32 for RGB uint8 frames (T, H, W, 3), log1p-compressed where the scale is
    open-ended (the frame heads get standardised input). ``view``: handcrafted.flow_view(frames, initial_image)
    when the caller already built it (inputs.py does, for the video measurements too)."""
    raw = _raw(view or flow_view(frames, initial_image))
    cols = [np.log1p(np.maximum(raw[n], 0.0)) if n in _LOG_SCALED else raw[n] for n in FRAME_FEATURE_NAMES]
    return np.stack(cols, axis=1).astype(np.float32)


def formula_curves(features: np.ndarray) -> dict[str, np.ndarray]:
    """The fixed formula curve per temporal dimension (module docstring), (T,) in [0, 1], from frame_features()."""
    f = {n: features[:, i].astype(np.float64) for i, n in enumerate(FRAME_FEATURE_NAMES)}
    shift = np.expm1(f["shift_jump"])
    subject = np.expm1(f["subject_motion"])
    return {
        "smoothness": np.exp(-(f["lum_jump"] / 0.02 + shift / 1.0 + f["incoherence"])),
        "motion": 1.0 - np.exp(-subject / 0.4),
        "character": np.clip(1.0 - f["char_dissim"], 0.0, 1.0),
    }


def frame_columns(dimension: str) -> tuple[int, ...]:
    return tuple(FRAME_FEATURE_NAMES.index(n) for n in FRAME_SCOPES[dimension])


def frame_signs(dimension: str) -> tuple[float, ...]:
    return tuple(float(FRAME_SIGNS[dimension].get(n, 0)) for n in FRAME_SCOPES[dimension])


assert math.isclose(FLOOR, 0.05)  # kept equal to handcrafted.flow_incoherence's floor on purpose
