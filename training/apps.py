from django.apps import AppConfig


class TrainingConfig(AppConfig):
    """Training runs and model versions. The pure-ML packages under training/ never import Django."""

    name = "training"
    verbose_name = "Training"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from annotation.signals import demo_seeded
        from training import signals, tasks
        from training.runs.retrain import demo_retrain_policy_on_seed

        demo_seeded.connect(demo_retrain_policy_on_seed, dispatch_uid="training_demo_retrain_policy")
        signals.run_queued.connect(tasks.enqueue_run, dispatch_uid="training_execute_run")
        signals.dataset_version_queued.connect(tasks.enqueue_dataset_build, dispatch_uid="training_build_dataset")
