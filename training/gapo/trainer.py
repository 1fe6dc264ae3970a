"""``GapoTrainer``: LoRA preference fine-tuning of a video denoiser with GAPO (or Diffusion-DPO, weight "none").

Batch convention, winner first, loser second: a batch holds B pairs; the model sees
``torch.cat([x_w, x_l])`` of shape ``(2B, C, T, H, W)`` where row ``i`` is pair i's winner and row ``B + i``
its loser. Noise and timestep are drawn once per pair and repeated, so both videos of a pair are noised
identically; the condition is repeated the same way.

Each micro-batch runs the reference (LoRA disabled, no grad) then the policy (LoRA enabled) on the same
noisy inputs, turns both into per-video errors, and feeds the four ``(B,)`` errors to ``gapo_loss``. With
``frame_weighting="segments"`` (dense GAPO) each video's error is weighted per latent frame by the pair's
``marks_w`` / ``marks_l`` (``losses.dense``); with "none" the error is the plain mean, computed as before.
Single process: the model is not wrapped for DDP (the adapter toggles act on the bare module).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import torch
from accelerate import Accelerator
from diffusers.training_utils import cast_training_params
from torch.utils.data import DataLoader, Dataset

from training.step_folders import latest_step_folder, step_folder_name, written_whole

from .config import GapoConfig
from .data import batch_condition, collate_pairs
from .denoiser import Denoiser
from .lora_io import read_lora_state, save_lora
from .losses import gapo_loss
from .losses.dense import frame_weighted_error, loser_frame_weights, winner_frame_weights
from .models import default_alphas_cumprod
from .targets import NoiseProcess, denoising_error

METRIC_KEYS = ("loss", "implicit_acc", "mean_gap", "reward_margin", "mean_dpo")
# Changing these between save and resume would load weights into a different adapter.
RESUME_MUST_MATCH = ("family", "lora_rank", "lora_alpha", "lora_targets")
DTYPES = {"no": None, "bf16": torch.bfloat16, "fp16": torch.float16}


def cast_frozen_base(model: torch.nn.Module, dtype: torch.dtype) -> None:
    """Store the frozen base in ``dtype`` to save memory; LoRA weights (and so AdamW) stay float32, and so do
    the modules the model lists in ``_keep_in_fp32_modules`` (Wan: rope, time embedder, norms), as diffusers'
    own ``from_pretrained(torch_dtype=...)`` keeps them."""
    keep = set(getattr(model, "_keep_in_fp32_modules", None) or [])
    for name, tensor in [*model.named_parameters(), *model.named_buffers()]:
        if tensor.is_floating_point():
            tensor.data = tensor.data.to(torch.float32 if keep & set(name.split(".")) else dtype)
    cast_training_params(model, torch.float32)


class GapoTrainer:
    def __init__(
        self,
        config: GapoConfig,
        denoiser: Denoiser,
        pairs: Dataset | list[dict],
        *,
        callback: Callable[[dict], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        noise: NoiseProcess | None = None,
    ) -> None:
        if config.device == "cuda" and not torch.cuda.is_available():
            raise RuntimeError("device='cuda' but torch sees no CUDA device; use device='cpu' or 'auto'")
        self.config = config
        self.denoiser = denoiser
        self.callback = callback
        self.should_stop = should_stop
        self.stopped = False
        self.accelerator = Accelerator(
            mixed_precision=config.mixed_precision,
            gradient_accumulation_steps=config.grad_accum,
            cpu=config.device == "cpu",
        )
        self.device = self.accelerator.device
        # Under torchrun / accelerate launch: every process draws its own batches and noise (process 0 keeps the
        # single-process stream), LoRA gradients are averaged across processes before each optimizer step (the
        # adapters are the only trainable weights, so no DDP wrapper around the denoiser is needed), and only
        # process 0 reports and writes checkpoints.
        self.rank, self.world = self.accelerator.process_index, self.accelerator.num_processes
        model = denoiser.model.to(self.device)
        if DTYPES[config.mixed_precision] is not None:
            cast_frozen_base(model, DTYPES[config.mixed_precision])
        model.train()
        if noise is None:
            alphas = None if config.prediction == "flow" else default_alphas_cumprod(config.family, config.model_path)
            noise = NoiseProcess(
                config.prediction, alphas, weighting=config.error_weighting, flow_shift=config.flow_shift
            )
        self.noise = noise
        self.params = denoiser.lora_parameters()
        optimizer = torch.optim.AdamW(self.params, lr=config.lr, weight_decay=config.weight_decay)
        self.optimizer = self.accelerator.prepare(optimizer)
        self.pairs = pairs
        if config.frame_weighting == "segments":
            check_marks(pairs)
        self.step = 0
        self.history: list[dict] = []

    # -- one micro-batch ----------------------------------------------------------------------------------
    def compute_loss(self, batch: dict, generator: torch.Generator | None = None) -> tuple[torch.Tensor, dict]:
        """GAPO loss and metrics for one batch of B pairs (tensors may be on any device)."""
        batch = {k: v.to(self.device) for k, v in batch.items()}
        x_w, x_l = batch["x_w"], batch["x_l"]  # (B, C, T, H, W) each
        pairs = x_w.shape[0]
        if generator is None:
            generator = torch.Generator(self.device).manual_seed(self.config.seed)
        x0 = torch.cat([x_w, x_l], dim=0)  # (B, ...) x_w, x_l -> (2B, ...), winner first, loser second
        eps = torch.randn(x_w.shape, generator=generator, device=self.device).repeat(2, 1, 1, 1, 1)  # shared noise
        t = self.noise.sample_t(pairs, generator, self.device).repeat(2)  # (B,) -> (2B,), shared timestep
        noised = self.noise.prepare(x0, eps, t)
        cond = batch_condition(batch).repeat_pairs()  # (B, ...) -> (2B, ...)

        with torch.no_grad(), self.denoiser.reference():  # before the policy pass: see Denoiser.reference
            ref_pred = self.denoiser(noised.noisy, noised.timestep, cond)
        pred = self.denoiser(noised.noisy, noised.timestep, cond)

        if self.config.frame_weighting == "segments":
            beta = self.config.dense_beta
            weights = torch.cat([winner_frame_weights(batch["marks_w"], beta),
                                 loser_frame_weights(batch["marks_l"], beta)])  # (B, T) x2 -> (2B, T)
            err = frame_weighted_error(pred, noised.target, weights, noised.weighting)  # (2B,)
            ref_err = frame_weighted_error(ref_pred, noised.target, weights, noised.weighting)
        else:  # plain GAPO: exactly the error it always computed
            err = denoising_error(pred, noised.target, noised.weighting)  # (2B,)
            ref_err = denoising_error(ref_pred, noised.target, noised.weighting)  # (2B,)
        err_w, err_l = err.chunk(2)  # (2B,) -> (B,), (B,)
        ref_err_w, ref_err_l = ref_err.chunk(2)
        return gapo_loss(
            err_w, err_l, ref_err_w, ref_err_l, batch["s_w"], batch["s_l"], beta=self.config.beta,
            weight=self.config.weight,
        )

    # -- loop -----------------------------------------------------------------------------------------------
    def _batches(self):
        """Endless shuffled batches; the order is seeded by (seed, step) so a resumed run is reproducible."""
        epoch = 0
        while True:
            order = torch.Generator().manual_seed(self.config.seed * 1_000_003 + self.step * 7919 + epoch
                                                  + self.rank * 104_729)
            loader = DataLoader(self.pairs, batch_size=self.config.batch_size, shuffle=True, generator=order,
                                collate_fn=collate_pairs)
            yield from loader
            epoch += 1

    def train(self) -> list[dict]:
        """Train until ``config.steps`` optimizer steps; returns the per-step metric records of this call.

        ``callback(record)`` runs after every optimizer step; ``should_stop()`` is asked after it, and a True
        answer ends training early (``self.stopped``) after saving a checkpoint, so a resume continues there.
        """
        config, acc = self.config, self.accelerator
        records: list[dict] = []
        micro: list[dict] = []
        batches = self._batches()
        while self.step < config.steps:
            batch = next(batches)
            seed = config.seed * 1_000_003 + self.step * config.grad_accum + len(micro) + self.rank * 104_729
            generator = torch.Generator(self.device).manual_seed(seed)
            with acc.accumulate(self.denoiser.model):
                with acc.autocast():
                    loss, metrics = self.compute_loss(batch, generator)
                acc.backward(loss)
                if acc.sync_gradients and self.world > 1:
                    self._average_gradients()
                if acc.sync_gradients and config.max_grad_norm > 0:
                    acc.clip_grad_norm_(self.params, config.max_grad_norm)
                self.optimizer.step()
                self.optimizer.zero_grad(set_to_none=True)
            micro.append(metrics)
            if not acc.sync_gradients:
                continue
            self.step += 1
            record = {"step": self.step}
            record.update({k: float(torch.stack([m[k] for m in micro]).mean()) for k in METRIC_KEYS})
            micro = []
            records.append(record)
            self.history.append(record)
            if self.callback is not None and acc.is_main_process:
                self.callback(record)
            self.stopped = self._stop_requested()
            due = config.checkpoint_every and self.step % config.checkpoint_every == 0
            if config.checkpoint_dir and (due or self.step == config.steps or self.stopped):
                acc.wait_for_everyone()
                if acc.is_main_process:  # one writer; the averaged gradients keep every process's LoRA equal
                    self.save_checkpoint()
            if self.stopped:
                break
        return records

    def _average_gradients(self) -> None:
        import torch.distributed as dist

        for p in self.params:
            if p.grad is None:
                p.grad = torch.zeros_like(p)
            dist.all_reduce(p.grad, op=dist.ReduceOp.SUM)
            p.grad.div_(self.world)

    def _stop_requested(self) -> bool:
        """``should_stop()`` as process 0 answers it (every process must stop at the same step)."""
        stop = self.should_stop is not None and bool(self.should_stop())
        if self.world > 1:
            from accelerate.utils import broadcast_object_list

            stop = bool(broadcast_object_list([stop], from_process=0)[0])
        return stop

    # -- checkpoints ----------------------------------------------------------------------------------------
    def save_checkpoint(self, path: str | Path | None = None) -> Path:
        """Write ``pytorch_lora_weights.safetensors`` (diffusers' LoRA format: ``pipe.load_lora_weights(path)``
        loads it, see ``lora_io``), ``config.json``, ``trainer_state.json`` and ``optimizer.pt``."""
        if path is None:
            if not self.config.checkpoint_dir:
                raise ValueError("no path given and config.checkpoint_dir is unset")
            path = Path(self.config.checkpoint_dir) / step_folder_name(self.step, digits=6)
        path = Path(path)
        with written_whole(path) as scratch:
            save_lora(self.denoiser.model, scratch, self.config.family)
            self.config.save(scratch / "config.json")
            last = self.history[-1] if self.history else None
            (scratch / "trainer_state.json").write_text(
                json.dumps({"step": self.step, "last_metrics": last}, indent=2))
            torch.save(self.optimizer.state_dict(), scratch / "optimizer.pt")
        return path

    def load_checkpoint(self, path: str | Path) -> None:
        """Restore LoRA weights, optimizer state and step count from ``save_checkpoint``'s folder (also the
        ``lora.safetensors`` folders written before the diffusers format)."""
        path = Path(path)
        state = read_lora_state(path, device=str(self.device))
        saved = GapoConfig.load(path / "config.json")
        mismatched = [k for k in RESUME_MUST_MATCH if getattr(saved, k) != getattr(self.config, k)]
        if mismatched:
            details = ", ".join(
                f"{k}: saved {getattr(saved, k)!r} vs now {getattr(self.config, k)!r}" for k in mismatched
            )
            raise ValueError(f"checkpoint {path} was trained with a different adapter ({details})")
        self.denoiser.load_lora_state_dict(state)
        self.optimizer.load_state_dict(torch.load(path / "optimizer.pt", map_location=self.device))
        self.step = json.loads((path / "trainer_state.json").read_text())["step"]


def check_marks(pairs: Dataset | list[dict]) -> None:
    """Dense GAPO reads ``marks_w`` / ``marks_l`` (one per latent frame of ``x_w``) from every pair: fail on the
    first pair before any model work if they are missing or misshaped."""
    if len(pairs) == 0:
        return
    first = pairs[0]
    frames = first["x_w"].shape[1]  # (C, T, H, W)
    for key in ("marks_w", "marks_l"):
        marks = first.get(key)
        if marks is None:
            raise ValueError(f"frame_weighting='segments' needs {key} in every pair (the fraction of annotators "
                             "marking each latent frame); these pairs have none: write them with segment marks "
                             "or use frame_weighting='none'")
        if tuple(torch.as_tensor(marks).shape) != (frames,):
            raise ValueError(f"{key} must have one entry per latent frame ({frames}), got shape "
                             f"{tuple(torch.as_tensor(marks).shape)}")


def latest_checkpoint(checkpoint_dir: str | Path) -> Path | None:
    """The ``step-N`` folder with the highest N, or None."""
    return latest_step_folder(checkpoint_dir)
