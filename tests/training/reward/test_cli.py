import json

from training.reward import AnimeReward, RewardConfig
from training.reward.__main__ import main


def test_score_and_eval_commands_run_on_a_saved_checkpoint(demo_dir, demo_pairs, tmp_path, capsys):
    ckpt = tmp_path / "ckpt"
    AnimeReward(RewardConfig(preset="tiny", device="cpu", dimensions=("motion", "image_video"))).save(ckpt)
    v = next(iter(demo_pairs.videos.values()))
    assert main(["score", "--checkpoint", str(ckpt), "--video", v.path, "--prompt", v.prompt,
                 "--initial-image", v.initial_image]) == 0
    row = json.loads(capsys.readouterr().out.strip())
    assert set(row) == {"video", "motion", "image_video", "overall"}
    report = tmp_path / "eval.json"
    assert main(["eval", "--checkpoint", str(ckpt), "--demo", str(demo_dir), "--test-fraction", "1.0",
                 "--baseline", "--json", str(report)]) == 0
    data = json.loads(report.read_text())
    assert data["model"]["pairs"] == 20 and set(data["baseline"]["dimensions"]) == {"motion", "image_video"}


def test_train_command_writes_a_checkpoint_and_resumes(demo_dir, tmp_path, capsys):
    out = tmp_path / "run"
    args = ["train", "--demo", str(demo_dir), "--test-fraction", "0", "--preset", "tiny", "--device", "cpu",
            "--batch-size", "2", "--output-dir", str(out)]
    assert main([*args, "--steps", "1"]) == 0
    assert main([*args, "--steps", "2"]) == 0
    logged = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert [m["step"] for m in logged] == [1, 2]
    record = json.loads((out / "step-2" / "metrics.json").read_text())
    assert record["step"] == 2 and record["dataset_version"].startswith("demo:")


def test_train_config_file_values_hold_unless_a_flag_is_given(demo_dir, tmp_path, capsys):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"preset": "tiny", "steps": 2, "dimensions": ["motion"], "batch_size": 2,
                                  "device": "cpu"}))
    out = tmp_path / "run"
    assert main(["train", "--demo", str(demo_dir), "--test-fraction", "0", "--config", str(config),
                 "--output-dir", str(out)]) == 0
    saved = RewardConfig.load(out / "step-2" / "config.json")
    assert (saved.preset, saved.steps, saved.dimensions, saved.batch_size) == ("tiny", 2, ("motion",), 2)
    assert main(["train", "--demo", str(demo_dir), "--test-fraction", "0", "--config", str(config),
                 "--steps", "3", "--output-dir", str(out)]) == 0
    assert RewardConfig.load(out / "step-3" / "config.json").steps == 3


def test_real_clips_command_reports_the_baseline_on_shipped_clips(tmp_path, capsys):
    from training.reward.__main__ import main

    out = tmp_path / "real.json"
    assert main(["real-clips", "--limit", "2", "--degradations", "freeze,blur", "--json", str(out)]) == 0
    report = json.loads(out.read_text())["baseline"]
    assert len(report["clips"]) == 2 and report["degradations"] == ["freeze", "blur"]
    assert report["accuracy"]["motion"] == 1.0  # the baseline's motion map reads a frozen clip as still
    assert "real footage" in capsys.readouterr().out


def test_train_with_demo_spans_and_score_curves_from_the_command_line(demo_dir, demo_pairs, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--demo", str(demo_dir), "--demo-spans", "--test-fraction", "0", "--preset", "tiny",
                 "--device", "cpu", "--batch-size", "2", "--steps", "1", "--frame-dimensions", "smoothness,character",
                 "--segment-loss-weight", "1", "--output-dir", str(out)]) == 0
    saved = json.loads((out / "step-1" / "config.json").read_text())
    assert saved["frame_dimensions"] == ["smoothness", "character"] and saved["segment_loss_weight"] == 1.0
    capsys.readouterr()
    v = next(iter(demo_pairs.videos.values()))
    assert main(["score", "--checkpoint", str(out / "step-1"), "--video", v.path, "--prompt", v.prompt,
                 "--curves"]) == 0
    row = json.loads(capsys.readouterr().out.strip())
    assert set(row["curves"]) == {"smoothness", "character"} and len(row["positions"]) == 24
    assert all(len(c) == 24 and all(0 <= x <= 1 for x in c) for c in row["curves"].values())
