from django.apps import AppConfig


class TrainingConfig(AppConfig):
    """Training runs and model versions. The pure-ML packages under training/ never import Django."""

    name = "training"
    verbose_name = "Training"
    default_auto_field = "django.db.models.BigAutoField"
