"""Render demo clips with known artefacts and the ground truth those artefacts imply.

Per-video severities
    sev[a] = clip(profile[a] * (1 + 0.25 * z_a), 0, 1),  z_a ~ N(0, 1) truncated to [-2, 2]
drawn from a generator seeded by (seed, prompt.scene_seed, crc32(generator.name), crc32(prompt.key)).
Multiplicative, so an artefact a profile lacks stays exactly absent; two videos of one generator
still differ a little.

Ground truth (each in [0, 1], monotone non-increasing in every severity; c(x) = clip(x, 0, 1)):
    smoothness  = 1 - c(0.50*flicker + 0.35*jitter + 0.35*warp + 0.50*stutter + 0.40*char_flicker)
    motion      = 1 - c(frozen + 0.20*jitter)                  # frozen, or chaotic shaking
    appeal      = 1 - c(0.80*blur_noise + 0.25*warp + 0.10*flicker)
    text_video  = 1 - c(0.80*wrong_action + 0.30*frozen)       # an unseen action is not the prompt
    image_video = 1 - c(0.75*colour_drift + 0.30*identity_change + 0.15*warp)
    character   = 1 - c(0.85*identity_change + 0.15*warp)

How each severity shows in pixels (T frames, p = i / (T - 1)); every artefact is zero at frame 0,
so frame 0 equals render_initial_image (image-to-video):
    flicker          whole-frame gain 1 + 0.4*f*u_i and offset 25*f*u_i, u_i ~ U(-1, 1)
    jitter           frame shift N(0, (0.02*W*j)^2) px plus a character shift N(0, (0.015*W*j)^2)
    warp             smooth sinusoidal remap, amplitude 0.06*H*w*p (grows: "melting")
    frozen           pose offsets scaled by (1 - frozen)**1.5 toward the neutral pose
    blur_noise       gaussian blur sigma 2*s*b and noise std 14*b, ramped in over 3 frames
    colour_drift     hue rotation of 90*d*p degrees and a channel tint of up to 20 %
    identity_change  hair and outfit colours blend toward other colours, by `severity`, between
                     40 % and 60 % of the clip
    wrong_action     pose = (1 - w) * prompt action + w * another action
    stutter          each frame after the first holds the character's previous pose (and shift) with
                     probability 0.8*st: irregular runs of held poses while flicker, grain and camera move on
    char_flicker     the character layer only (background untouched) scaled by 1 + 0.5*cf*v_i, v_i ~ U(-1, 1)

Per-frame truth (frame_severities; the temporal dimensions only), for frame i of T, p_i = i / (T - 1):
    on_i     = 1 once the character's pose source is past frame 0 (render_clip's `on`), else 0
    shake_i  = on_i * (0.02*|s_i| + 0.015*|s'_src(i)|) / (0.035*E|z|)   s, s' the unit-normal frame and
               character shift draws, src(i) the frame whose pose a held frame repeats, E|z| = sqrt(pi/2)
    held_i   = 1 when frame i > 0 holds its predecessor's pose (stutter)
    b_i      = c((p_i - 0.4) / 0.2)                                      the identity blend's ramp
    smoothness_i = c(0.50*flicker*on_i*|u_i|/0.5 + 0.35*jitter*shake_i + 0.35*warp*p_i/0.5
                     + 0.50*held_i/0.8 + 0.40*char_flicker*[i>0]*|v_i|/0.5)
    motion_i     = c(frozen*[i>0] + 0.20*jitter*shake_i)
    character_i  = c(0.85*identity_change*b_i/0.5 + 0.15*warp*p_i/0.5)
Each term is the video-level term divided by its draw's expectation (E|u| = 0.5, E p = 0.5, E held = 0.8*stutter,
E b ~ 0.5), so before clipping the mean over frames approximates the video-level sum: frame truth and video truth
tell one story (their correlation over demo videos is > 0.97 per dimension, tested). Every term is 0 at frame 0.
Injected artefact frames (what localisation is scored against, and what the simulated annotator marks around):
frames whose severity is >= ARTEFACT_FRAME_THRESHOLD (0.25), an absolute bar: a frozen clip is an artefact in
every frame after the first, a clean clip in none. Localisation AUROC is read within a video over frames 1..T-1
(frame 0 is the initial image, clean by construction), on videos that have both kinds of frame.

Artefacts added after the first eight (stutter, char_flicker) draw from a second generator seeded like the first plus a
tag, so every video of a generator without them renders byte-identical to before they existed.
"""
from __future__ import annotations

import math
import zlib
from dataclasses import dataclass

import cv2
import numpy as np

from .catalog import ACTIONS, ARTEFACTS, DIMENSIONS, HAIR_COLOURS, OUTFITS, DemoPrompt, GeneratorProfile, look_for
from .scene import POSE_KEYS, action_pose, character_layer, composite, draw_background

ERR_SIZE = "width and height must be integers >= 32, got {width}x{height}"
ERR_FRAMES = "num_frames must be an integer >= 2, got {num_frames!r}"
ERR_FPS = "fps must be a positive number, got {fps!r}"
ERR_SEED = "seed must be a non-negative integer, got {seed!r}"
_FIRST_ARTEFACTS = 8  # drawn from the video's main generator; later ones from _late_rng (see module docstring)
_LATE_TAG = 0x5EC0
ERR_SEVERITIES = "severities lack {missing}; expected keys {expected}"
# the dimensions with a per-frame truth (frame_severities): the temporal ones
FRAME_DIMENSIONS = ("smoothness", "motion", "character")
# threshold on a frame's severity that makes it an "injected artefact frame" (module docstring)
ARTEFACT_FRAME_THRESHOLD = 0.25
_MEAN_NORM_2D = math.sqrt(math.pi / 2)  # E|z| for z ~ N(0, I_2)


def _c(x: float) -> float:
    return min(1.0, max(0.0, float(x)))


def ground_truth(severities: dict[str, float]) -> dict[str, float]:
    missing = [a for a in ARTEFACTS[:_FIRST_ARTEFACTS] if a not in severities]
    if missing:
        raise ValueError(ERR_SEVERITIES.format(missing=", ".join(missing), expected=", ".join(ARTEFACTS)))
    # severities written before a later artefact existed lack it: it was absent from those videos
    v = {a: float(severities.get(a, 0.0)) for a in ARTEFACTS}
    return {
        "smoothness": 1 - _c(0.50 * v["flicker"] + 0.35 * v["jitter"] + 0.35 * v["warp"] + 0.50 * v["stutter"]
                             + 0.40 * v["char_flicker"]),
        "motion": 1 - _c(v["frozen"] + 0.20 * v["jitter"]),
        "appeal": 1 - _c(0.80 * v["blur_noise"] + 0.25 * v["warp"] + 0.10 * v["flicker"]),
        "text_video": 1 - _c(0.80 * v["wrong_action"] + 0.30 * v["frozen"]),
        "image_video": 1 - _c(0.75 * v["colour_drift"] + 0.30 * v["identity_change"] + 0.15 * v["warp"]),
        "character": 1 - _c(0.85 * v["identity_change"] + 0.15 * v["warp"]),
    }


def expected_truth(generator: GeneratorProfile) -> dict[str, float]:
    """Ground truth at the profile's mean severities: the generator's intended rank per dimension."""
    return ground_truth(generator.severities())


def _video_rng(prompt: DemoPrompt, generator: GeneratorProfile, seed: int) -> np.random.Generator:
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(ERR_SEED.format(seed=seed))
    # crc32, not hash(): str hashes change per process and would break determinism
    return np.random.default_rng([int(seed), int(prompt.scene_seed) & 0xFFFFFFFF,
                                  zlib.crc32(generator.name.encode()), zlib.crc32(prompt.key.encode())])




def _late_rng(prompt: DemoPrompt, generator: GeneratorProfile, seed: int) -> np.random.Generator:
    return np.random.default_rng([int(seed), int(prompt.scene_seed) & 0xFFFFFFFF,
                                  zlib.crc32(generator.name.encode()), zlib.crc32(prompt.key.encode()), _LATE_TAG])


def _perturb(generator: GeneratorProfile, rng: np.random.Generator, late: np.random.Generator) -> dict[str, float]:
    z = np.concatenate([rng.standard_normal(_FIRST_ARTEFACTS), late.standard_normal(len(ARTEFACTS) - _FIRST_ARTEFACTS)])
    z = np.clip(z, -2.0, 2.0)
    return {a: _c(getattr(generator, a) * (1 + 0.25 * z[k])) for k, a in enumerate(ARTEFACTS)}


def video_severities(prompt: DemoPrompt, generator: GeneratorProfile, seed: int) -> dict[str, float]:
    """The severities render_clip uses for this video, without rendering it."""
    return _perturb(generator, _video_rng(prompt, generator, seed), _late_rng(prompt, generator, seed))


def _check_size(width, height):
    if not all(isinstance(v, (int, np.integer)) and v >= 32 for v in (width, height)):
        raise ValueError(ERR_SIZE.format(width=width, height=height))


def render_initial_image(prompt: DemoPrompt, width: int = 256, height: int = 144) -> np.ndarray:
    """(H, W, 3) uint8 RGB: the scene and the character in the neutral pose."""
    _check_size(width, height)
    look = look_for(prompt.scene_seed)
    bg = draw_background(look, prompt.scene_seed, width, height)
    pose = dict.fromkeys(POSE_KEYS, 0.0)
    return composite(bg, character_layer((look.hair_rgb, look.outfit_rgb), look.hair_style, pose, width, height))


def _hue_matrix(degrees: float) -> np.ndarray:
    # rotation about the grey axis (1, 1, 1): changes hue, keeps luminance roughly
    a = math.radians(degrees)
    c, s, k = math.cos(a), math.sin(a), 1.0 / 3.0
    q = math.sqrt(k)
    return np.array([
        [c + (1 - c) * k, k * (1 - c) - q * s, k * (1 - c) + q * s],
        [k * (1 - c) + q * s, c + (1 - c) * k, k * (1 - c) - q * s],
        [k * (1 - c) - q * s, k * (1 - c) + q * s, c + (1 - c) * k],
    ])


def _other(palette, name, rng):
    choices = [rgb for n, rgb in palette if n != name]
    return np.array(choices[int(rng.integers(len(choices)))], np.float64)


@dataclass(frozen=True)
class _Draws:
    """Every random quantity of one video except the grain pool, in stream order.

    render_clip and frame_severities both read these, so the per-frame truth is computed from the very
    numbers that made the pixels. `rng` is left positioned for render_clip's grain pool.
    """

    sev: dict
    look: object
    rng: np.random.Generator
    wrong: str
    hair1: np.ndarray
    outfit1: np.ndarray
    shifts: np.ndarray   # (T, 2, 2): [frame, 0] whole-frame shift, [frame, 1] character shift, unit normals
    flick: np.ndarray    # (T,) U(-1, 1) flicker draws
    phases: np.ndarray
    hue_sign: float
    tint: np.ndarray
    held: np.ndarray     # (T,) bool: the character keeps its previous pose (stutter)
    shimmer: np.ndarray  # (T,) U(-1, 1) character-flicker draws


def _draws(prompt: DemoPrompt, generator: GeneratorProfile, seed: int, num_frames: int) -> _Draws:
    # Draw every random quantity up front so the stream order never depends on branches.
    rng, late = _video_rng(prompt, generator, seed), _late_rng(prompt, generator, seed)
    sev = _perturb(generator, rng, late)
    look = look_for(prompt.scene_seed)
    T = num_frames
    wrong = [a for a in ACTIONS if a != prompt.action][int(rng.integers(len(ACTIONS) - 1))]
    hair1, outfit1 = _other(HAIR_COLOURS, look.hair_name, rng), _other(OUTFITS, look.outfit_name, rng)
    shifts = rng.standard_normal((T, 2, 2))
    flick = rng.uniform(-1.0, 1.0, T)
    phases = rng.uniform(0, 2 * math.pi, 4)
    hue_sign = 1.0 if rng.random() < 0.5 else -1.0
    tint = rng.uniform(-1.0, 1.0, 3)
    held = late.random(T) < 0.8 * sev["stutter"]
    shimmer = late.uniform(-1.0, 1.0, T)
    return _Draws(sev=sev, look=look, rng=rng, wrong=wrong, hair1=hair1, outfit1=outfit1, shifts=shifts,
                  flick=flick, phases=phases, hue_sign=hue_sign, tint=tint, held=held, shimmer=shimmer)


def _check_frames(num_frames, fps):
    if not isinstance(num_frames, (int, np.integer)) or isinstance(num_frames, bool) or num_frames < 2:
        raise ValueError(ERR_FRAMES.format(num_frames=num_frames))
    if not isinstance(fps, (int, float)) or isinstance(fps, bool) or fps <= 0:
        raise ValueError(ERR_FPS.format(fps=fps))


def pose_sources(held: np.ndarray) -> np.ndarray:
    """(T,) int: the frame whose pose (and character shift) each frame shows; a held frame repeats its
    predecessor's source."""
    src = np.arange(len(held))
    for i in range(1, len(held)):
        if held[i]:
            src[i] = src[i - 1]
    return src


def frame_severities(prompt: DemoPrompt, generator: GeneratorProfile, seed: int, *, num_frames: int = 48,
                     fps: float = 12) -> dict[str, np.ndarray]:
    """Per-frame artefact strength in [0, 1] for the temporal dimensions (FRAME_DIMENSIONS), shape (T,).

    Computed from the same draws render_clip uses (see "Per-frame truth" in the module docstring);
    renders nothing. fps is validated like render_clip's; no term depends on it.
    """
    _check_frames(num_frames, fps)
    d = _draws(prompt, generator, seed, num_frames)
    v, T = d.sev, num_frames
    src = pose_sources(d.held)
    on = (src > 0).astype(np.float64)               # render_clip's `on`: 0 while the pose is frame 0's
    after0 = (np.arange(T) > 0).astype(np.float64)  # char_flicker starts at frame 1 whatever the pose
    p = np.arange(T) / (T - 1)
    norms = np.linalg.norm(d.shifts, axis=-1)       # (T, 2): |frame shift|, |character shift| in unit normals
    shake = on * (0.02 * norms[:, 0] + 0.015 * norms[src, 1]) / (0.035 * _MEAN_NORM_2D)
    held = (d.held & (np.arange(T) > 0)).astype(np.float64)
    b = np.clip((p - 0.4) / 0.2, 0.0, 1.0)
    smooth = (0.50 * v["flicker"] * on * np.abs(d.flick) / 0.5 + 0.35 * v["jitter"] * shake
              + 0.35 * v["warp"] * p / 0.5 + 0.50 * held / 0.8
              + 0.40 * v["char_flicker"] * after0 * np.abs(d.shimmer) / 0.5)
    motion = v["frozen"] * after0 + 0.20 * v["jitter"] * shake
    character = 0.85 * v["identity_change"] * b / 0.5 + 0.15 * v["warp"] * p / 0.5
    return {"smoothness": np.clip(smooth, 0.0, 1.0), "motion": np.clip(motion, 0.0, 1.0),
            "character": np.clip(character, 0.0, 1.0)}


def render_clip(prompt: DemoPrompt, generator: GeneratorProfile, seed: int, *, width: int = 256,
                height: int = 144, num_frames: int = 48, fps: float = 12) -> tuple[np.ndarray, dict[str, float]]:
    """Frames (T, H, W, 3) uint8 RGB and the ground truth per dimension (see module docstring)."""
    _check_size(width, height)
    _check_frames(num_frames, fps)
    d = _draws(prompt, generator, seed, num_frames)
    sev, rng, look = d.sev, d.rng, d.look
    truth = ground_truth(sev)
    bg = draw_background(look, prompt.scene_seed, width, height)
    W, H, T, s = width, height, num_frames, height / 144.0
    wrong, hair1, outfit1, shifts, flick = d.wrong, d.hair1, d.outfit1, d.shifts, d.flick
    phases, hue_sign, tint, held, shimmer = d.phases, d.hue_sign, d.tint, d.held, d.shimmer
    hair0, outfit0 = np.array(look.hair_rgb, float), np.array(look.outfit_rgb, float)
    # Fresh normals for every frame cost more than the whole drawing; random windows into one
    # pool give each frame different grain at a fraction of the price. Drawn after _draws' main-stream
    # draws, in the order they always had.
    pool = rng.standard_normal(2 * H * W * 3, dtype=np.float32)
    offsets = rng.integers(0, H * W * 3, T)
    xs, ys = np.arange(W, dtype=np.float64), np.arange(H, dtype=np.float64)
    gx, gy = np.meshgrid(xs.astype(np.float32), ys.astype(np.float32))

    amp, w_wrong = (1.0 - sev["frozen"]) ** 1.5, sev["wrong_action"]
    frames = np.empty((T, H, W, 3), np.uint8)
    pose_i = 0  # the frame whose pose (and character shift) the character shows
    for i in range(T):
        t, p = i / fps, i / (T - 1)
        pose_i = pose_i if i > 0 and held[i] else i
        t_pose, p_pose = pose_i / fps, pose_i / (T - 1)
        pa, pb = action_pose(prompt.action, t_pose, p_pose), action_pose(wrong, t_pose, p_pose)
        pose = {k: amp * ((1 - w_wrong) * pa[k] + w_wrong * pb[k]) for k in POSE_KEYS}
        b = sev["identity_change"] * _c((p - 0.4) / 0.2)
        colours = ((1 - b) * hair0 + b * hair1, (1 - b) * outfit0 + b * outfit1)
        on = 1.0 if pose_i > 0 else 0.0
        char_shift = tuple(sev["jitter"] * 0.015 * W * on * shifts[pose_i, 1])
        layer = character_layer(colours, look.hair_style, pose, W, H, char_shift)
        if sev["char_flicker"] > 0 and i > 0:  # premultiplied RGBA: scaling RGB changes brightness, not coverage
            gain = 1.0 + 0.5 * sev["char_flicker"] * shimmer[i]
            rgb = np.minimum(layer[..., :3].astype(np.float32) * gain, layer[..., 3:4].astype(np.float32))
            layer = np.concatenate([rgb.astype(np.uint8), layer[..., 3:4]], axis=-1)
        frame = composite(bg, layer)

        frame_shift = sev["jitter"] * 0.02 * W * on * shifts[i, 0]
        warp_amp = sev["warp"] * 0.06 * H * p
        if warp_amp > 0 or np.any(frame_shift != 0):
            wt = 2 * math.pi * 0.5 * t
            # both fields are separable (row term x column term), so build them as outer products
            tau = 2 * math.pi
            ux = np.outer(np.sin(tau * ys / (0.45 * H) + phases[0] + wt), np.cos(tau * xs / (0.6 * W) + phases[1]))
            uy = np.outer(np.cos(tau * ys / (0.5 * H) + phases[3]), np.sin(tau * xs / (0.4 * W) + phases[2] + wt))
            mx = gx + np.float32(frame_shift[0]) + (warp_amp * ux).astype(np.float32)
            my = gy + np.float32(frame_shift[1]) + (warp_amp * uy).astype(np.float32)
            frame = cv2.remap(frame, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101)

        drift = sev["colour_drift"] * p
        gain = 1.0 + 0.4 * sev["flicker"] * flick[i] * on
        if drift > 0 or gain != 1.0:
            m = np.zeros((3, 4))
            m[:, :3] = gain * np.diag(1.0 + 0.2 * drift * tint) @ _hue_matrix(hue_sign * 90.0 * drift)
            m[:, 3] = 25.0 * sev["flicker"] * flick[i] * on
            frame = cv2.transform(frame, m)

        ramp = min(1.0, i / 3.0)
        sigma, noise = 2.0 * s * sev["blur_noise"] * ramp, 14.0 * sev["blur_noise"] * ramp
        if sigma > 0.1:
            frame = cv2.GaussianBlur(frame, (0, 0), sigma)
        if noise > 0:
            grain = pool[offsets[i]:offsets[i] + frame.size].reshape(frame.shape) * np.float32(noise)
            frame = np.clip(frame + grain + 0.5, 0, 255).astype(np.uint8)
        frames[i] = frame
    return frames, {d: float(truth[d]) for d in DIMENSIONS}
