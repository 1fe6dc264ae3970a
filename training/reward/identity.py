"""Character identity signals: find the subject in the initial image, then ask whether its colours survive.

The paper's character scorer detects the characters in the initial image and in every frame and compares
identity embeddings. No detector weights exist offline here, so this module is the documented simpler
equivalent for flat-shaded anime subjects (hair, outfit and skin are a few flat colours):

1. Segment: GrabCut on the initial image, initialised with an upright centre rectangle (``SUBJECT_RECT``;
   subjects of image-to-video shots stand central). Falls back to the rectangle when the cut is degenerate.
2. Identity "embedding" = the subject's palette: a deterministic k-means (``PALETTE_SIZE`` colours) over the
   subject's pixels, and its quantised colour set.
3. Colour alignment: each late frame (the last third of the sampled frames) is mapped onto the initial
   image by a robust affine colour transform, fitted on blurred images with the worst residuals trimmed,
   so global drift, tint and flicker (all affine in colour) do not count as identity loss while a subject
   whose hair or outfit changes colour does (a few hundred pixels cannot move a trimmed fit).
4. Compare, per aligned late frame, the subject's palette with the whole frame (the subject moves, so the
   comparison is position-free):

    subject_vanish           share of subject pixels whose colour (16-level bins, +-1 bin) is absent
    subject_vanish_distinct  the same, over subject pixels whose colour the background lacks
    subject_colour_min       min over palette colours of min(1, pixels within 30 RGB / pixels in initial)
    subject_colour_mean      the same ratio, weighted by each colour's share of the subject
    subject_colour_dist      share-weighted distance (/255) from each palette colour to its 0.5th-percentile
                             nearest pixel

Aggregation: mean over late frames (vanish, dist), median (colour ratios: robust to a back view or a
spin hiding a colour for a few frames). All OpenCV / numpy, deterministic, no Django, no torch.
"""

from __future__ import annotations

import cv2
import numpy as np

IDENTITY_FEATURE_NAMES = ("subject_vanish", "subject_vanish_distinct", "subject_colour_min", "subject_colour_mean",
                          "subject_colour_dist")
SUBJECT_RECT = (0.4, 0.9)  # (width, height) fractions of the GrabCut initial rectangle, centred
PALETTE_SIZE = 4
BIN = 16  # colour quantisation step for the colour-set comparison
NEAR = 30.0  # RGB distance that still counts as "the same colour" for the palette ratios
LATE_FRACTION = 1 / 3  # the last third of the sampled frames is compared with the initial image
_MIN_SUBJECT, _MAX_SUBJECT = 0.005, 0.6  # plausible subject share of the image; outside -> use the rectangle


def _rect(shape: tuple[int, ...], fractions: tuple[float, float] = SUBJECT_RECT) -> tuple[int, int, int, int]:
    h, w = shape[:2]
    rw, rh = max(2, int(w * fractions[0])), max(2, int(h * fractions[1]))
    return (w - rw) // 2, (h - rh) // 2, rw, rh


def subject_mask(image: np.ndarray, fractions: tuple[float, float] = SUBJECT_RECT) -> np.ndarray:
    """(H, W) bool mask of the subject of an RGB uint8 image (GrabCut from a centre rectangle)."""
    x, y, rw, rh = _rect(image.shape, fractions)
    fallback = np.zeros(image.shape[:2], bool)
    fallback[y : y + rh, x : x + rw] = True
    if min(image.shape[:2]) < 8:
        return fallback
    mask = np.zeros(image.shape[:2], np.uint8)
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(0)  # GrabCut's GMM init draws from OpenCV's RNG: fixed, so scores reproduce exactly
    try:
        cv2.grabCut(cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2BGR), mask, (x, y, rw, rh), bgd, fgd,
                    3, cv2.GC_INIT_WITH_RECT)
    except cv2.error:  # a flat image has no foreground model to fit
        return fallback
    subject = (mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)
    share = float(subject.mean())
    return subject if _MIN_SUBJECT <= share <= _MAX_SUBJECT else fallback


def subject_box(mask: np.ndarray, pad: float = 0.25) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the mask's bounding box grown by ``pad`` of its size on every side, clipped."""
    ys, xs = np.nonzero(mask)
    h, w = mask.shape
    if len(xs) == 0:
        return 0, 0, w, h
    x0, x1, y0, y1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
    px, py = int(round((x1 - x0) * pad)), int(round((y1 - y0) * pad))
    return max(0, x0 - px), max(0, y0 - py), min(w, x1 + px), min(h, y1 + py)


def align_colours(frame: np.ndarray, reference: np.ndarray, keep: float = 0.7, iterations: int = 3,
                  sigma: float = 2.0) -> np.ndarray:
    """``frame`` mapped by the affine colour transform that best explains ``reference`` (trimmed least squares
    on blurred copies, so blur, noise and small motions do not bias the fit)."""
    n = frame.shape[0] * frame.shape[1]
    ones = np.ones((n, 1), np.float32)
    blurred = cv2.GaussianBlur(frame.astype(np.float32), (0, 0), sigma).reshape(-1, 3)
    design = np.concatenate([blurred, ones], 1)  # (N, 4)
    target = cv2.GaussianBlur(reference.astype(np.float32), (0, 0), sigma).reshape(-1, 3)
    used = np.ones(n, bool)
    for _ in range(iterations):
        coef, *_ = np.linalg.lstsq(design[used], target[used], rcond=None)  # (4, 3)
        residual = np.linalg.norm(design @ coef - target, axis=1)
        used = residual <= np.quantile(residual, keep)
    mapped = np.concatenate([frame.reshape(-1, 3).astype(np.float32), ones], 1) @ coef
    return np.clip(mapped + 0.5, 0, 255).reshape(frame.shape).astype(np.uint8)


def _bins(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    q = (pixels.reshape(-1, 3) // BIN).astype(np.int64)
    return q[:, 0], q[:, 1], q[:, 2]


def _colour_set(pixels: np.ndarray) -> np.ndarray:
    """(L, L, L) bool: quantised colours present in ``pixels``, grown by one bin in every direction."""
    levels = 256 // BIN
    present = np.zeros((levels,) * 3, np.uint8)
    present[_bins(pixels)] = 1
    grown = np.stack([cv2.dilate(s, np.ones((3, 3), np.uint8)) for s in present])
    out = grown.copy()
    out[1:] |= grown[:-1]
    out[:-1] |= grown[1:]
    return out.astype(bool)


def palette(pixels: np.ndarray, k: int = PALETTE_SIZE, iterations: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """(centres (k, 3) float32, shares (k,)) by k-means with farthest-point init: deterministic."""
    px = pixels.reshape(-1, 3).astype(np.float32)
    values, counts = np.unique(px, axis=0, return_counts=True)
    k = max(1, min(k, len(values)))
    centres = [values[np.argmax(counts)]]
    for _ in range(k - 1):
        d = np.min([np.linalg.norm(px - c, axis=1) for c in centres], axis=0)
        centres.append(px[int(np.argmax(d))])
    centres = np.stack(centres)
    for _ in range(iterations):
        label = np.argmin(np.linalg.norm(px[:, None] - centres[None], axis=2), axis=1)
        centres = np.stack([px[label == j].mean(0) if np.any(label == j) else centres[j] for j in range(k)])
    label = np.argmin(np.linalg.norm(px[:, None] - centres[None], axis=2), axis=1)
    return centres, np.bincount(label, minlength=k) / len(label)


def identity_features(frames: np.ndarray, initial: np.ndarray) -> dict[str, float]:
    """The module docstring's features for RGB uint8 frames (T, H, W, 3) and the initial image (H, W, 3) of
    the same size."""
    frames = np.asarray(frames)
    if frames.ndim != 4 or frames.shape[-1] != 3 or len(frames) < 2:
        raise ValueError(f"frames must be (T>=2, H, W, 3) uint8, got shape {frames.shape}")
    if initial.shape != frames.shape[1:]:
        raise ValueError(f"initial image {initial.shape} and frames {frames.shape[1:]} must have the same size")
    init = cv2.medianBlur(np.ascontiguousarray(initial), 3)  # 3x3 median: grain is not a colour
    mask = subject_mask(init)
    subject = init[mask]
    background_colours = _colour_set(init[~mask]) if (~mask).any() else np.zeros((256 // BIN,) * 3, bool)
    subject_bins = _bins(subject)
    distinct = ~background_colours[subject_bins]
    centres, shares = palette(subject)
    init_px = init.reshape(-1, 3).astype(np.float32)
    init_counts = (np.linalg.norm(init_px[None] - centres[:, None], axis=2) < NEAR).sum(1)  # (k,)

    start = min(len(frames) - 1, int(round(len(frames) * (1 - LATE_FRACTION))))
    vanish, vanish_distinct, ratios, dists = [], [], [], []
    for frame in frames[start:]:
        aligned = align_colours(cv2.medianBlur(np.ascontiguousarray(frame), 3), init)
        missing = ~_colour_set(aligned)[subject_bins]
        vanish.append(missing.mean())
        vanish_distinct.append(missing[distinct].mean() if distinct.any() else missing.mean())
        dist = np.linalg.norm(aligned.reshape(-1, 3).astype(np.float32)[None] - centres[:, None], axis=2)  # (k, N)
        ratios.append(np.minimum(1.0, (dist < NEAR).sum(1) / np.maximum(init_counts, 1)))
        dists.append(np.percentile(dist, 0.5, axis=1))
    ratio = np.median(np.stack(ratios), axis=0)  # (k,)
    return {
        "subject_vanish": float(np.mean(vanish)),
        "subject_vanish_distinct": float(np.mean(vanish_distinct)),
        "subject_colour_min": float(ratio.min()),
        "subject_colour_mean": float((ratio * shares).sum()),
        "subject_colour_dist": float((np.mean(np.stack(dists), axis=0) * shares).sum() / 255.0),
    }
