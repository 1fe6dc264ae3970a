"""Run under `torchrun --nproc-per-node 2`: GAPO training on two processes keeps one LoRA (gradients averaged)
while each process sees its own batches. Process 0 prints every process's summary as one JSON list."""
import json

import torch
import torch.distributed as dist

from training.distributed import finish_process_group
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
mine = {"rank": trainer.rank, "world": trainer.world, "records": len(records),
        "same_lora": all(torch.equal(gathered[0], g) for g in gathered),
        "moved": bool(flat.abs().sum() > 0), "losses": [r["loss"] for r in records]}
rows = [None] * trainer.world
dist.all_gather_object(rows, mine)
if trainer.rank == 0:  # one writer: two processes printing to one pipe can interleave their lines
    print(json.dumps(rows), flush=True)
finish_process_group()
