"""Migration training/0006: `generation` rows (which ran GAPO training) become `gapo` before the kind
CHECK drops `generation`, so a database holding such runs migrates."""
from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.runs.conftest import TRANSACTIONAL

BEFORE = [("training", "0005_alter_retrainpolicy_promotion_epsilon")]
AFTER = [("training", "0006_remove_generation_kind")]


@TRANSACTIONAL
def test_generation_runs_become_gapo_runs_when_the_kind_is_removed():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("training", "TrainingRun")
        run = old.objects.create(kind="generation", config={}, options={"k": 3})
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps.get_model("training", "TrainingRun")
        assert new.objects.get(pk=run.pk).kind == "gapo"
    finally:
        MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
