"""Reward run: train AnimeReward on a dataset version's train split, evaluate on its test split,
compare with the promoted model on the same split, register one RewardModelVersion.

Resume is the trainer's: checkpoints go to RUNS_ROOT/<run>/checkpoints/step-N and a new attempt
continues from the latest one (the data order is a function of the step, so the result matches an
uninterrupted run)."""
from __future__ import annotations

import math
from pathlib import Path

from django.conf import settings

from training.artifacts import ArtifactError
from training.models import RewardModelVersion, TrainingRun
from training.runs.errors import RunFailure
from training.runs.checkpoints import local_checkpoint
from training.runs.executors.common import dataset_folder, local_media, media_root, ready_dataset, run_folder
from training.runs.executors.processes import train_in_processes
from training.runs.options import RewardRunOptions
from training.runs.promotion import promotion_decision
from training.runs.registry import reward_version_register
from training.runs.reporter import RunReporter
from training.runs.resume import checkpoints_restore
from training.step_folders import step_folder_name

def corrupt_labels(pairs, how: str, *, seed: int = 0):
    """A copy of the train split with shuffled (strengths permuted across pairs) or flipped labels."""
    import random
    from dataclasses import replace

    strengths = [p.strength for p in pairs.pairs]
    if how == "shuffle":
        random.Random(seed).shuffle(strengths)
    else:
        strengths = [{d: -v for d, v in s.items()} for s in strengths]
    return type(pairs)(pairs.videos, [replace(p, strength=s) for p, s in zip(pairs.pairs, strengths)], pairs.version)


def _evaluate(reward, pairs) -> dict:
    from training.reward.evaluate import evaluate_scores, reward_video_scores
    from training.reward.train import prepare_all

    prepared = prepare_all(pairs, reward.config, reward.cache)
    return evaluate_scores(reward_video_scores(reward, prepared), pairs, reward.config.dimensions)


def _accuracy(report: dict) -> float | None:
    value = report.get("overall", {}).get("accuracy")
    return float(value) if value is not None and math.isfinite(value) else None


# How many earlier promoted models are measured again on each candidate's split (the bar is their best).
MAX_BAR_MODELS = 5


def _measure(version: RewardModelVersion, test, reporter: RunReporter) -> float | None:
    """A registered model's held-out accuracy on this run's test split (NaN when it cannot be loaded)."""
    from training.reward.scoring import AnimeReward

    try:
        reward = AnimeReward.from_checkpoint(local_checkpoint(version.checkpoint_uri),
                                             cache_dir=str(Path(settings.FRAME_CACHE_ROOT) / "reward"))
    except (OSError, ValueError, RunFailure, ArtifactError) as exc:
        reporter.log(f"could not load reward model {version.pk}: {exc}")
        return math.nan
    accuracy = _accuracy(_evaluate(reward, test))
    return math.nan if accuracy is None else accuracy


def _bar(test, reporter: RunReporter) -> tuple[float | None, int | None, dict[str, float | None]]:
    """(bar accuracy, its model, every measured model's accuracy): the best that the models promoted so
    far (the current one and up to MAX_BAR_MODELS most recently promoted) reach on this test split."""
    promoted = list(RewardModelVersion.objects.filter(promoted_at__isnull=False).order_by("-promoted", "-promoted_at")
                    [:MAX_BAR_MODELS])
    if not promoted:
        return None, None, {}
    measured = {version.pk: _measure(version, test, reporter) for version in promoted}
    finite = {pk: acc for pk, acc in measured.items() if acc is not None and math.isfinite(acc)}
    if not finite:
        return math.nan, None, {str(pk): None for pk in measured}
    best = max(finite, key=lambda pk: (finite[pk], pk))
    reporter.log("bar: " + ", ".join(f"model {pk} {acc:.3f}" for pk, acc in finite.items()) + f" -> model {best}")
    return finite[best], best, {str(pk): (acc if pk in finite else None) for pk, acc in measured.items()}


def execute(run: TrainingRun, options: RewardRunOptions, reporter: RunReporter) -> None:
    from training.reward.calibration import calibrate
    from training.reward.config import RewardConfig
    from training.reward.data import load_dataset_version
    from training.reward.scoring import AnimeReward
    from training.reward.train import RewardTrainer

    dataset = ready_dataset(run.dataset_version, reporter)
    root = media_root()
    pairset = load_dataset_version(dataset_folder(dataset), root)
    local_media([str(Path(p).relative_to(root)) for v in pairset.videos.values()
                 for p in (v.path, v.initial_image) if p])
    train, test = pairset.split("train"), pairset.split("test")
    if options.corrupt_labels:
        train = corrupt_labels(train, options.corrupt_labels)
        reporter.log(f"training on corrupted labels ({options.corrupt_labels}): a negative control")
    reporter.log(f"dataset {dataset.pk}: {len(train.pairs)} train pairs, {len(test.pairs)} test pairs")
    checkpoints = run_folder(run.pk) / "checkpoints"
    every = options.checkpoint_every_for(int(run.config["steps"]))
    config = RewardConfig(**{**run.config, "output_dir": str(checkpoints), "checkpoint_every": every,
                             "cache_dir": str(Path(settings.FRAME_CACHE_ROOT) / "reward")})
    sync = checkpoints_restore(run, checkpoints)  # what an earlier attempt saved (resume.py)
    reporter.check()

    def on_step(record: dict) -> None:
        sync.sync()  # the folder saved after the previous step is complete now
        reporter.on_step(record)

    processes = options.num_processes
    reporter.log(f"training {config.preset} preset for {config.steps} steps, checkpoint every {every}"
                 + (f", {processes} processes" if processes > 1 else ""))
    if processes > 1:
        step = train_in_processes(config, dataset_folder(dataset), root, processes, run_folder(run.pk), on_step,
                                  reporter)
    else:
        trainer = RewardTrainer(config, train, callback=on_step)
        if trainer.step:
            reporter.log(f"resuming from checkpoint step {trainer.step} (attempt {run.attempt})")
        trainer.train()
        step = trainer.step
    final = checkpoints / step_folder_name(step)
    sync.sync()
    reporter.check()
    # in one process the trained model is at hand; the children's lives only in their last checkpoint
    model = (AnimeReward.from_checkpoint(final, cache_dir=config.cache_dir) if processes > 1
             else AnimeReward(config, trainer.unwrapped()))
    reporter.log("calibrating scores on the held-out split (calibration.json beside the weights)")
    calibrate(model, test, folder=final)
    sync.published.discard(final.name)  # publish the final folder again, now with calibration.json
    sync.sync()

    reporter.log("evaluating on the held-out split")
    report = _evaluate(model, test)
    candidate = _accuracy(report)
    promoted = RewardModelVersion.objects.filter(promoted=True).first()
    bar, bar_model, measured = _bar(test, reporter)
    epsilon = options.epsilon_for(run.policy)
    promote, note = promotion_decision(candidate, bar, epsilon, bar_model=bar_model, pairs=report.get("pairs"))
    if not options.auto_promote:
        promote, note = False, f"not promoted automatically (auto_promote off); {note}"
    reporter.log(note)
    promoted_accuracy = measured.get(str(promoted.pk)) if promoted else None
    reward_version_register(run, reporter, checkpoint=final, checkpoint_uri=sync.uri_of(final), dataset=dataset,
                            report=report, accuracy=candidate, promote=promote, compared_with=promoted,
                            promoted_accuracy=promoted_accuracy, note=note,
                            bar={"accuracy": bar, "model": bar_model, "measured": measured, "epsilon": epsilon})
