import pytest
import torch

# Tiny models spike 10-40x with two threads on a busy 2-core machine (shared/environment.md).
torch.set_num_threads(1)


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory):
    """2 prompts x 5 demo generators, small clips (about 1 s to build)."""
    from demo import build_demo_dataset

    out = tmp_path_factory.mktemp("reward_demo")
    build_demo_dataset(out, n_prompts=2, width=128, height=72, num_frames=24)
    return out


@pytest.fixture(scope="session")
def demo_pairs(demo_dir):
    from training.reward.data import demo_pairset

    return demo_pairset(demo_dir, test_fraction=0.0)


@pytest.fixture(scope="session")
def tiny_prepared(demo_pairs):
    from training.reward.config import RewardConfig
    from training.reward.train import prepare_all

    return prepare_all(demo_pairs, RewardConfig(preset="tiny", device="cpu"))
