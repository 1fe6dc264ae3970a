"""The `paper` preset's loading and codec code on a pipeline folder of test-sized random-init
diffusers/transformers parts saved with save_pretrained (what a real CogVideoX-5b-I2V folder holds,
at toy size): transformer/, vae/, text_encoder/, tokenizer/, scheduler/."""
from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(scope="module")
def cogvideox_folder(tmp_path_factory):
    from training.gapo.toy_pipeline import save_toy_cogvideox_pipeline

    return save_toy_cogvideox_pipeline(tmp_path_factory.mktemp("cogvideox_i2v_toy"))


def test_a_paper_folder_runs_the_whole_studio_job(cogvideox_folder, tmp_path):
    from training.gapo.config import GapoConfig
    from training.gapo.rewards import HandcraftedReward
    from training.gapo.studio import JobOptions, StudioPrompt, run_studio_job
    from training.gapo.toy_pipeline import TOY_FRAMES, TOY_HEIGHT, TOY_WIDTH

    rng = np.random.default_rng(0)
    prompts = [StudioPrompt(str(i), f"a girl {w}", rng.integers(0, 255, (40, 56, 3), dtype=np.uint8))
               for i, w in enumerate(["waves", "runs", "jumps"])]
    config = GapoConfig(family="cogvideox", preset="paper", model_path=str(cogvideox_folder), steps=2, device="cpu")
    toy = JobOptions(k=2, sample_steps=2, height=TOY_HEIGHT, width=TOY_WIDTH, paper_frames=TOY_FRAMES)
    result = run_studio_job(config, train_prompts=prompts[:2], eval_prompts=prompts[2:],
                            scorer=HandcraftedReward(), out_dir=tmp_path, options=toy)
    assert result["status"] == "completed" and result["train"]["step"] == 2
    assert result["pairs"]["pairs"] == 2
    assert (tmp_path / "eval" / "videos").is_dir() and any((tmp_path / "eval" / "videos").glob("*.mp4"))


def test_a_missing_part_names_the_folder_to_provide(cogvideox_folder, tmp_path):
    import shutil

    from training.gapo.config import GapoConfig
    from training.gapo.paper_codec import PaperCodec

    partial = tmp_path / "pipeline"
    shutil.copytree(cogvideox_folder, partial)
    shutil.rmtree(partial / "vae")
    with pytest.raises(FileNotFoundError, match=r"could not load vae of cogvideox from .*pipeline"):
        PaperCodec(GapoConfig(family="cogvideox", preset="paper", model_path=str(partial)))
