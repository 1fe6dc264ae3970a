import pytest
"""One step-N rule for every checkpoint root: numeric order, and stray names are ignored, not fatal."""

from training.step_folders import latest_step_folder, step_folder_name, step_folders, step_of


def test_names_round_trip_with_and_without_padding():
    assert step_folder_name(300) == "step-300" and step_folder_name(7, digits=6) == "step-000007"
    assert step_of("step-000007") == 7 and step_of("/runs/1/step-300") == 300
    assert step_of("step-300.tmp") is None and step_of("step-") is None and step_of("steps-3") is None


def test_folders_sort_by_step_and_skip_stray_names(tmp_path):
    for name in ("step-9", "step-10", "step-2", "step-10.tmp", "step-latest"):
        (tmp_path / name).mkdir()
    (tmp_path / "step-11").write_text("a file, not a checkpoint")
    assert [p.name for p in step_folders(tmp_path)] == ["step-2", "step-9", "step-10"]
    assert latest_step_folder(tmp_path).name == "step-10"


def test_latest_can_require_a_complete_checkpoint(tmp_path):
    for name in ("step-1", "step-2"):
        (tmp_path / name).mkdir()
    (tmp_path / "step-1" / "model.safetensors").write_bytes(b"x")
    assert latest_step_folder(tmp_path, containing="model.safetensors").name == "step-1"
    assert latest_step_folder(tmp_path / "missing") is None


def test_a_save_killed_midway_leaves_no_step_folder_for_resume_to_trip_on(tmp_path):
    from training.step_folders import latest_step_folder, written_whole

    with written_whole(tmp_path / "step-5") as scratch:
        (scratch / "optimizer.pt").write_bytes(b"whole")
    with pytest.raises(KeyboardInterrupt), written_whole(tmp_path / "step-10") as scratch:
        (scratch / "optimizer.pt").write_bytes(b"half")  # the worker dies here, mid-write
        raise KeyboardInterrupt
    assert latest_step_folder(tmp_path, containing="optimizer.pt") == tmp_path / "step-5"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["step-5"]


def test_re_saving_a_step_replaces_its_folder_whole(tmp_path):
    from training.step_folders import written_whole

    with written_whole(tmp_path / "step-5") as scratch:
        (scratch / "old-only.txt").write_text("old")
    with written_whole(tmp_path / "step-5") as scratch:
        (scratch / "weights").write_text("new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["step-5"]
    assert sorted(p.name for p in (tmp_path / "step-5").iterdir()) == ["weights"]
