"""`manage.py seed_demo --simulate N`: the demo campaign labelled by simulated annotators through
the real lease/submit services, and the demo's retrain policy."""
from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from annotation.models import Assignment, AssignmentState, Pair
from annotation.selectors.invariants import annotation_invariant_violations
from tests.runs.conftest import TRANSACTIONAL
from training.models import RetrainPolicy

pytestmark = TRANSACTIONAL


def test_simulated_annotators_label_the_demo_through_the_services(run_roots, demo_clips, settings, capsys):
    settings.IMPORT_ROOTS = [demo_clips.resolve()]
    call_command("seed_demo", "--dataset-dir", str(demo_clips), "--simulate", "2", "--max-submissions", "25")
    out = capsys.readouterr().out
    assert "2 simulated annotators stored 25 submissions" in out
    submitted = Assignment.objects.filter(state=AssignmentState.SUBMITTED, annotator__username__startswith="sim-")
    assert submitted.count() == 25
    assert sum(Pair.objects.values_list("completed", flat=True)) == 25
    assert annotation_invariant_violations() == {}
    policy = RetrainPolicy.objects.get()
    assert policy.enabled and policy.reward_config["preset"] == "tiny"
    assert f"retrain policy {policy.name!r}: every 30 new judgments" in out  # training answered demo_seeded

    call_command("seed_demo", "--dataset-dir", str(demo_clips))  # idempotent: nothing duplicated
    assert RetrainPolicy.objects.count() == 1


def test_bad_simulation_arguments_are_refused(run_roots):
    with pytest.raises(CommandError, match="--noise"):
        call_command("seed_demo", "--simulate", "1", "--noise", "2")
