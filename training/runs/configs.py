"""A run's trainer config, validated when the run is created: the kind's config dataclass
(RewardConfig for reward runs, GapoConfig for GAPO runs; scoring runs take none) checks every value,
and the studio's own limits (config_limits.py) keep model weights inside MODEL_ROOTS and refuse the
fields the orchestration sets per run. `config_for` answers ValidationFailed naming the bad field;
the run stores the normalised dict."""
from __future__ import annotations

from dataclasses import fields

from studio_platform.errors import ValidationFailed
from training.models import RunKind
from training.runs.config_limits import confine_gapo_models, confine_reward_models, refuse_managed_fields
from training.runs.errors import MSG_BAD_CONFIG

# Config fields the orchestration owns: where checkpoints go is decided per run, not by the caller.
_MANAGED_REWARD_FIELDS = {"output_dir", "checkpoint_every", "cache_dir"}
_MANAGED_GAPO_FIELDS = {"checkpoint_dir", "checkpoint_every"}
MAX_STEPS = 10_000_000


def config_for(kind: str, config: dict) -> tuple[dict, int]:
    """(normalised config dict, total steps); ValidationFailed names the bad field."""
    if not isinstance(config, dict):
        raise ValidationFailed(MSG_BAD_CONFIG.format(kind=kind, error="config must be a JSON object"))
    if kind == RunKind.REWARD:
        from training.reward.config import RewardConfig

        known, managed = {f.name for f in fields(RewardConfig)}, _MANAGED_REWARD_FIELDS
        cls = RewardConfig
    elif kind == RunKind.GAPO:
        from training.gapo.config import GapoConfig

        known, managed = {f.name for f in fields(GapoConfig)}, _MANAGED_GAPO_FIELDS
        cls = GapoConfig
    else:  # scoring has no trainer config; its knobs are options
        if config:
            raise ValidationFailed(MSG_BAD_CONFIG.format(kind=kind, error="scoring runs take no config; use options"))
        return {}, 0
    unknown = sorted(set(config) - known)
    if unknown:
        raise ValidationFailed(MSG_BAD_CONFIG.format(kind=kind, error=f"unknown fields {', '.join(unknown)}"))
    refuse_managed_fields(config, managed)
    _check_field_types(cls, config)
    clean = confine_reward_models(config) if kind == RunKind.REWARD else confine_gapo_models(config)
    try:
        normalised = cls(**clean).to_dict()
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(MSG_BAD_CONFIG.format(kind=kind, error=exc)) from exc
    for name in managed:
        normalised.pop(name, None)
    return normalised, int(normalised.get("steps", 0))


def _check_field_types(cls, values: dict) -> None:
    """Numbers and flags must be given as such (JSON "abc" for a step count gets a clear message).
    A field whose default is None (the preset decides) is checked by its annotation: `bool | None`, `float | None`,
    `int | None`."""
    defaults = {f.name: f.default for f in fields(cls)}
    annotations = {f.name: str(f.type) for f in fields(cls)}
    for name, value in values.items():
        default = defaults.get(name)
        if default is None and value is not None:  # checked as the annotation's type: a flag, a number, a count
            default = {"bool|None": False, "float|None": 0.0, "int|None": 0}.get(annotations.get(name, "").replace(" ", ""))
        if isinstance(default, bool):
            ok, want = isinstance(value, bool), "true or false"
        elif isinstance(default, int):
            ok, want = isinstance(value, int) and not isinstance(value, bool), "an integer"
        elif isinstance(default, float):
            ok, want = isinstance(value, (int, float)) and not isinstance(value, bool), "a number"
        elif isinstance(default, str):
            ok, want = isinstance(value, str), "a string"
        else:
            continue
        if not ok:
            raise ValidationFailed(f"config field {name} must be {want} (got {value!r}).")
    steps = values.get("steps")
    if isinstance(steps, int) and not 1 <= steps <= MAX_STEPS:
        raise ValidationFailed(f"config field steps must be between 1 and {MAX_STEPS:,} (got {steps}).")
