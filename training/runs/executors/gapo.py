"""GAPO run: on-policy pairs scored by a reward model version, LoRA training, held-out evaluation
with sample videos (training/gapo/studio.py does the ML; this module feeds it the platform's prompts).

Prompts are those of the campaigns' videos (the run's dataset version's campaigns by default); the
`round(eval_fraction * n)` prompts with the smallest fixed hash of their split key are held out, so a
re-run evaluates on the same prompts. With `base_generator: "demo"` the tiny preset starts from the
demo generator, pretrained on the campaigns' videos on first use and cached (`_demo_generator`). A
resumed attempt reuses the cached pairs and continues from the latest LoRA checkpoint."""
from __future__ import annotations

import zlib
from pathlib import Path

import cv2
from django.conf import settings

from annotation.models import Pair, Prompt
from training.artifacts import artifact_url, publish_folder
from training.models import TrainingRun
from training.runs.checkpoints import local_checkpoint
from training.runs.errors import RunFailure
from training.runs.executors.common import local_media, media_root, run_folder
from training.runs.options import GapoRunOptions
from training.runs.reporter import RunReporter
from training.runs.resume import checkpoints_restore
from training.runs.services import run_succeed


def _campaign_ids(run: TrainingRun, options: GapoRunOptions) -> list[int]:
    if options.campaign_ids:
        return list(options.campaign_ids)
    dataset = run.dataset_version or run.reward_model.dataset_version
    return list(dataset.campaign_ids)


def _studio_prompt(prompt: Prompt, root: Path):
    """A platform prompt with its initial image read as RGB (RunFailure when it cannot be read)."""
    from training.gapo.studio import StudioPrompt

    bgr = cv2.imread(str(root / prompt.initial_image.name), cv2.IMREAD_COLOR)
    if bgr is None:
        raise RunFailure(f"initial image {prompt.initial_image.name} of prompt {prompt.pk} cannot be read")
    return StudioPrompt(str(prompt.pk), prompt.text, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))


def _prompts(campaign_ids: list[int], options: GapoRunOptions):
    pairs = Pair.objects.filter(campaign_id__in=campaign_ids)
    prompt_ids = set(pairs.values_list("video_a__prompt_id", flat=True))
    prompts = list(Prompt.objects.filter(pk__in=prompt_ids).exclude(initial_image="").order_by("pk"))
    prompts = prompts[: options.max_prompts]
    local_media([p.initial_image.name for p in prompts])
    root = media_root()
    fraction = float(options.eval_fraction)
    items = []
    for prompt in prompts:
        bucket = zlib.crc32(f"gapo:{prompt.split_key or prompt.pk}".encode()) % 1000 / 1000.0
        items.append((bucket, prompt.pk, _studio_prompt(prompt, root)))
    # the prompts with the smallest fixed hash are held out: exactly round(fraction * n) of them (at least
    # one, and one left to train on), the same ones on every re-run
    items.sort(key=lambda row: (row[0], row[1]))
    count = min(max(1, round(fraction * len(items))), len(items) - 1) if len(items) > 1 else 0
    held_out = [item for _, _, item in items[:count]]
    train = [item for _, _, item in items[count:]]
    if not train or not held_out:
        raise RunFailure(f"GAPO needs at least 2 prompts with initial images in campaigns {campaign_ids}")
    return train, held_out


def _human_source(campaign_ids: list[int], train: list, dimension: str, min_gap: float, clip_frames: int):
    """The campaigns' judged pairs whose prompt is a training prompt, encoded from their videos."""
    from annotation.models import Campaign, Dimension, Video
    from media_io import sample_frames
    from training.gapo.human import human_pairs
    from training.gapo.studio import HumanPairSource
    from training.runs.human_pairs import campaign_human_pair_inputs

    prompts = {p.key: p for p in train}
    records, dropped = [], {}
    for campaign in Campaign.objects.filter(pk__in=campaign_ids).order_by("pk"):
        pairs, scores = campaign_human_pair_inputs(campaign=campaign)
        weights = {key: 1.0 for key in Dimension.objects.filter(campaigns=campaign).values_list("key", flat=True)}
        result = human_pairs([p for p in pairs if p["prompt"] in prompts], scores, dimension=dimension,
                             weights=weights if dimension == "overall" else None, min_gap=min_gap)
        records += result.records
        for reason, count in result.dropped.items():
            dropped[reason] = dropped.get(reason, 0) + count
    videos = {v.pk: v for v in Video.objects.filter(pk__in={r[k] for r in records for k in ("winner", "loser")})}
    local_media([v.file.name for v in videos.values()])
    root = media_root()
    length = max(16, clip_frames)  # decode enough frames for the codec's own pick

    def frames(video_id):
        return sample_frames(root / videos[video_id].file.name, num_frames=length)

    return HumanPairSource(records, prompts, frames), dropped


def _demo_generator(campaign_ids: list[int], reporter: RunReporter) -> Path:
    """The demo generator for the run's campaigns: pretrained on their videos once, then cached
    (GENERATORS_ROOT/demo-<key>/, the key hashes the config and the videos' sha256)."""
    from annotation.models import Video
    from media_io import sample_frames
    from training.gapo.demo_generator import DemoGeneratorConfig, TrainingClip, generator_ensure

    config = DemoGeneratorConfig(steps=settings.DEMO_GENERATOR_STEPS)
    ids = set()
    for a, b in Pair.objects.filter(campaign_id__in=campaign_ids).values_list("video_a_id", "video_b_id"):
        ids.update((a, b))
    videos = list(Video.objects.filter(pk__in=ids).exclude(prompt__initial_image="").select_related("prompt")
                  .order_by("pk"))
    if not videos:
        raise RunFailure(f"the demo generator needs videos with initial images in campaigns {campaign_ids}")
    local_media([v.file.name for v in videos] + sorted({v.prompt.initial_image.name for v in videos}))
    root = media_root()
    prompts = {}
    clips = []
    for video in videos:
        if video.prompt_id not in prompts:
            prompts[video.prompt_id] = _studio_prompt(video.prompt, root)
        frames = sample_frames(root / video.file.name, num_frames=max(16, config.frames))
        clips.append(TrainingClip(video.sha256, prompts[video.prompt_id], frames))
    try:  # the heartbeat thread sets cancelled/lost; pretraining checks them every step
        return generator_ensure(clips, config, Path(settings.GENERATORS_ROOT), log=reporter.log,
                                should_stop=lambda: reporter.cancelled or reporter.lost)
    except InterruptedError:
        reporter.check()  # raises the cancel / take-over
        raise


def _samples(run: TrainingRun, index: dict, eval_dir: Path, *, remote: bool) -> list[dict]:
    """Sample rows with URLs: the run file view (local) or signed URLs of the published copies."""
    base = f"/api/runs/{run.pk}/files/"
    prefix = f"runs/{run.pk}/gapo/eval"
    if remote:
        publish_folder(eval_dir, prefix)
    rows = []
    for row in index.get("rows", []):
        sample = {k: row[k] for k in ("key", "prompt", "sample", "base_scores", "trained_scores") if k in row}
        for name in ("base", "trained"):
            if row.get(f"{name}_video"):
                relative = Path(row[f"{name}_video"]).as_posix()
                sample[f"{name}_url"] = (artifact_url(f"{prefix}/{relative}", content_type="video/mp4") if remote
                                         else base + f"gapo/eval/{relative}")
        rows.append(sample)
    return rows


def execute(run: TrainingRun, options: GapoRunOptions, reporter: RunReporter) -> None:
    import json

    from training.gapo.config import GapoConfig
    from training.gapo.studio import run_studio_job
    from training.reward.scoring import AnimeReward

    version = run.reward_model
    reward = AnimeReward.from_checkpoint(local_checkpoint(version.checkpoint_uri), cache_dir=str(Path(settings.FRAME_CACHE_ROOT) / "reward"))
    campaign_ids = _campaign_ids(run, options)
    train, held_out = _prompts(campaign_ids, options)
    config = GapoConfig(**{**run.config, "checkpoint_every": options.checkpoint_every_for(int(run.config["steps"]))})
    out = run_folder(run.pk) / "gapo"
    sync = checkpoints_restore(run, out / "checkpoints")  # what an earlier attempt saved (resume.py)

    def on_step(record: dict) -> None:
        sync.sync()
        reporter.on_step(record)

    reporter.log(f"GAPO ({config.weight} weight) with reward model {version.pk}: {len(train)} training prompts, "
                 f"{len(held_out)} held-out")
    generator_dir = _demo_generator(campaign_ids, reporter) if options.base_generator == "demo" else None
    human, dropped = None, None
    if options.pair_source == "human":
        human, dropped = _human_source(campaign_ids, train, options.human_dimension, float(options.human_min_gap),
                                       options.clip_frames(config.preset))
        reporter.log(f"{len(human.records)} human pairs kept; dropped: {dropped}")
    result = run_studio_job(config, train_prompts=train, eval_prompts=held_out, scorer=reward.score, out_dir=out,
                            options=options, human=human, on_step=on_step, log=reporter.log,  # options: a JobOptions
                            generator_dir=generator_dir)
    sync.sync()
    reporter.check()
    if result["status"] != "completed":
        raise RunFailure(f"GAPO training stopped early ({result['status']})")
    evaluation = {k: v for k, v in result["eval"].items() if k != "index"}
    index = json.loads(Path(result["eval"]["index"]).read_text())
    run_succeed(run, metrics={"pairs": {**result["pairs"], **({"dropped": dropped} if dropped else {})}, "eval": evaluation, "reward_model": version.pk,
                              "samples": _samples(run, index, out / "eval", remote=sync.remote)})
