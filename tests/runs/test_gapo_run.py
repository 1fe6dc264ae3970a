"""A GAPO run started from the API: on-policy pairs scored by the promoted AnimeReward, LoRA
training with live progress, held-out samples served as browser-playable MP4s."""
from __future__ import annotations

import pytest

from tests.runs.conftest import TINY_REWARD, TRANSACTIONAL
from training.models import RunMetric, RunState, TrainingRun
from training.runs.execution import run_execute
from training.runs.services import run_create

pytestmark = TRANSACTIONAL
GAPO = {"family": "cogvideox", "preset": "tiny", "steps": 4, "device": "cpu"}
# Four candidates over five training prompts: a tiny reward model can saturate (equal scores make
# no pair), and one prompt with distinct scores is all the run needs.
GAPO_OPTIONS = {"k": 4, "sample_steps": 3, "max_prompts": 6, "eval_fraction": 0.2}


@pytest.fixture
def promoted_reward(demo_dataset):
    # A gentle head learning rate keeps the scores of generated clips off sigmoid saturation.
    run = run_create(kind="reward", config={**TINY_REWARD, "head_lr": 0.01}, dataset_version=demo_dataset,
                     enqueue=False)
    assert run_execute(run.pk).state == RunState.SUCCEEDED
    return run.reward_model_version


def test_a_gapo_run_from_the_api_trains_a_lora_and_serves_its_samples(promoted_reward, client, carol, rita,
                                                                     monkeypatch):
    queued = []
    monkeypatch.setattr("training.runs.services.enqueue_run", queued.append)
    client.force_login(carol)
    response = client.post("/api/runs/", {"kind": "gapo", "config": GAPO, "options": GAPO_OPTIONS},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    run_id = response.json()["id"]
    assert queued == [run_id] and response.json()["reward_model"] == promoted_reward.pk

    ended = run_execute(run_id)
    assert ended.state == RunState.SUCCEEDED, ended.error
    assert list(RunMetric.objects.filter(run=ended).values_list("step", flat=True)) == [1, 2, 3, 4]
    assert ended.metrics["pairs"]["pairs"] >= 1
    assert set(ended.metrics["eval"]["win_rate"]) >= {"overall", "smoothness"}

    client.force_login(rita)  # reviewers look at samples
    samples = client.get(f"/api/runs/{run_id}/").json()["samples"]
    assert samples and {"base_url", "trained_url", "base_scores", "trained_scores"} <= set(samples[0])
    video = client.get(samples[0]["trained_url"])
    assert video.status_code == 200 and video["Content-Type"] == "video/mp4"
    assert b"ftyp" in b"".join(video.streaming_content)[:64]


@pytest.fixture
def promoted_row(demo_dataset):
    """A promoted model's registry row without training one: what refusal tests need (a trained
    model cost each of them a reward run)."""
    from training.models import RewardModelVersion, RunKind

    run = TrainingRun.objects.create(kind=RunKind.REWARD, state=RunState.SUCCEEDED, dataset_version=demo_dataset)
    return RewardModelVersion.objects.create(run=run, dataset_version=demo_dataset, dataset_sha256="0" * 64,
                                             checkpoint_uri="nowhere", metrics={}, accuracy=0.8, promoted=True)


def test_run_files_refuse_traversal_and_other_types(promoted_row, client, rita):
    client.force_login(rita)
    run = promoted_row.run
    for path in ("../../etc/passwd", "checkpoints/step-24/config.json", "%2e%2e/x.mp4", "gapo/eval/none.mp4"):
        assert client.get(f"/api/runs/{run.pk}/files/{path}").status_code == 404, path


def test_bad_gapo_options_are_refused_before_anything_is_stored(promoted_row):
    from studio_platform.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="k >= 2"):
        run_create(kind="gapo", config=GAPO, options={"k": 1}, enqueue=False)
    with pytest.raises(ValidationFailed, match="eval_fraction"):
        run_create(kind="gapo", config=GAPO, options={"eval_fraction": 1.5}, enqueue=False)
    with pytest.raises(ValidationFailed, match="available for reward runs"):
        run_create(kind="gapo", config=GAPO, options={"num_processes": 2}, enqueue=False)
    with pytest.raises(ValidationFailed, match="pair_source must be one of onpolicy, human"):
        run_create(kind="gapo", config=GAPO, options={"pair_source": "crowd"}, enqueue=False)
    assert not TrainingRun.objects.filter(kind="gapo").exists()


def test_every_gapo_job_option_is_an_accepted_run_option():
    import dataclasses

    from training.gapo.studio import JobOptions
    from training.runs.options import GapoRunOptions, option_names

    assert {f.name for f in dataclasses.fields(JobOptions)} <= set(option_names("gapo"))
    options = GapoRunOptions(k=3, checkpoint_every=5, max_prompts=2)
    assert isinstance(options, JobOptions) and options.k == 3, "the executor hands the run's options to the job"
    assert JobOptions.from_options({"k": 3, "checkpoint_every": 5, "max_prompts": 2}).k == 3


def test_a_gapo_run_on_human_pairs_uses_the_judged_videos_and_their_scores(promoted_reward, labelled_demo):
    from annotation.services.quality import campaign_quality_refresh

    campaign_quality_refresh(campaign=labelled_demo)  # per-video Bradley-Terry scores (VideoScore)
    run = run_create(kind="gapo", config=GAPO, enqueue=False,
                     options={**GAPO_OPTIONS, "max_prompts": 6, "pair_source": "human", "human_min_gap": 0.05})
    ended = run_execute(run.pk)
    assert ended.state == RunState.SUCCEEDED, ended.error
    pairs = ended.metrics["pairs"]
    assert pairs["source"] == "human" and pairs["pairs"] >= 5
    assert sum(pairs["dropped"].values()) >= 1  # ties and small gaps are counted, not used
    assert "human pairs kept" in ended.log_tail


def test_run_gapo_without_a_config_takes_the_deployments_default_setup(promoted_row, settings):
    settings.GAPO_DEFAULT_CONFIG = {"preset": "tiny", "steps": 7, "device": "cpu"}
    settings.GAPO_DEFAULT_OPTIONS = {"base_generator": "demo", "k": 3, "dimension": "appeal"}
    run = run_create(kind="gapo", options={"k": 5}, enqueue=False)  # the /runs/ button sends no config
    assert run.config["steps"] == 7 and run.total_steps == 7
    run.refresh_from_db()
    assert {k: run.options[k] for k in ("base_generator", "k", "dimension")} == {
        "base_generator": "demo", "k": 5, "dimension": "appeal"}, "given options win"
    assert run.options["sample_steps"] == 12, "every option is stored with its value"
    explicit = run_create(kind="gapo", config=GAPO, enqueue=False)
    assert explicit.options["base_generator"] == "" and explicit.config["steps"] == GAPO["steps"]
    with pytest.raises(Exception, match="base_generator"):
        run_create(kind="gapo", config=GAPO, options={"base_generator": "mine"}, enqueue=False)


def test_run_gapo_before_any_model_is_promoted_says_so(demo_dataset, client, carol):
    client.force_login(carol)
    response = client.post("/api/runs/", {"kind": "gapo"}, content_type="application/json")
    assert response.status_code == 400 and "promoted" in response.json()["detail"].lower()
    assert not TrainingRun.objects.exists()


def test_human_pair_inputs_carry_the_spans_of_submitted_assignments_only(labelled_demo):
    from annotation.models import Assignment, AssignmentState, Segment
    from training.runs.human_pairs import campaign_human_pair_inputs

    submitted = Segment.objects.filter(assignment__campaign=labelled_demo, assignment__state=AssignmentState.SUBMITTED)
    assert submitted.exists(), "the demo simulation marks spans on the temporal dimensions"
    pairs, _ = campaign_human_pair_inputs(campaign=labelled_demo)
    by_id = {p["pair_id"]: p for p in pairs}
    span = submitted.filter(assignment__pair_id__in=by_id).select_related("assignment", "dimension", "video").first()
    pair = by_id[span.assignment.pair_id]
    assert {"annotator": span.annotator_id, "dimension": span.dimension.key, "start_frame": span.start_frame,
            "end_frame": span.end_frame} in pair["spans"][span.video_id]
    assert span.annotator_id in pair["annotators"]
    assert pair["frame_counts"][span.video_id] == span.video.rendition_frame_count > 0
    assert sum(len(s) for p in pairs for s in p["spans"].values()) == submitted.filter(
        assignment__pair_id__in=by_id).count()

    Assignment.objects.filter(pk=span.assignment_id).update(state=AssignmentState.SKIPPED)
    pairs, _ = campaign_human_pair_inputs(campaign=labelled_demo)
    for p in pairs:
        if p["pair_id"] == span.assignment.pair_id:
            assert span.annotator_id not in p["annotators"]
            assert all(s["annotator"] != span.annotator_id for spans in p["spans"].values() for s in spans)


def test_dense_gapo_is_refused_up_front_without_human_pairs(promoted_row, client, carol):
    from studio_platform.errors import ValidationFailed

    dense = {**GAPO, "frame_weighting": "segments", "dense_beta": 2.0}
    client.force_login(carol)
    response = client.post("/api/runs/", {"kind": "gapo", "config": dense, "options": GAPO_OPTIONS},
                           content_type="application/json")
    assert response.status_code == 400
    assert "only human pairs carry" in response.json()["detail"] and "pair_source" in response.json()["detail"]
    response = client.post("/api/runs/", {"kind": "gapo", "config": {**dense, "dense_beta": -1},
                                          "options": {**GAPO_OPTIONS, "pair_source": "human"}},
                           content_type="application/json")
    assert response.status_code == 400 and "dense_beta must be >= 0" in response.json()["detail"]
    with pytest.raises(ValidationFailed, match="chained GAPO run samples on-policy pairs"):
        run_create(kind="reward", config=TINY_REWARD, dataset_version=promoted_row.dataset_version, enqueue=False,
                   options={"chain_gapo": True, "gapo_config": dense})
    assert not TrainingRun.objects.filter(kind="gapo").exists()
    accepted = run_create(kind="gapo", config=dense, options={**GAPO_OPTIONS, "pair_source": "human"}, enqueue=False)
    assert accepted.config["frame_weighting"] == "segments" and accepted.config["dense_beta"] == 2.0


def test_a_dense_gapo_run_trains_on_the_annotators_spans_of_the_judged_videos(promoted_reward, labelled_demo):
    from safetensors.torch import load_file

    from annotation.services.quality import campaign_quality_refresh
    from training.runs.executors.common import run_folder

    campaign_quality_refresh(campaign=labelled_demo)
    run = run_create(kind="gapo", config={**GAPO, "frame_weighting": "segments", "dense_beta": 2.0}, enqueue=False,
                     options={**GAPO_OPTIONS, "pair_source": "human", "human_min_gap": 0.05})
    ended = run_execute(run.pk)
    assert ended.state == RunState.SUCCEEDED, ended.error
    pairs = ended.metrics["pairs"]
    assert pairs["source"] == "human" and pairs["marked_pairs"] >= 1
    assert "pairs carry annotators' span marks" in ended.log_tail
    files = sorted((run_folder(run.pk) / "gapo" / "pairs").glob("pair-*.safetensors"))
    marks = [load_file(str(f)) for f in files]
    assert all(m["marks_w"].shape == (GAPO_OPTIONS.get("frames", 8),) for m in marks)
    assert sum(int((m["marks_w"] > 0).any() or (m["marks_l"] > 0).any()) for m in marks) == pairs["marked_pairs"]
