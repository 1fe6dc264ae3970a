"""media_io/cache.py: exact round trips, keys that follow the parameters, atomic writes."""

import hashlib
import os

import numpy as np
import pytest

from media_io import FrameCache, sha256_file, uniform_indices
from media_io import cache as cache_module
from tests.media.clips import grey_indices

SHA = "ab" * 32


def _frames(n=4, h=6, w=8, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (n, h, w, 3), dtype=np.uint8)


def _files(root):
    return sorted(p.name for p in root.rglob("*") if p.is_file())


def test_sha256_file_matches_hashlib_over_chunk_boundaries(tmp_path, monkeypatch):
    monkeypatch.setattr(cache_module, "_CHUNK", 7)
    path = tmp_path / "blob"
    path.write_bytes(bytes(range(256)) * 3)
    assert sha256_file(path) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_frames_round_trip_exactly(tmp_path):
    cache, frames = FrameCache(tmp_path), _frames()
    assert cache.get(SHA, 4, 224) is None
    cache.put(SHA, 4, 224, frames)
    got = cache.get(SHA, 4, 224)
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got, frames)


def test_the_key_changes_with_every_parameter(tmp_path, monkeypatch):
    cache = FrameCache(tmp_path)
    cache.put(SHA, 4, 224, _frames())
    assert cache.get("cd" * 32, 4, 224) is None  # other video
    assert cache.get(SHA, 5, 224) is None  # other frame count
    assert cache.get(SHA, 4, 112) is None  # other short side
    assert cache.get(SHA, 4, (224, 224)) is None  # exact size is not "short side 224"
    assert cache.get(SHA, 4, None) is None
    monkeypatch.setattr(cache_module, "SAMPLING_VERSION", 2)  # sampling rule changed
    assert cache.get(SHA, 4, 224) is None
    paths = {cache.path_for(SHA, 4, s) for s in (224, 112, (224, 224), None)}
    assert len(paths) == 4


def test_a_write_leaves_no_temp_files(tmp_path):
    cache = FrameCache(tmp_path)
    path = cache.put(SHA, 4, None, _frames())
    assert _files(tmp_path) == [path.name]


def test_a_crash_before_the_rename_leaves_neither_entry_nor_temp_file(tmp_path, monkeypatch):
    cache = FrameCache(tmp_path)

    def crash(src, dst):
        raise OSError("disk pulled")

    monkeypatch.setattr(cache_module.os, "replace", crash)
    with pytest.raises(OSError, match="disk pulled"):
        cache.put(SHA, 4, None, _frames())
    assert _files(tmp_path) == []
    assert cache.get(SHA, 4, None) is None


def test_an_overwrite_replaces_the_whole_entry(tmp_path):
    cache = FrameCache(tmp_path)
    cache.put(SHA, 4, None, _frames(seed=1))
    cache.put(SHA, 4, None, _frames(seed=2))
    np.testing.assert_array_equal(cache.get(SHA, 4, None), _frames(seed=2))


def test_damaged_or_misplaced_entries_are_misses(tmp_path):
    cache = FrameCache(tmp_path)
    path = cache.put(SHA, 4, None, _frames())
    path.write_bytes(path.read_bytes()[:40])  # torn by something other than this module
    assert cache.get(SHA, 4, None) is None
    other = cache.put("cd" * 32, 4, None, _frames())
    os.replace(other, path)  # right name, wrong key inside
    assert cache.get(SHA, 4, None) is None


def test_put_rejects_frames_that_do_not_match_the_key(tmp_path):
    with pytest.raises(ValueError, match="uint8"):
        FrameCache(tmp_path).put(SHA, 3, None, _frames())
    with pytest.raises(ValueError, match="sha256"):
        FrameCache(tmp_path).put("not-a-hash", 4, None, _frames())


def test_get_or_sample_decodes_once_then_reads_the_cache(clips, tmp_path, monkeypatch):
    cache, calls = FrameCache(tmp_path), []
    real = cache_module.sample_frames
    monkeypatch.setattr(cache_module, "sample_frames", lambda *a, **k: calls.append(a) or real(*a, **k))
    first = cache.get_or_sample(clips["h264.mp4"], num_frames=6, size=24)
    second = cache.get_or_sample(clips["h264.mp4"], sha256_file(clips["h264.mp4"]), num_frames=6, size=24)
    assert len(calls) == 1
    np.testing.assert_array_equal(first, second)
    assert first.shape == (6, 24, 32, 3) and grey_indices(first) == uniform_indices(30, 6)
