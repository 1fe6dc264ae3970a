import json
from pathlib import Path

import numpy as np
import pytest

from demo import DIMENSIONS, GENERATORS, build_demo_dataset, read_demo_dataset
from demo.__main__ import main
from demo.dataset import MANIFEST_KEYS
from media_io import read_frames

TINY = dict(n_prompts=2, generators=GENERATORS[:2], videos_per_generator=2, width=64, height=48,
            num_frames=8, fps=8, seed=1)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    return out, build_demo_dataset(out, **TINY)


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_it_writes_one_video_per_prompt_generator_and_seed(built):
    out, rows = built
    assert len(rows) == 2 * 2 * 2
    assert len(list((out / "videos").glob("*.mp4"))) == 8
    assert len(list((out / "initial").glob("*.png"))) == 2
    assert {r.video for r in rows} == {f"videos/{r.prompt_key}__{r.generator}__{r.seed}.mp4" for r in rows}


def test_manifest_rows_have_exactly_the_import_keys_and_relative_paths_that_exist(built):
    out, rows = built
    records = _lines(out / "manifest.jsonl")
    assert [tuple(r) for r in records] == [MANIFEST_KEYS] * len(rows)
    for r in records:
        for key in ("initial_image", "video"):
            assert not Path(r[key]).is_absolute()
            assert (out / r[key]).is_file()
        assert r["initial_image"] == f"initial/{r['prompt_key']}.png"
        assert r["action_label"] in r["prompt_key"]


def test_ground_truth_rows_match_the_manifest_and_the_returned_rows(built):
    out, rows = built
    truth = _lines(out / "ground_truth.jsonl")
    assert [tuple(t) for t in truth] == [("video", "generator", "prompt_key") + DIMENSIONS + ("frames",)] * len(rows)
    assert [t["video"] for t in truth] == [r.video for r in rows]
    assert [{d: t[d] for d in DIMENSIONS} for t in truth] == [r.truth for r in rows]
    assert read_demo_dataset(out) == rows


def test_the_platform_manifest_parser_accepts_the_manifest(built):
    from annotation.manifests import parse_manifest

    out, rows = built
    parsed = parse_manifest((out / "manifest.jsonl").read_text(), fmt="jsonl", base_dir=out,
                            roots=[out.resolve()], max_rows=100)
    assert parsed.errors == []
    assert len(parsed.rows) == len(rows)


def test_the_same_arguments_give_byte_identical_files(built, tmp_path):
    out, _ = built
    build_demo_dataset(tmp_path, **TINY)
    names = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    for name in names:
        assert (out / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_videos_decode_to_the_requested_length_and_size(built):
    out, rows = built
    assert read_frames(out / rows[0].video).shape == (8, 48, 64, 3)


def test_video_seeds_give_different_videos(built):
    out, rows = built
    a, b = (read_frames(out / r.video) for r in rows[2:4])  # same prompt and generator, seeds 0 and 1
    assert rows[2].generator == rows[3].generator and rows[2].seed != rows[3].seed
    assert not np.array_equal(a, b)


@pytest.mark.parametrize("kwargs, message", [
    ({"width": 63}, "must be even"),
    ({"n_prompts": 0}, "n_prompts must be a positive integer"),
    ({"videos_per_generator": 0}, "videos_per_generator must be a positive integer"),
    ({"generators": [GENERATORS[0], GENERATORS[0]]}, "unique names"),
    ({"generators": GENERATORS[0]}, "non-empty sequence of GeneratorProfile"),
])
def test_bad_arguments_fail_before_writing_anything(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        build_demo_dataset(tmp_path / "out", **{**TINY, **kwargs})
    assert not (tmp_path / "out").exists()


def test_cli_builds_a_data_set_and_prints_a_summary(tmp_path, capsys):
    assert main([str(tmp_path), "--prompts", "1", "--generators", "aurora,cel", "--width", "64",
                 "--height", "48", "--frames", "6"]) == 0
    printed = capsys.readouterr().out
    assert "wrote 2 videos" in printed and "cel" in printed and "smoothness" in printed
    assert len(_lines(tmp_path / "manifest.jsonl")) == 2


def test_cli_reports_an_unknown_generator(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main([str(tmp_path), "--generators", "zephyr"])
    assert "unknown generator 'zephyr'" in capsys.readouterr().err
