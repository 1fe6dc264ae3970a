"""What a run created through the studio may ask for, beyond what the config classes check.

The config dataclasses (RewardConfig, GapoConfig) validate values and cap sizes for every entry
point, the CLIs included. A run created through the API or a retrain policy also must not reach
outside the studio: model weights are loaded only from folders under MODEL_ROOTS (or, for the
reward backbones, the hub ids the code ships with), and the folders the orchestration decides per
run (output and checkpoint folders, the frame cache) are refused instead of silently dropped.
The upper bounds on a run's options (GAPO sizes, the scoring batch) are in options.py.
"""
from __future__ import annotations

from pathlib import Path

from django.conf import settings

from studio_platform.errors import ValidationFailed

MSG_MANAGED_FIELDS = ("config fields {fields} are set by the studio for every run (checkpoints go to "
                      "RUNS_ROOT/<run id>/, checkpoint_every is an option); remove them from the config.")
MSG_MODEL_PATH = ("{field}={value!r} is not allowed: name a folder under one of MODEL_ROOTS ({roots}) "
                  "(absolute, or relative to the first){hub}. Ask an operator to place the weights there.")
MSG_MODEL_PATH_TYPE = "{field} must be a string naming a model folder (got {value!r})."
MSG_BACKBONE_PATHS = "backbone_paths must be an object mapping scorer kinds to model folders (got {value!r})."

def model_roots() -> list[Path]:
    return [Path(root).resolve() for root in settings.MODEL_ROOTS]


def confined_model_path(value, *, field: str, hub_ids: frozenset[str] = frozenset()) -> str:
    """The absolute folder `value` names inside MODEL_ROOTS (or `value` itself when it is one of
    `hub_ids`); ValidationFailed otherwise. Relative names are taken under the first root."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(MSG_MODEL_PATH_TYPE.format(field=field, value=value))
    if value in hub_ids:
        return value
    roots = model_roots()
    path = Path(value)
    resolved = (path if path.is_absolute() else roots[0] / path).resolve()
    if not any(resolved == root or root in resolved.parents for root in roots):
        hub = f", or one of the shipped hub ids ({', '.join(sorted(hub_ids))})" if hub_ids else ""
        raise ValidationFailed(MSG_MODEL_PATH.format(field=field, value=value,
                                                     roots=", ".join(str(r) for r in roots), hub=hub))
    return str(resolved)


def refuse_managed_fields(config: dict, managed: set[str]) -> None:
    given = sorted(set(config) & managed)
    if given:
        raise ValidationFailed(MSG_MANAGED_FIELDS.format(fields=", ".join(given)))


def confine_reward_models(config: dict) -> dict:
    """`config` with its backbone_paths confined (the shipped PAPER_BACKBONES hub ids stay allowed)."""
    from training.reward.config import PAPER_BACKBONES

    paths = config.get("backbone_paths")
    if paths is None:
        return config
    if not isinstance(paths, dict):
        raise ValidationFailed(MSG_BACKBONE_PATHS.format(value=paths))
    shipped = frozenset(PAPER_BACKBONES.values())
    confined = {kind: confined_model_path(value, field=f"backbone_paths[{kind!r}]", hub_ids=shipped)
                for kind, value in paths.items()}
    return {**config, "backbone_paths": confined}


def confine_gapo_models(config: dict) -> dict:
    """`config` with its model_path confined to MODEL_ROOTS."""
    if config.get("model_path") is None:
        return config
    return {**config, "model_path": confined_model_path(config["model_path"], field="model_path")}
