import torch

# Tiny models spike 10-40x with two threads on a busy 2-core machine (shared/environment.md).
torch.set_num_threads(1)
