"""GAPO LoRA files in diffusers' format, so a pipeline loads them as it loads any LoRA::

    pipe = CogVideoXImageToVideoPipeline.from_pretrained("THUDM/CogVideoX-5b-I2V", torch_dtype=torch.bfloat16)
    pipe.load_lora_weights("runs/gapo-7/checkpoints/step-000200")     # Wan: WanImageToVideoPipeline, same call

A step folder holds ``pytorch_lora_weights.safetensors``, written by the family's pipeline class
(``save_lora_weights``, as diffusers' own LoRA training scripts do): keys ``transformer.<peft key>`` and the
adapter's ``LoraConfig`` (rank, ``lora_alpha``, target modules) in the safetensors metadata, so a run with
``lora_alpha != rank`` loads at its trained scale ``alpha / rank``. Before 2026-12 the trainer wrote
``lora.safetensors`` with bare peft keys and no alpha: diffusers' ``load_lora_weights`` found no
``transformer.`` keys and loaded nothing. Those folders still load here (``read_lora_state`` for resume,
``load_lora`` for sampling), using the folder's ``config.json`` for rank, alpha and targets.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from peft import LoraConfig
from peft.utils import get_peft_model_state_dict, set_peft_model_state_dict
from safetensors.torch import load_file

LORA_WEIGHTS = "pytorch_lora_weights.safetensors"  # diffusers' LORA_WEIGHT_NAME_SAFE
LEGACY_LORA_WEIGHTS = "lora.safetensors"
PREFIX = "transformer."  # the pipelines' transformer_name
ADAPTER = "default"

ERR_NO_LORA = "{path} holds neither {new} nor {old}; is it a step-N folder written by the GAPO trainer?"


def pipeline_class(family: str):
    """The I2V pipeline whose LoRA mixin defines the file format for ``family``."""
    from diffusers import CogVideoXImageToVideoPipeline, WanImageToVideoPipeline

    classes = {"cogvideox": CogVideoXImageToVideoPipeline, "wan": WanImageToVideoPipeline}
    if family not in classes:
        raise ValueError(f"unknown family {family!r}; valid values: {', '.join(classes)}")
    return classes[family]


def save_lora(model: torch.nn.Module, folder: str | Path, family: str, adapter: str = ADAPTER) -> Path:
    """Write ``model``'s adapter to ``folder/pytorch_lora_weights.safetensors`` (diffusers format, alpha kept)."""
    folder = Path(folder)
    state = get_peft_model_state_dict(model, adapter_name=adapter)
    # copies, never views: on CPU `.cpu()` would alias the live parameters
    state = {k: v.detach().to("cpu", copy=True).contiguous() for k, v in state.items()}
    pipeline_class(family).save_lora_weights(
        folder, transformer_lora_layers=state,
        transformer_lora_adapter_metadata=model.peft_config[adapter].to_dict(),
    )
    return folder / LORA_WEIGHTS


def read_lora_state(folder: str | Path, device: str = "cpu") -> dict[str, torch.Tensor]:
    """The adapter weights of a step folder with peft's keys (no ``transformer.`` prefix), either format."""
    folder = Path(folder)
    if (folder / LORA_WEIGHTS).exists():
        state = load_file(str(folder / LORA_WEIGHTS), device=device)
        foreign = [k for k in state if not k.startswith(PREFIX)]
        if foreign:
            raise ValueError(f"{folder / LORA_WEIGHTS} holds keys for other components than the transformer: "
                             f"{foreign[:3]}")
        return {k[len(PREFIX):]: v for k, v in state.items()}
    if (folder / LEGACY_LORA_WEIGHTS).exists():
        return load_file(str(folder / LEGACY_LORA_WEIGHTS), device=device)
    raise FileNotFoundError(ERR_NO_LORA.format(path=folder, new=LORA_WEIGHTS, old=LEGACY_LORA_WEIGHTS))


def load_lora(model: torch.nn.Module, folder: str | Path, family: str, adapter: str = ADAPTER) -> None:
    """Give a base transformer (no adapter named ``adapter`` yet) the step folder's LoRA, for sampling.

    diffusers-format folders go through the pipeline class's own ``lora_state_dict`` and
    ``load_lora_into_transformer``, the code ``pipe.load_lora_weights`` runs, so the studio samples its LoRA
    exactly as a user's pipeline will. Legacy folders: an adapter built from ``config.json`` and the bare keys.
    """
    folder = Path(folder)
    if (folder / LORA_WEIGHTS).exists():
        cls = pipeline_class(family)
        state, metadata = cls.lora_state_dict(str(folder), weight_name=LORA_WEIGHTS, return_lora_metadata=True)
        cls.load_lora_into_transformer(state, transformer=model, adapter_name=adapter, metadata=metadata)
        return
    config_path = folder / "config.json"
    if not (folder / LEGACY_LORA_WEIGHTS).exists() or not config_path.exists():
        raise FileNotFoundError(ERR_NO_LORA.format(path=folder, new=LORA_WEIGHTS, old=LEGACY_LORA_WEIGHTS))
    saved = json.loads(config_path.read_text())
    model.add_adapter(LoraConfig(r=saved["lora_rank"], lora_alpha=saved["lora_alpha"], init_lora_weights=True,
                                 target_modules=list(saved["lora_targets"]), lora_dropout=0.0), adapter_name=adapter)
    result = set_peft_model_state_dict(model, read_lora_state(folder), adapter_name=adapter)
    unexpected = list(getattr(result, "unexpected_keys", []) or [])
    if unexpected:
        raise ValueError(f"{folder / LEGACY_LORA_WEIGHTS} does not match this model; unexpected keys: {unexpected[:5]}")
