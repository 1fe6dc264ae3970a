"""Process-group teardown shared by the training command lines. Never imports Django."""
from __future__ import annotations


def finish_process_group() -> None:
    """Under torchrun / accelerate launch: wait for every process, then tear the group down, so no gloo/NCCL
    thread is still running when the interpreter exits (that ends in 'terminate called without an active
    exception' and SIGABRT). A no-op in a single process."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
