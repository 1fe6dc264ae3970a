"""`manage.py run_training --kind reward --dataset 7 [--config cfg.json] [--option k=v] [--queue]`

Starts a training run — the same TrainingRun, executor and registry as the API — and, unless
--queue is given, runs it in this process with a progress bar (or resumes a queued/stale run with
--resume RUN_ID). Examples:

    manage.py run_training --kind reward --dataset 7 --config '{"preset": "cpu", "steps": 300}'
    manage.py run_training --kind scoring --option campaign_ids=[1]
    manage.py run_training --kind gapo --config gapo.json --queue      # on the gpu queue instead
    manage.py run_training --resume 12                                 # a re-queued or stale run, here
    manage.py run_training --fail 12                                   # give up on a stale run

A run whose worker died (heartbeat older than RUN_STALE_SECONDS) is taken over by --resume even when
beat is not running to re-queue it; a run with a live heartbeat is refused.
"""
from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from studio_platform.errors import StudioError
from training.models import DatasetVersion, RewardModelVersion, RunKind, RunState, RunTrigger, TrainingRun
from training.runs.execution import run_execute
from training.runs.resume import run_take_over_stale
from training.runs.services import run_create


def _json_arg(value: str | None, what: str) -> dict:
    if not value:
        return {}
    text = Path(value).read_text() if not value.lstrip().startswith("{") and Path(value).exists() else value
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(f"--{what} is neither a JSON object nor a JSON file: {exc}") from exc
    if not isinstance(data, dict):
        raise CommandError(f"--{what} must be a JSON object")
    return data


def _options(pairs: list[str]) -> dict:
    options = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep:
            raise CommandError(f"--option {pair!r}: use key=value (value as JSON, e.g. campaign_ids=[1,2])")
        try:
            options[key] = json.loads(raw)
        except json.JSONDecodeError:
            options[key] = raw
    return options


class ProgressBar:
    """A tqdm bar over the run's steps, showing the latest loss/accuracy."""

    def __init__(self, stream):
        self.stream, self.bar = stream, None

    def __call__(self, step: int, total: int, values: dict) -> None:
        from tqdm import tqdm

        if self.bar is None:
            self.bar = tqdm(total=total or None, initial=step - 1, file=self.stream, unit="step", dynamic_ncols=True)
        self.bar.update(step - self.bar.n)
        shown = {k: round(v, 4) for k, v in values.items() if k in ("loss", "videos") or k.endswith("/accuracy")}
        self.bar.set_postfix(shown, refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class Command(BaseCommand):
    help = "Start (and by default run here, with a progress bar) a reward, scoring or GAPO training run."

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=RunKind.values)
        parser.add_argument("--dataset", type=int, help="dataset version id (reward runs)")
        parser.add_argument("--reward-model", type=int, help="reward model version id (default: the promoted one)")
        parser.add_argument("--config", help="trainer config: a JSON object or a JSON file")
        parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                            help="a run option, value as JSON; the kind's options with their help texts are the "
                                 "fields of training/runs/options.py (RewardRunOptions, GapoRunOptions, ...)")
        parser.add_argument("--queue", action="store_true", help="hand it to the gpu queue instead of running here")
        parser.add_argument("--resume", type=int, metavar="RUN_ID",
                            help="run a queued run here, or take over a stale running one (dead worker)")
        parser.add_argument("--fail", type=int, metavar="RUN_ID", help="mark a stale (or queued) run failed")

    def handle(self, *args, **opts):
        if opts["fail"]:
            try:
                run = run_take_over_stale(run_id=opts["fail"], fail=True)
            except StudioError as exc:
                raise CommandError(exc.detail) from exc
            self.stdout.write(f"run {run.pk}: {run.state}")
            return
        if opts["resume"]:
            run = TrainingRun.objects.filter(pk=opts["resume"]).first()
            if run is None:
                raise CommandError(f"no run {opts['resume']}")
            if run.state == RunState.RUNNING:
                try:
                    run = run_take_over_stale(run_id=run.pk)
                except StudioError as exc:
                    raise CommandError(exc.detail) from exc
                self.stdout.write(f"run {run.pk}: taken over from its lost worker; resuming from its last checkpoint")
        else:
            if not opts["kind"]:
                raise CommandError("--kind is required (or --resume RUN_ID)")
            dataset = reward_model = None
            if opts["dataset"] is not None:
                dataset = DatasetVersion.objects.filter(pk=opts["dataset"]).first()
                if dataset is None:
                    raise CommandError(f"no dataset version {opts['dataset']}; see manage.py export_dataset")
            if opts["reward_model"] is not None:
                reward_model = RewardModelVersion.objects.filter(pk=opts["reward_model"]).first()
                if reward_model is None:
                    raise CommandError(f"no reward model version {opts['reward_model']}")
            try:
                run = run_create(kind=opts["kind"], config=_json_arg(opts["config"], "config"),
                                 options=_options(opts["option"]), dataset_version=dataset, reward_model=reward_model,
                                 trigger=RunTrigger.CLI, enqueue=opts["queue"])
            except StudioError as exc:
                raise CommandError(exc.detail) from exc
            self.stdout.write(f"run {run.pk} ({run.kind}) created; page: /runs/{run.pk}/")
            if opts["queue"]:
                return
        bar = ProgressBar(self.stderr._out)
        try:
            ended = run_execute(run.pk, progress=bar)
        finally:
            bar.close()
        if ended is None:
            raise CommandError(f"run {run.pk} is {TrainingRun.objects.get(pk=run.pk).state}; nothing to run here")
        self.stdout.write(f"run {ended.pk}: {ended.state}")
        if ended.state == RunState.SUCCEEDED and ended.kind == RunKind.REWARD:
            promotion = ended.metrics.get("promotion", {})
            self.stdout.write(f"held-out accuracy {ended.metrics.get('accuracy')}; {promotion.get('note', '')}")
        if ended.state != RunState.SUCCEEDED:
            raise CommandError(ended.error or f"run {ended.pk} ended {ended.state}")
