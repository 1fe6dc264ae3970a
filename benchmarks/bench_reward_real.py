"""AnimeReward validity: demo held-out (synthetic), leave-one-generator-out (synthetic) and the real-clip
degradation suite (real footage), for trained seeds, ablation rows and the handcrafted baseline.

    .venv/bin/python benchmarks/bench_reward_real.py --demo /tmp/rw17/demo40 --seeds 0,1,2 \
        --variants both,networks,frozen_networks,features --out /tmp/rw17/real.md --json /tmp/rw17/real.json
    # leave-one-generator-out (train on 4 demo generators' pairs, test on pairs involving the fifth):
    .venv/bin/python benchmarks/bench_reward_real.py --demo /tmp/rw17/demo40 --seeds 0 --logo --variants both,features

Data: the demo export (``python -m demo DIR --prompts 40``; every same-prompt pair judged by a
low-noise SimulatedAnnotator, split by prompt) for training and the synthetic held-out numbers; the real clips of
``../shared/clips`` (read through the importer's manifest parser and probe, ``training.reward.real_clips``) with the
degradations of ``training.reward.degradations`` for the real-footage numbers. ``--import-db`` imports the clips
into a throwaway campaign through ``annotation.services.imports.videos_import_manifest`` first (needs
DATABASE_URL, IMPORT_ROOTS covering the clips folder, and a migrated database) and scores the stored copies.

Variants (the ablation rows):
    both             the cpu preset: networks trained from scratch + handcrafted features into every head, each head
                     starting from the fixed formula's log-odds (formula_prior) and learning the correction, reading
                     only its dimension's measurements (scoped_features) with sign constraints (monotone_features)
                     and an L2 pull toward the formula (head_l2)
    no_prior         the same without the formula prior (scoped, monotone, head_l2 kept)
    unconstrained    the cpu preset of session 5: no prior, every head reads every feature (image_video the identity
                     signals too), no sign constraint, no head_l2, lr 1e-3
    networks         handcrafted_features=False, formula_prior=False: the networks alone (their heads priced at
                     net_head_l2 0.1 as before session 8: at the cpu preset's 10 they could hardly move)
    frozen_networks  finetune=head: random networks frozen, only the linear heads (and prior scale) train
    features         a linear Bradley-Terry head per dimension on the handcrafted features (+ the formula prior
                     when the config has it), no network
After training, each model is calibrated on the demo held-out split (calibration.py); ECE before / after
(cross-fitted) is reported.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from training.reward.calibration import fit_calibration  # noqa: E402
from training.reward.config import DIMENSIONS, RewardConfig  # noqa: E402
from training.reward.data import PairSet, demo_pairset, strength_matrix  # noqa: E402
from training.reward.evaluate import baseline_video_scores, evaluate_scores  # noqa: E402
from training.reward.prior_fit import fit_prior_scales  # noqa: E402
from training.reward.real_clips import (DEFAULT_CLIPS, baseline_scores_fn, evaluate_real_clips,  # noqa: E402
                                        load_clips, reward_scores)
from training.reward.scoring import AnimeReward, motion_presence  # noqa: E402
from training.reward.train import RewardTrainer, prepare_all, prepare_static  # noqa: E402

VARIANTS = {
    "both": {},
    "no_prior": {"formula_prior": False},
    "unconstrained": {"formula_prior": False, "scoped_features": False, "monotone_features": False, "head_l2": 0.0,
                      "net_head_l2": 0.0, "lr": 1e-3, "identity_dimensions": ("character", "image_video"),
                      "appearance_dimensions": ()},
    "networks": {"handcrafted_features": False, "formula_prior": False, "net_head_l2": 0.1},
    "frozen_networks": {"finetune": "head"},
    "features": None,  # no network: FeatureHead below
}


class FeatureHead:
    """Linear Bradley-Terry (with ties) head per dimension on the standardised handcrafted features a cpu-preset
    head reads (config.head_feature_names): the 'features only' ablation row. Scored like AnimeReward (same
    calibration and motion gate)."""

    def __init__(self, config: RewardConfig, train: PairSet, prepared: dict, steps: int = 300, lr: float = 0.05):
        from training.reward.losses import pairwise_loss

        self.config = config
        layout = config.handcrafted_names()
        keys = list(train.videos)
        x = torch.from_numpy(np.stack([prepared[k]["handcrafted"] for k in keys]))
        self.mean, self.std = x.mean(0), x.std(0).clamp_min(1e-4)
        self.cols = {d: torch.tensor([layout.index(n) for n in config.head_feature_names(d)]) for d in config.dimensions}
        self.w = {d: torch.zeros(len(c) + 1, requires_grad=True) for d, c in self.cols.items()}
        # formula prior (config.formula_prior): logit = scale * formula log-odds + the linear head, the scale
        # starting at the formula's best temperature on the training pairs, as in RewardTrainer (prior_fit.py)
        self.prior = config.formula_prior
        p = torch.from_numpy(np.stack([prepared[k]["prior"] for k in keys]))
        index = {k: i for i, k in enumerate(keys)}
        pairs = [p for p in train.pairs if p.video_a in index and p.video_b in index]
        a = torch.tensor([index[p.video_a] for p in pairs])
        b = torch.tensor([index[p.video_b] for p in pairs])
        s = torch.from_numpy(strength_matrix(pairs, config.dimensions))
        start = (fit_prior_scales(p[a], p[b], s, config.dimensions, loss=config.loss, tie_margin=config.tie_margin,
                                  strength_margin=config.strength_margin) if self.prior else {})
        self.scale = {d: torch.tensor(start.get(d, 1.0), requires_grad=True) for d in config.dimensions}
        z = torch.cat([(x - self.mean) / self.std, p], dim=1)
        opt = torch.optim.Adam(list(self.w.values()) + (list(self.scale.values()) if self.prior else []), lr=lr)
        signs = {d: torch.tensor(config.head_feature_signs(d)) for d in config.dimensions}
        torch.manual_seed(config.seed)
        for _ in range(steps):
            opt.zero_grad()
            losses = []
            for j, d in enumerate(config.dimensions):
                known = ~torch.isnan(s[:, j])
                d_logit = self._logit(z[b], d) - self._logit(z[a], d)
                loss, _ = pairwise_loss(config.loss, d_logit[known], s[known, j], tie_margin=config.tie_margin,
                                        strength_margin=config.strength_margin)
                losses.append(loss + config.head_l2 * (self.w[d][:-1] ** 2).sum())  # as RewardTrainer's head_l2
            torch.stack(losses).mean().backward()
            opt.step()
            if config.monotone_features:  # as AnimeRewardModel.project_monotone
                with torch.no_grad():
                    for d in config.dimensions:
                        w = self.w[d][:-1]
                        w.copy_(torch.where(signs[d] * w < 0, torch.zeros_like(w), w))
                        self.scale[d].clamp_(min=0.0)

    def _logit(self, z: torch.Tensor, d: str) -> torch.Tensor:
        """z = [standardised features | formula log-odds in DIMENSIONS order]."""
        w = self.w[d]
        out = z[:, self.cols[d]] @ w[:-1] + w[-1]
        if self.prior:
            out = out + self.scale[d] * z[:, len(self.mean) + DIMENSIONS.index(d)]
        return out

    @torch.no_grad()
    def logits(self, items: list[dict], batch_size: int = 0) -> dict[str, torch.Tensor]:
        x = torch.from_numpy(np.stack([it["handcrafted"] for it in items]))
        p = torch.from_numpy(np.stack([it["prior"] for it in items]))
        return {d: self._logit(torch.cat([(x - self.mean) / self.std, p], dim=1), d) for d in self.config.dimensions}


def _logit_table(model, prepared: dict) -> dict[str, dict[str, float]]:
    keys = list(prepared)
    out = model.logits([prepared[k] for k in keys], 16)
    return {k: {d: float(out[d][i]) for d in out} for i, k in enumerate(keys)}


def _scorer(model, config: RewardConfig):
    """An AnimeReward around a trained model (or a FeatureHead in its place: same combine rule)."""
    if isinstance(model, FeatureHead):
        reward = AnimeReward.__new__(AnimeReward)
        reward.config, reward.model, reward.cache = config, None, None
        from training.reward.calibration import Calibration

        reward.calibration = Calibration()
        reward.logits = model.logits
        return reward
    return AnimeReward(config, model)


def _train(variant: str, config: RewardConfig, train: PairSet, prepared: dict):
    if VARIANTS[variant] is None:
        return FeatureHead(config, train, prepared, steps=config.steps)
    trainer = RewardTrainer(config, train, prepared={k: prepared[k] for k in train.videos})
    trainer.train()
    return trainer.unwrapped()


def _scores(reward, prepared: dict) -> dict[str, dict[str, float]]:
    keys = list(prepared)
    items = [prepared[k] for k in keys]
    return dict(zip(keys, reward.combine(reward.logits(items, 16), items)))


def _acc(report: dict) -> dict:
    return {d: r["accuracy"] for d, r in report["dimensions"].items()} | {"mean": report["overall"]["accuracy"]}


def _subset(pairset: PairSet, keep) -> PairSet:
    pairs = [p for p in pairset.pairs if keep(p)]
    keys = {k for p in pairs for k in (p.video_a, p.video_b)}
    return PairSet({k: v for k, v in pairset.videos.items() if k in keys}, pairs, pairset.version)


def run(args) -> dict:
    torch.set_num_threads(args.threads)
    pairs = demo_pairset(args.demo, noise=args.noise, test_fraction=0.25, seed=0)
    train, test = pairs.split("train"), pairs.split("test")
    if not train.pairs or not test.pairs:
        raise SystemExit(f"{args.demo}: the prompt split left train {len(train.pairs)} / test {len(test.pairs)} pairs; "
                         "build the demo with more prompts")
    base = RewardConfig(preset="cpu", device="cpu", steps=args.steps, **json.loads(args.config or "{}"))
    t0 = time.perf_counter()
    prepared = prepare_all(pairs, base)
    if base.static_negatives:  # once for every row (the trainer would make them per training)
        prepared.update(prepare_static(train, base))
    prep_demo_s = time.perf_counter() - t0
    clips_dir, roots = Path(args.clips), []
    if args.import_db:
        clips_dir, roots = import_through_studio(clips_dir)
    t0 = time.perf_counter()
    clips = load_clips(clips_dir, limit=args.clip_limit, roots=roots)
    real_cache: dict = {}
    baseline_real = (None if args.logo_only else
                     evaluate_real_clips(baseline_scores_fn(base, cache=real_cache), clips, seed=args.degrade_seed))
    prep_real_s = time.perf_counter() - t0
    result = {"demo": str(args.demo), "clips": str(clips_dir), "steps": args.steps, "rows": [], "logo": [],
              "baseline": {"demo_test": _acc(evaluate_scores(baseline_video_scores(prepared), test, DIMENSIONS)),
                           "real": baseline_real},
              "prep_seconds": {"demo": prep_demo_s, "real": prep_real_s}}
    for seed in [int(s) for s in args.seeds.split(",")]:
        for variant in args.variants.split(","):
            config = RewardConfig(**{**base.to_dict(), "seed": seed, **(VARIANTS[variant] or {})})
            if args.logo_only:
                result["logo"].extend(_logo(variant, config, pairs, prepared))
                continue
            t0 = time.perf_counter()
            model = _train(variant, config, train, prepared)
            train_s = time.perf_counter() - t0
            reward = _scorer(model, config)
            test_prepared = {k: prepared[k] for k in test.videos}
            raw = evaluate_scores(_scores(reward, test_prepared), test, DIMENSIONS)
            reward.calibration = fit_calibration(_logit_table(reward, test_prepared), test, DIMENSIONS)
            cal = evaluate_scores(_scores(reward, test_prepared), test, DIMENSIONS)
            real = evaluate_real_clips(reward_scores(reward, cache=real_cache), clips, seed=args.degrade_seed)
            if args.save_dir and not isinstance(model, FeatureHead):
                reward.save(Path(args.save_dir) / f"{variant}-s{seed}", step=args.steps)
            row = {"seed": seed, "variant": variant, "train_seconds": train_s, "demo_test": _acc(cal),
                   "ece_before": {d: raw["dimensions"][d]["ece"] for d in DIMENSIONS},
                   "calibration": reward.calibration.report, "real": real}
            result["rows"].append(row)
            print(f"seed {seed} {variant}: demo {row['demo_test']['mean']:.3f} real {real['mean']:.3f} "
                  f"frozen violations {real['frozen_violations']} ({train_s:.0f} s)", flush=True)
            if args.logo:
                result["logo"].extend(_logo(variant, config, pairs, prepared))
    if args.logo or args.logo_only:
        result["logo_baseline"] = _logo_baseline(pairs, prepared)
    return result


def _generators(pairs: PairSet) -> list[str]:
    return sorted({v.generator for v in pairs.videos.values()})


def _logo_split(pairs: PairSet, g: str) -> tuple[PairSet, PairSet]:
    gen = lambda k: pairs.videos[k].generator  # noqa: E731
    train = _subset(pairs, lambda p: p.split == "train" and g not in (gen(p.video_a), gen(p.video_b)))
    test = _subset(pairs, lambda p: p.split == "test" and g in (gen(p.video_a), gen(p.video_b)))
    return train, test


def _logo(variant: str, config: RewardConfig, pairs: PairSet, prepared: dict) -> list[dict]:
    rows = []
    for g in _generators(pairs):
        train, test = _logo_split(pairs, g)
        model = _train(variant, config, train, prepared)
        reward = _scorer(model, config)
        rep = evaluate_scores(_scores(reward, {k: prepared[k] for k in test.videos}), test, DIMENSIONS)
        rows.append({"seed": config.seed, "variant": variant, "held_out_generator": g, "accuracy": _acc(rep)})
        print(f"  logo {variant} seed {config.seed} without {g}: {rows[-1]['accuracy']['mean']:.3f}", flush=True)
    return rows


def _logo_baseline(pairs: PairSet, prepared: dict) -> list[dict]:
    rows = []
    for g in _generators(pairs):
        _, test = _logo_split(pairs, g)
        rep = evaluate_scores(baseline_video_scores({k: prepared[k] for k in test.videos}), test, DIMENSIONS)
        rows.append({"held_out_generator": g, "accuracy": _acc(rep)})
    return rows


def import_through_studio(clips_dir: Path) -> tuple[Path, list[Path]]:
    """Import the clips' manifest into a throwaway campaign with the studio's import service; return a folder
    holding a manifest.jsonl that points at the stored copies (what the studio would later score) and the
    MEDIA_ROOT they live in."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings
    from django.core.files.storage import default_storage

    from annotation.models import Campaign, Video
    from annotation.services.imports import videos_import_manifest

    slug = f"real-clips-{int(time.time())}"
    campaign = Campaign.objects.create(slug=slug, name=slug)
    manifest = clips_dir / "manifest.jsonl"
    report = videos_import_manifest(text=manifest.read_text(), manifest_name=manifest.name,
                                    base_dir=clips_dir.resolve(), campaign=campaign, on_duplicate="skip")
    print(f"imported into campaign {slug}: {report.as_dict()}", flush=True)
    out = Path(settings.DATA_DIR) / "real_clips_import" / slug
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for raw in manifest.read_text().splitlines():
        r = json.loads(raw)
        sha = __import__("media_io", fromlist=["sha256_file"]).sha256_file(clips_dir / r["video"])
        video = Video.objects.select_related("prompt").get(sha256=sha)
        rows.append({**r, "video": default_storage.path(video.file.name),
                     "initial_image": default_storage.path(video.prompt.initial_image.name)})
    (out / "manifest.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return out, [Path(settings.MEDIA_ROOT)]


def markdown(result: dict, args) -> str:
    dims = list(DIMENSIONS)
    lines = [f"# AnimeReward validity: demo (synthetic) and real clips (real footage)", "",
             f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; machine: "
             f"{platform.machine()}, {os.cpu_count()} cores visible, torch {torch.__version__}, {args.threads} thread(s)",
             f"- command: `python benchmarks/bench_reward_real.py {' '.join(sys.argv[1:])}`",
             f"- demo: {result['demo']} (synthetic: demo renderer + simulated annotator); "
             f"real clips: {result['clips']} (real footage, degradations of training/reward/degradations.py)", ""]
    head = "| row | seed | " + " | ".join(dims) + " | mean |"
    sep = "|---|---:|" + "---:|" * (len(dims) + 1)
    fmt = lambda a: " | ".join(f"{a.get(d, math.nan):.3f}" for d in dims + ["mean"])  # noqa: E731
    if result["baseline"]["real"] is None:
        return "\n".join(lines + [_logo_markdown(result, head, sep, fmt, dims)]) + "\n"
    lines += ["## Demo held-out pairwise accuracy (SYNTHETIC, no ties)", "", head, sep,
              f"| handcrafted baseline | - | {fmt(result['baseline']['demo_test'])} |"]
    lines += [f"| {r['variant']} | {r['seed']} | {fmt(r['demo_test'])} |" for r in result["rows"]]
    real_dims = dims + ["overall"]
    rh = "| row | seed | " + " | ".join(real_dims) + " | mean (6 dims) | frozen>=clean motion | frozen>=clean overall |"
    rs = "|---|---:|" + "---:|" * (len(real_dims) + 3)
    rf = lambda r: (" | ".join(f"{r['accuracy'][d]:.3f}" for d in real_dims) + f" | {r['mean']:.3f} | "  # noqa: E731
                    f"{r['frozen_violations']['motion']}/{len(r['frozen'])} | {r['frozen_violations']['overall']}/{len(r['frozen'])}")
    lines += ["", "## Real clips: clean ranked above its degradation (REAL FOOTAGE)", "", rh, rs,
              f"| handcrafted baseline | - | {rf(result['baseline']['real'])} |"]
    lines += [f"| {r['variant']} | {r['seed']} | {rf(r['real'])} |" for r in result["rows"]]
    lines += ["", "## Calibration on the demo held-out split (SYNTHETIC): ECE before -> after (cross-fitted), T", "",
              "| row | seed | " + " | ".join(dims) + " |", "|---|---:|" + "---|" * len(dims)]
    for r in result["rows"]:
        cells = [f"{r['calibration'][d]['ece_before']:.3f} -> {r['calibration'][d]['ece_after_crossfit']:.3f} "
                 f"(T {r['calibration'][d]['temperature']:.2f})" for d in dims]
        lines.append(f"| {r['variant']} | {r['seed']} | " + " | ".join(cells) + " |")
    if result["logo"]:
        lines.append(_logo_markdown(result, head, sep, fmt, dims))
    return "\n".join(lines) + "\n"


def _logo_markdown(result: dict, head: str, sep: str, fmt, dims: list[str]) -> str:
    lines = ["", "## Leave-one-generator-out (SYNTHETIC): accuracy on held-out-prompt pairs involving the "
             "generator left out of training, mean over generators", "", head, sep]
    base = result["logo_baseline"]
    mean_over = lambda rows: {d: float(np.nanmean([r["accuracy"][d] for r in rows])) for d in dims + ["mean"]}  # noqa: E731
    lines.append(f"| handcrafted baseline | - | {fmt(mean_over(base))} |")
    for v, s in sorted({(r["variant"], r["seed"]) for r in result["logo"]}):
        lines.append(f"| {v} | {s} | {fmt(mean_over([r for r in result['logo'] if (r['variant'], r['seed']) == (v, s)]))} |")
    lines += ["", "Per held-out generator (mean over dimensions): " + "; ".join(
        f"{r['variant']} s{r['seed']} -{r['held_out_generator']}: {r['accuracy']['mean']:.3f}" for r in result["logo"])
        + "; baseline: " + ", ".join(f"-{r['held_out_generator']} {r['accuracy']['mean']:.3f}" for r in base)]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--demo", required=True, help="demo folder (python -m demo DIR --prompts 40)")
    ap.add_argument("--clips", default=str(DEFAULT_CLIPS), help="real clips folder (manifest.jsonl)")
    ap.add_argument("--clip-limit", type=int, default=None)
    ap.add_argument("--seeds", default="0")
    ap.add_argument("--variants", default="both", help=f"comma list of {', '.join(VARIANTS)}")
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--noise", type=float, default=0.05)
    ap.add_argument("--degrade-seed", type=int, default=0)
    ap.add_argument("--config", default=None, help="RewardConfig overrides as JSON")
    ap.add_argument("--logo", action="store_true", help="also leave-one-generator-out (5 trainings per row)")
    ap.add_argument("--logo-only", action="store_true", help="only the leave-one-generator-out rows")
    ap.add_argument("--import-db", action="store_true", help="import the clips through the studio importer first")
    ap.add_argument("--save-dir", default=None, help="save each trained, calibrated model as <variant>-s<seed>/")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", default=None)
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    bad = [v for v in args.variants.split(",") if v not in VARIANTS]
    if bad:
        raise SystemExit(f"unknown variants {bad}; valid: {', '.join(VARIANTS)}")
    result = run(args)
    text = markdown(result, args)
    print(text)
    if args.out:
        Path(args.out).write_text(text)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
