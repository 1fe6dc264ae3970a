"""Real-clip validity suite: does a scorer rank each real clip above its known degradations?

    clips = load_clips("../shared/clips")                      # manifest.jsonl in the project's import format
    report = evaluate_real_clips(reward_scores(reward), clips)  # or baseline_scores_fn(config)
    print(format_real_report(report, "AnimeReward step-300"))

Clips are read the way the importer reads them: ``annotation.manifests.parse_manifest`` (the manifest parser of
``manage.py import_manifest``, pure, no ORM) resolves and checks every row inside the clips folder, and
``media_io.probe_video`` (what the importer's ``media_file_check`` runs) probes each video before
``media_io.sample_frames`` decodes it. ``benchmarks/bench_reward_real.py --import-db`` goes further and
imports the manifest into a throwaway campaign through ``videos_import_manifest`` and scores the stored copies.

Scoring: for every clip, the clean clip and each degradation of ``degradations.DEGRADATIONS`` are scored together;
a (clip, degradation) pair counts as correct on a dimension the degradation lowers when the clean clip scores
higher (equal scores count 1/2). Per dimension the accuracy is over every (clip, degradation) pair that lowers it;
``overall`` is checked on every degradation (each one makes the video worse); ``frozen`` lists, per clip, the
clean and frozen motion and overall scores (the "standing still wins" audit).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from media_io import probe_video, sample_frames

from .degradations import DEGRADATIONS, Clip, degrade
from .inputs import read_image

DEFAULT_CLIPS = Path(__file__).resolve().parents[2].parent / "shared" / "clips"  # ../shared/clips of the repo
DECODE_SHORT_SIDE = 144
MAX_FRAMES = 48  # decoded per clip (uniformly): degradations act on these, the scorer samples its frames from them

ScoreFn = Callable[[list[Clip]], list[dict[str, float]]]


def load_clips(folder=DEFAULT_CLIPS, *, limit: int | None = None, keys: Sequence[str] | None = None,
               short_side: int = DECODE_SHORT_SIDE, max_frames: int = MAX_FRAMES, roots: Sequence = ()) -> list[Clip]:
    """The clips of ``folder/manifest.jsonl`` (``keys``: only those split_keys / video stems, in that order);
    media paths must lie inside ``folder`` or one of ``roots`` (the importer's IMPORT_ROOTS rule)."""
    from annotation.manifests import parse_manifest

    folder = Path(folder).resolve()
    manifest = folder / "manifest.jsonl"
    if not manifest.is_file():
        raise FileNotFoundError(f"{manifest} not found; pass the clips folder (../shared/clips of the repository)")
    parsed = parse_manifest(manifest.read_text(encoding="utf-8"), fmt="jsonl", base_dir=folder,
                            roots=[folder] + [Path(r).resolve() for r in roots],
                            max_rows=10_000)
    if parsed.errors:
        raise ValueError(f"{manifest}: {[e.as_dict() for e in parsed.errors]}")
    rows = parsed.rows
    name = {r.split_key or r.video.stem: r for r in rows}
    if keys is not None:
        missing = [k for k in keys if k not in name]
        if missing:
            raise ValueError(f"clips {missing} are not in {manifest}; valid: {', '.join(name)}")
        rows = [name[k] for k in keys]
    if limit is not None:
        rows = rows[:limit]
    clips = []
    for r in rows:
        probe = probe_video(r.video)  # the importer's probe: raises InvalidVideo for unusable files
        frames = sample_frames(r.video, min(max_frames, probe.frame_count), size=short_side)
        h, w = frames.shape[1:3]
        init = read_image(r.initial_image)
        init = _resize(init, w, h)
        clips.append(Clip(r.split_key or r.video.stem, frames, r.prompt, init, r.action_label))
    return clips


def _resize(img: np.ndarray, w: int, h: int) -> np.ndarray:
    import cv2

    return img if img.shape[:2] == (h, w) else cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA)


def variants(clips: list[Clip], names: Sequence[str] | None = None, seed: int = 0) -> list[tuple[int, str, Clip]]:
    """(clip index, degradation name or "clean", clip) for every clip and degradation."""
    names = list(names or DEGRADATIONS)
    out = []
    for i, clip in enumerate(clips):
        out.append((i, "clean", clip))
        out.extend((i, n, degrade(clip, n, others=clips, seed=seed)) for n in names)
    return out


def _prepared(config, clips: list[Clip], cache: dict | None) -> list[dict]:
    """inputs.prepare_video of each clip, reused from ``cache`` (clip key -> item; keys name the degradation, and
    the inputs depend only on the config's input fields, not on weights: one cache serves every checkpoint of
    one preset)."""
    from .inputs import prepare_video

    cache = {} if cache is None else cache
    for c in clips:
        if c.key not in cache:
            cache[c.key] = prepare_video(c.frames, c.prompt, c.initial_image, config=config)
    return [cache[c.key] for c in clips]


def reward_scores(reward, *, cache: dict | None = None, batch_size: int = 16) -> ScoreFn:
    """A ScoreFn from an ``AnimeReward``: what its ``score`` returns (calibrated, motion-gated)."""
    def fn(clips: list[Clip]) -> list[dict[str, float]]:
        items = _prepared(reward.config, clips, cache)
        return reward.combine(reward.logits(items, batch_size), items)
    return fn


def baseline_scores_fn(config, *, cache: dict | None = None) -> ScoreFn:
    """The handcrafted baseline (``handcrafted.baseline_scores``) on the same frames a model with ``config``
    samples; ``overall`` = the equal-weight mean, as a plain combination would do."""
    from .handcrafted import baseline_scores

    def fn(clips: list[Clip]) -> list[dict[str, float]]:
        rows = []
        for item in _prepared(config, clips, cache):
            s = baseline_scores(item["features"])
            s["overall"] = float(np.mean([s[d] for d in config.dimensions]))
            rows.append(s)
        return rows
    return fn


def _hit(clean: float, degraded: float) -> float:
    return 1.0 if clean > degraded else 0.5 if clean == degraded else 0.0


def evaluate_real_clips(score_fn: ScoreFn, clips: list[Clip], *, names: Sequence[str] | None = None,
                        seed: int = 0) -> dict:
    """The report described in the module docstring."""
    names = list(names or DEGRADATIONS)
    items = variants(clips, names, seed)
    rows = score_fn([c for _, _, c in items])
    table: dict[str, dict[str, dict[str, float]]] = {}  # clip key -> variant -> scores
    for (i, name, _), row in zip(items, rows):
        table.setdefault(clips[i].key, {})[name] = row
    dims = [d for d in rows[0] if d != "overall"]
    per_deg: dict[str, dict[str, float]] = {}
    hits: dict[str, list[float]] = {d: [] for d in dims + ["overall"]}
    for name in names:
        lowers = [d for d in DEGRADATIONS[name].lowers if d in dims] + ["overall"]
        per_deg[name] = {}
        for d in lowers:
            h = [_hit(table[c.key]["clean"][d], table[c.key][name][d]) for c in clips]
            per_deg[name][d] = float(np.mean(h))
            hits[d].extend(h)
    accuracy = {d: float(np.mean(h)) if h else math.nan for d, h in hits.items()}
    frozen = {}
    if "freeze" in names:
        for c in clips:
            clean, fr = table[c.key]["clean"], table[c.key]["freeze"]
            frozen[c.key] = {"motion_clean": clean.get("motion", math.nan), "motion_frozen": fr.get("motion", math.nan),
                             "overall_clean": clean["overall"], "overall_frozen": fr["overall"]}
    dim_acc = [accuracy[d] for d in dims if not math.isnan(accuracy[d])]
    return {
        "clips": [c.key for c in clips], "degradations": names, "seed": seed,
        "accuracy": accuracy, "mean": float(np.mean(dim_acc)) if dim_acc else math.nan,
        "per_degradation": per_deg, "frozen": frozen,
        "frozen_violations": {k: sum(1 for f in frozen.values() if not f[f"{k}_clean"] > f[f"{k}_frozen"])
                              for k in ("motion", "overall")},
        "clean_scores": {c.key: table[c.key]["clean"] for c in clips},
    }


def format_real_report(report: dict, title: str = "") -> str:
    lines = [title] if title else []
    lines.append("real footage: clean clip vs its degradation, share ranked correctly")
    lines.append("  " + "  ".join(f"{d}={a:.3f}" for d, a in report["accuracy"].items())
                 + f"  | mean over dimensions {report['mean']:.3f}")
    for name, row in report["per_degradation"].items():
        lines.append(f"  {name:<15} " + "  ".join(f"{d}={a:.2f}" for d, a in row.items()))
    if report["frozen"]:
        v = report["frozen_violations"]
        lines.append(f"  frozen >= clean: motion {v['motion']}/{len(report['frozen'])}, "
                     f"overall {v['overall']}/{len(report['frozen'])} clips")
        for key, f in report["frozen"].items():
            lines.append(f"    {key:<18} motion {f['motion_clean']:.3f} vs frozen {f['motion_frozen']:.3f}   "
                         f"overall {f['overall_clean']:.3f} vs frozen {f['overall_frozen']:.3f}")
    return "\n".join(lines)
