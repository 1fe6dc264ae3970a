"""Run under `torchrun --nproc-per-node 2`: GAPO training on two processes keeps one LoRA (gradients averaged)
while each process sees its own batches. Prints one JSON line per process."""
import json

import torch
import torch.distributed as dist

from training.gapo.config import GapoConfig
from training.gapo.data import synthetic_pairs
from training.gapo.models import build_denoiser
from training.gapo.trainer import GapoTrainer

config = GapoConfig(family="wan", lora_rank=2, lora_alpha=2, batch_size=1, steps=3, lr=1e-2, device="cpu")
denoiser = build_denoiser(config)
trainer = GapoTrainer(config, denoiser, synthetic_pairs(denoiser, 6, seed=3))
records = trainer.train()
flat = torch.cat([p.detach().flatten() for p in trainer.params])
gathered = [torch.zeros_like(flat) for _ in range(trainer.world)]
dist.all_gather(gathered, flat)
print(json.dumps({"rank": trainer.rank, "world": trainer.world, "records": len(records),
                  "same_lora": all(torch.equal(gathered[0], g) for g in gathered),
                  "moved": bool(flat.abs().sum() > 0), "losses": [r["loss"] for r in records]}), flush=True)
