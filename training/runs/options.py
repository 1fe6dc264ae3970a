"""Typed options of a training run: one frozen dataclass per run kind.

A run carries its trainer's `config` (RewardConfig / GapoConfig, checked by configs.py) and its
`options`: what the orchestration does around the trainer (checkpoint cadence, promotion, the runs
chained after a promotion, which prompts and pairs a GAPO run uses). Every field has a default and
help text (`field.metadata["help"]`, listed by `option_help`); `__post_init__` checks the values.

- `options_for(kind, given)` validates a request's options once, when the run is created
  (`services.run_create`, which the API, the admin actions, `manage.py run_training`, the retrain
  check and the runs chained after a promotion all call); ValidationFailed carries the message the
  API answers with (400 `{"code": "invalid", "detail": ...}`). `null` means "the default".
- The run stores `to_stored(options)` (`dataclasses.asdict`, a JSON object) in `TrainingRun.options`.
- `execution.run_execute` hands each executor `run_options(run)` (`from_stored`: a missing key
  takes its default, a key this kind no longer has is ignored, so every stored row loads).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from studio_platform.errors import ValidationFailed
from training.gapo.job_options import PAIR_SOURCES, JobOptions
from training.models import RunKind

MAX_PROCESSES = 64
MAX_SCORING_BATCH = 1024
# Upper bounds on the work one GAPO run may ask for (JobOptions fields and the prompt count).
GAPO_OPTION_LIMITS = {
    "k": 16, "sample_steps": 1000, "eval_samples_per_prompt": 16, "size": 512, "frames": 256,
    "height": 2048, "width": 2048, "paper_frames": 256, "max_prompts": 100_000,
}
BASE_GENERATORS = ("", "demo")  # GAPO's tiny-preset base: random init, or the demo generator
# Negative controls for the promotion rule and for sanity checks of a pipeline: train on labels
# that carry no (shuffle) or the opposite (flip) signal; such a model must never be promoted.
CORRUPTIONS = ("shuffle", "flip")
CHECKPOINTS_PER_RUN = 10  # checkpoint_every's default: a tenth of the run's steps
DEFAULT_PROMOTION_EPSILON = 0.01  # a run without a policy and without promotion_epsilon

MSG_UNKNOWN = "Unknown run options: {unknown}; valid for a {kind} run: {valid}."
MSG_NOT_AN_OBJECT = "options must be a JSON object (got {value!r})."
MSG_DENSE_NEEDS_HUMAN = ("frame_weighting '{weighting}' (dense GAPO) weights each frame by the annotators' artefact "
                         "spans, which only human pairs carry: set the option pair_source to 'human' (or the config's "
                         "frame_weighting to 'none').")
MSG_DENSE_CHAINED = ("gapo_config frame_weighting '{weighting}' (dense GAPO) needs human pairs, but a chained GAPO run "
                     "samples on-policy pairs, which carry no span marks: use frame_weighting 'none' there.")
MSG_ONE_PROCESS = ("num_processes > 1 is available for reward runs; a {kind} run trains in one process "
                   "(launch `torchrun -m training.gapo train` for multi-GPU GAPO, docs/operations.md).")


def _option(default, help_text: str):
    return field(default=default, metadata={"help": help_text})


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_checkpoint_every(every) -> None:
    if every is not None and (isinstance(every, bool) or not isinstance(every, int) or every < 1):
        raise ValueError("checkpoint_every must be a positive integer (optimizer steps).")


def _check_campaign_ids(ids) -> None:
    if ids is not None and (not isinstance(ids, list) or not ids
                            or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids)):
        raise ValueError("campaign_ids must be a non-empty list of campaign ids (integers).")


def _check_flags(options, names: tuple[str, ...]) -> None:
    for name in names:
        value = getattr(options, name)
        if value is not None and not isinstance(value, bool):
            raise ValueError(f"{name} must be true or false (got {value!r}).")


def _check_integer(name: str, value, limit: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
        raise ValueError(f"option {name} must be an integer between 1 and {limit:,} (got {value!r}).")


@dataclass(frozen=True)
class RewardRunOptions:
    checkpoint_every: int | None = _option(None, "optimizer steps between checkpoints (default: a tenth of the steps)")
    auto_promote: bool = _option(True, "promote the trained model when it passes the promotion rule (false: register "
                                       "it only)")
    promotion_epsilon: float | None = _option(None, "the held-out accuracy a promoted model may give up against "
                                                    "the best model promoted so far, in [0, 1) (default: the run's "
                                                    "retrain policy's, else 0.01)")
    corrupt_labels: str | None = _option(None, f"a negative control: train on {' or '.join(CORRUPTIONS)} labels "
                                               "(such a model must never be promoted)")
    num_processes: int = _option(1, "training processes on the worker's host, one per GPU (torchrun)")
    chain_scoring: bool | None = _option(None, "after a promotion, score the videos of the dataset's campaigns "
                                               "(default: the retrain policy's setting, else false)")
    chain_gapo: bool | None = _option(None, "after a promotion, start a GAPO run with the new model (default: the "
                                            "retrain policy's setting, else false)")
    gapo_config: dict | None = _option(None, "GapoConfig of the chained GAPO run, checked now (default: the retrain "
                                             "policy's, else GAPO_DEFAULT_CONFIG)")

    def __post_init__(self):
        _check_checkpoint_every(self.checkpoint_every)
        _check_flags(self, ("auto_promote", "chain_scoring", "chain_gapo"))
        if self.corrupt_labels is not None and self.corrupt_labels not in CORRUPTIONS:
            raise ValueError(f"corrupt_labels must be one of {', '.join(CORRUPTIONS)} (got {self.corrupt_labels!r}).")
        processes = self.num_processes
        if isinstance(processes, bool) or not isinstance(processes, int) or not 1 <= processes <= MAX_PROCESSES:
            raise ValueError(f"num_processes must be an integer between 1 and {MAX_PROCESSES} "
                             "(training processes on the worker's host, one per GPU).")
        if processes > 1 and self.corrupt_labels is not None:
            raise ValueError("corrupt_labels runs train in one process; drop num_processes or corrupt_labels.")
        eps = self.promotion_epsilon
        if eps is not None and (not _is_number(eps) or eps < 0 or eps >= 1):
            raise ValueError("promotion_epsilon must be a number in [0, 1) (accuracy points as a fraction).")
        if self.gapo_config is not None and not isinstance(self.gapo_config, dict):
            raise ValueError(f"gapo_config must be a JSON object of GapoConfig fields (got {self.gapo_config!r}).")

    def checkpoint_every_for(self, steps: int) -> int:
        return self.checkpoint_every or max(1, steps // CHECKPOINTS_PER_RUN)

    def epsilon_for(self, policy) -> float:
        """promotion_epsilon, else the run's retrain policy's, else DEFAULT_PROMOTION_EPSILON."""
        if self.promotion_epsilon is not None:
            return float(self.promotion_epsilon)
        return float(policy.promotion_epsilon) if policy else DEFAULT_PROMOTION_EPSILON

    def chains_for(self, policy) -> tuple[bool, bool, dict]:
        """(chain scoring, chain GAPO, the chained GAPO config) after a promotion: the run's options,
        else its retrain policy's settings (read when the model is promoted)."""
        scoring = self.chain_scoring if self.chain_scoring is not None else bool(policy and policy.chain_scoring)
        gapo = self.chain_gapo if self.chain_gapo is not None else bool(policy and policy.chain_gapo)
        config = self.gapo_config if self.gapo_config is not None else (policy.gapo_config if policy else {})
        return scoring, gapo, dict(config or {})


@dataclass(frozen=True)
class ScoringRunOptions:
    campaign_ids: list[int] | None = _option(None, "campaigns whose videos are scored (default: the reward model's "
                                                   "dataset version's campaigns)")
    batch_size: int = _option(16, f"videos scored per batch (at most {MAX_SCORING_BATCH})")

    def __post_init__(self):
        _check_campaign_ids(self.campaign_ids)
        _check_integer("batch_size", self.batch_size, MAX_SCORING_BATCH)


@dataclass(frozen=True)
class GapoRunOptions(JobOptions):
    """JobOptions (what the studio job samples: k, sample_steps, sizes, ...) plus the prompts and pairs."""

    checkpoint_every: int | None = _option(None, "optimizer steps between LoRA checkpoints (default: a tenth of the "
                                                 "steps)")
    campaign_ids: list[int] | None = _option(None, "campaigns whose prompts the run uses (default: the run's dataset "
                                                   "version's campaigns, else the reward model's)")
    max_prompts: int = _option(64, "prompts taken from the campaigns (lowest ids first)")
    eval_fraction: float = _option(0.25, "share of the prompts held out for evaluation, in (0, 1)")
    base_generator: str = _option("", "the tiny preset's base: 'demo' (the demo generator, pretrained on the "
                                      "campaigns' clips) or '' (random init, for tests)")
    pair_source: str = _option("onpolicy", f"where preference pairs come from: {' or '.join(PAIR_SOURCES)}")
    human_dimension: str = _option("overall", "human pairs: the dimension whose consensus orders a pair")
    human_min_gap: float = _option(0.05, "human pairs: the smallest Bradley-Terry score gap kept, in [0, 1]")

    def __post_init__(self):
        _check_checkpoint_every(self.checkpoint_every)
        _check_campaign_ids(self.campaign_ids)
        for name, limit in GAPO_OPTION_LIMITS.items():
            _check_integer(name, getattr(self, name), limit)
        try:
            super().__post_init__()
        except ValueError as exc:
            raise ValueError(f"Invalid GAPO options: {exc}") from exc
        if not _is_number(self.min_gap):
            raise ValueError(f"min_gap must be a number (a reward gap; got {self.min_gap!r}).")
        for name in ("dimension", "human_dimension"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise ValueError(f"{name} must be 'overall' or a dimension key (got {getattr(self, name)!r}).")
        if self.pair_source not in PAIR_SOURCES:
            raise ValueError(f"pair_source must be one of {', '.join(PAIR_SOURCES)}.")
        if not (_is_number(self.human_min_gap) and 0 <= self.human_min_gap <= 1):
            raise ValueError("human_min_gap must be a number in [0, 1] (a gap of Bradley-Terry scores).")
        if self.base_generator not in BASE_GENERATORS:
            raise ValueError("base_generator must be 'demo' (the demo generator, pretrained on the campaigns' "
                             "clips) or '' (a random-init tiny model, for tests).")
        if not (_is_number(self.eval_fraction) and 0 < self.eval_fraction < 1):
            raise ValueError("eval_fraction must be a number between 0 and 1 (share of held-out prompts).")

    def checkpoint_every_for(self, steps: int) -> int:
        return self.checkpoint_every or max(1, steps // CHECKPOINTS_PER_RUN)


RunOptions = RewardRunOptions | ScoringRunOptions | GapoRunOptions
OPTIONS_BY_KIND: dict[str, type] = {
    RunKind.REWARD: RewardRunOptions, RunKind.SCORING: ScoringRunOptions, RunKind.GAPO: GapoRunOptions,
}


def option_names(kind: str) -> list[str]:
    return [f.name for f in dataclasses.fields(OPTIONS_BY_KIND[kind])]


def option_help(kind: str) -> dict[str, str]:
    """name -> help text of every option of a kind."""
    return {f.name: f.metadata.get("help", "") for f in dataclasses.fields(OPTIONS_BY_KIND[kind])}


def options_for(kind: str, given: dict | None) -> RunOptions:
    """The typed options of a new run of `kind` (a valid RunKind); ValidationFailed says what to fix."""
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise ValidationFailed(MSG_NOT_AN_OBJECT.format(value=given))
    given = {name: value for name, value in given.items() if value is not None}
    if kind != RunKind.REWARD and "num_processes" in given:
        if given.pop("num_processes") != 1:
            raise ValidationFailed(MSG_ONE_PROCESS.format(kind=kind))
    names = option_names(kind)
    unknown = sorted(set(given) - set(names))
    if unknown:
        raise ValidationFailed(MSG_UNKNOWN.format(unknown=", ".join(unknown), kind=kind,
                                                  valid=", ".join(sorted(names))))
    try:
        options = OPTIONS_BY_KIND[kind](**given)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(str(exc)) from exc
    if isinstance(options, RewardRunOptions) and options.gapo_config is not None:
        from training.runs.configs import config_for

        normalised, _ = config_for(RunKind.GAPO, options.gapo_config)  # the chained GAPO run's config: checked now
        if normalised.get("frame_weighting", "none") != "none":  # chained runs take no options: on-policy pairs
            raise ValidationFailed(MSG_DENSE_CHAINED.format(weighting=normalised["frame_weighting"]))
    return options


def check_gapo_pairs(config: dict, options: GapoRunOptions) -> None:
    """Dense GAPO (config frame_weighting 'segments') reads span marks, which only human pairs carry (on-policy
    candidates have no annotators): refuse the combination when the run is created, before any sampling."""
    weighting = config.get("frame_weighting", "none")
    if weighting != "none" and options.pair_source != "human":
        raise ValidationFailed(MSG_DENSE_NEEDS_HUMAN.format(weighting=weighting))


def from_stored(kind: str, stored: dict | None) -> RunOptions:
    """The options a run stored (validated when it was created); missing keys take their defaults."""
    names = set(option_names(kind))
    return OPTIONS_BY_KIND[kind](**{k: v for k, v in (stored or {}).items() if k in names and v is not None})


def run_options(run) -> RunOptions:
    return from_stored(run.kind, run.options)


def to_stored(options: RunOptions) -> dict:
    return dataclasses.asdict(options)
