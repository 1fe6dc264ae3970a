"""Drawing: a painted background per scene and a flat-shaded character in a pose.

Geometry is designed at 144 px height and scaled by ``s = height / 144``. A pose is a dict of
offsets from the neutral pose (all zeros = standing still, arms slightly out), so poses of two
actions can be blended and scaled toward neutral; that is how render.py simulates wrong and
frozen actions.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

from .catalog import CharacterLook

POSE_KEYS = ("dx", "dy", "tilt", "turn", "arm_l", "arm_r", "leg_l", "leg_r", "mouth", "tears",
             "tear_t")
OUTLINE = (38, 28, 48)
SKIN = (255, 226, 200)
_AA = cv2.LINE_AA


def _ramp(t: float, duration: float) -> float:
    return min(1.0, t / duration)


def _walking(t, p):
    swing = math.sin(2 * math.pi * 1.5 * t)
    return {"dx": 0.22 * p, "dy": -0.012 * abs(math.sin(2 * math.pi * 1.5 * t)),
            "leg_l": 28 * swing, "leg_r": -28 * swing, "arm_l": 15 * swing, "arm_r": -15 * swing}


def _waving(t, p):
    return {"arm_r": _ramp(t, 0.35) * (130 + 30 * math.sin(2 * math.pi * 2.5 * t))}


def _jumping(t, p):
    h = abs(math.sin(math.pi * 1.25 * t))
    return {"dy": -0.16 * h, "arm_l": 150 * h, "arm_r": 150 * h, "leg_l": 15 * h, "leg_r": -15 * h}


def _speaking(t, p):
    return {"mouth": 0.5 * (1 - math.cos(2 * math.pi * 3 * t)),
            "tilt": 3 * math.sin(2 * math.pi * 0.8 * t),
            "arm_r": 20 * (1 - math.cos(2 * math.pi * 0.7 * t))}


def _spinning(t, p):
    return {"turn": 270 * t, "arm_l": 80 * _ramp(t, 0.3), "arm_r": 80 * _ramp(t, 0.3)}


def _crying(t, p):
    r = _ramp(t, 0.4)
    # slumped arms and a sobbing shake, so crying never looks like jumping's raised arms
    return {"tears": r, "tear_t": t, "dx": 0.006 * math.sin(2 * math.pi * 5 * t),
            "tilt": 2.5 * math.sin(2 * math.pi * 2.5 * t), "arm_l": -8 * r, "arm_r": -8 * r,
            "mouth": 0.35 * r}


# Every trajectory is exactly neutral at t = 0, so frame 0 equals the initial image whatever
# the action, blend or amplitude.
_ACTION_POSES = {"walking": _walking, "waving": _waving, "jumping": _jumping,
                 "speaking": _speaking, "spinning": _spinning, "crying": _crying}


def action_pose(action: str, t: float, progress: float) -> dict[str, float]:
    """Pose offsets for ``action`` at ``t`` seconds, ``progress`` in [0, 1] through the clip."""
    pose = dict.fromkeys(POSE_KEYS, 0.0)
    pose.update(_ACTION_POSES[action](t, progress))
    return pose


def _sky(h: int, w: int, top, bottom) -> np.ndarray:
    k = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    col = (1 - k) * np.array(top, np.float32) + k * np.array(bottom, np.float32)
    return np.ascontiguousarray(np.broadcast_to(col, (h, w, 3)).astype(np.uint8))


def draw_background(look: CharacterLook, scene_seed: int, width: int, height: int) -> np.ndarray:
    rng = np.random.default_rng([int(scene_seed), 0xB6])
    w, h, s = width, height, height / 144.0
    horizon = int(0.70 * h)
    bg = look.background
    skies = {"sunset_city": ((95, 60, 140), (255, 160, 90)), "sakura_park": ((130, 190, 245), (215, 235, 255)),
             "night_sky": ((12, 16, 48), (50, 55, 110)), "beach": ((70, 160, 240), (190, 225, 255)),
             "classroom": ((236, 224, 196), (225, 210, 180)), "meadow": ((100, 170, 240), (200, 230, 250))}
    img = _sky(h, w, *skies[bg])
    ri = lambda lo, hi: int(rng.integers(int(lo), max(int(lo) + 1, int(hi))))  # noqa: E731
    if bg == "sunset_city":
        cv2.circle(img, (ri(0.1 * w, 0.9 * w), int(0.5 * h)), int(18 * s), (255, 215, 120), -1, _AA)
        x = 0
        while x < w:
            bw, bh = ri(14 * s, 34 * s), ri(25 * s, 70 * s)
            cv2.rectangle(img, (x, horizon - bh), (x + bw, h), (60, 40, 85), -1)
            for wy in range(horizon - bh + int(5 * s), horizon - int(4 * s), max(2, int(8 * s))):
                for wx in range(x + int(3 * s), x + bw - int(4 * s), max(2, int(7 * s))):
                    if rng.random() < 0.45:
                        cv2.rectangle(img, (wx, wy), (wx + int(2 * s), wy + int(3 * s)), (255, 220, 120), -1)
            x += bw + ri(1, 6 * s)
        cv2.rectangle(img, (0, horizon), (w, h), (90, 70, 100), -1)
    elif bg == "sakura_park":
        cv2.rectangle(img, (0, horizon), (w, h), (120, 190, 100), -1)
        for _ in range(max(2, w // 60)):
            tx = ri(0, w)
            trunk = ((tx - int(3 * s), horizon - int(35 * s)), (tx + int(3 * s), horizon + int(4 * s)))
            cv2.rectangle(img, *trunk, (110, 70, 50), -1)
            for _ in range(5):
                c = (tx + ri(-18 * s, 18 * s), horizon - int(40 * s) + ri(-12 * s, 12 * s))
                cv2.circle(img, c, int(13 * s), (250, 185, 210), -1, _AA)
        for _ in range(w // 6):
            cv2.circle(img, (ri(0, w), ri(0, h)), max(1, int(1.2 * s)), (255, 205, 225), -1)
    elif bg == "night_sky":
        for _ in range(w // 3):
            img[ri(0, horizon), ri(0, w)] = (255, 255, 230)
        cv2.circle(img, (ri(0.1 * w, 0.9 * w), int(0.2 * h)), int(11 * s), (250, 245, 210), -1, _AA)
        ridge = [[x, horizon - ri(0, 14 * s)] for x in range(0, w + 40, 40)]
        pts = np.array([[0, h], [0, horizon]] + ridge + [[w, h]], np.int32)
        cv2.fillPoly(img, [pts], (30, 40, 60), _AA)
    elif bg == "beach":
        cv2.circle(img, (ri(0.1 * w, 0.9 * w), int(0.18 * h)), int(12 * s), (255, 240, 160), -1, _AA)
        for _ in range(3):
            cloud = (ri(0, w), ri(0.08 * h, 0.35 * h))
            cv2.ellipse(img, cloud, (int(22 * s), int(7 * s)), 0, 0, 360, (250, 252, 255), -1, _AA)
        cv2.rectangle(img, (0, int(0.55 * h)), (w, horizon), (40, 120, 200), -1)
        cv2.rectangle(img, (0, horizon), (w, h), (240, 220, 165), -1)
    elif bg == "classroom":
        at = lambda fx, fy: (int(fx * w), int(fy * h))  # noqa: E731
        frame_w = max(1, int(2 * s))
        cv2.rectangle(img, at(0.08, 0.12), at(0.55, 0.45), (50, 95, 70), -1)  # blackboard
        cv2.rectangle(img, at(0.08, 0.12), at(0.55, 0.45), (150, 110, 70), frame_w)
        cv2.rectangle(img, at(0.66, 0.10), at(0.92, 0.48), (170, 215, 250), -1)  # window
        cv2.line(img, at(0.79, 0.10), at(0.79, 0.48), (240, 240, 240), frame_w)
        cv2.rectangle(img, (0, horizon), (w, h), (165, 120, 80), -1)
    else:  # meadow
        for _ in range(3):
            mx, mh = ri(0, w), ri(30 * s, 60 * s)
            peak, snow = [mx, horizon - mh], horizon - int(0.77 * mh)
            rock = np.array([[mx - int(1.3 * mh), horizon], peak, [mx + int(1.3 * mh), horizon]], np.int32)
            cap = np.array([[mx - int(0.3 * mh), snow], peak, [mx + int(0.3 * mh), snow]], np.int32)
            cv2.fillPoly(img, [rock], (110, 125, 160), _AA)
            cv2.fillPoly(img, [cap], (245, 248, 255), _AA)
        cv2.rectangle(img, (0, horizon), (w, h), (110, 180, 80), -1)
        for _ in range(w // 5):
            cv2.circle(img, (ri(0, w), ri(horizon + 2, h)), max(1, int(1.3 * s)), (250, 240, 120), -1)
    return img


def _limb(img, a, b, colour, thick, outline_w):
    cv2.line(img, a, b, OUTLINE + (255,), thick + 2 * outline_w, _AA)
    cv2.line(img, a, b, tuple(colour) + (255,), thick, _AA)


def _end(origin, angle_deg, length, side):
    a = math.radians(angle_deg)
    return (int(round(origin[0] + side * math.sin(a) * length)), int(round(origin[1] + math.cos(a) * length)))


def character_layer(look_colours: tuple, hair_style: str, pose: dict, width: int, height: int,
                    shift: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    """Premultiplied RGBA layer (H, W, 4) with the character drawn in ``pose``.

    ``look_colours`` is (hair_rgb, outfit_rgb) so identity changes can pass blended colours;
    ``shift`` is an extra whole-character displacement in pixels (jitter).
    """
    hair, outfit = (tuple(int(c) for c in col) for col in look_colours)
    w, h, s = width, height, height / 144.0
    lw = max(1, int(round(1.1 * s)))
    layer = np.zeros((h, w, 4), np.uint8)
    cx, hip = w // 2, int(0.60 * h)
    I = lambda v: int(round(v))  # noqa: E731
    head = (cx, I(hip - 45 * s))
    back = math.cos(math.radians(pose["turn"])) < 0
    if hair_style == "long":
        cv2.ellipse(layer, (cx, I(hip - 34 * s)), (I(17 * s), I(22 * s)), 0, 0, 360, OUTLINE + (255,), -1, _AA)
        cv2.ellipse(layer, (cx, I(hip - 34 * s)), (I(17 * s) - lw, I(22 * s) - lw), 0, 0, 360, hair + (255,), -1, _AA)
    elif hair_style == "twin-tailed":
        for side in (-1, 1):
            c = (I(cx + side * 18 * s), I(hip - 36 * s))
            cv2.ellipse(layer, c, (I(6 * s), I(15 * s)), side * 15, 0, 360, hair + (255,), -1, _AA)
            cv2.ellipse(layer, c, (I(6 * s), I(15 * s)), side * 15, 0, 360, OUTLINE + (255,), lw, _AA)
    leg_len, leg_w = 24 * s, max(2, I(6 * s))
    for side, key in ((-1, "leg_l"), (1, "leg_r")):
        top = (I(cx + side * 4 * s), hip)
        foot = _end(top, pose[key], leg_len, side)
        _limb(layer, top, foot, (70, 60, 80), leg_w, lw)
        cv2.ellipse(layer, foot, (I(4 * s), I(2.5 * s)), 0, 0, 360, (90, 55, 40, 255), -1, _AA)
    torso = np.array([[cx - 8 * s, hip - 30 * s], [cx + 8 * s, hip - 30 * s], [cx + 13 * s, hip + 4 * s],
                      [cx - 13 * s, hip + 4 * s]]).round().astype(np.int32)
    cv2.fillPoly(layer, [torso], outfit + (255,), _AA)
    cv2.polylines(layer, [torso], True, OUTLINE + (255,), lw, _AA)
    collar = np.array([[cx - 5 * s, hip - 30 * s], [cx + 5 * s, hip - 30 * s], [cx, hip - 22 * s]])
    collar = collar.round().astype(np.int32)
    cv2.fillPoly(layer, [collar], (250, 250, 250, 255), _AA)
    arm_len, arm_w = 22 * s, max(2, I(5 * s))
    for side, key in ((-1, "arm_l"), (1, "arm_r")):
        shoulder = (I(cx + side * 8 * s), I(hip - 27 * s))
        hand = _end(shoulder, 12 + pose[key], arm_len, side)
        _limb(layer, shoulder, hand, outfit, arm_w, lw)
        cv2.circle(layer, hand, I(3 * s), SKIN + (255,), -1, _AA)
        cv2.circle(layer, hand, I(3 * s), OUTLINE + (255,), lw, _AA)
    r = I(14 * s)
    cv2.circle(layer, head, r, SKIN + (255,), -1, _AA)
    cv2.circle(layer, head, r, OUTLINE + (255,), lw, _AA)
    if back:
        cv2.circle(layer, head, r, hair + (255,), -1, _AA)
        cv2.circle(layer, head, r, OUTLINE + (255,), lw, _AA)
    else:
        _face(layer, head, s, lw, hair, pose)
    return _place(layer, pose, shift, cx, hip - 15 * s, w, h)


def _face(layer, head, s, lw, hair, pose):
    """Front view: fringe, big eyes with a highlight, blush, mouth, tears."""
    I = lambda v: int(round(v))  # noqa: E731
    k = lambda v: max(1, I(v * s))  # noqa: E731 -- a size in design pixels, never 0
    hx, hy = head
    cv2.ellipse(layer, (hx, I(hy - 2 * s)), (k(15), k(14)), 0, 180, 360, hair + (255,), -1, _AA)
    for bx in (-9, -2, 5):
        bang = np.array([[hx + (bx - 4) * s, hy - 3 * s], [hx + (bx + 6) * s, hy - 3 * s],
                         [hx + (bx + 1) * s, hy + 3 * s]])
        cv2.fillPoly(layer, [bang.round().astype(np.int32)], hair + (255,), _AA)
    iris = tuple(int(c * 0.45) for c in hair)
    for side in (-1, 1):
        eye = (I(hx + side * 5.5 * s), I(hy + 3 * s))
        cv2.ellipse(layer, eye, (k(2.6), k(3.6)), 0, 0, 360, iris + (255,), -1, _AA)
        cv2.circle(layer, (eye[0] + k(1), eye[1] - k(1.4)), k(1), (255, 255, 255, 255), -1, _AA)
        cheek = (I(hx + side * 9 * s), I(hy + 7 * s))
        cv2.ellipse(layer, cheek, (k(2.5), k(1.2)), 0, 0, 360, (250, 170, 180, 255), -1, _AA)
    mouth, lips = (hx, I(hy + 9.5 * s)), (150, 40, 60, 255)
    if pose["mouth"] > 0.08:
        cv2.ellipse(layer, mouth, (k(2.5), k(3.5 * pose["mouth"])), 0, 0, 360, lips, -1, _AA)
    else:
        cv2.line(layer, (mouth[0] - k(2.5), mouth[1]), (mouth[0] + k(2.5), mouth[1]), lips, lw, _AA)
    if pose["tears"] > 0.05:
        tear = (70, 160, 255, 255)
        for side in (-1, 1):
            x = I(hx + side * 5.5 * s)
            cv2.line(layer, (x, I(hy + 6 * s)), (x, I(hy + (6 + 8 * pose["tears"]) * s)), tear, k(1.5), _AA)
            for n in range(2):
                y = hy + 8 * s + (pose["tear_t"] * 25 * s + n * 11 * s) % (22 * s)
                cv2.circle(layer, (x, I(y)), k(2.2), tear, -1, _AA)


def _place(layer, pose, shift, px, py, w, h):
    sx = max(0.25, abs(math.cos(math.radians(pose["turn"]))))
    tx, ty = pose["dx"] * w + shift[0], pose["dy"] * h + shift[1]
    if sx == 1.0 and pose["tilt"] == 0.0 and tx == 0.0 and ty == 0.0:
        return layer  # exact identity keeps frame 0 pixel-equal to the initial image
    a = math.radians(pose["tilt"])
    c, si = math.cos(a), math.sin(a)
    # about the pivot: translate(-p), scale x, rotate, translate(p + offset)
    m = np.array([[c * sx, -si, 0.0], [si * sx, c, 0.0]])
    m[:, 2] = np.array([px + tx, py + ty]) - m[:, :2] @ np.array([px, py])
    return cv2.warpAffine(layer, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)


def composite(background: np.ndarray, layer: np.ndarray) -> np.ndarray:
    alpha = layer[..., 3:4].astype(np.float32) * (1.0 / 255.0)
    out = background.astype(np.float32) * (1.0 - alpha) + layer[..., :3]
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)
